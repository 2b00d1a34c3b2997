/**
 * A parser for the operator schemas that src/tensor/schema.ts does not read yet: the generic
 * builtins of TorchScript (`aten::__getitem__.t(t[](a) list, int idx) -> t(*)`,
 * `aten::keys.str(Dict(str, t) self) -> str[](*)`, `aten::format(str self, ...) -> str`).
 *
 * It produces the same `OpSchema` data the registry keeps, so op_match.ts (which reads only
 * `typeText` through the IR's schema-type parser) resolves these ops like any other. Types
 * the core parser has no `ArgKind` for get kind "Any"; the exact type is in `typeText`.
 * Note [vararg schemas]: `OpSchema` has no field for a trailing `...`, so the parser reports
 * it beside the schema; the registry side table (builtin_registry.ts) remembers it.
 */
import { TypeCursor, type JitType } from "../ir/index.js";
import type { ArgKind, OpSchema, SchemaArg, SchemaReturn } from "../../tensor/schema.js";

export interface ParsedGenericSchema {
  readonly schema: OpSchema;
  /** The argument list ends in `...` (Note [vararg schemas]). */
  readonly vararg: boolean;
}

/** The registry's coarse kind for a schema type; "Any" where it has none. */
function kindOf(t: JitType): { kind: ArgKind; optional: boolean } {
  if (t.kind === "Optional") return { kind: kindOf(t.element).kind, optional: true };
  if (t.kind === "List") {
    const e = t.element.kind;
    if (e === "Tensor" || e === "int" || e === "float" || e === "bool") return { kind: `${e}[]` as ArgKind, optional: false };
    return { kind: "Any", optional: false };
  }
  switch (t.kind) {
    case "Tensor": case "int": case "float": case "bool": case "str": case "Scalar": case "Device":
    case "Generator": case "Layout": case "MemoryFormat": case "ScalarType":
      return { kind: t.kind, optional: false };
    default:
      return { kind: "Any", optional: false };
  }
}

/** Splits on commas outside brackets and parentheses (quotes in defaults included). */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote !== null) {
      if (ch === "\\") {
        cur += ch + (s[i + 1] ?? "");
        i++;
        continue;
      }
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(" || ch === "[") depth++;
    else if (ch === ")" || ch === "]") depth--;
    else if (ch === "," && depth === 0) {
      parts.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  if (cur.trim() !== "") parts.push(cur.trim());
  return parts;
}

function parseDefault(text: string): unknown {
  const t = text.trim();
  if (t === "None") return null;
  if (t === "True") return true;
  if (t === "False") return false;
  if (/^\[.*\]$/.test(t)) {
    const inner = t.slice(1, -1).trim();
    return inner === "" ? [] : splitTopLevel(inner).map(parseDefault);
  }
  if (/^(['"]).*\1$/.test(t)) return unescape(t.slice(1, -1));
  const n = Number(t);
  if (Number.isNaN(n)) throw new Error(`schema: cannot parse default '${text}'`);
  return n;
}

function unescape(s: string): string {
  const table: Record<string, string> = { n: "\n", t: "\t", f: "\f", v: "\v", r: "\r", "\\": "\\", "'": "'", '"': '"' };
  return s.replace(/\\(.)/g, (_, c: string) => table[c] ?? c);
}

/** Reads `<type> <name>[=<default>]`; the type text is whatever the type cursor consumed. */
function parseArg(part: string, kwargOnly: boolean): SchemaArg {
  const cur = new TypeCursor(part, 0, { schema: true });
  const type = cur.parse();
  const typeText = part.slice(0, cur.pos).trim();
  const rest = part.slice(cur.pos).trim();
  const eq = rest.indexOf("=");
  const name = (eq >= 0 ? rest.slice(0, eq) : rest).trim();
  if (!/^\w+$/.test(name)) throw new Error(`schema: cannot read argument '${part}'`);
  const fixed = /\[(\d+)\]/.exec(typeText);
  const { kind, optional } = kindOf(type);
  return {
    name,
    typeText,
    kind,
    optional,
    kwargOnly,
    fixedLength: fixed ? Number(fixed[1]) : null,
    hasDefault: eq >= 0,
    default: eq >= 0 ? parseDefault(rest.slice(eq + 1)) : undefined,
    mutated: /\([a-z](?:\|[a-z])*!\)/.test(typeText),
  };
}

function parseReturns(text: string): SchemaReturn[] {
  const t = text.trim();
  if (t === "()") return [];
  // `-> (int, int)` is two returns; `-> ((str, t)[])` and `-> (int[])` are one.
  const inner = t.startsWith("(") && matchingParen(t, 0) === t.length - 1 ? t.slice(1, -1) : null;
  const parts = inner !== null ? splitTopLevel(inner) : [t];
  return parts.map((p) => {
    const cur = new TypeCursor(p, 0, { schema: true });
    const type = cur.parse();
    const typeText = p.slice(0, cur.pos).trim();
    const name = p.slice(cur.pos).trim();
    return { name: name === "" ? null : name, typeText, kind: kindOf(type).kind };
  });
}

function matchingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")" && --depth === 0) return i;
  }
  return -1;
}

/**
 * Parses any TorchScript operator schema, generic ones included.
 *
 * @example parseGenericSchema("aten::len.t(t[] a) -> int").schema.args[0].typeText // "t[]"
 */
export function parseGenericSchema(text: string): ParsedGenericSchema {
  const head = /^([\w:]+?)(?:\.(\w+))?\(/.exec(text.trim());
  if (!head) throw new Error(`schema: cannot parse '${text}'`);
  const t = text.trim();
  const open = head[0].length - 1;
  const close = matchingParen(t, open);
  const arrow = t.slice(close + 1).trim();
  if (close < 0 || !arrow.startsWith("->")) throw new Error(`schema: cannot parse '${text}'`);
  const args: SchemaArg[] = [];
  let kwargOnly = false;
  let vararg = false;
  for (const part of splitTopLevel(t.slice(open + 1, close))) {
    if (part === "*") kwargOnly = true;
    else if (part === "...") vararg = true;
    else args.push(parseArg(part, kwargOnly));
  }
  const schema: OpSchema = {
    name: head[1]!,
    overload: head[2] ?? "",
    args,
    returns: parseReturns(arrow.slice(2)),
    text: t,
  };
  return { schema, vararg };
}
