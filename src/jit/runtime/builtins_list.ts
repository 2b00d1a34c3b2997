/**
 * List builtins (register_prim_ops.cpp, register_ops_utils.cpp): the generic `t[]` ops
 * (`l[i]`, `append`, `len`, slicing, `+`, `*`), the ones specialized per element type
 * (`sort`, `sorted`, `in`, `index`, `count`, `remove`, `==`, `min`/`max` of lists, `sum`,
 * `any`, `all`). Lists are JS arrays and are mutated in place, as TorchScript lists are.
 * Indices follow Python: negative counts from the end; out of range is an error.
 */
import { eq as tensorEq, lt as tensorLt } from "../../tensor/ops/compare.js";
import type { Tensor } from "../../tensor/tensor.js";
import { IndexError, RuntimeError } from "../../util/errors.js";
import { defineBuiltins, type BuiltinDef } from "./builtin_registry.js";
import { tensorIsNonzero } from "./builtins_tensor.js";
import { intAdd } from "./scalar_math.js";
import { valueToString } from "./value_str.js";

/** Python's index normalization (normalizeIndex + getItem): the index or an IndexError. */
export function listIndex(len: number, idx: number): number {
  const i = idx < 0 ? len + idx : idx;
  if (i < 0 || i >= len) throw new IndexError("list index out of range");
  return i;
}

/**
 * slice_indices_adjust (Python's PySlice_AdjustIndices): the start and the element count of
 * `l[start:stop:step]`, None bounds given as null.
 */
export function sliceIndices(len: number, start: number | null, stop: number | null, step: number): [number, number] {
  if (step === 0) throw new RuntimeError("List slice should have non-zero step");
  let s = start ?? (step < 0 ? Infinity : 0);
  let e = stop ?? (step < 0 ? -Infinity : Infinity);
  if (s < 0) {
    s += len;
    if (s < 0) s = step < 0 ? -1 : 0;
  } else if (s >= len) s = step < 0 ? len - 1 : len;
  if (e < 0) {
    e += len;
    if (e < 0) e = step < 0 ? -1 : 0;
  } else if (e >= len) e = step < 0 ? len - 1 : len;
  if (step < 0) return [s, e < s ? Math.floor((s - e - 1) / -step) + 1 : 0];
  return [s, s < e ? Math.floor((e - s - 1) / step) + 1 : 0];
}

function slice<T>(l: readonly T[], start: number | null, stop: number | null, step: number): T[] {
  const [s, n] = sliceIndices(l.length, start, stop, step);
  const out = new Array<T>(n);
  for (let j = 0, i = s; j < n; j++, i += step) out[j] = l[i]!;
  return out;
}

function pop<T>(l: T[], idx: number, emptyMessage: string): T {
  if (l.length === 0) throw new RuntimeError(emptyMessage);
  const i = listIndex(l.length, idx);
  return l.splice(i, 1)[0]!;
}

function insert<T>(l: T[], idx: number, el: T): void {
  const i = idx < 0 ? l.length + idx : idx;
  if (i < 0) l.unshift(el);
  else if (i >= l.length) l.push(el);
  else l.splice(i, 0, el);
}

function repeat<T>(l: readonly T[], n: number): T[] {
  const out: T[] = [];
  for (let k = 0; k < n; k++) for (const x of l) out.push(x);
  return out;
}

// ---- element-type specialized ops: equality and order per element type ----

type Eq = (a: unknown, b: unknown) => boolean;
type Lt = (a: unknown, b: unknown) => boolean;

const tensorEquals: Eq = (a, b) => tensorIsNonzero(tensorEq(a as Tensor, b as Tensor));
const tensorLess: Lt = (a, b) => tensorIsNonzero(tensorLt(a as Tensor, b as Tensor));
const plainEq: Eq = (a, b) => a === b;
const plainLt: Lt = (a, b) => (a as number) < (b as number);

const ELEMENT_TYPES: readonly (readonly [string, Eq, Lt])[] = [
  ["int", plainEq, plainLt],
  ["float", plainEq, plainLt],
  ["bool", plainEq, plainLt],
  ["Tensor", tensorEquals, tensorLess],
  ["str", plainEq, plainLt],
];

function sortBy(lt: Lt, reverse: boolean): (a: unknown, b: unknown) => number {
  return (a, b) => (lt(a, b) ? (reverse ? 1 : -1) : lt(b, a) ? (reverse ? -1 : 1) : 0);
}

function listEq(eq: Eq): (a: unknown[], b: unknown[]) => boolean {
  return (a, b) => a.length === b.length && a.every((x, i) => eq(x, b[i]));
}

function specializedDefs([t, eq, lt]: readonly [string, Eq, Lt]): BuiltinDef[] {
  const find = (l: unknown[], el: unknown): number => l.findIndex((x) => eq(x, el));
  const defs: BuiltinDef[] = [
    {
      schema: `aten::remove.${t}(${t}[](a!) self, ${t} el) -> ()`,
      forward: (l: unknown[], el: unknown) => {
        const i = find(l, el);
        if (i < 0) throw new RuntimeError("list.remove(x): x not in list");
        l.splice(i, 1);
      },
    },
    {
      schema: `aten::index.list_${t}(${t}[] self, ${t} el) -> int`,
      forward: (l: unknown[], el: unknown) => {
        const i = find(l, el);
        if (i < 0) throw new RuntimeError(`'${valueToString(el)}' is not in list`);
        return i;
      },
    },
    { schema: `aten::count.${t}(${t}[] self, ${t} el) -> int`, forward: (l: unknown[], el: unknown) => l.filter((x) => eq(x, el)).length },
    { schema: `aten::sort.${t}(${t}[](a!) self, bool reverse=False) -> ()`, forward: (l: unknown[], r: boolean) => void l.sort(sortBy(lt, r)) },
    { schema: `aten::sorted.${t}(${t}[](a) input) -> (${t}[])`, forward: (l: unknown[]) => l.slice().sort(sortBy(lt, false)) },
    { schema: `aten::eq.${t}_list(${t}[] a, ${t}[] b) -> bool`, forward: listEq(eq) },
    { schema: `aten::ne.${t}_list(${t}[] a, ${t}[] b) -> bool`, forward: (a: unknown[], b: unknown[]) => !listEq(eq)(a, b) },
  ];
  if (t !== "Tensor") {
    defs.push({ schema: `aten::__contains__.${t}_list(${t}[] l, ${t} item) -> bool`, forward: (l: unknown[], x: unknown) => find(l, x) >= 0 });
  }
  if (t === "int" || t === "float" || t === "bool") defs.push(...minMaxDefs(t, lt));
  return defs;
}

/** prim::min / prim::max of lists: lexicographic between two lists, elementwise within one. */
function minMaxDefs(t: string, lt: Lt): BuiltinDef[] {
  const pick = (min: boolean) => (a: unknown[], b: unknown[]): unknown[] => {
    const better = (x: unknown, y: unknown): boolean => (min ? lt(x, y) : lt(y, x));
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] !== b[i]) return better(a[i], b[i]) ? a : b;
    }
    return (min ? b.length < a.length : b.length > a.length) ? b : a;
  };
  const fold = (min: boolean) => (l: unknown[]): unknown => {
    if (l.length === 0) throw new RuntimeError(`${min ? "min" : "max"}() arg is an empty sequence`);
    return l.reduce((m, x) => ((min ? lt(x, m) : lt(m, x)) ? x : m));
  };
  return [
    { schema: `prim::min.${t}_list(${t}[] l, ${t}[] r) -> ${t}[]`, forward: pick(true) },
    { schema: `prim::max.${t}_list(${t}[] l, ${t}[] r) -> ${t}[]`, forward: pick(false) },
    { schema: `prim::min.self_${t}(${t}[] self) -> ${t}`, forward: fold(true) },
    { schema: `prim::max.self_${t}(${t}[] self) -> ${t}`, forward: fold(false) },
  ];
}

const GENERIC: readonly BuiltinDef[] = [
  { schema: "aten::__getitem__.t(t[](a) list, int idx) -> t(*)", forward: (l: unknown[], i: number) => l[listIndex(l.length, i)] },
  { schema: "aten::select.t(t[](a) list, int idx) -> t(*)", forward: (l: unknown[], i: number) => l[listIndex(l.length, i)] },
  { schema: "aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!)", forward: (l: unknown[], el: unknown) => (l.push(el), l) },
  { schema: "aten::len.t(t[] a) -> int", forward: (l: unknown[]) => l.length },
  { schema: "aten::len.any(Any[] a) -> int", forward: (l: unknown[]) => l.length },
  {
    schema: "aten::_set_item.t(t[](a!) l, int idx, t(b -> *) el) -> t[](a!)",
    forward: (l: unknown[], i: number, el: unknown) => ((l[listIndex(l.length, i)] = el), l),
  },
  { schema: "aten::insert.t(t[](a!) self, int idx, t(b -> *) el) -> ()", forward: insert },
  { schema: "aten::pop.t(t[](a!) self, int idx=-1) -> t(*)", forward: (l: unknown[], i: number) => pop(l, i, "pop from empty list") },
  { schema: "aten::Delete.t(t[](a!) self, int idx) -> ()", forward: (l: unknown[], i: number) => void pop(l, i, "pop index out of range") },
  { schema: "aten::clear.t(t[](a!) self) -> ()", forward: (l: unknown[]) => void (l.length = 0) },
  { schema: "aten::extend.t(t[](a!) self, t[] other) -> ()", forward: (l: unknown[], o: unknown[]) => void l.push(...o) },
  { schema: "aten::reverse.t(t[](a!) self) -> ()", forward: (l: unknown[]) => void l.reverse() },
  { schema: "aten::copy.t(t[](a) self) -> t[]", forward: (l: unknown[]) => l.slice() },
  { schema: "aten::list.t(t[] l) -> t[]", forward: (l: unknown[]) => l.slice() },
  { schema: "aten::add.t(t[] a, t[] b) -> t[]", forward: (a: unknown[], b: unknown[]) => a.concat(b) },
  { schema: "aten::add_.t(t[](a!) self, t[] b) -> t[]", forward: (a: unknown[], b: unknown[]) => (a.push(...b), a) },
  {
    schema: "aten::slice.t(t[] l, int? start=None, int? end=None, int step=1) -> t[]",
    forward: (l: unknown[], s: number | null, e: number | null, st: number) => slice(l, s, e, st),
  },
  { schema: "aten::mul.left_t(t[] l, int n) -> t[]", forward: (l: unknown[], n: number) => repeat(l, n) },
  { schema: "aten::mul.right_(int n, t[] l) -> t[]", forward: (n: number, l: unknown[]) => repeat(l, n) },
  {
    schema: "aten::mul_.t(t[](a!) l, int n) -> t[](a!)",
    forward: (l: unknown[], n: number) => {
      const r = repeat(l, n);
      l.length = 0;
      l.push(...r);
      return l;
    },
  },
  { schema: "aten::sum.int(int[] self) -> int", forward: (l: number[]) => l.reduce(intAdd, 0) },
  { schema: "aten::sum.float(float[] self) -> float", forward: (l: number[]) => l.reduce((a, b) => a + b, 0) },
  { schema: "aten::sum.bool(bool[] self) -> int", forward: (l: boolean[]) => l.filter((b) => b).length },
  { schema: "aten::any.str(str[] self) -> bool", forward: (l: string[]) => l.some((s) => s !== "") },
  { schema: "aten::any.int(int[] self) -> bool", forward: (l: number[]) => l.some((x) => x !== 0) },
  { schema: "aten::any.float(float[] self) -> bool", forward: (l: number[]) => l.some((x) => x !== 0) },
  { schema: "aten::any.bool(bool[] self) -> bool", forward: (l: boolean[]) => l.some((x) => x) },
  { schema: "aten::all.int(int[] self) -> bool", forward: (l: number[]) => l.every((x) => x !== 0) },
  { schema: "aten::all.float(float[] self) -> bool", forward: (l: number[]) => l.every((x) => x !== 0) },
  { schema: "aten::all.bool(bool[] self) -> bool", forward: (l: boolean[]) => l.every((x) => x) },
  { schema: "prim::rangelist(int n) -> int[]", forward: (n: number) => Array.from({ length: Math.max(n, 0) }, (_, i) => i) },
];

defineBuiltins([...GENERIC, ...ELEMENT_TYPES.flatMap(specializedDefs)]);
