/**
 * Reduction kernels: a plan splits a tensor's dims into kept (outer) and reduced (inner) ones;
 * for each output position the reduced values are gathered into a Float64Array and handed to a
 * small monomorphic reducer (sum, max, var, ...). Gathering costs one copy but keeps every
 * reducer a plain loop over doubles whatever the input dtype, and accumulates float32 in
 * float64 (more accurate than PyTorch's cascade sum, equal after rounding in nearly all cases).
 */
import { fillStridedOffsets } from "./strided.js";
import { RuntimeError } from "../../util/errors.js";
import { bool, float16, bfloat16, roundToDType, type DType, type TypedArray } from "../dtype.js";
import { contiguousStrides, normalizeDim, numel } from "../shape.js";
import { Tensor } from "../tensor.js";

export interface ReducePlan {
  /** The result shape (keepdim applied). */
  outShape: number[];
  outer: number;
  inner: number;
  /** Kept dims (collapsed where contiguous): sizes and input strides. */
  keptShape: number[];
  keptStrides: number[];
  /** Reduced dims (collapsed where contiguous): sizes and input strides. */
  redShape: number[];
  redStrides: number[];
  offset: number;
}

/**
 * Normalizes a dim argument: null or [] mean every dim; negative dims wrap; a repeated dim is
 * PyTorch's error. Returns sorted dims (a 0-d tensor accepts 0 and -1 and reduces nothing).
 */
export function reductionDims(dim: number | readonly number[] | null | undefined, ndim: number): number[] {
  if (dim === null || dim === undefined || (typeof dim !== "number" && dim.length === 0)) {
    const all = new Array<number>(ndim);
    for (let i = 0; i < ndim; i++) all[i] = i;
    return all;
  }
  if (typeof dim === "number" || dim.length === 1) {
    const d = normalizeDim(typeof dim === "number" ? dim : dim[0]!, ndim);
    return ndim === 0 ? [] : [d];
  }
  const out: number[] = [];
  for (const d of dim) {
    const nd = normalizeDim(d, ndim);
    if (out.includes(nd)) throw new RuntimeError(`dim ${nd} appears multiple times in the list of dims`);
    out.push(nd);
  }
  return ndim === 0 ? [] : out.sort((a, b) => a - b);
}

/** The shape a reduction over `dims` produces. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (!dims.includes(d)) out.push(shape[d]!);
    else if (keepdim) out.push(1);
  }
  return out;
}

/** Merges adjacent dims whose strides make them one run (fewer odometer steps). */
function collapse(shape: number[], strides: number[]): [number[], number[]] {
  const s: number[] = [];
  const st: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = s.length - 1;
    if (last >= 0 && st[last] === strides[i]! * shape[i]!) {
      s[last] = s[last]! * shape[i]!;
      st[last] = strides[i]!;
    } else {
      s.push(shape[i]!);
      st.push(strides[i]!);
    }
  }
  return [s, st];
}

export function planReduce(x: Tensor, dims: readonly number[], keepdim: boolean): ReducePlan {
  const keptS: number[] = [];
  const keptSt: number[] = [];
  const redS: number[] = [];
  const redSt: number[] = [];
  let inner = 1;
  let outer = 1;
  for (let d = 0; d < x.shape.length; d++) {
    const size = x.shape[d]!;
    if (dims.includes(d)) {
      redS.push(size);
      redSt.push(x._strides[d]!);
      inner *= size;
    } else {
      keptS.push(size);
      keptSt.push(x._strides[d]!);
      outer *= size;
    }
  }
  const [keptShape, keptStrides] = collapse(keptS, keptSt);
  const [redShape, redStrides] = collapse(redS, redSt);
  return { outShape: reducedShape(x.shape, dims, keepdim), outer, inner, keptShape, keptStrides, redShape, redStrides, offset: x.offset };
}

/**
 * Note [reduction scratch]: V8 allocates a typed array over 64 bytes outside its heap, at about
 * half a microsecond each, more than a whole small reduction costs. The gather buffers and
 * offset tables are therefore reused scratch arrays, one per slot (each slot has one user at a
 * time); very large ones are not kept.
 */
const SCRATCH: Float64Array[] = [];
const KEEP_SCRATCH = 1 << 20;
const GATHER = 0, OUTER = 1, RESULT = 2, OUT_BASE = 3, INNER = 4;

function scratch(slot: number, n: number): Float64Array {
  const have = SCRATCH[slot];
  if (have !== undefined && have.length >= n) return have;
  const a = new Float64Array(Math.max(n, 64));
  if (n <= KEEP_SCRATCH) SCRATCH[slot] = a;
  return a;
}

/** Offsets of an odometer walk over (shape, strides) from `start`, into scratch `slot`. */
function walkOffsets(slot: number, count: number, shape: readonly number[], strides: readonly number[], start: number): Float64Array {
  return fillStridedOffsets(scratch(slot, count), count, shape, strides, start);
}

/** Copies the reduced elements starting at `base` into buf[0..inner). */
function gather(src: TypedArray, base: number, plan: ReducePlan, buf: Float64Array, idx: number[]): void {
  const shape = plan.redShape;
  const strides = plan.redStrides;
  const nd = shape.length;
  if (nd === 0) {
    buf[0] = src[base]!;
    return;
  }
  if (nd === 1) {
    const st = strides[0]!;
    const n = shape[0]!;
    if (st === 1 && n > 64) buf.set(src.subarray(base, base + n));
    else for (let i = 0, p = base; i < n; i++, p += st) buf[i] = src[p]!;
    return;
  }
  idx.fill(0);
  const last = nd - 1;
  const lastN = shape[last]!;
  const lastSt = strides[last]!;
  let p = base;
  for (let o = 0; o < plan.inner; o += lastN) {
    for (let j = 0, q = p; j < lastN; j++, q += lastSt) buf[o + j] = src[q]!;
    for (let d = last - 1; d >= 0; d--) {
      idx[d]!++;
      p += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      p -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/**
 * Runs `visit` on each output position's gathered values (buf holds `inner` values). `buf` is
 * scratch (Note [reduction scratch]): visitors read it before returning and never keep it.
 */
export function forEachReduced(x: Tensor, plan: ReducePlan, visit: (buf: Float64Array, n: number, o: number) => void): void {
  const src = x.storage.data;
  const buf = scratch(GATHER, plan.inner);
  const idx = new Array<number>(plan.redShape.length).fill(0);
  const offs = plan.keptShape.length === 0
    ? scratch(OUTER, 1).fill(plan.offset, 0, 1)
    : walkOffsets(OUTER, plan.outer, plan.keptShape, plan.keptStrides, plan.offset);
  for (let o = 0; o < plan.outer; o++) {
    if (plan.inner > 0) gather(src, offs[o]!, plan, buf, idx);
    visit(buf, plan.inner, o);
  }
}

/**
 * `reducer` over all of a contiguous tensor's elements, before rounding to a result dtype: what
 * a full reduction stores, rounded (also the compiled scalar conditions' value,
 * executor/scalar_condition.ts).
 */
export function reduceAllContiguous(x: Tensor, reducer: (buf: Float64Array, n: number) => number): number {
  const n = numel(x.shape);
  const src = x.storage.data;
  const off = x.offset;
  // sum and mean read the data in place, in sumOf's order (the same doubles, the same sum)
  if (reducer === sumOf) return sumRange(src, off, n);
  if (reducer === meanOf) return sumRange(src, off, n) / n;
  const buf = scratch(GATHER, n);
  if (n > 64) buf.set(src.subarray(off, off + n));
  else for (let i = 0; i < n; i++) buf[i] = src[off + i]!;
  return reducer(buf, n);
}

/** The shape (and strides) of every 0-d result of a full reduction: never mutated. */
const SCALAR_SHAPE: number[] = [];

/** Runs a scalar reducer over every output position into a fresh tensor of `dtype`. */
export function reduceToTensor(
  x: Tensor, dims: readonly number[], keepdim: boolean, dtype: DType, reducer: (buf: Float64Array, n: number) => number,
): Tensor {
  const toBool = dtype === bool;
  if (dims.length === x.shape.length && x.is_contiguous()) {
    // full reduction of a contiguous tensor (loss.sum(), x.sum() > 0): no plan needed
    const out = new dtype.ArrayType(1);
    const v = reduceAllContiguous(x, reducer);
    out[0] = toBool ? (v !== 0 ? 1 : 0) : roundToDType(v, dtype);
    // a 0-d result shares one shape and strides array (Note [shared shape arrays])
    return keepdim ? Tensor.fromData(out, reducedShape(x.shape, dims, keepdim), dtype) : Tensor.fromData(out, SCALAR_SHAPE, dtype, SCALAR_SHAPE);
  }
  if (dims.length === 1 && x.is_contiguous()) return reduceOneDimContiguous(x, dims[0]!, keepdim, dtype, reducer);
  const plan = planReduce(x, dims, keepdim);
  const out = new dtype.ArrayType(plan.outer);
  forEachReduced(x, plan, (buf, n, o) => {
    const v = reducer(buf, n);
    out[o] = toBool ? (v !== 0 ? 1 : 0) : v;
  });
  roundHalf(out, dtype);
  return Tensor.fromData(out, plan.outShape, dtype);
}

/** One dim of a contiguous tensor: slice (a, b) starts at a * n * after + b, stride `after`. */
function reduceOneDimContiguous(
  x: Tensor, dim: number, keepdim: boolean, dtype: DType, reducer: (buf: Float64Array, n: number) => number,
): Tensor {
  const shape = x.shape;
  const n = shape[dim]!;
  let before = 1;
  let after = 1;
  for (let d = 0; d < dim; d++) before *= shape[d]!;
  for (let d = dim + 1; d < shape.length; d++) after *= shape[d]!;
  const out = new dtype.ArrayType(before * after);
  const buf = scratch(GATHER, n);
  const src = x.storage.data;
  const toBool = dtype === bool;
  let o = 0;
  for (let a = 0; a < before; a++) {
    for (let b = 0; b < after; b++, o++) {
      for (let i = 0, p = x.offset + a * n * after + b; i < n; i++, p += after) buf[i] = src[p]!;
      const v = reducer(buf, n);
      out[o] = toBool ? (v !== 0 ? 1 : 0) : v;
    }
  }
  roundHalf(out, dtype);
  return Tensor.fromData(out, reducedShape(shape, [dim], keepdim), dtype);
}

export function roundHalf(out: TypedArray, dtype: DType): void {
  if (dtype !== float16 && dtype !== bfloat16) return;
  for (let i = 0; i < out.length; i++) out[i] = roundToDType(out[i]!, dtype);
}

// ---- reducers: (values, count) -> result ----

/** The sum of src[off..off+n) in four lanes (sumOf, and full sums read in place: the same rounding). */
function sumRange(src: TypedArray, off: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const p = off + i;
    s0 += src[p]!;
    s1 += src[p + 1]!;
    s2 += src[p + 2]!;
    s3 += src[p + 3]!;
  }
  for (; i < n; i++) s0 += src[off + i]!;
  return s0 + s1 + (s2 + s3);
}

export function sumOf(buf: Float64Array, n: number): number {
  return sumRange(buf, 0, n);
}

export function prodOf(buf: Float64Array, n: number): number {
  let p = 1;
  for (let i = 0; i < n; i++) p *= buf[i]!;
  return p;
}

export function meanOf(buf: Float64Array, n: number): number {
  return sumOf(buf, n) / n;
}

/** Index of the maximum (first occurrence; the first NaN wins, as PyTorch propagates NaN). */
export function argmaxOf(buf: Float64Array, n: number): number {
  let best = 0;
  let v = buf[0]!;
  if (v !== v) return 0;
  for (let i = 1; i < n; i++) {
    const x = buf[i]!;
    if (x !== x) return i;
    if (x > v) {
      v = x;
      best = i;
    }
  }
  return best;
}

export function argminOf(buf: Float64Array, n: number): number {
  let best = 0;
  let v = buf[0]!;
  if (v !== v) return 0;
  for (let i = 1; i < n; i++) {
    const x = buf[i]!;
    if (x !== x) return i;
    if (x < v) {
      v = x;
      best = i;
    }
  }
  return best;
}

export function maxOf(buf: Float64Array, n: number): number {
  return buf[argmaxOf(buf, n)]!;
}

export function minOf(buf: Float64Array, n: number): number {
  return buf[argminOf(buf, n)]!;
}

export function anyOf(buf: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) if (buf[i] !== 0) return 1;
  return 0;
}

export function allOf(buf: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) if (buf[i] === 0) return 0;
  return 1;
}

/** Variance with `correction` (1 = unbiased), two-pass for accuracy; NaN when n <= correction... */
export function varOf(buf: Float64Array, n: number, correction: number): number {
  const mean = meanOf(buf, n);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = buf[i]! - mean;
    ss += d * d;
  }
  // PyTorch divides by max(0, n - correction): 0/0 is NaN, x/0 is inf.
  return ss / Math.max(0, n - correction);
}

/** The vector p-norm (p = inf/-inf: max/min of |x|; p = 0: count of nonzeros). */
export function normOf(buf: Float64Array, n: number, p: number): number {
  if (p === 2) {
    let s = 0;
    for (let i = 0; i < n; i++) s += buf[i]! * buf[i]!;
    return Math.sqrt(s);
  }
  if (p === 1) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(buf[i]!);
    return s;
  }
  if (p === Infinity || p === -Infinity) {
    if (n === 0) return p > 0 ? 0 : Infinity;
    let m = Math.abs(buf[0]!);
    for (let i = 1; i < n; i++) {
      const a = Math.abs(buf[i]!);
      if (a !== a) return NaN;
      m = p > 0 ? Math.max(m, a) : Math.min(m, a);
    }
    return m;
  }
  if (p === 0) {
    let c = 0;
    for (let i = 0; i < n; i++) if (buf[i] !== 0) c++;
    return c;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(buf[i]!) ** p;
  return s ** (1 / p);
}

/** log(sum(exp(x))) shifted by the max; an infinite max is not subtracted, as in PyTorch. */
export function logsumexpOf(buf: Float64Array, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (buf[i]! > m || buf[i] !== buf[i]) m = buf[i]!;
  if (m !== m) return NaN;
  const shift = Math.abs(m) === Infinity ? 0 : m;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(buf[i]! - shift);
  return Math.log(s) + shift;
}

/**
 * Maps every slice of `x` over `dims` (a line for softmax and cumsum): `fn` reads the slice's
 * values from `src` and writes as many results to `dst`; the output is a fresh contiguous
 * tensor of x's shape with each result where its input element was.
 */
export function mapSlices(
  x: Tensor, dims: readonly number[], dtype: DType, fn: (src: Float64Array, n: number, dst: Float64Array) => void,
): Tensor {
  const shape = x.shape.slice();
  const out = new dtype.ArrayType(numel(shape));
  if (dims.length === 1 && dims[0] === shape.length - 1 && x.is_contiguous()) {
    mapLastDimLines(x, dtype, fn, out);
    return Tensor.fromData(out, shape, dtype);
  }
  const plan = planReduce(x, dims, true);
  // the same plan over a contiguous tensor of the same shape locates each result
  const outPlan = planReduce(new Tensor(x.storage, shape, contiguousStrides(shape), 0, x.dtype), dims, true);
  const bases = outPlan.keptShape.length === 0
    ? scratch(OUT_BASE, 1).fill(0, 0, 1)
    : walkOffsets(OUT_BASE, outPlan.outer, outPlan.keptShape, outPlan.keptStrides, 0);
  const rel = outPlan.redShape.length === 0
    ? scratch(INNER, 1).fill(0, 0, 1)
    : walkOffsets(INNER, outPlan.inner, outPlan.redShape, outPlan.redStrides, 0);
  const dst = scratch(RESULT, plan.inner);
  forEachReduced(x, plan, (buf, n, o) => {
    fn(buf, n, dst);
    const base = bases[o]!;
    for (let i = 0; i < n; i++) out[base + rel[i]!] = dst[i]!;
  });
  roundHalf(out, dtype);
  return Tensor.fromData(out, shape, dtype);
}

/** mapSlices over the last dim of a contiguous tensor: lines are consecutive runs. */
function mapLastDimLines(
  x: Tensor, dtype: DType, fn: (src: Float64Array, n: number, dst: Float64Array) => void, out: TypedArray,
): void {
  const n = x.shape[x.shape.length - 1]!;
  const total = out.length;
  const src = x.storage.data;
  const buf = scratch(GATHER, n);
  const dst = scratch(RESULT, n);
  for (let base = 0; base < total; base += n) {
    const off = x.offset + base;
    for (let i = 0; i < n; i++) buf[i] = src[off + i]!;
    fn(buf, n, dst);
    for (let i = 0; i < n; i++) out[base + i] = dst[i]!;
  }
  roundHalf(out, dtype);
}
