/**
 * The runtime value representation (objects.ts describes it) and what the interpreter needs
 * to know about values: which TorchScript type a JS value has, whether it fits a type, how
 * a dtype travels as an int, and the two value kinds objects.ts has no class for (first-class
 * functions and futures).
 *
 * Note [ints and floats]: TorchScript's int and float are both JS numbers here. Where the
 * difference matters (printing, `Scalar` overloads, a float going where a tensor goes), the
 * interpreter reads the static type from the IR; where no type says (values typed `Scalar`
 * or `Any`), an integral number counts as an int, as the eager engine does.
 */
import { DTYPES, type DType } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { SCALAR_TYPE_NAMES, type JitType } from "../ir/index.js";
import { ScriptEnumValue } from "./enum_value.js";
import { isScriptObject, type ScriptFuture } from "./objects.js";

/** A `Function` value (`prim::Constant[name="relu"]() : Function`), called by prim::CallFunction. */
export class FunctionValue {
  constructor(readonly name: string) {}
  toString(): string {
    return `<function ${this.name}>`;
  }
}

export function makeFuture(value: unknown): ScriptFuture {
  return { kind: "future", value };
}

export function isFuture(v: unknown): v is ScriptFuture {
  return typeof v === "object" && v !== null && (v as ScriptFuture).kind === "future" && "value" in v;
}

// ---- dtypes as ints (c10::ScalarType codes; prim::dtype returns one) ----

const DTYPE_BY_SCALAR_TYPE = new Map<string, DType>(Object.values(DTYPES).map((d) => [d.scalarType, d]));

/** c10::ScalarType code of a dtype: Float is 6, Long is 4, Bool is 11. */
export function dtypeCode(d: DType): number {
  return (SCALAR_TYPE_NAMES as readonly string[]).indexOf(d.scalarType);
}

export function dtypeFromCode(code: number): DType {
  const name = SCALAR_TYPE_NAMES[code];
  const d = name === undefined ? undefined : DTYPE_BY_SCALAR_TYPE.get(name);
  if (d === undefined) throw new Error(`ScalarType ${code} (${name ?? "unknown"}) is not supported`);
  return d;
}

/** c10::MemoryFormat and c10::Layout codes, as the eager ops spell them. */
export const MEMORY_FORMATS = ["contiguous_format", "preserve_format", "channels_last", "channels_last_3d"] as const;
export const LAYOUTS = ["strided", "sparse_coo", "sparse_csr", "mkldnn"] as const;

// ---- runtime types ----

/** The TorchScript name of a value's runtime type, as PyTorch's messages spell it (`int`, `List[int]`). */
export function describeValueType(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (v instanceof Tensor) return "Tensor";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "str";
  if (Array.isArray(v)) {
    const kinds = [...new Set(v.map(describeValueType))];
    return kinds.length === 1 ? `List[${kinds[0]}]` : `Tuple[${v.map(describeValueType).join(", ")}]`;
  }
  if (v instanceof Map) {
    const first = v.entries().next();
    return first.done ? "Dict" : `Dict[${describeValueType(first.value[0])}, ${describeValueType(first.value[1])}]`;
  }
  if (isScriptObject(v)) return v.qualifiedName;
  if (v instanceof ScriptEnumValue) return v.qualifiedName;
  if (v instanceof FunctionValue) return "Function";
  if (isFuture(v)) return "Future";
  return typeof v;
}

/**
 * Whether a runtime value can be of type `t` (what an input check and prim::isinstance ask).
 * Lists and tuples are both JS arrays, so the check is structural; an empty list fits every
 * list type; tensor detail (dtype, shape) is not checked, as PyTorch does not on calls.
 */
export function valueFitsType(v: unknown, t: JitType): boolean {
  switch (t.kind) {
    case "Any":
      return true;
    case "Tensor":
      return v instanceof Tensor;
    case "int":
      return typeof v === "number" && Number.isInteger(v);
    case "float":
      return typeof v === "number";
    case "Scalar":
      return typeof v === "number" || typeof v === "boolean";
    case "bool":
      return typeof v === "boolean";
    case "str":
      return typeof v === "string";
    case "Device":
      return typeof v === "string";
    case "NoneType":
      return v === null || v === undefined;
    case "Optional":
      return v === null || v === undefined || valueFitsType(v, t.element);
    case "Union":
      return t.types.some((m) => valueFitsType(v, m));
    case "List":
      return Array.isArray(v) && v.every((e) => valueFitsType(e, t.element));
    case "Tuple":
      return Array.isArray(v) && v.length === t.elements.length && t.elements.every((e, i) => valueFitsType(v[i], e));
    case "Dict":
      if (!(v instanceof Map)) return false;
      for (const [k, x] of v) if (!valueFitsType(k, t.key) || !valueFitsType(x, t.value)) return false;
      return true;
    case "Class":
      return isScriptObject(v);
    case "Enum":
      return v instanceof ScriptEnumValue && v.qualifiedName === t.name;
    case "AnyEnumType":
      return v instanceof ScriptEnumValue;
    case "Function":
      return v instanceof FunctionValue;
    case "Future":
      return isFuture(v);
    case "ScalarType":
    case "Layout":
    case "MemoryFormat":
      return typeof v === "number" || typeof v === "string" || typeof v === "object";
    default:
      return true;
  }
}

/** Note [ints and floats]: whether a number is an int, by its static type when one is known. */
export function isIntValue(v: unknown, t: JitType | undefined): boolean {
  if (typeof v !== "number") return false;
  if (t !== undefined) {
    if (t.kind === "int") return true;
    if (t.kind === "float") return false;
    if (t.kind === "Optional") return isIntValue(v, t.element);
  }
  return Number.isInteger(v);
}
