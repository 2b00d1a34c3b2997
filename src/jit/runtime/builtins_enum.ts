/**
 * Enum comparisons (register_prim_ops.cpp's `aten::eq.enum` / `aten::ne.enum`): members are
 * equal when they are the same member of the same Enum class (c10 EnumHolder's `==`), whatever
 * object holds them.
 */
import { RuntimeError } from "../../util/errors.js";
import { defineBuiltins } from "./builtin_registry.js";
import { ScriptEnumValue } from "./enum_value.js";

function sameMember(a: unknown, b: unknown): boolean {
  if (!(a instanceof ScriptEnumValue) || !(b instanceof ScriptEnumValue)) {
    throw new RuntimeError(`comparing enums (aten::eq.enum / aten::ne.enum) needs two enum values, got ${String(a)} and ${String(b)}`);
  }
  return a.equals(b);
}

defineBuiltins([
  { schema: "aten::eq.enum(AnyEnumType a, AnyEnumType b) -> bool", forward: sameMember },
  { schema: "aten::ne.enum(AnyEnumType a, AnyEnumType b) -> bool", forward: (a: unknown, b: unknown) => !sameMember(a, b) },
]);
