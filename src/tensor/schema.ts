/**
 * TorchScript operator schemas, parsed from their text form:
 *   aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor
 * The parsed schema drives argument binding in eager calls, and later the tracer, the script
 * compiler's overload resolution and the printer, so it is kept as plain data.
 */
export type ArgKind =
  | "Tensor" | "Tensor[]" | "int" | "int[]" | "float" | "float[]" | "bool" | "bool[]"
  | "Scalar" | "ScalarType" | "str" | "Layout" | "Device" | "Generator" | "MemoryFormat" | "Any";

export interface SchemaArg {
  name: string;
  /** The type as written, e.g. "int[1]?", kept for printing. */
  typeText: string;
  kind: ArgKind;
  optional: boolean;
  kwargOnly: boolean;
  /** Fixed list length written as int[2]: a single int is broadcast to the length. */
  fixedLength: number | null;
  hasDefault: boolean;
  default: unknown;
  /** Tensor(a!) style alias annotation: the argument is written in place. */
  mutated: boolean;
}

export interface SchemaReturn {
  name: string | null;
  typeText: string;
  kind: ArgKind;
}

export interface OpSchema {
  /** Qualified name without overload, e.g. "aten::add". */
  name: string;
  /** Overload name, e.g. "Tensor"; "" for the default overload. */
  overload: string;
  args: SchemaArg[];
  returns: SchemaReturn[];
  text: string;
}

const KINDS = new Set<string>([
  "Tensor", "Tensor[]", "int", "int[]", "float", "float[]", "bool", "bool[]", "Scalar",
  "ScalarType", "str", "Layout", "Device", "Generator", "MemoryFormat", "Any",
]);

function parseType(text: string): { kind: ArgKind; optional: boolean; fixedLength: number | null; mutated: boolean } {
  let t = text.trim();
  let optional = false;
  if (t.endsWith("?")) {
    optional = true;
    t = t.slice(0, -1);
  }
  const mutated = /\([a-z]!\)/.test(t);
  // alias annotations: Tensor(a), Tensor(a!), Tensor(a -> *)
  t = t.replace(/\([a-z]!?(?:\s*->\s*\*)?\)/, "");
  // Tensor?[] (a list of optional tensors, e.g. index's indices) binds as Tensor[]
  if (t === "Tensor?[]") t = "Tensor[]";
  let fixedLength: number | null = null;
  const fixed = /^(\w+)\[(\d+)\]$/.exec(t);
  if (fixed) {
    fixedLength = Number(fixed[2]);
    t = `${fixed[1]}[]`;
  }
  if (!KINDS.has(t)) throw new Error(`schema: unknown type '${text}'`);
  return { kind: t as ArgKind, optional, fixedLength, mutated };
}

/**
 * Defaults written as c10 enum names in schemas (MemoryFormat, Reduction, ScalarType, Layout)
 * and the int codes TorchScript graphs carry for them: `x.contiguous()` compiles its default to
 * `prim::Constant[value=0]`, as PyTorch's does.
 */
export const ENUM_DEFAULT_CODES: Readonly<Record<string, number>> = {
  contiguous_format: 0, preserve_format: 1, channels_last: 2, channels_last_3d: 3,
  Mean: 1, Sum: 2, strided: 0,
  uint8: 0, int8: 1, short: 2, int: 3, long: 4, half: 5, float: 6, double: 7, bool: 11,
};

function parseDefault(text: string): unknown {
  const t = text.trim();
  if (t === "None") return null;
  if (t === "True") return true;
  if (t === "False") return false;
  if (t === "[]") return [];
  if (/^\[.*\]$/.test(t)) return t.slice(1, -1).split(",").map((s) => Number(s.trim()));
  if (/^".*"$|^'.*'$/.test(t)) return t.slice(1, -1);
  if (Object.prototype.hasOwnProperty.call(ENUM_DEFAULT_CODES, t)) return t;
  const n = Number(t);
  if (Number.isNaN(n)) throw new Error(`schema: cannot parse default '${text}'`);
  return n;
}

/** Splits on commas that are not inside brackets or parentheses. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(" || ch === "[") depth++;
    if (ch === ")" || ch === "]") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  return parts.map((p) => p.trim());
}

export function parseSchema(text: string): OpSchema {
  const m = /^([\w:]+?)(?:\.(\w+))?\((.*)\)\s*->\s*(.+)$/.exec(text.trim());
  if (!m) throw new Error(`schema: cannot parse '${text}'`);
  const [, name, overload, argText, retText] = m as unknown as [string, string, string | undefined, string, string];
  const args: SchemaArg[] = [];
  let kwargOnly = false;
  for (const part of splitTopLevel(argText)) {
    if (part === "*") {
      kwargOnly = true;
      continue;
    }
    const eq = part.indexOf("=");
    const decl = eq >= 0 ? part.slice(0, eq) : part;
    const sp = decl.trim().lastIndexOf(" ");
    const typeText = decl.trim().slice(0, sp);
    const argName = decl.trim().slice(sp + 1);
    const ty = parseType(typeText);
    args.push({
      name: argName,
      typeText,
      ...ty,
      kwargOnly,
      hasDefault: eq >= 0,
      default: eq >= 0 ? parseDefault(part.slice(eq + 1)) : undefined,
    });
  }
  const retInner = retText.trim().startsWith("(") ? retText.trim().slice(1, -1) : retText.trim();
  const returns: SchemaReturn[] = retInner === "()" || retInner === ""
    ? []
    : splitTopLevel(retInner).map((r) => {
        const sp = r.lastIndexOf(" ");
        const hasName = sp > 0 && !r.slice(sp + 1).includes(")") && /^\w+$/.test(r.slice(sp + 1)) && !KINDS.has(r.slice(sp + 1));
        const typeText = hasName ? r.slice(0, sp) : r;
        return { name: hasName ? r.slice(sp + 1) : null, typeText, kind: parseType(typeText).kind };
      });
  return { name, overload: overload ?? "", args, returns, text };
}
