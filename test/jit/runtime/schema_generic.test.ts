/**
 * The parser for generic operator schemas (what src/tensor/schema.ts cannot read yet).
 */
import { describe, expect, it } from "vitest";
import { parseGenericSchema } from "../../../src/jit/runtime/index.js";

describe("parseGenericSchema", () => {
  it("reads type variables with alias annotations, keeping the type text", () => {
    const { schema, vararg } = parseGenericSchema("aten::__getitem__.t(t[](a) list, int idx) -> t(*)");
    expect(vararg).toBe(false);
    expect(schema.name).toBe("aten::__getitem__");
    expect(schema.overload).toBe("t");
    expect(schema.args.map((a) => [a.typeText, a.name, a.kind])).toEqual([["t[](a)", "list", "Any"], ["int", "idx", "int"]]);
    expect(schema.returns).toEqual([{ name: null, typeText: "t(*)", kind: "Any" }]);
  });

  it("reads dicts, tuples, mutation marks and defaults", () => {
    const { schema } = parseGenericSchema("aten::pop.Dict_default_str(Dict(str, t)(a!) self, str key, t default_value) -> t(*)");
    expect(schema.args[0]).toMatchObject({ typeText: "Dict(str, t)(a!)", mutated: true, kind: "Any" });
    const split = parseGenericSchema("aten::split.str(str self, str? separator=None, int max=-1) -> str[]").schema;
    expect(split.args.map((a) => [a.name, a.optional, a.hasDefault, a.default])).toEqual([
      ["self", false, false, undefined], ["separator", true, true, null], ["max", false, true, -1],
    ]);
    const strip = parseGenericSchema("aten::strip(str self, str chars=' \\n\\t\\f\\v') -> str").schema;
    expect(strip.args[1]!.default).toBe(" \n\t\f\v");
  });

  it("tells one tuple return from several returns", () => {
    expect(parseGenericSchema("aten::items.str(Dict(str, t) self) -> ((str, t)[])").schema.returns.map((r) => r.typeText)).toEqual(["(str, t)[]"]);
    expect(parseGenericSchema("aten::divmod.int(int x, int y) -> (int, int)").schema.returns).toHaveLength(2);
    expect(parseGenericSchema("aten::clear.t(t[](a!) self) -> ()").schema.returns).toEqual([]);
  });

  it("reports a trailing ... (vararg)", () => {
    const { schema, vararg } = parseGenericSchema("aten::format(str self, ...) -> str");
    expect(vararg).toBe(true);
    expect(schema.args.map((a) => a.name)).toEqual(["self"]);
  });
});
