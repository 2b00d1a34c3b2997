/**
 * PyTorch-style indexing for TypeScript, which has no `x[...]` overload:
 *
 *   x.index(0, torch.slice(1, 3), null, "...", mask)   // x[0, 1:3, None, ..., mask]
 *   x.index(":", [0, 2])                               // x[:, [0, 2]]
 *   x.set([0, "1:"], v)                                // x[0, 1:] = v
 *
 * Items follow Python's rules as PyTorch 1.13 applies them (TensorIndexing.h): numbers select,
 * slices (torch.slice or the strings ":", "1:3", "::2", "-1:") and null make views, "..." skips
 * dims, and tensors or arrays index "advanced"ly through aten::index, which copies. Assignment
 * writes in place through aten::index_put_ (Note [assignment]).
 */
import { IndexError, RuntimeError, ValueError } from "../../util/errors.js";
import { bool, int32, int64, roundToDType, uint8, type DType, type TypedArray } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, dispatchState, installMethods, runOverload, type OpOverload } from "../registry.js";
import { broadcastShapes, broadcastStrides, contiguousStrides, formatSize, normalizeDim } from "../shape.js";
import { gradState } from "../../autograd/grad_mode.js";
import type { GradOut } from "../../autograd/op_node.js";
import {
  TO_END, advancedOffsets, alongDimVector, callAten, cloneData, expandGeometry, gatherKernel, geo, nonzeroFlat, readAt,
  scatterInto, selectGeometry, sliceGeometry, stridedOffsets, unravel, unsqueezeGeometry, valuesAs, writeAt,
  type AdvancedIndex, type Geo,
} from "../kernels/gather.js";
import { tensor as tensorFrom, type NestedArray } from "./creation.js";

// ---------------------------------------------------------------- index items

/** A Python slice `start:stop:step`; build one with `torch.slice`. */
export class Slice {
  constructor(
    readonly start: number | null,
    readonly stop: number | null,
    readonly step: number | null,
  ) {}
  toString(): string {
    return `slice(${this.start}, ${this.stop}, ${this.step})`;
  }
}

/**
 * Python's `slice`: `slice(stop)`, `slice(start, stop)`, `slice(start, stop, step)`; null
 * leaves a bound open. `x.index(torch.slice(1, null, 2))` is `x[1::2]`.
 */
export function slice(startOrStop?: number | null, stop?: number | null, step?: number | null): Slice {
  if (stop === undefined && step === undefined) return new Slice(null, startOrStop ?? null, null);
  return new Slice(startOrStop ?? null, stop ?? null, step ?? null);
}

type NestedIndex = readonly (number | boolean | NestedIndex)[];
/** What one position of `x.index(...)` accepts. */
export type IndexItem = number | boolean | null | string | Slice | Tensor | NestedIndex;

type Item =
  | { k: "int"; v: number }
  | { k: "slice"; start: number; stop: number; step: number }
  | { k: "none" }
  | { k: "ellipsis" }
  | { k: "bool"; v: boolean }
  | { k: "tensor"; t: Tensor };

function invalidItem(what: string): IndexError {
  return new IndexError(`only integers, slices (\`:\`), ellipsis (\`...\`), None and long or byte Variables are valid indices (got ${what})`);
}

const SLICE_TEXT = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$/;

function sliceItem(start: number | null, stop: number | null, step: number | null): Item {
  if (step === 0) throw new ValueError("slice step cannot be zero");
  if (step !== null && step < 0) throw new ValueError("step must be greater than zero");
  // Python unpacks an open start as 0 and an open stop as PY_SSIZE_T_MAX
  return { k: "slice", start: start ?? 0, stop: stop ?? TO_END, step: step ?? 1 };
}

/** Parsed string items, reused: items are immutable and index strings repeat. */
const STRING_ITEMS = new Map<string, Item>();

function stringItem(x: string): Item {
  let item = STRING_ITEMS.get(x);
  if (item !== undefined) return item;
  if (x.trim() === "...") item = { k: "ellipsis" };
  else {
    const m = SLICE_TEXT.exec(x);
    if (!m) throw invalidItem("str");
    const num = (s: string | undefined) => (s === undefined ? null : Number(s));
    item = sliceItem(num(m[1]), num(m[2]), num(m[3]));
  }
  if (STRING_ITEMS.size < 1024) STRING_ITEMS.set(x, item);
  return item;
}

function toItem(x: IndexItem): Item {
  if (x === null || x === undefined) return { k: "none" };
  if (typeof x === "number") {
    if (!Number.isInteger(x)) throw invalidItem("float");
    return { k: "int", v: x };
  }
  if (typeof x === "boolean") return { k: "bool", v: x };
  if (typeof x === "string") return stringItem(x);
  if (x instanceof Slice) return sliceItem(x.start, x.stop, x.step);
  if (x instanceof Tensor) {
    // a 0-d integer tensor selects like a number; a 0-d bool acts like True/False
    if (x.shape.length === 0 && x.dtype.category <= 1) {
      if (x.dtype === bool || x.dtype === uint8) return { k: "bool", v: x.item() !== false && x.item() !== 0 };
      return { k: "int", v: Number(x.item()) };
    }
    return { k: "tensor", t: x };
  }
  if (Array.isArray(x)) {
    // Python turns an index list into a long (or bool) tensor; an empty list is long
    if (x.length === 0) return { k: "tensor", t: Tensor.empty([0], int64) };
    return { k: "tensor", t: tensorFrom(x as NestedArray) };
  }
  throw invalidItem(typeof x);
}

// PyTorch 1.13 accepts several ellipses (each skips the unspecified dims again).
function toItems(xs: readonly IndexItem[]): Item[] {
  return xs.map(toItem);
}

function specifiedDims(items: readonly Item[]): number {
  let n = 0;
  for (const it of items) {
    if (it.k === "int" || it.k === "slice") n++;
    else if (it.k === "tensor") n += it.t.dtype === bool || it.t.dtype === uint8 ? it.t.shape.length : 1;
  }
  return n;
}

// ---------------------------------------------------------------- applySlicing

/** How views are taken: through ops (reading, recorded by autograd) or as bare geometry. */
interface Slicer<T extends Geo> {
  select(t: T, dim: number, index: number): T;
  slice(t: T, dim: number, start: number, stop: number, step: number): T;
  unsqueeze(t: T, dim: number): T;
}

const OPS: Slicer<Tensor> = {
  select: (t, dim, i) => callAten("aten::select.int", [t, dim, i]),
  slice: (t, dim, s, e, step) => callAten("aten::slice.Tensor", [t, dim, s, e, step]),
  unsqueeze: (t, dim) => callAten("aten::unsqueeze", [t, dim]),
};

const GEOMETRY: Slicer<Geo> = {
  select: selectGeometry,
  slice: sliceGeometry,
  unsqueeze: unsqueezeGeometry,
};

interface Sliced<T> {
  result: T;
  /** Advanced indices by dim of `result`, null where a dim is not indexed. */
  indices: (Tensor | null)[];
  /** Whether a view was taken (then an assignment rebases through CopySlices). */
  viewed: boolean;
}

/**
 * PyTorch's applySlicing: walks the items, taking views for numbers, slices and null, and
 * collecting tensors for aten::index. A full explicit slice `0:n` is skipped in multi-item
 * indexing, as PyTorch does.
 */
function applySlicing<T extends Geo>(self: T, items: readonly Item[], S: Slicer<T>): Sliced<T> {
  const ndim = self.shape.length;
  const specified = specifiedDims(items);
  // a lone number goes straight to select, whose own check words the 0-d case
  const loneInt = items.length === 1 && items[0]!.k === "int";
  if (specified > ndim && !loneInt) throw new IndexError(`too many indices for tensor of dimension ${ndim}`);
  let result = self;
  let dim = 0;
  let viewed = false;
  const indices: (Tensor | null)[] = [];
  for (let pos = 0; pos < items.length; pos++) {
    const it = items[pos]!;
    switch (it.k) {
      case "int":
        checkSelect(result.shape, dim, it.v, pos);
        result = S.select(result, dim, it.v);
        viewed = true;
        break;
      case "slice":
        if (!(items.length > 1 && it.start === 0 && it.stop === result.shape[dim] && it.step === 1)) {
          result = S.slice(result, dim, it.start, it.stop, it.step);
          viewed = true;
        }
        dim++;
        break;
      case "ellipsis":
        dim += ndim - specified;
        break;
      case "none":
        result = S.unsqueeze(result, dim++);
        viewed = true;
        break;
      case "bool":
        result = S.unsqueeze(result, dim);
        viewed = true;
        recordIndex(indices, dim++, it.v ? Tensor.fromData(new Float64Array(1), [1], int64) : Tensor.empty([0], int64));
        break;
      case "tensor":
        recordIndex(indices, dim++, it.t);
        break;
    }
  }
  return { result, indices, viewed };
}

/** PyTorch's recordTensorIndex: the list is resized to end at `dim`. */
function recordIndex(indices: (Tensor | null)[], dim: number, t: Tensor): void {
  while (indices.length <= dim) indices.push(null);
  indices.length = dim + 1;
  indices[dim] = t;
}

function checkSelect(shape: readonly number[], dim: number, index: number, realDim: number): void {
  if (shape.length === 0) {
    throw new IndexError(
      "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number",
    );
  }
  const size = shape[dim]!;
  if (!(size >= -index && size > index)) {
    throw new IndexError(`index ${index} is out of bounds for dimension ${realDim} with size ${size}`);
  }
}

// ---------------------------------------------------------------- aten::index

/** Masks become long indices (nonzero), then all indices broadcast (at::index's make_info). */
function prepareIndex(self: Geo, indices: readonly (Tensor | null)[]): AdvancedIndex {
  const ndim = self.shape.length;
  if (indices.length > ndim) throw new IndexError(`too many indices for tensor of dimension ${ndim} (got ${indices.length})`);
  for (const t of indices) {
    if (t !== null && t.dtype !== int64 && t.dtype !== bool && t.dtype !== uint8) {
      throw new IndexError("tensors used as indices must be long, byte or bool tensors");
    }
  }
  const expanded: (Tensor | null)[] = [];
  for (const t of indices) {
    if (t === null || t.dtype === int64) {
      expanded.push(t);
      continue;
    }
    t.shape.forEach((size, j) => {
      const src = expanded.length + j;
      if (src >= ndim || size !== self.shape[src]) {
        throw new IndexError(
          `The shape of the mask ${formatSize(t.shape)} at index ${j} does not match the shape of the indexed tensor ${formatSize(self.shape)} at index ${src}`,
        );
      }
    });
    expanded.push(...nonzeroColumns(t));
  }
  const dims: number[] = [];
  const used: Tensor[] = [];
  expanded.forEach((t, d) => {
    if (t !== null) {
      dims.push(d);
      used.push(t);
    }
  });
  let shape: number[] = used[0]?.shape.slice() ?? [];
  try {
    for (const t of used) shape = broadcastShapes(shape, t.shape);
  } catch {
    throw new IndexError(
      `shape mismatch: indexing tensors could not be broadcast together with shapes ${used.map((t) => formatSize(t.shape)).join(", ")}`,
    );
  }
  const values = used.map((t) => new Tensor(t.storage, shape, broadcastStrides(t.shape, t._strides, shape), t.offset, t.dtype).contiguousData());
  return { dims, values, shape };
}

/** The coordinates of the nonzero elements of `t`, one long tensor per dim. */
function nonzeroColumns(t: Tensor): Tensor[] {
  const hits = nonzeroFlat(t);
  return unravel(hits, t.shape, [hits.length]);
}

function hasHoles(indices: readonly (Tensor | null)[]): boolean {
  return indices.some((t) => t === null);
}

/** Full coordinates of `x[indices]` within `shape`: one long tensor per dim, no holes. */
function coordinatesOf(shape: readonly number[], indices: readonly (Tensor | null)[]): Tensor[] {
  const virtual = geo(shape.slice(), contiguousStrides(shape), 0);
  const { shape: rshape, offsets } = advancedOffsets(virtual, prepareIndex(virtual, indices));
  return unravel(offsets, shape, rshape);
}

const indexOp = defineOp<(self: Tensor, indices: (Tensor | null)[]) => Tensor>("index", [{
  schema: "aten::index.Tensor(Tensor self, Tensor?[] indices) -> Tensor",
  gradName: "IndexBackward0",
  forward: (self: Tensor, indices: (Tensor | null)[]) => {
    const { shape, offsets } = advancedOffsets(self, prepareIndex(self, indices));
    return readAt(self, offsets, shape);
  },
  backward: (g: Tensor, [self, indices]: [Tensor, (Tensor | null)[]]): GradOut[] => {
    // Note [index holes]: OpNode pairs Tensor[] gradients with the list's tensors, so indices
    // that may carry a gradient-bearing value are given without nulls.
    const idx = hasHoles(indices) ? coordinatesOf(self.shape, indices) : indices;
    return [runOverload(indexPut.overloads[0]!, [Tensor.empty(self.shape.slice(), g.dtype), idx, g, true]) as Tensor];
  },
}]);

// ---------------------------------------------------------------- aten::index_put_

function isExpandable(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  for (let i = 1; i <= from.length; i++) {
    const f = from[from.length - i]!;
    if (f !== 1 && f !== to[to.length - i]) return false;
  }
  return true;
}

/** PyTorch routes a single mask with a one-element value to masked_fill_, which converts dtypes. */
function isMaskedFill(indices: readonly (Tensor | null)[], values: Tensor, accumulate: boolean): boolean {
  const used = indices.filter((t): t is Tensor => t !== null);
  return !accumulate && values.shape.length === 0 && used.length === 1 && (used[0]!.dtype === bool || used[0]!.dtype === uint8);
}

/** Writes `values` into `self[indices]` (the kernel of every index_put_ variant). */
function indexPutInto(self: Tensor, indices: readonly (Tensor | null)[], values: Tensor, accumulate: boolean, strict: boolean): void {
  const { shape, offsets } = advancedOffsets(self, prepareIndex(self, indices));
  if (!isExpandable(values.shape, shape)) {
    throw new RuntimeError(
      `shape mismatch: value tensor of shape ${formatSize(values.shape)} cannot be broadcast to indexing result of shape ${formatSize(shape)}`,
    );
  }
  if (strict && values.dtype !== self.dtype && !isMaskedFill(indices, values, accumulate)) {
    throw new RuntimeError(
      `Index put requires the source and destination dtypes match, got ${self.dtype.scalarType} for the destination and ${values.dtype.scalarType} for the source.`,
    );
  }
  const expanded = new Tensor(values.storage, shape, broadcastStrides(values.shape, values._strides, shape), values.offset, values.dtype);
  const round = (x: number) => roundToDType(x, self.dtype);
  writeAt(self, offsets, valuesAs(expanded, self.dtype, round), accumulate, round);
}

type IndexPutArgs = [Tensor, (Tensor | null)[], Tensor, boolean];

function indexPutBackward(g: Tensor, [, indices, values, accumulate]: IndexPutArgs): GradOut[] {
  const zero = Tensor.empty([], g.dtype);
  const gSelf = accumulate ? g : (runOverload(indexPut.overloads[0]!, [g, indices, zero, false]) as Tensor);
  const gValues = values.requires_grad ? (runOverload(indexOp.overloads[0]!, [g, indices]) as Tensor) : null;
  return [gSelf, null, gValues, null];
}

export const index_put_ = defineOp<(self: Tensor, indices: Tensor[], values: Tensor, accumulate?: boolean) => Tensor>("index_put_", [{
  schema: "aten::index_put_(Tensor(a!) self, Tensor?[] indices, Tensor values, bool accumulate=False) -> Tensor(a!)",
  gradName: "IndexPutBackward0",
  forward: (self: Tensor, indices: (Tensor | null)[], values: Tensor, accumulate: boolean) => {
    indexPutInto(self, indices, values, accumulate, true);
    return self;
  },
  backward: indexPutBackward,
}]);

export const index_put = defineOp<(self: Tensor, indices: Tensor[], values: Tensor, accumulate?: boolean) => Tensor>("index_put", [{
  schema: "aten::index_put(Tensor self, Tensor?[] indices, Tensor values, bool accumulate=False) -> Tensor",
  gradName: "IndexPutBackward0",
  forward: (self: Tensor, indices: (Tensor | null)[], values: Tensor, accumulate: boolean) => {
    const out = Tensor.fromData(self.contiguousData().slice(), self.shape.slice(), self.dtype);
    indexPutInto(out, indices, values, accumulate, true);
    return out;
  },
  backward: indexPutBackward,
}]);
const indexPut = index_put;

// ---------------------------------------------------------------- reading: x.index(...)

/** `x[items]`: views for basic items, a copy through aten::index for tensor items. */
function indexItems(self: Tensor, items: readonly IndexItem[]): Tensor {
  const sliced = applySlicing(self, toItems(items), OPS);
  if (sliced.indices.length === 0) return sliced.result === self ? callAten("aten::alias", [self]) : sliced.result;
  return runOverload(indexOp.overloads[0]!, [sliced.result, sliced.indices]) as Tensor;
}

// ---------------------------------------------------------------- writing: x.set(items, v)

/*
 * Note [assignment]: `x[items] = v` is one in-place op on x whose arguments are the full
 * coordinates of the written elements, so one gradient rule (index_put's) serves every form.
 * Its grad_fn is named as PyTorch names the node it makes: IndexPutBackward0 when only tensors
 * index x, CopySlices when a view was taken first, CopyBackwards for `x[...] = v`. Plain tensor
 * indices go to aten::index_put_ unchanged, as PyTorch records them. Writing into a view of a
 * tensor that needs gradients writes through its base instead and re-derives the view from it
 * (PyTorch's view rebase), which needs a contiguous base.
 */
function variant(gradName: string): OpOverload {
  return {
    ...index_put_.overloads[0]!,
    gradName,
    forward: (self: Tensor, coords: Tensor[], values: Tensor, accumulate: boolean) => {
      indexPutInto(self, coords, values, accumulate, false);
      return self;
    },
  };
}
let variants: Record<"CopySlices" | "CopyBackwards" | "IndexPutBackward0" | "AsStridedBackward0", OpOverload> | null = null;
function getVariants(): NonNullable<typeof variants> {
  variants ??= {
    CopySlices: variant("CopySlices"),
    CopyBackwards: variant("CopyBackwards"),
    IndexPutBackward0: variant("IndexPutBackward0"),
    AsStridedBackward0: { ...indexOp.overloads[0]!, gradName: "AsStridedBackward0" },
  };
  return variants;
}

interface Located {
  shape: number[];
  offsets: Float64Array;
  indices: (Tensor | null)[];
  viewed: boolean;
}

/** Where `g[items]` lives: the storage offsets of its elements, in row-major order. */
function locate(g: Geo, items: readonly Item[]): Located {
  const s = applySlicing(g, items, GEOMETRY);
  if (s.indices.length === 0) {
    const r = s.result;
    return { shape: r.shape, offsets: stridedOffsets(r.shape, r._strides, r.offset), indices: [], viewed: s.viewed };
  }
  const { shape, offsets } = advancedOffsets(s.result, prepareIndex(s.result, s.indices));
  return { shape, offsets, indices: s.indices, viewed: s.viewed };
}

function scalarTensor(v: number | boolean, dtype: DType): Tensor {
  const data = new dtype.ArrayType(1);
  const x = +v;
  data[0] = dtype === bool ? (x !== 0 ? 1 : 0) : dtype.category === 1 ? Math.trunc(x) : roundToDType(x, dtype);
  return Tensor.fromData(data, [], dtype);
}

/** Python's setitem drops leading 1-sized dims of the value (slicePrefix1sSize). */
function valueTensor(value: Tensor | number | boolean, dtype: DType): Tensor {
  if (!(value instanceof Tensor)) return scalarTensor(value, dtype);
  let k = 0;
  while (k < value.shape.length && value.shape[k] === 1) k++;
  return k === 0 ? value : callAten("aten::view", [value, value.shape.slice(k)]);
}

function checkValue(v: Tensor, self: Tensor, loc: Located): void {
  if (loc.indices.length === 0) {
    expandGeometry(v, loc.shape); // copy_'s broadcast check and message
    return;
  }
  if (!isExpandable(v.shape, loc.shape)) {
    throw new RuntimeError(`shape mismatch: value tensor of shape ${formatSize(v.shape)} cannot be broadcast to indexing result of shape ${formatSize(loc.shape)}`);
  }
  if (v.dtype !== self.dtype && !isMaskedFill(loc.indices, v, false)) {
    throw new RuntimeError(
      `Index put requires the source and destination dtypes match, got ${self.dtype.scalarType} for the destination and ${v.dtype.scalarType} for the source.`,
    );
  }
}

const VIEW_OF_LEAF = "a view of a leaf Variable that requires grad is being used in an in-place operation.";
const LEAF = "a leaf Variable that requires grad is being used in an in-place operation.";

/** `self[items] = value` (with `accumulate`, `self[items] += value` as index_put_ does it). */
function setItems(self: Tensor, items: readonly IndexItem[], value: Tensor | number | boolean, accumulate = false): Tensor {
  const norm = toItems(items);
  const v = valueTensor(value, self.dtype);
  const base = self._base;
  const grad = gradState.enabled;
  const loc = locate(geo(self.shape.slice(), contiguousStrides(self.shape), 0), norm);
  if (grad && self.requires_grad && self.grad_fn === null) throw new RuntimeError(loc.viewed ? VIEW_OF_LEAF : LEAF);
  if (base !== null && grad && (self.requires_grad || v.requires_grad || base.requires_grad)) {
    return setThroughBase(self, base, norm, v, accumulate);
  }
  if (!loc.viewed && loc.indices.length > 0 && !hasHoles(loc.indices)) {
    return runOverload(index_put_.overloads[0]!, [self, loc.indices, v, accumulate]) as Tensor;
  }
  checkValue(v, self, loc);
  const coords = unravel(loc.offsets, self.shape, loc.shape);
  const vs = getVariants();
  const ov = loc.viewed ? vs.CopySlices : loc.indices.length > 0 ? vs.IndexPutBackward0 : vs.CopyBackwards;
  runOverload(ov, [self, coords, v, accumulate]);
  return self;
}

function setThroughBase(self: Tensor, base: Tensor, items: Item[], v: Tensor, accumulate: boolean): Tensor {
  // A view that requires grad of a base that does not was cut from its graph by detach():
  // its differentiable base is a leaf (PyTorch's detach leaves no _base; ours does).
  if ((base.requires_grad && base.grad_fn === null) || (self.requires_grad && !base.requires_grad)) {
    throw new RuntimeError(VIEW_OF_LEAF);
  }
  if (!base.is_contiguous()) {
    throw new RuntimeError("index assignment into a view of a non-contiguous tensor that requires grad is not supported; assign into the base tensor");
  }
  const loc = locate(self, items);
  checkValue(v, self, loc);
  const inBase = (offsets: Float64Array) => offsets.map((o) => o - base.offset);
  const vs = getVariants();
  runOverload(vs.CopySlices, [base, unravel(inBase(loc.offsets), base.shape, loc.shape), v, accumulate]);
  // Re-derive the view's history from its base's new one (hidden from the tracer: bookkeeping).
  const coords = unravel(inBase(stridedOffsets(self.shape, self._strides, self.offset)), base.shape, self.shape.slice());
  dispatchState.depth++;
  try {
    const fresh = runOverload(vs.AsStridedBackward0, [base, coords]) as Tensor;
    self.grad_fn = fresh.grad_fn;
    self._outputNr = 0;
    self.requires_grad = fresh.requires_grad;
  } finally {
    dispatchState.depth--;
  }
  return self;
}

/** torch.index_put_ accepts index tensors; other items (numbers, slices, null) go through setItems. */
function indexPutMethod(self: Tensor, indices: readonly IndexItem[], values: Tensor | number, accumulate = false): Tensor {
  if (indices.every((t) => t instanceof Tensor) && values instanceof Tensor) {
    return index_put_(self, indices as Tensor[], values, accumulate);
  }
  return setItems(self, indices, values, accumulate);
}

// ---------------------------------------------------------------- gather, scatter

/** A tensor's size at d, a 0-d tensor counting as one element (ensure_nonempty_size). */
const sizeAt = (t: Tensor, d: number): number => (t.shape.length === 0 ? 1 : t.shape[d]!);
const ndimOf = (t: Tensor): number => Math.max(t.shape.length, 1);

function checkGather(self: Tensor, dim: number, index: Tensor): number {
  const d = normalizeDim(dim, self.shape.length);
  if (index.dtype !== int64) throw new RuntimeError("gather(): Expected dtype int64 for index");
  if (ndimOf(self) !== ndimOf(index)) throw new RuntimeError("Index tensor must have the same number of dimensions as input tensor");
  for (let i = 0; i < ndimOf(self); i++) {
    if (i !== d && sizeAt(index, i) > sizeAt(self, i)) {
      throw new RuntimeError(
        `Size does not match at dimension ${i} expected index ${formatSize(index.shape)} to be smaller than self ${formatSize(self.shape)} apart from dimension ${d}`,
      );
    }
  }
  return d;
}

function checkScatter(self: Tensor, dim: number, index: Tensor, src: Tensor | number): number {
  const d = normalizeDim(dim, self.shape.length);
  if (index.dtype !== int64) throw new RuntimeError("scatter(): Expected dtype int64 for index");
  const s = src instanceof Tensor ? src : null;
  if (s && s.dtype !== self.dtype) throw new RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype");
  if (index.numel() === 0) return d;
  if (ndimOf(self) !== ndimOf(index)) throw new RuntimeError("Index tensor must have the same number of dimensions as self tensor");
  let wrong = false;
  for (let i = 0; i < ndimOf(self) && !wrong; i++) wrong = i !== d && sizeAt(index, i) > sizeAt(self, i);
  for (let i = 0; s && i < ndimOf(self) && !wrong; i++) wrong = sizeAt(index, i) > sizeAt(s, i);
  const head = `Expected index ${formatSize(index.shape)} to be smaller than self ${formatSize(self.shape)} apart from dimension ${d}`;
  if (s) {
    if (ndimOf(s) !== ndimOf(index)) throw new RuntimeError("Index tensor must have the same number of dimensions as src tensor");
    if (wrong) throw new RuntimeError(`${head} and to be smaller size than src ${formatSize(s.shape)}`);
  } else if (wrong) throw new RuntimeError(head);
  return d;
}

export const gather = defineOp<(self: Tensor, dim: number, index: Tensor, opts?: { sparse_grad?: boolean }) => Tensor>("gather", [{
  schema: "aten::gather(Tensor self, int dim, Tensor index, *, bool sparse_grad=False) -> Tensor",
  gradName: "GatherBackward0",
  forward: (self: Tensor, dim: number, index: Tensor) => gatherKernel(self, checkGather(self, dim, index), index),
  backward: (g: Tensor, [self, dim, index]: [Tensor, number, Tensor]): GradOut[] => [
    runOverload(scatter_add.overloads[0]!, [Tensor.empty(self.shape.slice(), g.dtype), dim, index, g]) as Tensor,
  ],
}]);

type ScatterArgs = [Tensor, number, Tensor, Tensor | number];

/** scatter's gradients: zeros where self was overwritten; src receives the scattered gradients. */
// src may be larger than index; gather then gives the gradient of the window index covers,
// and OpNode's reduction to src's shape places it there with zeros around (PyTorch 1.13 raises
// "invalid gradient" in that case instead).
function scatterBackward(g: Tensor, [, dim, index, src]: ScatterArgs): GradOut[] {
  const gSelf = runOverload(scatter.overloads[1]!, [g, dim, index, 0]) as Tensor;
  const gSrc = src instanceof Tensor && src.requires_grad ? (runOverload(gather.overloads[0]!, [g, dim, index, false]) as Tensor) : null;
  return [gSelf, null, null, gSrc];
}

function scatterAddBackward(g: Tensor, [, dim, index, src]: ScatterArgs): GradOut[] {
  const gSrc = src instanceof Tensor && src.requires_grad ? (runOverload(gather.overloads[0]!, [g, dim, index, false]) as Tensor) : null;
  return [g, null, null, gSrc];
}

/** The functional and in-place overloads of one scatter kernel. */
function scatterDefs(schema: string, gradName: string, accumulate: boolean, backward: typeof scatterBackward) {
  const run = (self: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor => {
    scatterInto(self, checkScatter(self, dim, index, src), index, src, accumulate);
    return self;
  };
  const inplaceSchema = schema.replace(/aten::(\w+)/, "aten::$1_").replace("Tensor self", "Tensor(a!) self").replace(/-> Tensor$/, "-> Tensor(a!)");
  return [
    { schema, gradName, backward, forward: (self: Tensor, dim: number, index: Tensor, src: Tensor | number) => run(cloneData(self), dim, index, src) },
    { schema: inplaceSchema, gradName, backward, forward: run },
  ];
}

const [scatterSrc, scatterSrc_] = scatterDefs("aten::scatter.src(Tensor self, int dim, Tensor index, Tensor src) -> Tensor", "ScatterBackward0", false, scatterBackward);
const [scatterValue, scatterValue_] = scatterDefs("aten::scatter.value(Tensor self, int dim, Tensor index, Scalar value) -> Tensor", "ScatterBackward1", false, scatterBackward);
const [scatterAdd, scatterAdd_] = scatterDefs("aten::scatter_add(Tensor self, int dim, Tensor index, Tensor src) -> Tensor", "ScatterAddBackward0", true, scatterAddBackward);

type ScatterFn = (self: Tensor, dim: number, index: Tensor, src: Tensor | number) => Tensor;
export const scatter = defineOp<ScatterFn>("scatter", [scatterSrc!, scatterValue!]);
export const scatter_ = defineOp<ScatterFn>("scatter_", [scatterSrc_!, scatterValue_!]);
export const scatter_add = defineOp<(self: Tensor, dim: number, index: Tensor, src: Tensor) => Tensor>("scatter_add", [scatterAdd!]);
export const scatter_add_ = defineOp<(self: Tensor, dim: number, index: Tensor, src: Tensor) => Tensor>("scatter_add_", [scatterAdd_!]);

// ---------------------------------------------------------------- index_select, index_add

function indexVector(fn: string, index: Tensor): TypedArray {
  if (index.shape.length > 1) throw new IndexError(`${fn}(): Index is supposed to be a vector`);
  return index.contiguousData();
}

export const index_select = defineOp<(self: Tensor, dim: number, index: Tensor) => Tensor>("index_select", [{
  schema: "aten::index_select(Tensor self, int dim, Tensor index) -> Tensor",
  gradName: "IndexSelectBackward0",
  forward: (self: Tensor, dim: number, index: Tensor) => {
    const idx = indexVector("index_select", index);
    if (index.dtype !== int64 && index.dtype !== int32) throw new RuntimeError("index_select(): Expected dtype int32 or int64 for index");
    const d = normalizeDim(dim, self.shape.length);
    const size = sizeAt(self, d);
    for (const v of idx) {
      if (v >= 0 && v < size) continue;
      // PyTorch's CPU kernels word this differently for inner dims
      if (d === 0 || d === self.shape.length - 1) throw new IndexError("index out of range in self");
      throw new RuntimeError(`INDICES element is out of DATA bounds, id=${v} axis_dim=${size}`);
    }
    const { shape, offsets } = alongDimVector(self, d, idx);
    return readAt(self, offsets, shape);
  },
  backward: (g: Tensor, [self, dim, index]: [Tensor, number, Tensor]): GradOut[] => [
    runOverload(index_add.overloads[0]!, [Tensor.empty(self.shape.slice(), g.dtype), dim, index, g, 1]) as Tensor,
  ],
}]);

type IndexAddArgs = [Tensor, number, Tensor, Tensor, number];

function indexAddInto(self: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number): Tensor {
  const d = normalizeDim(dim, self.shape.length);
  const idx = indexVector("index_add_", index);
  if (index.dtype !== int64 && index.dtype !== int32) throw new RuntimeError("index_add_(): Expected dtype int32/int64 for index");
  if (self.dtype !== source.dtype) {
    throw new RuntimeError(`index_add_(): self (${self.dtype.scalarType}) and source (${source.dtype.scalarType}) must have the same scalar type`);
  }
  if (source.shape.length > 0 && idx.length !== source.shape[d]) {
    throw new RuntimeError(`index_add_(): Number of indices (${idx.length}) should be equal to source.size(dim): (${source.shape[d]}), for dim: ${d}`);
  }
  const expected = self.shape.map((s, i) => (i === d ? idx.length : s));
  if (self.shape.length > 0 && source.shape.length > 0 && expected.some((s, i) => s !== source.shape[i])) {
    throw new RuntimeError(
      `index_add_(): source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = ${formatSize(self.shape)} source.shape = ${formatSize(source.shape)}`,
    );
  }
  const size = sizeAt(self, d);
  for (const v of idx) if (v < -size || v >= size) throw new IndexError("index out of range in self");
  const wrapped = idx.map((v) => (v < 0 ? v + size : v));
  const { offsets } = alongDimVector(self, d, wrapped);
  const round = (x: number) => roundToDType(x, self.dtype);
  const values = valuesAs(source, self.dtype, round).slice();
  if (alpha !== 1) for (let i = 0; i < values.length; i++) values[i] = values[i]! * alpha;
  writeAt(self, offsets, values, true, round);
  return self;
}

function indexAddBackward(g: Tensor, [, dim, index, source, alpha]: IndexAddArgs): GradOut[] {
  let gSource: Tensor | null = null;
  if (source.requires_grad) {
    const idx = index.shape.length === 0 ? callAten<Tensor>("aten::reshape", [index, [1]]) : index;
    gSource = runOverload(index_select.overloads[0]!, [g, dim, idx]) as Tensor;
    if (source.shape.length === 0) gSource = callAten("aten::reshape", [gSource, []]);
    if (alpha !== 1) gSource = callAten("aten::mul.Tensor", [gSource, alpha]);
  }
  return [g, null, null, gSource, null];
}

type IndexAddFn = (self: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }) => Tensor;
export const index_add = defineOp<IndexAddFn>("index_add", [{
  schema: "aten::index_add(Tensor self, int dim, Tensor index, Tensor source, *, Scalar alpha=1) -> Tensor",
  gradName: "IndexAddBackward0",
  forward: (self: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number) => indexAddInto(cloneData(self), dim, index, source, alpha),
  backward: indexAddBackward,
}]);
export const index_add_ = defineOp<IndexAddFn>("index_add_", [{
  schema: "aten::index_add_(Tensor(a!) self, int dim, Tensor index, Tensor source, *, Scalar alpha=1) -> Tensor(a!)",
  gradName: "IndexAddBackward0",
  forward: indexAddInto,
  backward: indexAddBackward,
}]);

// ---------------------------------------------------------------- masked_select, nonzero, take

function broadcastView(t: Tensor, shape: number[]): Tensor {
  return new Tensor(t.storage, shape, broadcastStrides(t.shape, t._strides, shape), t.offset, t.dtype);
}

export const masked_select = defineOp<(self: Tensor, mask: Tensor) => Tensor>("masked_select", [{
  schema: "aten::masked_select(Tensor self, Tensor mask) -> Tensor",
  gradName: "MaskedSelectBackward0",
  forward: (self: Tensor, mask: Tensor) => {
    if (mask.dtype !== bool && mask.dtype !== uint8) throw new RuntimeError("masked_select: expected BoolTensor or ByteTensor for mask");
    const shape = broadcastShapes(self.shape, mask.shape);
    const x = broadcastView(self, shape);
    const hits = nonzeroFlat(broadcastView(mask, shape));
    const all = stridedOffsets(shape, x._strides, x.offset);
    return readAt(self, hits.map((i) => all[i]!), [hits.length]);
  },
  backward: (g: Tensor, [self, mask]: [Tensor, Tensor]): GradOut[] => {
    // the gradient lands in the broadcast shape; OpNode sums it back to self's shape
    const shape = broadcastShapes(self.shape, mask.shape);
    const m = cloneData(broadcastView(mask, shape));
    return [runOverload(index_put.overloads[0]!, [Tensor.empty(shape, g.dtype), [m], g, true]) as Tensor, null];
  },
}]);

export const nonzero = defineOp<(self: Tensor) => Tensor>("nonzero", [{
  schema: "aten::nonzero(Tensor self) -> Tensor",
  forward: (self: Tensor) => {
    const hits = nonzeroFlat(self);
    const n = hits.length;
    const nd = self.shape.length;
    const cols = unravel(hits, self.shape, [n]).map((c) => c.storage.data);
    const out = new Float64Array(n * nd);
    for (let i = 0; i < n; i++) for (let d = 0; d < nd; d++) out[i * nd + d] = cols[d]![i]!;
    return Tensor.fromData(out, [n, nd], int64);
  },
}]);

export const take = defineOp<(self: Tensor, index: Tensor) => Tensor>("take", [{
  schema: "aten::take(Tensor self, Tensor index) -> Tensor",
  gradName: "TakeBackward0",
  forward: (self: Tensor, index: Tensor) => {
    if (index.dtype !== int64) throw new RuntimeError(`take(): Expected a long tensor for index, but got ${index.dtype.scalarType}`);
    const n = self.numel();
    const idx = index.contiguousData();
    const all = stridedOffsets(self.shape, self._strides, self.offset);
    const offsets = new Float64Array(idx.length);
    for (let i = 0; i < idx.length; i++) {
      const v = idx[i]!;
      if (v < -n || v >= n) throw new IndexError(`out of range: tried to access index ${v} on a tensor of ${n} elements.`);
      offsets[i] = all[v < 0 ? v + n : v]!;
    }
    return readAt(self, offsets, index.shape.slice());
  },
  backward: (g: Tensor, [self, index]: [Tensor, Tensor]): GradOut[] => {
    const flat = callAten<Tensor>("aten::reshape", [index, [-1]]);
    const zeros = Tensor.empty([self.numel()], g.dtype);
    const put = runOverload(index_put.overloads[0]!, [zeros, [flat], callAten("aten::reshape", [g, [-1]]), true]) as Tensor;
    return [callAten("aten::reshape", [put, self.shape]), null];
  },
}]);

declare module "../tensor.js" {
  interface Tensor {
    /** `x[items]`: `x.index(0, ":", null, "...", mask)`. */
    index(...items: IndexItem[]): Tensor;
    /** `x[items] = value`, in place; returns x. A single non-array item may be given bare. */
    set(items: IndexItem | readonly IndexItem[], value: Tensor | number | boolean): Tensor;
    index_put_(indices: readonly IndexItem[], values: Tensor | number, accumulate?: boolean): Tensor;
    index_put(indices: readonly Tensor[], values: Tensor, accumulate?: boolean): Tensor;
    gather(dim: number, index: Tensor, opts?: { sparse_grad?: boolean }): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
    scatter_(dim: number, index: Tensor, src: Tensor | number): Tensor;
    scatter_add(dim: number, index: Tensor, src: Tensor): Tensor;
    scatter_add_(dim: number, index: Tensor, src: Tensor): Tensor;
    index_select(dim: number, index: Tensor): Tensor;
    index_add(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor;
    index_add_(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor;
    masked_select(mask: Tensor): Tensor;
    nonzero(): Tensor;
    take(index: Tensor): Tensor;
  }
}

installMethods({
  index: (self: Tensor, ...items: IndexItem[]) => indexItems(self, items),
  set: (self: Tensor, items: IndexItem | readonly IndexItem[], value: Tensor | number | boolean) =>
    setItems(self, Array.isArray(items) ? (items as IndexItem[]) : [items as IndexItem], value),
  index_put_: indexPutMethod,
  index_put,
  gather, scatter, scatter_, scatter_add, scatter_add_, index_select, index_add, index_add_, masked_select, nonzero, take,
});
