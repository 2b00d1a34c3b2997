/**
 * How TorchScript turns a value into text: c10's `operator<<(ostream, IValue)`, which is what
 * `str(x)`, `"{}".format(x)`, `print(x)` and error messages (`KeyError: a`) use. It is not
 * Python's `str`: floats print as C++ does (`2.`, `0.10000000000000001`), strings inside lists
 * are not quoted (`[a, b]`), tensors print in ATen's C++ form.
 *
 * Note [ints and floats] (values.ts): `type` says whether a number is an int or a float.
 */
import { Tensor } from "../../tensor/tensor.js";
import { formatDoubleRepr, formatTensorCpp, tensorText, type JitType } from "../ir/index.js";
import { ScriptEnumValue } from "./enum_value.js";
import { isScriptObject } from "./objects.js";
import { FunctionValue, isFuture, isIntValue } from "./values.js";

function formatInt(v: number): string {
  return Number.isSafeInteger(v) ? String(v) : BigInt(Math.trunc(v)).toString();
}

function elementTypes(t: JitType | undefined, n: number): readonly (JitType | undefined)[] {
  if (t?.kind === "Tuple") return t.elements;
  if (t?.kind === "List") return new Array<JitType>(n).fill(t.element);
  return new Array<undefined>(n).fill(undefined);
}

/**
 * `str(v)` in TorchScript.
 *
 * @example valueToString([1, 2.5], listType(Types.float)) // "[1., 2.5]"
 */
export function valueToString(v: unknown, type?: JitType): string {
  const t = type?.kind === "Optional" ? type.element : type;
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "string") return v;
  if (typeof v === "number") return isIntValue(v, t) ? formatInt(v) : formatDoubleRepr(v);
  if (v instanceof Tensor) return formatTensorCpp(tensorText(v));
  if (Array.isArray(v)) {
    const types = elementTypes(t, v.length);
    const items = v.map((x, i) => valueToString(x, types[i])).join(", ");
    if (t?.kind === "Tuple") return `(${items}${v.length === 1 ? ",)" : ")"}`;
    return `[${items}]`;
  }
  if (v instanceof Map) {
    const kt = t?.kind === "Dict" ? t.key : undefined;
    const vt = t?.kind === "Dict" ? t.value : undefined;
    const items = [...v].map(([k, x]) => `${valueToString(k, kt)}: ${valueToString(x, vt)}`);
    return `{${items.join(", ")}}`;
  }
  if (isScriptObject(v)) return `<${v.qualifiedName} object>`;
  if (v instanceof ScriptEnumValue) return `Enum<${v}>`; // c10 prints the unqualified class: Enum<Color.RED>
  if (v instanceof FunctionValue) return "Function";
  if (isFuture(v)) return "Future";
  return String(v);
}
