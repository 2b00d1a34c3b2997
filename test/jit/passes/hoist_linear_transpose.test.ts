/** Hoisting a loop's linear weight transpose (Note [hoisted linear transpose]), on graph text. */
import { describe, expect, it } from "vitest";
import { parseGraph, printGraph } from "../../../src/jit/ir/index.js";
import { afterPasses } from "./support.js";
import { hoistLinearTranspose } from "../../../src/jit/passes/hoist_linear_transpose.js";

const hoist = (text: string): string => afterPasses(text, hoistLinearTranspose);

const LOOP = (body: string) => `graph(%w : Tensor,
      %b : Tensor,
      %h0 : Tensor,
      %n : int):
  %true : bool = prim::Constant[value=1]()
  %h : Tensor = prim::Loop(%n, %true, %h0)
    block0(%i : int, %h.1 : Tensor):
${body}      -> (%true, %y)
  return (%h)
`;

describe("hoistLinearTranspose", () => {
  it("transposes a weight defined in front of the loop once, there, for every linear that uses it", () => {
    expect(hoist(LOOP(`      %z : Tensor = aten::linear(%h.1, %w, %b)
      %y : Tensor = aten::linear(%z, %w, %b)
`))).toBe(`graph(%w : Tensor,
      %b : Tensor,
      %h0 : Tensor,
      %n : int):
  %true : bool = prim::Constant[value=1]()
  %10 : Tensor? = tsjit::t_if_matrix(%w)
  %h : Tensor = prim::Loop(%n, %true, %h0)
    block0(%i : int, %h.1 : Tensor):
      %z : Tensor = tsjit::linear_t(%h.1, %10, %w, %b)
      %y : Tensor = tsjit::linear_t(%z, %10, %w, %b)
      -> (%true, %y)
  return (%h)
`);
  });

  it("leaves a weight computed inside the loop, and graphs that write anything", () => {
    const inside = LOOP(`      %w2 : Tensor = aten::mul(%w, %h.1)
      %y : Tensor = aten::linear(%h.1, %w2, %b)
`);
    expect(hoist(inside)).toBe(printGraph(parseGraph(inside)));
    const writes = LOOP(`      %y : Tensor = aten::linear(%h.1, %w, %b)
      %k : int = prim::Constant[value=1]()
      %u : Tensor = aten::add_(%w, %k, %k)
`);
    expect(hoist(writes)).toBe(printGraph(parseGraph(writes)));
  });
});
