/**
 * foldAttributes on graph text: enum attributes fold to Enum constants as PyTorch's
 * torch.jit.freeze folds them (issue #6), the folded graph still runs, and an enum attribute
 * a method writes stays an attribute read.
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { parseGraph, printGraph } from "../../../src/jit/ir/index.js";
import { eliminateDeadCode } from "../../../src/jit/passes/dead_code_elimination.js";
import { constantPropagation } from "../../../src/jit/frontend/constant_propagation.js";
import { foldAttributes, mutatedAttributes } from "../../../src/jit/passes/freeze_attributes.js";
import { ScriptEnumValue } from "../../../src/jit/runtime/enum_value.js";
import { runGraph } from "../../../src/jit/runtime/interpreter.js";
import { ScriptModule } from "../../../src/jit/script_module.js";

/** `if self.color == Color.GREEN: x = x + self.color.value`, as PyTorch's frontend writes it. */
const FORWARD = `graph(%self : __torch__.M, %x : Tensor):
  %one : int = prim::Constant[value=1]()
  %green : Enum<__torch__.Color> = prim::Constant[value=__torch__.Color.GREEN]()
  %color : Enum<__torch__.Color> = prim::GetAttr[name="color"](%self)
  %is_green : bool = aten::eq(%color, %green)
  %y : Tensor = prim::If(%is_green)
    block0():
      %color2 : Enum<__torch__.Color> = prim::GetAttr[name="color"](%self)
      %v : int = prim::EnumValue(%color2)
      %x2 : Tensor = aten::add(%x, %v, %one)
      -> (%x2)
    block1():
      -> (%x)
  return (%y)
`;

function moduleWithColor(): ScriptModule {
  const m = new ScriptModule("__torch__.M");
  m.setAttr("color", new ScriptEnumValue("__torch__.Color", "GREEN", 2));
  return m;
}

describe("foldAttributes: enum attributes", () => {
  it("folds every read of an enum attribute to one Enum constant at the top", () => {
    const g = parseGraph(FORWARD);
    expect(foldAttributes(g, moduleWithColor(), new Set(), new Set())).toBe(true);
    eliminateDeadCode(g); // the reads are left for dead-code elimination, as freeze's pipeline does
    const text = printGraph(g, { sourceLocations: false });
    expect(text).not.toContain("prim::GetAttr");
    expect(text.split("\n")[2], "first node").toBe("  %self.color : Enum<__torch__.Color> = prim::Constant[value=__torch__.Color.GREEN]()");
    expect(text).toContain("aten::eq(%self.color, %green)");
    expect(text).toContain("prim::EnumValue(%self.color)");
  });

  it("constant propagation then decides the comparison and reads the member's value, as after PyTorch's freeze", () => {
    const g = parseGraph(FORWARD);
    foldAttributes(g, moduleWithColor(), new Set(), new Set());
    constantPropagation(g);
    eliminateDeadCode(g);
    const text = printGraph(g, { sourceLocations: false });
    expect(text).not.toContain("aten::eq");
    expect(text).not.toContain("prim::If");
    expect(text).not.toContain("prim::EnumValue");
    expect(text).toMatch(/%(\w+) : int = prim::Constant\[value=2\]\(\)[\s\S]*aten::add\(%x, %\1, %one\)/);
    const [y] = runGraph(g, [moduleWithColor(), torch.ones([2])]) as [torch.Tensor];
    expect(y.tolist()).toEqual([3, 3]);
  });

  it("folds == and != of two enum constants by class and member name", () => {
    const g = parseGraph(`graph(%x : Tensor):
  %a : Enum<__torch__.Color> = prim::Constant[value=__torch__.Color.GREEN]()
  %b : Enum<__torch__.Color> = prim::Constant[value=__torch__.Color.RED]()
  %c : Enum<__torch__.Color> = prim::Constant[value=__torch__.Color.GREEN]()
  %e1 : bool = aten::eq(%a, %b)
  %e2 : bool = aten::eq(%a, %c)
  %e3 : bool = aten::ne(%a, %b)
  return (%e1, %e2, %e3)
`);
    constantPropagation(g);
    eliminateDeadCode(g);
    expect(printGraph(g)).toBe(`graph(%x : Tensor):
  %7 : bool = prim::Constant[value=0]()
  %8 : bool = prim::Constant[value=1]()
  %9 : bool = prim::Constant[value=1]()
  return (%7, %8, %9)
`);
  });

  it("the folded graph runs with the member's value", () => {
    // no enum constant in the text: parsed ones do not know their member's value
    const g = parseGraph(`graph(%self : __torch__.M, %x : Tensor):
  %one : int = prim::Constant[value=1]()
  %color : Enum<__torch__.Color> = prim::GetAttr[name="color"](%self)
  %v : int = prim::EnumValue(%color)
  %y : Tensor = aten::add(%x, %v, %one)
  return (%y)
`);
    const m = moduleWithColor();
    expect(foldAttributes(g, m, new Set(), new Set())).toBe(true);
    eliminateDeadCode(g);
    expect(printGraph(g)).not.toContain("prim::GetAttr");
    const [y] = runGraph(g, [m, torch.ones([2])]) as [torch.Tensor];
    expect(y.tolist()).toEqual([3, 3]);
  });

  it("leaves an enum attribute that a method writes, and one kept by name", () => {
    const setter = parseGraph(`graph(%self : __torch__.M):
  %red : Enum<__torch__.Color> = prim::Constant[value=__torch__.Color.RED]()
  = prim::SetAttr[name="color"](%self, %red)
  %none : NoneType = prim::Constant()
  return (%none)
`);
    const kept: [preserved: Set<string>, mutated: Set<string>][] = [
      [new Set(), mutatedAttributes([setter])],
      [new Set(["color"]), new Set()],
    ];
    for (const [preserved, mutated] of kept) {
      const g = parseGraph(FORWARD);
      expect(foldAttributes(g, moduleWithColor(), preserved, mutated)).toBe(false);
      expect(printGraph(g).match(/prim::GetAttr\[name="color"\]/g)).toHaveLength(2);
    }
  });
});
