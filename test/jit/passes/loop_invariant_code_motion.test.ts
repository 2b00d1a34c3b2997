/** Loop-invariant code motion, on graph text. */
import { describe, expect, it } from "vitest";
import { afterPasses } from "./support.js";
import { hoistLoopInvariants } from "../../../src/jit/passes/loop_invariant_code_motion.js";

const licm = (text: string): string => afterPasses(text, hoistLoopInvariants);

const LOOP = (setAttr: string) => `graph(%self : __torch__.M,
      %h0 : Tensor,
      %n : int):
  %true : bool = prim::Constant[value=1]()
  %h : Tensor = prim::Loop(%n, %true, %h0)
    block0(%i : int, %h.1 : Tensor):
      %w : Tensor = prim::GetAttr[name="w"](%self)
      %k : int = prim::Constant[value=2]()
      %y : Tensor = aten::mul(%h.1, %w)
      %z : Tensor = aten::mul(%y, %k)
${setAttr}      -> (%true, %z)
  return (%h)
`;

describe("hoistLoopInvariants", () => {
  it("moves attribute reads and constants in front of the loop, and nothing that could fail", () => {
    expect(licm(LOOP(""))).toBe(`graph(%self : __torch__.M,
      %h0 : Tensor,
      %n : int):
  %true : bool = prim::Constant[value=1]()
  %w : Tensor = prim::GetAttr[name="w"](%self)
  %k : int = prim::Constant[value=2]()
  %h : Tensor = prim::Loop(%n, %true, %h0)
    block0(%i : int, %h.1 : Tensor):
      %y : Tensor = aten::mul(%h.1, %w)
      %z : Tensor = aten::mul(%y, %k)
      -> (%true, %z)
  return (%h)
`);
  });

  it("keeps the read of an attribute the graph writes", () => {
    const text = LOOP(`       = prim::SetAttr[name="w"](%self, %z)\n`);
    expect(licm(text)).toBe(text.replace(`      %k : int = prim::Constant[value=2]()\n`, "").replace(
      `  %h : Tensor = prim::Loop`, `  %k : int = prim::Constant[value=2]()\n  %h : Tensor = prim::Loop`));
  });
});
