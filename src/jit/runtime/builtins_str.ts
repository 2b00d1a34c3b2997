/**
 * String builtins: `str(x)`, `"{}".format(...)`, `+`, comparisons, `len`, indexing and
 * slicing, and the common str methods. Text follows c10's `operator<<` (value_str.ts), so
 * `str(2.0)` is "2." as TorchScript prints it (Note [typed builtins] in builtin_registry.ts).
 * Strings are treated as sequences of UTF-16 code units (C++ uses bytes; the two agree on
 * ASCII).
 */
import { RuntimeError } from "../../util/errors.js";
import { warn } from "../../util/warnings.js";
import type { JitType } from "../ir/index.js";
import { defineBuiltins, type BuiltinDef } from "./builtin_registry.js";
import { sliceIndices } from "./builtins_list.js";
import { valueToString } from "./value_str.js";

/** aten::format: each `{}` takes the next argument; extra arguments are ignored. */
function format(types: readonly (JitType | undefined)[]) {
  return (fmt: string, ...args: unknown[]): string => {
    let out = "";
    let begin = 0;
    for (let used = 0; ; used++) {
      const loc = fmt.indexOf("{}", begin);
      if (loc < 0) return out + fmt.slice(begin);
      out += fmt.slice(begin, loc);
      if (used >= args.length) throw new RuntimeError(`Too few arguments for format string: ${fmt}`);
      out += valueToString(args[used], types[used + 1]);
      begin = loc + 2;
    }
  };
}

function stringIndex(s: string, i: number): string {
  const k = i < 0 ? s.length + i : i;
  if (k < 0 || k >= s.length) throw new RuntimeError("string index out of range");
  return s[k]!;
}

function stringSlice(s: string, start: number | null, stop: number | null, step: number): string {
  const [b, n] = sliceIndices(s.length, start, stop, step);
  let out = "";
  for (let j = 0, i = b; j < n; j++, i += step) out += s[i];
  return out;
}

const WHITESPACE = " \n\t\f\v";

function stripSet(s: string, chars: string, left: boolean, right: boolean): string {
  let b = 0;
  let e = s.length;
  if (left) while (b < e && chars.includes(s[b]!)) b++;
  if (right) while (e > b && chars.includes(s[e - 1]!)) e--;
  return s.slice(b, e);
}

/** Python's str.split: on runs of whitespace without a separator, else on the separator. */
function split(s: string, sep: string | null, max: number): string[] {
  if (sep === null) {
    const parts = s.split(/[\s\x1c-\x1f\x85\u2028\u2029]+/).filter((p) => p !== "");
    if (max < 0 || parts.length <= max + 1) return parts;
    const head = parts.slice(0, max);
    let rest = s.trimStart();
    for (const h of head) rest = rest.slice(h.length).trimStart();
    return [...head, rest];
  }
  if (sep === "") throw new RuntimeError("ValueError: empty separator");
  const parts = s.split(sep);
  if (max < 0 || parts.length <= max + 1) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(sep)];
}

/** stringFindImpl: Python's str.find with start/end. */
function find(s: string, sub: string, start: number, end: number, reverse: boolean): number {
  const size = s.length;
  const b = start < 0 ? Math.max(0, size + start) : start;
  const e = end < 0 ? Math.max(0, size + end + 1) : end;
  const window = e > b ? s.slice(b, e) : "";
  const pos = reverse ? window.lastIndexOf(sub) : window.indexOf(sub);
  return pos < 0 ? -1 : pos + b;
}

const allChars = (re: RegExp) => (s: string): boolean => s.length > 0 && [...s].every((c) => re.test(c));

const CMP: readonly (readonly [string, (a: string, b: string) => boolean])[] = [
  ["lt", (a, b) => a < b], ["gt", (a, b) => a > b], ["le", (a, b) => a <= b],
  ["ge", (a, b) => a >= b], ["eq", (a, b) => a === b], ["ne", (a, b) => a !== b],
];

/** aten::warn: a UserWarning, once per node, as the interpreter's WARN instruction does. */
function warnOnce(): (message: string) => void {
  let warned = false;
  return (message) => {
    if (!warned) warn("UserWarning", message);
    warned = true;
  };
}

const DEFS: readonly BuiltinDef[] = [
  { schema: "aten::warn(str message, int stacklevel=2) -> ()", forward: (m: string) => warn("UserWarning", m), specialize: () => warnOnce() },
  { schema: "aten::str(t elem) -> str", forward: (v: unknown) => valueToString(v), specialize: (ts) => (v: unknown) => valueToString(v, ts[0]) },
  { schema: "aten::format(str self, ...) -> str", forward: format([]), specialize: format },
  { schema: "aten::add.str(str a, str b) -> str", forward: (a: string, b: string) => a + b },
  ...CMP.map(([op, f]): BuiltinDef => ({ schema: `aten::${op}.str(str a, str b) -> bool`, forward: f })),
  { schema: "aten::len.str(str s) -> int", forward: (s: string) => s.length },
  { schema: "aten::__getitem__.str(str s, int index) -> str", forward: stringIndex },
  { schema: "prim::StringIndex(str string, int index) -> str", forward: stringIndex },
  {
    schema: "aten::slice.str(str string, int? start=None, int? end=None, int step=1) -> str",
    forward: stringSlice,
  },
  { schema: "aten::list(str t) -> str[]", forward: (s: string) => [...s] },
  { schema: "aten::lower(str self) -> str", forward: (s: string) => s.toLowerCase() },
  { schema: "aten::upper(str self) -> str", forward: (s: string) => s.toUpperCase() },
  { schema: "aten::strip(str self, str chars=' \\n\\t\\f\\v') -> str", forward: (s: string, c: string = WHITESPACE) => stripSet(s, c, true, true) },
  { schema: "aten::lstrip(str self, str chars=' \\n\\t\\f\\v') -> str", forward: (s: string, c: string = WHITESPACE) => stripSet(s, c, true, false) },
  { schema: "aten::rstrip(str self, str chars=' \\n\\t\\f\\v') -> str", forward: (s: string, c: string = WHITESPACE) => stripSet(s, c, false, true) },
  { schema: "aten::split.str(str self, str? separator=None, int max=-1) -> str[]", forward: split },
  { schema: "aten::join(str self, str[] values) -> str", forward: (s: string, vs: string[]) => vs.join(s) },
  {
    schema: "aten::replace(str self, str old, str new, int max=-1) -> str",
    forward: (s: string, old: string, neu: string, max: number) => {
      if (max < 0) return s.split(old).join(neu);
      const parts = s.split(old);
      return parts.slice(0, max + 1).join(neu) + (parts.length > max + 1 ? old + parts.slice(max + 1).join(old) : "");
    },
  },
  {
    schema: "aten::startswith(str self, str substr, int start=0, int end=-1) -> bool",
    forward: (s: string, sub: string, start: number, end: number) => find(s, sub, start, end, false) === Math.max(0, start < 0 ? s.length + start : start),
  },
  {
    schema: "aten::endswith(str self, str substr, int start=0, int end=-1) -> bool",
    forward: (s: string, sub: string, start: number, end: number) => {
      const e = end < 0 ? Math.max(0, s.length + end + 1) : Math.min(end, s.length);
      const pos = find(s, sub, start, end, true);
      return pos >= 0 && pos + sub.length === e;
    },
  },
  { schema: "aten::find(str self, str substr, int start=0, int end=-1) -> int", forward: (s: string, sub: string, b: number, e: number) => find(s, sub, b, e, false) },
  { schema: "aten::rfind(str self, str substr, int start=0, int end=-1) -> int", forward: (s: string, sub: string, b: number, e: number) => find(s, sub, b, e, true) },
  { schema: "aten::isdigit(str self) -> bool", forward: allChars(/[0-9]/) },
  { schema: "aten::isspace(str self) -> bool", forward: allChars(/[ \t\n\r\v\f]/) },
  { schema: "aten::isalpha(str self) -> bool", forward: allChars(/[A-Za-z]/) },
  { schema: "aten::isalnum(str self) -> bool", forward: allChars(/[A-Za-z0-9]/) },
  { schema: "aten::isupper(str self) -> bool", forward: (s: string) => /[A-Z]/.test(s) && !/[a-z]/.test(s) },
  { schema: "aten::islower(str self) -> bool", forward: (s: string) => /[a-z]/.test(s) && !/[A-Z]/.test(s) },
  {
    schema: "aten::zfill(str self, int width) -> str",
    forward: (s: string, w: number) => "0".repeat(Math.max(0, w - s.length)) + s,
  },
  {
    schema: "aten::ord(str string) -> int",
    forward: (s: string) => {
      if (s.length !== 1) throw new RuntimeError(`String for ord() must be 1 character, found ${s.length}`);
      return s.charCodeAt(0);
    },
  },
  {
    schema: "aten::chr(int i) -> str",
    forward: (i: number) => {
      if (i < 0 || i >= 1114111) throw new RuntimeError(`chr() arg not in range(0x110000), found ${i}`);
      return String.fromCodePoint(i);
    },
  },
];

defineBuiltins(DEFS);
