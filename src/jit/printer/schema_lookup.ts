/**
 * The operator schema a printed call is written against, and which of its arguments the call
 * must spell out.
 *
 * PyTorch's printer asks `node->schema()` and then CalculateNecessaryArgs: trailing arguments
 * whose input is a constant equal to the schema default are dropped (`torch.sum(x)` for
 * `aten::sum(%x, %none)`), kwarg-only arguments are written `name=value`, and trailing `out`
 * arguments are skipped and written `out=` last. Here the schema comes from, in order: the
 * node's resolved registry overload (`node.op`), the registry overload its input types match,
 * the builtin table (builtin_schemas.ts), then, loosely, any overload of that name with as
 * many arguments as the node has inputs. Defaults are compared as IValues compare: by tag and
 * value, so an int default never equals a float constant.
 */
import {
  constantValue, isSubtypeOf, matchTypeVariables, evalTypeVariables, parseSchemaType,
  type ConstantValue, type JitType, type Node, type Value,
} from "../ir/index.js";
import { REGISTRY } from "../../tensor/registry.js";
import { ENUM_DEFAULT_CODES } from "../../tensor/schema.js";
import { BUILTIN_SCHEMAS } from "./builtin_schemas.js";

export interface PrinterArg {
  readonly name: string;
  readonly type: JitType;
  readonly kwargOnly: boolean;
  /** A kwarg-only argument written in place (`Tensor(a!) out`). */
  readonly isOut: boolean;
  /** The default as an IValue; undefined when the argument has none. */
  readonly defaultValue: ConstantValue | undefined;
  /** N of a broadcasting list type `int[N]`. */
  readonly fixedLength: number | null;
}

export interface PrinterSchema {
  readonly name: string;
  readonly overload: string;
  readonly args: readonly PrinterArg[];
  /** Takes extra arguments after the declared ones (`aten::format(str self, ...)`). */
  readonly vararg: boolean;
  readonly text: string;
}

const parsed = new Map<string, PrinterSchema>();

/** Parses `ns::name.overload(args) -> returns`, keeping what printing needs. Cached by text. */
export function parsePrinterSchema(text: string): PrinterSchema {
  const hit = parsed.get(text);
  if (hit) return hit;
  const open = text.indexOf("(");
  const close = matchingParen(text, open);
  if (open < 0 || close < 0) throw new Error(`schema: cannot parse '${text}'`);
  const qualified = text.slice(0, open).trim();
  const dot = qualified.indexOf(".", qualified.indexOf("::"));
  const args: PrinterArg[] = [];
  let kwargOnly = false;
  let vararg = false;
  for (const part of splitTopLevel(text.slice(open + 1, close))) {
    if (part === "*") kwargOnly = true;
    else if (part === "...") vararg = true;
    else args.push(parseArg(part, kwargOnly, text));
  }
  const schema: PrinterSchema = {
    name: dot < 0 ? qualified : qualified.slice(0, dot),
    overload: dot < 0 ? "" : qualified.slice(dot + 1),
    args,
    vararg,
    text,
  };
  parsed.set(text, schema);
  return schema;
}

function parseArg(part: string, kwargOnly: boolean, schemaText: string): PrinterArg {
  const eq = topLevelIndex(part, "=");
  const decl = (eq < 0 ? part : part.slice(0, eq)).trim();
  const sp = decl.lastIndexOf(" ");
  if (sp < 0) throw new Error(`schema: argument '${part}' has no name in '${schemaText}'`);
  const typeText = decl.slice(0, sp).trim();
  const type = parseSchemaType(typeText);
  const fixed = /^\w+\[(\d+)\]/.exec(typeText);
  const fixedLength = fixed ? Number(fixed[1]) : null;
  return {
    name: decl.slice(sp + 1),
    type,
    kwargOnly,
    isOut: kwargOnly && /\([a-z]+!\)/.test(typeText),
    defaultValue: eq < 0 ? undefined : parseDefault(part.slice(eq + 1).trim(), type, fixedLength),
    fixedLength,
  };
}


function unwrapOptional(t: JitType): JitType {
  return t.kind === "Optional" ? t.element : t;
}

/** A default's text as an IValue of the argument's type (schema_parser.cpp parseDefaultValue). */
function parseDefault(text: string, type: JitType, fixedLength: number | null): ConstantValue {
  const base = unwrapOptional(type);
  if (text === "None") return { type: "None" };
  if (text === "True" || text === "False") return broadcast({ type: "bool", value: text === "True" }, base, fixedLength);
  if (/^["']/.test(text)) return { type: "str", value: unquote(text) };
  if (text.startsWith("[")) return parseListDefault(text, base);
  if (Object.prototype.hasOwnProperty.call(ENUM_DEFAULT_CODES, text)) return { type: "int", value: BigInt(ENUM_DEFAULT_CODES[text]!) };
  const scalar = base.kind === "List" ? base.element : base;
  if (/^-?\d+$/.test(text) && scalar.kind !== "float") {
    return broadcast({ type: "int", value: BigInt(text) }, base, fixedLength);
  }
  const num = text === "inf" ? Infinity : text === "-inf" ? -Infinity : text === "nan" ? NaN : Number(text);
  if (Number.isNaN(num) && text !== "nan") throw new Error(`schema: cannot read default '${text}'`);
  return broadcast({ type: "float", value: num }, base, fixedLength);
}

/** `int[2] padding=0` means [0, 0]. */
function broadcast(v: ConstantValue, base: JitType, n: number | null): ConstantValue {
  if (base.kind !== "List" || n === null) return v;
  switch (v.type) {
    case "int":
      return { type: "int[]", value: Array.from({ length: n }, () => v.value) };
    case "float":
      return { type: "float[]", value: Array.from({ length: n }, () => v.value) };
    case "bool":
      return { type: "bool[]", value: Array.from({ length: n }, () => v.value) };
    default:
      return v;
  }
}

function parseListDefault(text: string, base: JitType): ConstantValue {
  const items = splitTopLevel(text.slice(1, -1)).filter((s) => s !== "");
  const element = base.kind === "List" ? unwrapOptional(base.element).kind : "int";
  switch (element) {
    case "float":
      return { type: "float[]", value: items.map(Number) };
    case "bool":
      return { type: "bool[]", value: items.map((s) => s === "True") };
    case "str":
      return { type: "str[]", value: items.map(unquote) };
    default:
      return { type: "int[]", value: items.map((s) => BigInt(s)) };
  }
}

function unquote(text: string): string {
  const body = text.slice(1, -1);
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", f: "\f", v: "\v", r: "\r" })[c] ?? c);
}

/** Index of the parenthesis closing the one at `open`, skipping quoted text. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'") i = skipQuoted(text, i);
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return i;
  }
  return -1;
}

function skipQuoted(text: string, start: number): number {
  const q = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== q) i += text[i] === "\\" ? 2 : 1;
  return i;
}

/** The first `ch` outside brackets and quotes, or -1. */
function topLevelIndex(s: string, ch: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'") i = skipQuoted(s, i);
    else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === ch && depth === 0) return i;
  }
  return -1;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let rest = s;
  for (let i = topLevelIndex(rest, ","); i >= 0; i = topLevelIndex(rest, ",")) {
    parts.push(rest.slice(0, i).trim());
    rest = rest.slice(i + 1);
  }
  if (rest.trim() !== "") parts.push(rest.trim());
  return parts;
}

let builtinsByName: Map<string, PrinterSchema[]> | null = null;

/** The builtin table by op name, parsed on first use (not at import, so import cycles stay harmless). */
function builtins(): Map<string, PrinterSchema[]> {
  if (builtinsByName) return builtinsByName;
  builtinsByName = new Map();
  for (const text of BUILTIN_SCHEMAS) {
    const s = parsePrinterSchema(text);
    const list = builtinsByName.get(s.name) ?? [];
    list.push(s);
    builtinsByName.set(s.name, list);
  }
  return builtinsByName;
}

/** Whether `inputs` can call `schema` (c10 schema matching on already-typed values). */
export function schemaAccepts(schema: PrinterSchema, inputs: readonly JitType[]): boolean {
  const n = schema.args.length;
  if (schema.vararg ? inputs.length < n : inputs.length !== n) return false;
  const env = new Map<string, JitType>();
  return schema.args.every((arg, i) => {
    const actual = inputs[i]!;
    return matchTypeVariables(arg.type, actual, env) && isSubtypeOf(actual, evalTypeVariables(arg.type, env));
  });
}

/** The schema `node` calls (see the file comment for the order), or null when none is known. */
export function schemaForNode(node: Node): PrinterSchema | null {
  if (node.op) return parsePrinterSchema(node.op.schema.text);
  const types = node.inputs.map((v) => v.type);
  const candidates = [
    ...(REGISTRY.get(node.kind) ?? []).map((ov) => parsePrinterSchema(ov.schema.text)),
    ...(builtins().get(node.kind) ?? []),
  ];
  return candidates.find((s) => schemaAccepts(s, types)) ??
    candidates.find((s) => s.args.length === types.length) ?? null;
}

/** c10 IValue equality for constants: same tag, same value. */
export function constantsEqual(a: ConstantValue, b: ConstantValue): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case "None":
      return true;
    case "Tensor":
      return false;
    case "Function":
      return a.name === (b as typeof a).name;
    case "Enum": {
      const o = (b as typeof a).value;
      return a.value.enumName === o.enumName && a.value.name === o.name;
    }
    case "int":
      return BigInt(a.value) === BigInt((b as typeof a).value);
    case "int[]": {
      const o = (b as typeof a).value;
      return a.value.length === o.length && a.value.every((x, i) => BigInt(x) === BigInt(o[i]!));
    }
    case "float[]":
    case "bool[]":
    case "str[]": {
      const o = (b as { value: readonly unknown[] }).value;
      return a.value.length === o.length && a.value.every((x, i) => x === o[i]);
    }
    default:
      return a.value === (b as { value: unknown }).value;
  }
}

export interface NecessaryArgs {
  /** How many leading inputs are printed positionally (or `name=` when kwarg-only). */
  readonly necessary: number;
  /** How many trailing `out` arguments the schema has. */
  readonly outs: number;
}

/**
 * CalculateNecessaryArgs (runtime/calculate_necessary_args.h, with trailing out arguments
 * allowed): scanning back from the last non-out argument, the first one without a default,
 * with a non-constant input, or with a constant that differs from the default, is the last
 * one printed.
 */
export function necessaryArgs(schema: PrinterSchema, inputs: readonly Value[]): NecessaryArgs {
  const args = schema.args;
  let idx = args.length - 1;
  while (idx >= 0 && args[idx]!.isOut) idx--;
  const outs = args.length - idx - 1;
  if (args.length < inputs.length) return { necessary: inputs.length, outs };
  for (; idx >= 0; idx--) {
    const def = args[idx]!.defaultValue;
    const input = inputs[idx];
    if (def === undefined || input === undefined) return { necessary: idx + 1, outs };
    const actual = constantValue(input.node);
    if (actual === null || !constantsEqual(def, actual)) return { necessary: idx + 1, outs };
  }
  return { necessary: 0, outs };
}
