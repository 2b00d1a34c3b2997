/** Common subexpression elimination, on graph text: what it merges and what it must leave. */
import { describe, expect, it } from "vitest";
import { afterPasses } from "./support.js";
import { eliminateCommonSubexpressions } from "../../../src/jit/passes/common_subexpression_elimination.js";

const cse = (text: string): string => afterPasses(text, eliminateCommonSubexpressions);

describe("eliminateCommonSubexpressions", () => {
  it("merges equal pure nodes and rewires their uses", () => {
    expect(cse(`graph(%x : Tensor):
  %none : NoneType = prim::Constant()
  %one : int = prim::Constant[value=1]()
  %a : Tensor = aten::sum(%x, %none)
  %b : Tensor = aten::sum(%x, %none)
  %c : Tensor = aten::add(%a, %b, %one)
  return (%c)`)).toBe(`graph(%x : Tensor):
  %none : NoneType = prim::Constant()
  %one : int = prim::Constant[value=1]()
  %a : Tensor = aten::sum(%x, %none)
  %c : Tensor = aten::add(%a, %a, %one)
  return (%c)
`);
  });

  it("sees into nested blocks but does not let a block's values out", () => {
    expect(cse(`graph(%x : Tensor, %c : bool):
  %a : Tensor = aten::neg(%x)
  %r : Tensor = prim::If(%c)
    block0():
      %b : Tensor = aten::neg(%x)
      %t : Tensor = aten::tanh(%b)
      -> (%t)
    block1():
      %t2 : Tensor = aten::tanh(%x)
      -> (%t2)
  %u : Tensor = aten::tanh(%x)
  %o : (Tensor, Tensor, Tensor) = prim::TupleConstruct(%a, %r, %u)
  return (%o)`)).toBe(`graph(%x : Tensor,
      %c : bool):
  %a : Tensor = aten::neg(%x)
  %r : Tensor = prim::If(%c)
    block0():
      %t : Tensor = aten::tanh(%a)
      -> (%t)
    block1():
      %t2 : Tensor = aten::tanh(%x)
      -> (%t2)
  %u : Tensor = aten::tanh(%x)
  %o : (Tensor, Tensor, Tensor) = prim::TupleConstruct(%a, %r, %u)
  return (%o)
`);
  });

  it("leaves random ops, and tensors in a graph that writes in place (Note [no alias analysis])", () => {
    const random = `graph(%x : Tensor):
  %none : NoneType = prim::Constant()
  %a : Tensor = aten::rand_like(%x, %none, %none, %none, %none, %none)
  %b : Tensor = aten::rand_like(%x, %none, %none, %none, %none, %none)
  %o : (Tensor, Tensor) = prim::TupleConstruct(%a, %b)
  return (%o)
`;
    expect(cse(random)).toBe(random);
    const writes = `graph(%x : Tensor):
  %one : int = prim::Constant[value=1]()
  %a : Tensor = aten::neg(%x)
  %b : Tensor = aten::neg(%x)
  %c : Tensor = aten::add_(%a, %one, %one)
  %n : int = aten::dim(%x)
  %m : int = aten::dim(%x)
  %o : (Tensor, Tensor, int, int) = prim::TupleConstruct(%b, %c, %n, %m)
  return (%o)
`;
    // the neg results stay apart (a.add_ must not change b); the ints merge
    expect(cse(writes)).toBe(writes.replace("  %m : int = aten::dim(%x)\n", "").replace("%n, %m)", "%n, %n)"));
  });
});
