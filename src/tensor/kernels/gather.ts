/**
 * Strided index arithmetic shared by the view, indexing and join ops: view geometry (what
 * sizes, strides and offset a view has, with PyTorch's checks and messages), the offsets of
 * advanced-indexing results, and the gather/scatter loops along one dim.
 *
 * Note [view geometry]: a view is `makeView(self, geo)`; geometry functions read only sizes,
 * strides and offset, never data, so indexing can run them on a virtual row-major layout to
 * find which logical elements an assignment `x[items] = v` writes.
 */
import { fillStridedOffsets } from "./strided.js";
import { IndexError, RuntimeError, TypeError_ } from "../../util/errors.js";
import { int64, roundToDType, type DType, type TypedArray } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { contiguousStrides, formatSize, inferSize, normalizeDim, numel } from "../shape.js";
import { lookupOverloads, runOverload, type OpOverload } from "../registry.js";
import { copyInto } from "./apply.js";

type Size = readonly number[];

/** Sizes, strides and storage offset: a Tensor is one, and so is a virtual layout. */
export interface Geo {
  shape: number[];
  _strides: number[];
  offset: number;
}

export function geo(shape: number[], strides: number[], offset: number): Geo {
  return { shape, _strides: strides, offset };
}

/** A tensor over `self`'s storage; `_base` is the tensor that owns the memory. */
export function makeView(self: Tensor, g: Geo): Tensor {
  const t = new Tensor(self.storage, g.shape, g._strides, g.offset, self.dtype);
  t._base = self._base ?? self;
  return t;
}

const overloadCache = new Map<string, OpOverload>();

/**
 * Runs a registered overload ("aten::select", "aten::squeeze.dim") with bound arguments. Op
 * files reach each other's ops this way at call time, never at module load (Note [module
 * cycles] in the brief: no top-level calls into other op modules).
 */
export function callAten<T = Tensor>(qualified: string, args: unknown[]): T {
  let ov = overloadCache.get(qualified);
  if (ov === undefined) {
    const [name, overload = ""] = qualified.split(/\.(?=[^:]*$)/) as [string, string?];
    ov = lookupOverloads(name).find((o) => o.schema.overload === overload);
    if (ov === undefined) throw new Error(`no overload '${qualified}' is registered`);
    overloadCache.set(qualified, ov);
  }
  return runOverload(ov, args) as T;
}

/** Reads `f(3, 4)` and `f([3, 4])` alike, rejecting non-integers as PyTorch does. */
export function sizeList(fn: string, args: readonly unknown[]): number[] {
  const list = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as unknown[];
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== "number" || !Number.isInteger(v)) {
      const kind = typeof v === "number" ? "float" : v === null ? "NoneType" : typeof v;
      throw new TypeError_(`${fn}(): argument 'size' must be tuple of ints, but found element of type ${kind} at pos ${i}`);
    }
  }
  return list as number[];
}

/** inferSize plus PyTorch's message for an ambiguous -1 with zero elements. */
export function inferViewSize(size: Size, total: number): number[] {
  if (total === 0 && size.includes(-1) && size.some((d) => d === 0)) {
    throw new RuntimeError(
      `cannot reshape tensor of 0 elements into shape ${formatSize(size)} because the unspecified dimension size -1 can be any value and is ambiguous`,
    );
  }
  return inferSize(size, total);
}

/**
 * The strides that let a tensor of `oldShape`/`oldStrides` be viewed as `newShape`, or null
 * when a new dimension would span two non-contiguous chunks (PyTorch's computeStride).
 */
export function computeStride(oldShape: Size, oldStrides: Size, newShape: Size): number[] | null {
  if (oldShape.length === 0) return new Array<number>(newShape.length).fill(1);
  const n = numel(oldShape);
  if (n === 0) {
    if (oldShape.length === newShape.length && oldShape.every((d, i) => d === newShape[i])) return oldStrides.slice();
    return contiguousStrides(newShape);
  }
  const newStrides = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d]!;
    // a chunk ends where the next-outer dim does not continue it contiguously
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : null;
}

export function selectGeometry(g: Geo, dim: number, index: number): Geo {
  if (g.shape.length === 0) throw new IndexError("select() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, g.shape.length);
  const size = g.shape[d]!;
  if (index < -size || index >= size) {
    throw new IndexError(`select(): index ${index} out of range for tensor of size ${formatSize(g.shape)} at dimension ${d}`);
  }
  const i = index < 0 ? index + size : index;
  return geo(without(g.shape, d), without(g._strides, d), g.offset + i * g._strides[d]!);
}

/** A copy of `xs` with entry `d` left out (no intermediate arrays: select is a hot view). */
function without(xs: readonly number[], d: number): number[] {
  const out = new Array<number>(xs.length - 1);
  for (let j = 0, k = 0; j < xs.length; j++) if (j !== d) out[k++] = xs[j]!;
  return out;
}

/** PyTorch's INT64_MAX meaning "to the end" (any value past every size works). */
export const TO_END = Number.MAX_SAFE_INTEGER;

/** Geometry of aten::slice, with its clamping of start and end. */
export function sliceGeometry(g: Geo, dim: number, start: number | null, end: number | null, step: number): Geo {
  if (g.shape.length === 0) throw new IndexError("slice() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, g.shape.length);
  if (!(step > 0)) throw new RuntimeError("slice step must be positive");
  const size = g.shape[d]!;
  let s = start ?? 0;
  let e = end ?? TO_END;
  if (s < 0) s += size;
  if (e < 0) e += size;
  if (s < 0) s = 0;
  else if (s >= size) s = size;
  if (e < s) e = s;
  else if (e >= size) e = size;
  const shape = g.shape.slice();
  const strides = g._strides.slice();
  shape[d] = Math.floor((e - s + step - 1) / step);
  strides[d] = strides[d]! * step;
  return geo(shape, strides, g.offset + s * g._strides[d]!);
}

export function unsqueezeGeometry(g: Geo, dim: number): Geo {
  const d = normalizeDim(dim, g.shape.length + 1);
  const shape = g.shape.slice();
  const strides = g._strides.slice();
  const st = d >= shape.length ? 1 : shape[d]! * strides[d]!;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, st);
  return geo(shape, strides, g.offset);
}

/** The legacy type name PyTorch prints in some messages, e.g. torch.FloatTensor. */
export function legacyTypeName(x: { dtype: DType }): string {
  return `torch.${x.dtype.scalarType}Tensor`;
}

/** Geometry of aten::expand (PyTorch's inferExpandGeometry), with its messages. */
export function expandGeometry(self: Geo & { dtype: DType }, size: Size): Geo {
  const nd = size.length;
  const td = self.shape.length;
  if (nd < td) {
    throw new RuntimeError(
      `expand(${legacyTypeName(self)}{${formatSize(self.shape)}}, size=${formatSize(size)}): the number of sizes provided (${nd}) must be greater or equal to the number of dimensions in the tensor (${td})`,
    );
  }
  const shape = new Array<number>(nd);
  const strides = new Array<number>(nd);
  for (let i = nd - 1; i >= 0; i--) {
    const dim = td - nd + i;
    let sz = dim >= 0 ? self.shape[dim]! : 1;
    // a new innermost dim (expanding a 0-d tensor) gets stride 0, as PyTorch's tensors show
    let st = dim >= 0 ? self._strides[dim]! : i === nd - 1 ? 0 : shape[i + 1]! * strides[i + 1]!;
    let target = size[i]!;
    if (target === -1) {
      if (dim < 0) throw new RuntimeError(`The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      target = sz;
    }
    if (sz !== target) {
      if (sz !== 1) {
        throw new RuntimeError(
          `The expanded size of the tensor (${target}) must match the existing size (${sz}) at non-singleton dimension ${i}.  Target sizes: ${formatSize(size)}.  Tensor sizes: ${formatSize(self.shape)}`,
        );
      }
      if (target < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${target}: ${formatSize(size)}`);
      sz = target;
      st = 0;
    }
    shape[i] = sz;
    strides[i] = st;
  }
  return geo(shape, strides, self.offset);
}

// ---------------------------------------------------------------- offsets of strided layouts

/** The storage offset of every element of a strided layout, in row-major order. */
export function stridedOffsets(shape: Size, strides: Size, base: number): Float64Array {
  const n = numel(shape);
  return fillStridedOffsets(new Float64Array(n), n, shape, strides, base);
}

/** Long index tensors already broadcast to one shape, and the dims of self they index. */
export interface AdvancedIndex {
  /** The dims of self indexed, in order. */
  dims: number[];
  /** One flat array per indexed dim, each of numel(shape) elements. */
  values: TypedArray[];
  /** The broadcast shape of the index tensors. */
  shape: number[];
}

/**
 * Storage offsets of every element of `self[indices]` in row-major result order, and the
 * result's shape: the index shape replaces the indexed dims where they are adjacent, else it
 * comes first (numpy's rule, as at::index applies it).
 */
export function advancedOffsets(self: Geo, ix: AdvancedIndex): { shape: number[]; offsets: Float64Array } {
  const { dims, values } = ix;
  const adjacent = dims.every((d, k) => k === 0 || d === dims[k - 1]! + 1);
  const rest = self.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const before = adjacent ? rest.filter((d) => d < dims[0]!) : [];
  const after = adjacent ? rest.filter((d) => d > dims[0]!) : rest;
  const nB = numel(ix.shape);
  const advOff = new Float64Array(nB);
  for (let k = 0; k < dims.length; k++) {
    const size = self.shape[dims[k]!]!;
    const stride = self._strides[dims[k]!]!;
    const v = values[k]!;
    for (let b = 0; b < nB; b++) {
      let i = v[b]!;
      if (i < -size || i >= size) throw new IndexError(`index ${i} is out of bounds for dimension ${k} with size ${size}`);
      if (i < 0) i += size;
      advOff[b] = advOff[b]! + i * stride;
    }
  }
  const pick = (ds: number[], from: readonly number[]) => ds.map((d) => from[d]!);
  const beforeOff = stridedOffsets(pick(before, self.shape), pick(before, self._strides), self.offset);
  const afterOff = stridedOffsets(pick(after, self.shape), pick(after, self._strides), 0);
  const shape = [...pick(before, self.shape), ...ix.shape, ...pick(after, self.shape)];
  const out = new Float64Array(beforeOff.length * nB * afterOff.length);
  let o = 0;
  for (let i = 0; i < beforeOff.length; i++) {
    for (let b = 0; b < nB; b++) {
      const base = beforeOff[i]! + advOff[b]!;
      for (let j = 0; j < afterOff.length; j++) out[o++] = base + afterOff[j]!;
    }
  }
  return { shape, offsets: out };
}

/** A new contiguous tensor of `src` read at `offsets`. */
export function readAt(src: Tensor, offsets: Float64Array, shape: number[]): Tensor {
  const data = src.storage.data;
  const out = new src.dtype.ArrayType(offsets.length);
  for (let i = 0; i < offsets.length; i++) out[i] = data[offsets[i]!]!;
  return Tensor.fromData(out, shape, src.dtype);
}

/** Writes (or adds) `values` (one per offset, already converted to dst's dtype) into dst's storage. */
export function writeAt(dst: Tensor, offsets: Float64Array, values: TypedArray, accumulate: boolean, round: (x: number) => number): void {
  const data = dst.storage.data;
  if (accumulate) for (let i = 0; i < offsets.length; i++) data[offsets[i]!] = round(data[offsets[i]!]! + values[i]!);
  else for (let i = 0; i < offsets.length; i++) data[offsets[i]!] = values[i]!;
}

// ---------------------------------------------------------------- gather / scatter along a dim

/**
 * For every element of `index` (a long tensor shaped like self except along `dim`), the
 * storage offset in `target` of the element it addresses, checking bounds with PyTorch's
 * message. Shared by gather (read target) and scatter (write target).
 */
export function alongDimOffsets(target: Geo, dim: number, index: Tensor): Float64Array {
  const shape = index.shape;
  const n = numel(shape);
  const out = new Float64Array(n);
  if (n === 0) return out;
  const idx = index.contiguousData();
  const nd = shape.length;
  const size = target.shape.length === 0 ? 1 : target.shape[dim]!;
  const dimStride = target.shape.length === 0 ? 0 : target._strides[dim]!;
  const pos = new Array<number>(nd).fill(0);
  let p = target.offset; // offset of the element with coordinate 0 along dim
  for (let i = 0; i < n; i++) {
    const v = idx[i]!;
    if (v < 0 || v >= size) throw new RuntimeError(`index ${v} is out of bounds for dimension ${dim} with size ${size}`);
    out[i] = p + v * dimStride;
    for (let d = nd - 1; d >= 0; d--) {
      pos[d]!++;
      const st = d === dim ? 0 : target._strides[d]!;
      p += st;
      if (pos[d]! < shape[d]!) break;
      p -= st * shape[d]!;
      pos[d] = 0;
    }
  }
  return out;
}

/** The elements of a tensor in row-major order, converted to `dtype`'s storage. */
export function valuesAs(t: Tensor, dtype: DType, round: (x: number) => number): TypedArray {
  const src = t.contiguousData();
  if (t.dtype === dtype) return src;
  const out = new dtype.ArrayType(src.length);
  const isBool = dtype.category === 0;
  for (let i = 0; i < src.length; i++) out[i] = isBool ? (src[i] !== 0 ? 1 : 0) : round(src[i]!);
  return out;
}

/** Unravels flat row-major positions within `shape` into one long tensor per dim. */
export function unravel(flat: Float64Array, shape: Size, resultShape: number[]): Tensor[] {
  const strides = contiguousStrides(shape);
  return shape.map((size, d) => {
    const out = new Float64Array(flat.length);
    const st = strides[d]!;
    for (let i = 0; i < flat.length; i++) out[i] = Math.floor(flat[i]! / st) % size;
    return Tensor.fromData(out, resultShape.slice(), int64);
  });
}

/**
 * Copies `t` into the fresh contiguous `out` at position `at` along `dim` (cat's kernel): whole
 * blocks with TypedArray.set when dtypes agree and `t` is contiguous, else an elementwise copy
 * that converts dtype.
 */
export function copyAlongDim(out: Tensor, dim: number, at: number, t: Tensor): void {
  if (t.numel() === 0) return;
  let rest = 1;
  for (let d = dim + 1; d < out.shape.length; d++) rest *= out.shape[d]!;
  if (t.dtype === out.dtype && t.is_contiguous()) {
    let outer = 1;
    for (let d = 0; d < dim; d++) outer *= out.shape[d]!;
    const block = t.shape[dim]! * rest;
    const outBlock = out.shape[dim]! * rest;
    const src = t.storage.data;
    const dst = out.storage.data;
    for (let o = 0; o < outer; o++) {
      const from = t.offset + o * block;
      dst.set(src.subarray(from, from + block), o * outBlock + at * rest);
    }
    return;
  }
  const strides = out._strides;
  copyInto(new Tensor(out.storage, t.shape.slice(), strides.slice(), out.offset + at * strides[dim]!, out.dtype), t);
}

// ---------------------------------------------------------------- kernels of the gather family

/** out[p] = self[p with index[p] along dim] (torch.gather). */
export function gatherKernel(self: Tensor, dim: number, index: Tensor): Tensor {
  return readAt(self, alongDimOffsets(self, dim, index), index.shape.slice());
}

/** self[p with index[p] along dim] = src[p] (or +=); `src` may be a number (scatter.value). */
export function scatterInto(self: Tensor, dim: number, index: Tensor, src: Tensor | number, accumulate: boolean): void {
  const offsets = alongDimOffsets(self, dim, index);
  const round = (x: number) => roundToDType(x, self.dtype);
  let values: TypedArray;
  if (src instanceof Tensor) {
    // src is read at the index's own coordinates (it may be larger than index)
    const strides = src.shape.length === 0 ? index.shape.map(() => 0) : src._strides;
    const window = new Tensor(src.storage, index.shape.slice(), strides.slice(), src.offset, src.dtype);
    values = valuesAs(window, self.dtype, round);
  } else {
    values = new self.dtype.ArrayType(offsets.length).fill(self.dtype.category === 1 ? Math.trunc(src) : round(src));
  }
  writeAt(self, offsets, values, accumulate, round);
}

/** Offsets of self with `dim` indexed by the (in-bounds, non-negative) vector `idx`. */
export function alongDimVector(self: Tensor, dim: number, idx: TypedArray): { shape: number[]; offsets: Float64Array } {
  if (self.shape.length === 0) return { shape: [], offsets: Float64Array.of(self.offset) };
  return advancedOffsets(self, { dims: [dim], values: [idx], shape: [idx.length] });
}

/** A copy of the contiguous values of `t` (the functional forms of in-place kernels start here). */
export function cloneData(t: Tensor): Tensor {
  return Tensor.fromData(t.contiguousData().slice(), t.shape.slice(), t.dtype);
}

/** Row-major flat positions of the nonzero elements of `t`. */
export function nonzeroFlat(t: Tensor): Float64Array {
  const flat = t.contiguousData();
  let n = 0;
  for (let i = 0; i < flat.length; i++) if (flat[i] !== 0) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < flat.length; i++) if (flat[i] !== 0) out[k++] = i;
  return out;
}

// ---------------------------------------------------------------- padding by index maps

export type PadMode = "reflect" | "replicate" | "circular";

/** For each output position along a padded dim, the input position it reads. */
export function padMap(mode: PadMode, n: number, left: number, right: number): Int32Array {
  const out = new Int32Array(Math.max(n + left + right, 0));
  for (let j = 0; j < out.length; j++) {
    let i = j - left;
    if (mode === "reflect") {
      if (i < 0) i = -i;
      if (i >= n) i = 2 * (n - 1) - i;
    } else if (mode === "replicate") i = i < 0 ? 0 : i >= n ? n - 1 : i;
    else {
      // circular: negative pads crop first, then the cropped row wraps (PyTorch's _pad_circular)
      const lc = Math.max(-left, 0);
      const m = n - lc - Math.max(-right, 0);
      i = lc + ((((j - Math.max(left, 0)) % m) + m) % m);
    }
    out[j] = i;
  }
  return out;
}

/** Reads `x` through one index map per dim (padding is separable: one dim at a time). */
export function gatherByMaps(x: Tensor, dims: readonly number[], maps: readonly Int32Array[]): Tensor {
  let cur = x;
  for (let k = 0; k < dims.length; k++) {
    const { shape, offsets } = alongDimVector(cur, dims[k]!, maps[k]!);
    cur = readAt(cur, offsets, shape);
  }
  return cur === x ? cloneData(x) : cur;
}

/** The adjoint of gatherByMaps: sums each gradient entry into the input position it read. */
export function scatterByMaps(g: Tensor, dims: readonly number[], maps: readonly Int32Array[], inputShape: readonly number[]): Tensor {
  let cur = g;
  const round = (v: number) => roundToDType(v, g.dtype);
  for (let k = dims.length - 1; k >= 0; k--) {
    const d = dims[k]!;
    const shape = cur.shape.slice();
    shape[d] = inputShape[d]!;
    const acc = Tensor.empty(shape, g.dtype);
    writeAt(acc, alongDimVector(acc, d, maps[k]!).offsets, cur.contiguousData(), true, round);
    cur = acc;
  }
  return cur;
}
