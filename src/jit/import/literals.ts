/**
 * Literal values in class bodies and signatures (`eps : Final[float] = 1.0000000000000001e-05`,
 * `normalized_shape : Final[Tuple[int]] = (6,)`, `dim: Optional[int]=None`), read as runtime
 * values (src/jit/runtime/objects.ts: numbers, strings, booleans, null, arrays for lists and
 * tuples, "cpu" for a device) and, where a graph needs one, as a constant node.
 */
import type { ConstantValue, JitType } from "../ir/index.js";
import type { Expr } from "./ast.js";
import { dottedName } from "./type_expr.js";

export type LiteralFailure = (at: Expr, what: string) => never;

/** The runtime value literal `e` denotes. */
export function literalValue(e: Expr, fail: LiteralFailure): unknown {
  switch (e.kind) {
    case "int":
    case "float":
    case "str":
    case "bool":
      return e.value;
    case "none":
      return null;
    case "tuple":
    case "list":
      return e.items.map((x) => literalValue(x, fail));
    case "name":
      if (e.name === "inf") return Infinity;
      if (e.name === "nan") return NaN;
      break;
    case "unary":
      if (e.op === "-" && e.operand.kind === "name" && e.operand.name === "inf") return -Infinity;
      break;
    case "call":
      if (dottedName(e.callee) === "torch.device" && e.args.length === 1 && e.args[0]!.kind === "str") return e.args[0]!.value;
      break;
  }
  return fail(e, "expected a literal value (number, string, bool, None, tuple or list of literals, torch.device)");
}

/** `value` (a runtime literal) as a constant node of type `type`, or null when no constant kind holds it. */
export function literalConstant(value: unknown, type: JitType): ConstantValue | null {
  const t = type.kind === "Optional" ? type.element : type;
  if (value === null) return { type: "None" };
  if (typeof value === "boolean") return { type: "bool", value };
  if (typeof value === "string") return t.kind === "Device" ? { type: "Device", value } : { type: "str", value };
  if (typeof value === "bigint") return { type: "int", value };
  if (typeof value === "number") {
    if (t.kind === "float" || (t.kind !== "int" && !Number.isInteger(value))) return { type: "float", value };
    return { type: "int", value };
  }
  if (Array.isArray(value) && t.kind === "List") {
    const e = t.element.kind;
    if (e === "int") return { type: "int[]", value: value as number[] };
    if (e === "float") return { type: "float[]", value: value as number[] };
    if (e === "bool") return { type: "bool[]", value: value as boolean[] };
    if (e === "str") return { type: "str[]", value: value as string[] };
  }
  return null;
}
