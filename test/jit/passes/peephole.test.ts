/** Peephole rules, on graph text. */
import { describe, expect, it } from "vitest";
import { afterPasses } from "./support.js";
import { peephole } from "../../../src/jit/passes/peephole.js";
import { eliminateDeadCode } from "../../../src/jit/passes/dead_code_elimination.js";

const run = (text: string): string => afterPasses(text, peephole, eliminateDeadCode);
const same = (text: string): string => afterPasses(text, eliminateDeadCode);

describe("peephole", () => {
  it("forwards the elements of a tuple built in the graph to its unpack and its constant index", () => {
    expect(run(`graph(%a : Tensor, %b : Tensor):
  %t : (Tensor, Tensor) = prim::TupleConstruct(%a, %b)
  %x : Tensor, %y : Tensor = prim::TupleUnpack(%t)
  %one : int = prim::Constant[value=1]()
  %c : Tensor = prim::TupleIndex(%t, %one)
  %z : Tensor = aten::mul(%x, %c)
  return (%z, %y)
`)).toBe(`graph(%a : Tensor,
      %b : Tensor):
  %z : Tensor = aten::mul(%a, %b)
  return (%z, %b)
`);
  });

  it("reads the length and constant items of a list nothing changes, and not of one something may", () => {
    const list = (extra: string) => `graph(%a : int, %b : int):
  %l : int[] = prim::ListConstruct(%a, %b)
  %n : int = aten::len(%l)
  %k : int = prim::Constant[value=-1]()
  %e : int = aten::__getitem__(%l, %k)
${extra}  %s : int = aten::add(%n, %e)
  return (%s)
`;
    expect(run(list(""))).toBe(`graph(%a : int,
      %b : int):
  %7 : int = prim::Constant[value=2]()
  %s : int = aten::add(%7, %b)
  return (%s)
`);
    const appended = list("  %l2 : int[] = aten::append(%l, %a)\n");
    expect(run(appended)).toBe(same(appended));
  });

  it("decides `is None` where the type decides it, and leaves Optional values to run time", () => {
    expect(run(`graph(%x : Tensor, %o : Tensor?):
  %none : NoneType = prim::Constant()
  %p : bool = aten::__is__(%x, %none)
  %q : bool = aten::__isnot__(%x, %none)
  %r : bool = aten::__is__(%o, %none)
  return (%p, %q, %r)
`)).toBe(`graph(%x : Tensor,
      %o : Tensor?):
  %none : NoneType = prim::Constant()
  %6 : bool = prim::Constant[value=0]()
  %7 : bool = prim::Constant[value=1]()
  %r : bool = aten::__is__(%o, %none)
  return (%6, %7, %r)
`);
  });
});
