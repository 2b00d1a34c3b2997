/** Elementwise fusion, on graph text: which chains become one prim::FusionGroup. */
import { describe, expect, it } from "vitest";
import { parseGraph, printGraph } from "../../../src/jit/ir/index.js";
import { afterPasses } from "./support.js";
import { fuseElementwise } from "../../../src/jit/passes/fuse_elementwise.js";

const fuse = (text: string): string => afterPasses(text, fuseElementwise);

describe("fuseElementwise", () => {
  it("groups a chain whose intermediates nothing else reads, copying its constants in", () => {
    expect(fuse(`graph(%x : Tensor, %h : Tensor):
  %one : int = prim::Constant[value=1]()
  %s : Tensor = aten::add(%x, %h, %one)
  %y : Tensor = aten::tanh(%s)
  %z : Tensor = aten::neg(%y)
  return (%z)`)).toBe(`graph(%x : Tensor,
      %h : Tensor):
  %one : int = prim::Constant[value=1]()
  %z : Tensor = prim::FusionGroup[Subgraph=<Graph>](%x, %h)
  return (%z)
`);
  });

  it("stops at a value used outside the chain, at alpha other than 1, and at ops it cannot fuse", () => {
    const text = `graph(%x : Tensor,
      %h : Tensor):
  %one : int = prim::Constant[value=1]()
  %two : int = prim::Constant[value=2]()
  %none : NoneType = prim::Constant()
  %s : Tensor = aten::add(%x, %h, %two)
  %y : Tensor = aten::tanh(%s)
  %m : Tensor = aten::sum(%y, %none)
  %t : Tensor = aten::mul(%m, %y)
  return (%t, %y)
`;
    expect(fuse(text)).toBe(text);
  });

  it("puts the group's subgraph in program order", () => {
    const g = parseGraph(`graph(%x : Tensor, %w : float):
  %a : Tensor = aten::mul(%x, %w)
  %b : Tensor = aten::sigmoid(%a)
  %c : Tensor = aten::mul(%b, %x)
  return (%c)`);
    fuseElementwise(g);
    const group = [...g.nodes()].find((n) => n.kind === "prim::FusionGroup")!;
    const sub = group.attr("Subgraph");
    expect(sub?.kind === "g" && printGraph(sub.value)).toBe(`graph(%x : Tensor,
      %w : float):
  %a : Tensor = aten::mul(%x, %w)
  %b : Tensor = aten::sigmoid(%a)
  %c : Tensor = aten::mul(%b, %x)
  return (%c)
`);
  });
});
