/** Scalar conditions, on graph text: which chains ending in aten::Bool become one prim::ScalarCondition. */
import { describe, expect, it } from "vitest";
import { parseGraph, printGraph } from "../../../src/jit/ir/index.js";
import { afterPasses } from "./support.js";
import { fuseScalarConditions } from "../../../src/jit/passes/fuse_scalar_condition.js";

const fuse = (text: string): string => afterPasses(text, fuseScalarConditions);

describe("fuseScalarConditions", () => {
  it("makes `bool(x.sum() > 0)` one node, copying its constants in", () => {
    const g = parseGraph(`graph(%x : Tensor):
  %none : NoneType = prim::Constant()
  %zero : int = prim::Constant[value=0]()
  %s : Tensor = aten::sum(%x, %none)
  %c : Tensor = aten::gt(%s, %zero)
  %b : bool = aten::Bool(%c)
  return (%b)`);
    fuseScalarConditions(g);
    expect(printGraph(g)).toBe(`graph(%x : Tensor):
  %none : NoneType = prim::Constant()
  %zero : int = prim::Constant[value=0]()
  %b : bool = prim::ScalarCondition[Subgraph=<Graph>](%x)
  return (%b)
`);
    const cond = [...g.nodes()].find((n) => n.kind === "prim::ScalarCondition")!;
    const sub = cond.attr("Subgraph");
    expect(sub?.kind === "g" && printGraph(sub.value)).toBe(`graph(%x : Tensor):
  %none : NoneType = prim::Constant()
  %s : Tensor = aten::sum(%x, %none)
  %zero : int = prim::Constant[value=0]()
  %c : Tensor = aten::gt(%s, %zero)
  %b : bool = aten::Bool(%c)
  return (%b)
`);
  });

  it("takes elementwise ops with number operands between the reduction and the comparison, and a mean", () => {
    expect(fuse(`graph(%x : Tensor, %k : float):
  %none : NoneType = prim::Constant()
  %one : int = prim::Constant[value=1]()
  %m : Tensor = aten::mean(%x, %none)
  %a : Tensor = aten::mul(%m, %k)
  %s : Tensor = aten::sub(%a, %k, %one)
  %c : Tensor = aten::le(%s, %k)
  %b : bool = aten::Bool(%c)
  return (%b)`)).toBe(`graph(%x : Tensor,
      %k : float):
  %none : NoneType = prim::Constant()
  %one : int = prim::Constant[value=1]()
  %b : bool = prim::ScalarCondition[Subgraph=<Graph>](%x, %k)
  return (%b)
`);
  });

  it("leaves chains whose values are read elsewhere, reductions over dims or with a dtype, and tensor operands", () => {
    const text = `graph(%x : Tensor,
      %y : Tensor):
  %none : NoneType = prim::Constant()
  %zero : int = prim::Constant[value=0]()
  %dims : int[] = prim::Constant[value=[0]]()
  %f : bool = prim::Constant[value=0]()
  %dt : int = prim::Constant[value=6]()
  %s : Tensor = aten::sum(%x, %none)
  %c : Tensor = aten::gt(%s, %zero)
  %b : bool = aten::Bool(%c)
  %s2 : Tensor = aten::sum(%x, %dims, %f, %none)
  %c2 : Tensor = aten::gt(%s2, %zero)
  %b2 : bool = aten::Bool(%c2)
  %s3 : Tensor = aten::sum(%x, %dt)
  %b3 : bool = aten::Bool(%s3)
  %s4 : Tensor = aten::sum(%x, %none)
  %c4 : Tensor = aten::gt(%s4, %y)
  %b4 : bool = aten::Bool(%c4)
  return (%b, %b2, %b3, %b4, %s)
`;
    expect(fuse(text)).toBe(text);
  });

  it("groups inside blocks", () => {
    expect(fuse(`graph(%x : Tensor, %p : bool):
  %none : NoneType = prim::Constant()
  %r : bool = prim::If(%p)
    block0():
      %s : Tensor = aten::sum(%x, %none)
      %b : bool = aten::Bool(%s)
      -> (%b)
    block1():
      -> (%p)
  return (%r)`)).toBe(`graph(%x : Tensor,
      %p : bool):
  %none : NoneType = prim::Constant()
  %r : bool = prim::If(%p)
    block0():
      %b : bool = prim::ScalarCondition[Subgraph=<Graph>](%x)
      -> (%b)
    block1():
      -> (%p)
  return (%r)
`);
  });
});
