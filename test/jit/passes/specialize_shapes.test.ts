/** Shape specialization, on graph text: sizes of inputs the argument spec fixes become constants. */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { parseGraph, printGraph } from "../../../src/jit/ir/index.js";
import { specializeShapes } from "../../../src/jit/passes/specialize_shapes.js";

const GRAPH = `graph(%xs : Tensor,
      %n : int):
  %zero : int = prim::Constant[value=0]()
  %five : int = prim::Constant[value=5]()
  %a : int = aten::size(%xs, %zero)
  %b : int = aten::dim(%xs)
  %c : int = aten::size(%xs, %five)
  %d : int = aten::size(%xs, %n)
  %o : (int, int, int, int) = prim::TupleConstruct(%a, %b, %c, %d)
  return (%o)
`;

describe("specializeShapes", () => {
  it("reads dim() and constant size(d) of a known input; an out-of-range or variable dim stays a call", () => {
    const g = parseGraph(GRAPH);
    expect(specializeShapes(g, [{ shape: [100, 3, 4], dtype: torch.float32 }, null])).toBe(true);
    expect(printGraph(g)).toBe(`graph(%xs : Tensor,
      %n : int):
  %zero : int = prim::Constant[value=0]()
  %five : int = prim::Constant[value=5]()
  %9 : int = prim::Constant[value=100]()
  %10 : int = prim::Constant[value=3]()
  %c : int = aten::size(%xs, %five)
  %d : int = aten::size(%xs, %n)
  %o : (int, int, int, int) = prim::TupleConstruct(%9, %10, %c, %d)
  return (%o)
`);
  });

  it("changes nothing about inputs it is told nothing of", () => {
    const g = parseGraph(GRAPH);
    expect(specializeShapes(g, [null, null])).toBe(false);
    expect(printGraph(g)).toBe(GRAPH);
  });
});
