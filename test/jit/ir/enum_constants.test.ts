/**
 * Enum types and enum constants in graph text, as PyTorch 1.13 prints them
 * (`%4 : Enum<__torch__.Color> = prim::Constant[value=__torch__.Color.RED]()`), parsed and printed
 * back unchanged, read as typed constants, and refused with a message when the member names
 * another class.
 */
import { describe, expect, it } from "vitest";
import {
  Graph, IRParseError, Types, annotationStr, constantValue, enumType, insertConstant, isSubtypeOf, parseGraph, parseType,
  printGraph, printType, unifyTypes, verifyGraph,
} from "../../../src/jit/ir/index.js";

/** `print(torch.jit.script(M()).graph)` in PyTorch 1.13, source comments removed. */
const TORCH_GRAPH = `graph(%self : __torch__.M,
      %x.1 : Tensor,
      %c.1 : Enum<__torch__.Color>):
  %10 : int = prim::Constant[value=1]()
  %4 : Enum<__torch__.Color> = prim::Constant[value=__torch__.Color.RED]()
  %20 : int = prim::Constant[value=2]()
  %5 : bool = aten::eq(%c.1, %4)
  %42 : Tensor = prim::If(%5)
    block0():
      %9 : int = prim::EnumValue(%c.1)
      %11 : Tensor = aten::add(%x.1, %9, %10)
      -> (%11)
    block1():
      %c.11 : Enum<__torch__.Color> = prim::GetAttr[name="c"](%self)
      %36 : bool = aten::ne(%c.1, %c.11)
       = prim::If(%36)
        block0():
          %38 : str = prim::EnumName(%c.1)
           = prim::Print(%38)
          -> ()
        block1():
          -> ()
      %40 : Tensor = aten::mul(%x.1, %20)
      -> (%40)
  return (%42)
`;

describe("Enum types", () => {
  it("print as Enum<name> in graphs and as the qualified name in code", () => {
    const t = enumType("__torch__.Color");
    expect(printType(t)).toBe("Enum<__torch__.Color>");
    expect(annotationStr(t)).toBe("__torch__.Color");
    expect(parseType("Enum<__torch__.Color>")).toEqual(t);
    expect(parseType("Enum<__torch__.Color>?")).toEqual({ kind: "Optional", element: t });
  });

  it("are subtypes of AnyEnumType (what aten::eq.enum takes) and of nothing else", () => {
    const color = enumType("__torch__.Color");
    expect(isSubtypeOf(color, Types.anyEnum)).toBe(true);
    expect(isSubtypeOf(color, enumType("__torch__.Shade"))).toBe(false);
    expect(isSubtypeOf(color, Types.int)).toBe(false);
    expect(isSubtypeOf(Types.int, Types.anyEnum)).toBe(false);
    expect(unifyTypes(color, Types.none)).toEqual({ kind: "Optional", element: color });
  });
});

describe("enum constants", () => {
  it("a graph PyTorch printed parses, verifies and prints back unchanged", () => {
    const g = parseGraph(TORCH_GRAPH);
    verifyGraph(g);
    expect(printGraph(g)).toBe(TORCH_GRAPH);
    const red = [...g.nodes()][1]!;
    // graph text has no member values: the constant knows its class and name only
    expect(constantValue(red)).toEqual({ type: "Enum", value: { enumName: "__torch__.Color", name: "RED", value: null } });
  });

  it("a constant made from a member keeps its value and prints as PyTorch's", () => {
    const g = new Graph();
    const v = insertConstant(g, { type: "Enum", value: { enumName: "__torch__.Shade", name: "DARK", value: "dark" } });
    g.registerOutput(v);
    expect(printGraph(g)).toBe(
      "graph():\n  %0 : Enum<__torch__.Shade> = prim::Constant[value=__torch__.Shade.DARK]()\n  return (%0)\n",
    );
    expect(constantValue(v.node)).toEqual({ type: "Enum", value: { enumName: "__torch__.Shade", name: "DARK", value: "dark" } });
  });

  it("a member of another class is refused where it is written", () => {
    const text = "graph():\n  %0 : Enum<__torch__.Color> = prim::Constant[value=__torch__.Shade.DARK]()\n  return (%0)\n";
    expect(() => parseGraph(text)).toThrow(IRParseError);
    expect(() => parseGraph(text)).toThrow(/enum member '__torch__.Shade.DARK' is not a member of __torch__.Color/);
  });
});
