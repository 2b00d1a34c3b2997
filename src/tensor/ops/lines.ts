/**
 * Lines along one dim, for the ops that look at a whole line at once (sort, topk, kthvalue,
 * median, mode, cumprod): `readLines` lays the input out with `dim` last, so line `o` is the
 * run [o*n, (o+1)*n); `writeLines` puts results laid out the same way back in place, with
 * `k` results per line.
 */
import { type DType, type TypedArray } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { contiguousStrides, normalizeDim, numel } from "../shape.js";

export interface Lines {
  /** The values, line after line, in float64. */
  data: Float64Array;
  /** Elements per line. */
  n: number;
  count: number;
  /** The normalized dim (0 for a 0-d tensor, which is one line of one element). */
  dim: number;
  /** The input's shape (a 0-d tensor reads as [1]). */
  shape: number[];
  scalar: boolean;
}

/** The order of dims that puts `dim` last. */
function movedLast(ndim: number, dim: number): number[] {
  const order: number[] = [];
  for (let i = 0; i < ndim; i++) if (i !== dim) order.push(i);
  order.push(dim);
  return order;
}

export function readLines(x: Tensor, dim: number): Lines {
  const scalar = x.ndim === 0;
  const d = normalizeDim(dim, x.ndim);
  const shape = scalar ? [1] : x.shape.slice();
  const strides = scalar ? [1] : x._strides;
  const order = movedLast(shape.length, d);
  const moved = new Tensor(x.storage, order.map((i) => shape[i]!), order.map((i) => strides[i]!), x.offset, x.dtype);
  const src = moved.contiguousData();
  const data = src instanceof Float64Array ? src : Float64Array.from(src as ArrayLike<number>);
  const n = shape[d]!;
  return { data, n, count: n === 0 ? numel(shape.filter((_, i) => i !== d)) : data.length / n, dim: d, shape, scalar };
}

/**
 * A fresh contiguous tensor of the input's shape with `dim` sized `k` (dropped when `keepdim`
 * is false), from `values` laid out as readLines lays out lines of k.
 */
export function writeLines(lines: Lines, values: ArrayLike<number>, k: number, dtype: DType, keepdim = true): Tensor {
  const d = lines.dim;
  const outShape = lines.shape.slice();
  outShape[d] = k;
  const order = movedLast(outShape.length, d);
  const movedShape = order.map((i) => outShape[i]!);
  const movedStrides = contiguousStrides(movedShape);
  const strides = new Array<number>(outShape.length);
  order.forEach((i, pos) => (strides[i] = movedStrides[pos]!));
  const buf: TypedArray = new dtype.ArrayType(values.length);
  buf.set(values);
  const laid = new Tensor(Tensor.fromData(buf, movedShape, dtype).storage, outShape, strides, 0, dtype);
  let finalShape = outShape;
  if (lines.scalar) finalShape = [];
  else if (!keepdim) finalShape = outShape.filter((_, i) => i !== d);
  return Tensor.fromData(laid.contiguousData(), finalShape, dtype);
}

/**
 * PyTorch's order for sorting: NaN is larger than every number (so it comes last ascending,
 * first descending), and equal values keep their order (a stable sort).
 */
export function compareNanLast(a: number, b: number): number {
  const an = a !== a;
  const bn = b !== b;
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Positions 0..n-1 of the line starting at `base`, in sorted order (stable). */
export function sortedPositions(data: Float64Array, base: number, n: number, descending: boolean): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  const sign = descending ? -1 : 1;
  // Array.prototype.sort is stable, so equal keys keep their original order in both directions
  idx.sort((i, j) => sign * compareNanLast(data[base + i]!, data[base + j]!));
  return idx;
}
