/**
 * Literals in printed TorchScript (c10 `IValue::repr` with python_print.cpp's custom formatter):
 * ints in decimal, floats as `2.` / `0.10000000000000001`, `True`, `None`, double-quoted
 * strings with C escapes, `torch.device("cpu")`, `[1, 2]`, `(6,)`, `{"a": 1}`.
 *
 * Tensors, and strings holding non-ASCII characters, are not written inline: they go to the
 * constant table and print as `CONSTANTS.c<N>` (the archive's constants.pkl; `.code` starts
 * with an empty table). Equal tensors share one entry, as getOrAddConstant does.
 */
import { Tensor } from "../../tensor/tensor.js";
import {
  formatDoubleRepr, quoteString, type ConstantValue, type JitType, type TensorAttribute, type TypePrinter,
  annotationStr,
} from "../ir/index.js";

/** What `CONSTANTS.c<N>` refers to: a tensor, a non-ASCII string, or a tensor whose data is unknown. */
export type ConstantEntry = Tensor | string | TensorAttribute;

/**
 * The constants a printer writes as `CONSTANTS.c<N>`; shared by every printer of one archive.
 * It can wrap the caller's own array (a module's constant list), which then receives the entries.
 */
export class ConstantTable {
  constructor(readonly entries: unknown[] = []) {}

  /** The index of `v`, adding it unless an equal tensor is already there. */
  add(v: ConstantEntry): number {
    if (v instanceof Tensor) {
      const found = this.entries.findIndex((e) => e instanceof Tensor && tensorsEqual(e, v));
      if (found >= 0) return found;
    }
    this.entries.push(v);
    return this.entries.length - 1;
  }
}

/** Same dtype, device, shape and elements (`t.options().type_equal(t2.options()) && t.equal(t2)`). */
function tensorsEqual(a: Tensor, b: Tensor): boolean {
  if (a === b) return true;
  if (a.dtype !== b.dtype || a.device !== b.device || a.shape.length !== b.shape.length) return false;
  if (!a.shape.every((d, i) => d === b.shape[i])) return false;
  const x = a.contiguousData();
  const y = b.contiguousData();
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i]) && x[i] !== y[i]) return false;
  return true;
}

export interface LiteralContext {
  readonly constants: ConstantTable;
  readonly typePrinter?: TypePrinter | undefined;
}

/** python_print.cpp's containsNonASCIIString: such strings are moved to the constant table. */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function strLiteral(s: string, ctx: LiteralContext): string {
  return isAscii(s) ? quoteString(s) : `CONSTANTS.c${ctx.constants.add(s)}`;
}

/** A prim::Constant's value as printed (not None or Function: the caller handles those). */
export function printConstantValue(c: ConstantValue, ctx: LiteralContext): string {
  switch (c.type) {
    case "int":
      return c.value.toString();
    case "float":
      return formatDoubleRepr(c.value);
    case "bool":
      return c.value ? "True" : "False";
    case "str":
      return strLiteral(c.value, ctx);
    case "None":
      return "None";
    case "Device":
      return `torch.device(${quoteString(c.value)})`;
    case "int[]":
      return `[${c.value.map((v) => v.toString()).join(", ")}]`;
    case "float[]":
      return `[${c.value.map(formatDoubleRepr).join(", ")}]`;
    case "bool[]":
      return `[${c.value.map((v) => (v ? "True" : "False")).join(", ")}]`;
    case "str[]":
      return `[${c.value.map((v) => strLiteral(v, ctx)).join(", ")}]`;
    case "Tensor":
      return `CONSTANTS.c${ctx.constants.add(c.value)}`;
    case "Function":
      return c.name;
    case "Enum":
      // c10 IValue::repr of an EnumHolder: the qualified class name as is, not type-printed
      return `${c.value.enumName}.${c.value.name}`;
  }
}

/** A tensor constant's attribute: its tensor when known, else the attribute itself. */
export function printTensorAttribute(a: TensorAttribute, ctx: LiteralContext): string {
  return `CONSTANTS.c${ctx.constants.add(a.value ?? a)}`;
}

/**
 * A runtime value (see src/jit/runtime/objects.ts for the representation) as a literal of
 * type `t`: class constants (`eps : Final[float] = 1.0000000000000001e-05`) and default
 * arguments (`s: Optional[int]=None`). The type tells ints from floats, which JS numbers do not.
 */
export function printRuntimeValue(value: unknown, t: JitType, ctx: LiteralContext): string {
  if (value === null || value === undefined) return "None";
  switch (t.kind) {
    case "Optional":
      return printRuntimeValue(value, t.element, ctx);
    case "int":
      return typeof value === "bigint" ? value.toString() : String(Math.trunc(Number(value)));
    case "float":
      return formatDoubleRepr(Number(value));
    case "bool":
      return value ? "True" : "False";
    case "str":
      return strLiteral(String(value), ctx);
    case "Device":
      return `torch.device(${quoteString(String(value))})`;
    case "Tensor":
      return value instanceof Tensor ? `CONSTANTS.c${ctx.constants.add(value)}` : inferLiteral(value, ctx);
    case "Enum":
      return `${t.name}.${enumMemberName(value)}`;
    case "List":
      return `[${asArray(value).map((v) => printRuntimeValue(v, t.element, ctx)).join(", ")}]`;
    case "Tuple": {
      const items = asArray(value).map((v, i) => printRuntimeValue(v, t.elements[i] ?? { kind: "Any" }, ctx));
      const prefix = t.named?.name ? annotationStr(t, ctx.typePrinter) : "";
      return `${prefix}(${items.join(", ")}${items.length === 1 ? "," : ""})`;
    }
    case "Dict": {
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
      const items = entries.map(([k, v]) => `${printRuntimeValue(k, t.key, ctx)}: ${printRuntimeValue(v, t.value, ctx)}`);
      return `{${items.join(", ")}}`;
    }
    default:
      return inferLiteral(value, ctx);
  }
}

/** A value whose static type does not say how to print it (Any, Scalar, unions): by its JS kind. */
function inferLiteral(value: unknown, ctx: LiteralContext): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : formatDoubleRepr(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return strLiteral(value, ctx);
  if (value instanceof Tensor) return `CONSTANTS.c${ctx.constants.add(value)}`;
  if (Array.isArray(value)) return `[${value.map((v) => inferLiteral(v, ctx)).join(", ")}]`;
  throw new Error(`printer: cannot write ${Object.prototype.toString.call(value)} as a TorchScript literal`);
}

/** The member name of an enum runtime value (src/jit/runtime/enum_value.ts; read by shape, not class). */
function enumMemberName(value: unknown): string {
  const name = (value as { name?: unknown }).name;
  if (typeof name !== "string") throw new Error(`printer: expected an enum member, got ${Object.prototype.toString.call(value)}`);
  return name;
}

function asArray(value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw new Error(`printer: expected a list or tuple value, got ${typeof value}`);
  return value;
}
