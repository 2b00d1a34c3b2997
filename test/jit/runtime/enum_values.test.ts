/**
 * Enum members in the interpreter: constants, prim::EnumValue / prim::EnumName, aten::eq.enum and
 * aten::ne.enum (members are equal by class and name, not by object), `str()` as c10 prints it,
 * enum-typed inputs checked, and a parsed constant without its value failing clearly when run.
 */
import { describe, expect, it } from "vitest";
import { Graph, enumType, insertConstant, parseGraph, resolveOverload, Types } from "../../../src/jit/ir/index.js";
import { ScriptEnumValue } from "../../../src/jit/runtime/enum_value.js";
import { runGraph, valueToString } from "../../../src/jit/runtime/index.js";
import "../../../src/jit/runtime/builtins.js";

const COLOR = "__torch__.Color";
const red = () => new ScriptEnumValue(COLOR, "RED", 1);
const green = () => new ScriptEnumValue(COLOR, "GREEN", 2);

/** `(c == RED, c != RED, c.value, c.name)` with RED a constant holding its value. */
function compareGraph(): Graph {
  const g = new Graph();
  const c = g.addInput("c", enumType(COLOR));
  const k = insertConstant(g, { type: "Enum", value: { enumName: COLOR, name: "RED", value: 1 } });
  const eq = g.insert("aten::eq", [c, k], [Types.bool]).output();
  const ne = g.insert("aten::ne", [c, k], [Types.bool]).output();
  const value = g.insert("prim::EnumValue", [c], [Types.int]).output();
  const name = g.insert("prim::EnumName", [c], [Types.str]).output();
  for (const o of [eq, ne, value, name]) g.registerOutput(o);
  return g;
}

describe("enum members in the interpreter", () => {
  it("compares by member, reads .value and .name", () => {
    const g = compareGraph();
    expect(runGraph(g, [red()])).toEqual([true, false, 1, "RED"]);
    expect(runGraph(g, [green()])).toEqual([false, true, 2, "GREEN"]);
  });

  it("resolves == and != on enums to aten::eq.enum and aten::ne.enum", () => {
    const g = parseGraph(`graph(%a : Enum<${COLOR}>, %b : Enum<__torch__.Shade>):
  %0 : bool = aten::eq(%a, %a)
  %1 : bool = aten::ne(%a, %b)
  return (%0, %1)
`);
    expect([...g.nodes()].map((n) => resolveOverload(n)?.schema.overload)).toEqual(["enum", "enum"]);
  });

  it("checks enum-typed inputs by class", () => {
    const g = compareGraph();
    expect(() => runGraph(g, [new ScriptEnumValue("__torch__.Shade", "DARK", "dark")])).toThrow(
      "Expected a value of type 'Enum<__torch__.Color>' for argument 'c' but instead found type '__torch__.Shade'",
    );
    // PyTorch 1.13's own words for f(3) with `c: Color`
    expect(() => runGraph(g, [3])).toThrow("Expected a value of type 'Enum<__torch__.Color>' for argument 'c' but instead found type 'int'");
    expect(runGraph(g, [red()])).toHaveLength(4);
  });

  it("prints members as c10 does: Enum<Color.RED>", () => {
    expect(valueToString(red())).toBe("Enum<Color.RED>");
    expect(String(green())).toBe("Color.GREEN");
  });

  it("a constant parsed from graph text has no value, and says so when it runs", () => {
    const g = parseGraph(`graph():
  %0 : Enum<${COLOR}> = prim::Constant[value=${COLOR}.RED]()
  %1 : int = prim::EnumValue(%0)
  return (%1)
`);
    expect(() => runGraph(g, [])).toThrow(/an enum member whose value the graph text does not hold/);
  });
});
