/**
 * Does an unpickled value have the type the class declares? The interpreter trusts attribute
 * types (its steps are compiled for them), so a data.pkl that puts a string where a Tensor is
 * declared must fail here, at load, naming the attribute — not later as a JS TypeError.
 */
import { Tensor } from "../../tensor/tensor.js";
import { annotationStr, type JitType } from "../ir/index.js";
import { ScriptEnumValue } from "../runtime/enum_value.js";
import { isScriptObject } from "../runtime/objects.js";
import { isTuple } from "./pickle_values.js";

/** Why `v` is not a `t`, or null when it is. Containers are checked element by element. */
export function typeMismatch(v: unknown, t: JitType, depth = 0): string | null {
  if (depth > 100) return "nests too deeply";
  const bad = () => `expected ${annotationStr(t)}, found ${describe(v)}`;
  switch (t.kind) {
    case "Any": return null;
    case "Tensor": return v instanceof Tensor ? null : bad();
    case "int": return (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint" ? null : bad();
    case "float": return typeof v === "number" ? null : bad();
    case "Scalar": return typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" ? null : bad();
    case "bool": return typeof v === "boolean" ? null : bad();
    case "str": return typeof v === "string" ? null : bad();
    case "NoneType": return v === null ? null : bad();
    case "Device": return typeof v === "string" ? null : bad();
    case "Optional": return v === null ? null : typeMismatch(v, t.element, depth + 1);
    case "Union": return t.types.some((m) => typeMismatch(v, m, depth + 1) === null) ? null : bad();
    case "List": {
      if (!Array.isArray(v) || isTuple(v)) return bad();
      for (const x of v) {
        const why = typeMismatch(x, t.element, depth + 1);
        if (why) return `in a list: ${why}`;
      }
      return null;
    }
    case "Tuple": {
      if (!Array.isArray(v) || v.length !== t.elements.length) return bad();
      for (let i = 0; i < v.length; i++) {
        const why = typeMismatch(v[i], t.elements[i]!, depth + 1);
        if (why) return `in a tuple: ${why}`;
      }
      return null;
    }
    case "Dict": {
      if (!(v instanceof Map)) return bad();
      for (const [k, x] of v) {
        const why = typeMismatch(k, t.key, depth + 1) ?? typeMismatch(x, t.value, depth + 1);
        if (why) return `in a dict: ${why}`;
      }
      return null;
    }
    case "Class": return isScriptObject(v) ? null : bad();
    case "Enum": return v instanceof ScriptEnumValue && v.qualifiedName === t.name ? null : bad();
    default: return null;
  }
}

function describe(v: unknown): string {
  if (v === null) return "None";
  if (v instanceof Tensor) return "Tensor";
  if (Array.isArray(v)) return isTuple(v) ? "a tuple" : "a list";
  if (v instanceof Map) return "a dict";
  if (isScriptObject(v)) return `an object of ${v.qualifiedName}`;
  if (v instanceof ScriptEnumValue) return `the enum member ${v.qualifiedName}.${v.name}`;
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}
