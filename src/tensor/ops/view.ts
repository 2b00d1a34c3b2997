/**
 * View ops: tensors that share their input's storage with new sizes, strides and offset
 * (view, reshape, select, slice, transpose, permute, expand, squeeze, ...). The gradient of a
 * view is the inverse view, or a scatter into zeros for select and slice.
 *
 * Note [view geometry] (kernels/gather.ts): each view is `makeView(self, geometry)`.
 */
import { IndexError, RuntimeError } from "../../util/errors.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods, REGISTRY, runOverload, type Op, type OpOverload } from "../registry.js";
import { parseSchema } from "../schema.js";
import { broadcastShapes, contiguousStrides, formatSize, inferSize, normalizeDim, numel } from "../shape.js";
import { copyInto } from "../kernels/apply.js";
import type { GradOut } from "../../autograd/op_node.js";
// split/chunk/stack live in join.ts; importing it here installs them with the view methods
// (layers import this file for chunk) and registers aten::stack for unbind's gradient.
import "./join.js";
import {
  TO_END, callAten, computeStride, expandGeometry, geo, type Geo, inferViewSize, makeView, selectGeometry, sizeList, sliceGeometry, unsqueezeGeometry,
} from "../kernels/gather.js";

type Size = readonly number[];

/** Calls an op's only overload with already-bound arguments (no binding on internal paths). */
function call1<T = Tensor>(op: Op<(...a: any[]) => unknown>, args: unknown[]): T {
  return runOverload(op.overloads[0]!, args) as T;
}

function checkSizes(fn: string, size: Size): void {
  sizeList(fn, [size]);
}

// ---------------------------------------------------------------- view, reshape

const reshapeBack = (g: Tensor, args: [Tensor]): GradOut[] => [call1(reshape, [g, args[0].shape])];

const viewOp = defineOp<(self: Tensor, size: Size) => Tensor>("view", [{
  schema: "aten::view(Tensor(a) self, int[] size) -> Tensor(a)",
  gradName: "ViewBackward0",
  forward: (self: Tensor, size: Size) => {
    checkSizes("view", size);
    const shape = inferViewSize(size, self.numel());
    const strides = computeStride(self.shape, self._strides, shape);
    if (strides === null) {
      throw new RuntimeError(
        "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
      );
    }
    return makeView(self, geo(shape, strides, self.offset));
  },
  backward: reshapeBack,
}]);

const reshapeAlias = defineOp<(self: Tensor, size: Size, stride: Size) => Tensor>("_reshape_alias", [{
  schema: "aten::_reshape_alias(Tensor(a) self, int[] size, int[] stride) -> Tensor(a)",
  gradName: "ReshapeAliasBackward0",
  forward: (self: Tensor, size: Size, stride: Size) => makeView(self, geo(size.slice(), stride.slice(), self.offset)),
  backward: reshapeBack,
}]);

const unsafeView = defineOp<(self: Tensor, size: Size) => Tensor>("_unsafe_view", [{
  schema: "aten::_unsafe_view(Tensor self, int[] size) -> Tensor",
  gradName: "UnsafeViewBackward0",
  // reshape calls it on a fresh contiguous clone, which it may alias (no _base: a new tensor)
  forward: (self: Tensor, size: Size) => {
    const shape = inferViewSize(size, self.numel());
    if (self.is_contiguous()) return new Tensor(self.storage, shape, contiguousStrides(shape), self.offset, self.dtype);
    return Tensor.fromData(self.contiguousData(), shape, self.dtype);
  },
  backward: reshapeBack,
}]);

/** aten::clone comes from another op file; this stand-in is used only when it is absent. */
let cloneOv: OpOverload | null = null;
function fallbackClone(): OpOverload {
  return {
    schema: parseSchema("aten::clone(Tensor self, *, MemoryFormat? memory_format=None) -> Tensor"),
    forward: (self: Tensor) => Tensor.fromData(self.contiguousData().slice(), self.shape.slice(), self.dtype),
    backward: (g: Tensor): GradOut[] => [g],
    gradName: "CloneBackward0",
    composite: false,
    jsExpr: undefined,
    jsExprF32: undefined,
    inplace: false,
    tensorArgs: [0],
    minArity: 1,
    simpleArgs: false,
  };
}

/** A contiguous copy that records CloneBackward0. */
function cloneContiguous(self: Tensor): Tensor {
  cloneOv ??= REGISTRY.get("aten::clone")?.[0] ?? null;
  const ov = cloneOv ?? fallbackClone();
  const out = runOverload(ov, [self, "contiguous_format"]) as Tensor;
  return out.is_contiguous() ? out : (runOverload(fallbackClone(), [out, null]) as Tensor);
}

/** A view when the strides allow one, else a contiguous copy (composite, as in PyTorch). */
export const reshape = defineOp<(self: Tensor, shape: Size) => Tensor>("reshape", [{
  schema: "aten::reshape(Tensor(a) self, int[] shape) -> Tensor(a)",
  composite: true,
  forward: (self: Tensor, shape: Size) => {
    checkSizes("reshape", shape);
    const size = inferViewSize(shape, self.numel());
    const strides = computeStride(self.shape, self._strides, size);
    if (strides !== null) return call1(reshapeAlias, [self, size, strides]);
    return call1(unsafeView, [cloneContiguous(self), size]);
  },
}]);

const viewAs = defineOp<(self: Tensor, other: Tensor) => Tensor>("view_as", [{
  schema: "aten::view_as(Tensor(a) self, Tensor other) -> Tensor(a)",
  composite: true,
  forward: (self: Tensor, other: Tensor) => call1(viewOp, [self, other.shape]),
}]);

const reshapeAs = defineOp<(self: Tensor, other: Tensor) => Tensor>("reshape_as", [{
  schema: "aten::reshape_as(Tensor(a) self, Tensor other) -> Tensor(a)",
  composite: true,
  forward: (self: Tensor, other: Tensor) => call1(reshape, [self, other.shape]),
}]);

/** x[...]: a new tensor object over the same data (indexing reaches it through the registry). */
defineOp<(self: Tensor) => Tensor>("alias", [{
  schema: "aten::alias(Tensor(a) self) -> Tensor(a)",
  gradName: "AliasBackward0",
  forward: (self: Tensor) => makeView(self, geo(self.shape.slice(), self._strides.slice(), self.offset)),
  backward: (g: Tensor): GradOut[] => [g],
}]);

// ---------------------------------------------------------------- select, slice, narrow

export const select = defineOp<(self: Tensor, dim: number, index: number) => Tensor>("select", [{
  schema: "aten::select.int(Tensor(a) self, int dim, int index) -> Tensor(a)",
  gradName: "SelectBackward0",
  forward: (self: Tensor, dim: number, index: number) => {
    return makeView(self, selectGeometry(self, dim, index));
  },
  backward: (g: Tensor, [self, dim, index]: [Tensor, number, number]): GradOut[] => [
    call1(selectBackward, [g, self.shape, normalizeDim(dim, self.shape.length), index]),
  ],
}]);

const selectBackward = defineOp<(g: Tensor, sizes: Size, dim: number, index: number) => Tensor>("select_backward", [{
  schema: "aten::select_backward(Tensor grad_output, int[] input_sizes, int dim, int index) -> Tensor",
  gradName: "SelectBackwardBackward0",
  forward: (g: Tensor, sizes: Size, dim: number, index: number) => {
    const out = Tensor.empty(sizes.slice(), g.dtype);
    copyInto(rawView(out, selectGeometry(out, dim, index)), g);
    return out;
  },
  backward: (gg: Tensor, [, , dim, index]: [Tensor, Size, number, number]): GradOut[] => [call1(select, [gg, dim, index])],
}]);

/** aten::slice: not a torch function in PyTorch, so only a method here (`torch.slice` builds index items). */
const sliceOp = defineOp<(self: Tensor, dim?: number, start?: number | null, end?: number | null, step?: number) => Tensor>("slice", [{
  schema: "aten::slice.Tensor(Tensor(a) self, int dim=0, int? start=None, int? end=None, int step=1) -> Tensor(a)",
  gradName: "SliceBackward0",
  forward: (self: Tensor, dim: number, start: number | null, end: number | null, step: number) => {
    return makeView(self, sliceGeometry(self, dim, start, end, step));
  },
  backward: (g: Tensor, [self, dim, start, end, step]: [Tensor, number, number | null, number | null, number]): GradOut[] => [
    call1(sliceBackward, [g, self.shape, normalizeDim(dim, self.shape.length), start ?? 0, end ?? TO_END, step]),
  ],
}]);

const sliceBackward = defineOp<(g: Tensor, sizes: Size, dim: number, s: number, e: number, step: number) => Tensor>("slice_backward", [{
  schema: "aten::slice_backward(Tensor grad_output, int[] input_sizes, int dim, int start, int end, int step) -> Tensor",
  gradName: "SliceBackwardBackward0",
  forward: (g: Tensor, sizes: Size, dim: number, start: number, end: number, step: number) => {
    const out = Tensor.empty(sizes.slice(), g.dtype);
    copyInto(rawView(out, sliceGeometry(out, dim, start, end, step)), g);
    return out;
  },
  backward: (gg: Tensor, [, , dim, start, end, step]: [Tensor, Size, number, number, number, number]): GradOut[] => [
    call1(sliceOp, [gg, dim, start, end, step]),
  ],
}]);

export const narrow = defineOp<(self: Tensor, dim: number, start: number, length: number) => Tensor>("narrow", [{
  schema: "aten::narrow(Tensor(a) self, int dim, int start, int length) -> Tensor(a)",
  composite: true,
  forward: (self: Tensor, dim: number, start: number, length: number) => {
    if (self.shape.length === 0) throw new RuntimeError("narrow() cannot be applied to a 0-dim tensor.");
    const size = self.shape[normalizeDim(dim, self.shape.length)]!;
    const s = start === size ? start : normalizeDim(start, size);
    if (length < 0 || s + length > size) throw new RuntimeError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
    return call1(sliceOp, [self, dim, s, s + length, 1]);
  },
}]);

// ---------------------------------------------------------------- transpose, permute

function swapped<T>(list: readonly T[], a: number, b: number): T[] {
  const out = list.slice();
  out[a] = list[b]!;
  out[b] = list[a]!;
  return out;
}

export const transpose = defineOp<(self: Tensor, dim0: number, dim1: number) => Tensor>("transpose", [{
  schema: "aten::transpose.int(Tensor(a) self, int dim0, int dim1) -> Tensor(a)",
  gradName: "TransposeBackward0",
  forward: (self: Tensor, dim0: number, dim1: number) => {
    const n = self.shape.length;
    const a = normalizeDim(dim0, n);
    const b = normalizeDim(dim1, n);
    if (n === 0) return makeView(self, geo([], [], self.offset));
    return makeView(self, geo(swapped(self.shape, a, b), swapped(self._strides, a, b), self.offset));
  },
  backward: (g: Tensor, [, d0, d1]: [Tensor, number, number]): GradOut[] => [call1(transpose, [g, d0, d1])],
}]);

export const t = defineOp<(self: Tensor) => Tensor>("t", [{
  schema: "aten::t(Tensor(a) self) -> Tensor(a)",
  gradName: "TBackward0",
  forward: (self: Tensor) => {
    const n = self.shape.length;
    if (n > 2) throw new RuntimeError(`t() expects a tensor with <= 2 dimensions, but self is ${n}D`);
    if (n < 2) return makeView(self, geo(self.shape.slice(), self._strides.slice(), self.offset));
    return makeView(self, geo(swapped(self.shape, 0, 1), swapped(self._strides, 0, 1), self.offset));
  },
  backward: (g: Tensor): GradOut[] => [call1(t, [g])],
}]);

function permuteGeometry(self: Tensor, dims: Size): [number[], number[]] {
  const n = self.shape.length;
  if (dims.length !== n) {
    throw new RuntimeError(
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${n} is not equal to len(dims) = ${dims.length}`,
    );
  }
  const seen = new Array<boolean>(n).fill(false);
  const shape = new Array<number>(n);
  const strides = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const d = normalizeDim(dims[i]!, n);
    if (seen[d]) throw new RuntimeError("permute(): duplicate dims are not allowed.");
    seen[d] = true;
    shape[i] = self.shape[d]!;
    strides[i] = self._strides[d]!;
  }
  return [shape, strides];
}

export const permute = defineOp<(self: Tensor, dims: Size) => Tensor>("permute", [{
  schema: "aten::permute(Tensor(a) self, int[] dims) -> Tensor(a)",
  gradName: "PermuteBackward0",
  forward: (self: Tensor, dims: Size) => {
    const [shape, strides] = permuteGeometry(self, dims);
    return makeView(self, geo(shape, strides, self.offset));
  },
  backward: (g: Tensor, [self, dims]: [Tensor, Size]): GradOut[] => {
    const inv = new Array<number>(dims.length);
    dims.forEach((d, i) => (inv[normalizeDim(d, self.shape.length)] = i));
    return [call1(permute, [g, inv])];
  },
}]);

const numpyT = defineOp<(self: Tensor) => Tensor>("numpy_T", [{
  schema: "aten::numpy_T(Tensor(a) self) -> Tensor(a)",
  composite: true,
  forward: (self: Tensor) => call1(permute, [self, self.shape.map((_, i) => self.shape.length - 1 - i)]),
}]);

function moveDims(ndim: number, source: Size, destination: Size): number[] {
  const src = source.map((d) => normalizeDim(d, ndim));
  const dst = destination.map((d) => normalizeDim(d, ndim));
  if (src.length !== dst.length) {
    throw new RuntimeError(
      `movedim: Invalid source or destination dims: source (${formatSize(source)} dims) should contain the same number of dims as destination (${formatSize(destination)} dims)`,
    );
  }
  if (new Set(src).size !== src.length) throw new RuntimeError(`movedim: repeated dim in \`source\` (${formatSize(source)})`);
  if (new Set(dst).size !== dst.length) throw new RuntimeError(`movedim: repeated dim in \`destination\` (${formatSize(destination)})`);
  const order = new Array<number>(ndim).fill(-1);
  src.forEach((s, i) => (order[dst[i]!] = s));
  const rest = [...Array(ndim).keys()].filter((d) => !src.includes(d));
  let k = 0;
  for (let i = 0; i < ndim; i++) if (order[i] === -1) order[i] = rest[k++]!;
  return order;
}

export const movedim = defineOp<(self: Tensor, source: number | Size, destination: number | Size) => Tensor>("movedim", [
  {
    schema: "aten::movedim.int(Tensor(a) self, int source, int destination) -> Tensor(a)",
    composite: true,
    forward: (self: Tensor, s: number, d: number) => call1(permute, [self, moveDims(self.shape.length, [s], [d])]),
  },
  {
    schema: "aten::movedim.intlist(Tensor(a) self, int[] source, int[] destination) -> Tensor(a)",
    composite: true,
    forward: (self: Tensor, s: Size, d: Size) => call1(permute, [self, moveDims(self.shape.length, s, d)]),
  },
]);
export const moveaxis = movedim;

// ---------------------------------------------------------------- expand, squeeze, unsqueeze

export const expand = defineOp<(self: Tensor, size: Size, opts?: { implicit?: boolean }) => Tensor>("expand", [{
  schema: "aten::expand(Tensor(a) self, int[] size, *, bool implicit=False) -> Tensor(a)",
  gradName: "ExpandBackward0",
  forward: (self: Tensor, size: Size) => {
    return makeView(self, expandGeometry(self, size));
  },
  // Note [broadcast reduction]: OpNode sums the expanded dims back to self's shape.
  backward: (g: Tensor): GradOut[] => [g],
}]);

export const broadcast_to = defineOp<(self: Tensor, size: Size) => Tensor>("broadcast_to", [{
  schema: "aten::broadcast_to(Tensor(a) self, int[] size) -> Tensor(a)",
  composite: true,
  forward: (self: Tensor, size: Size) => call1(expand, [self, size, false]),
}]);

const broadcastTensorsOp = defineOp<(tensors: readonly Tensor[]) => Tensor[]>("broadcast_tensors", [{
  schema: "aten::broadcast_tensors(Tensor[] tensors) -> Tensor[]",
  composite: true,
  forward: (tensors: readonly Tensor[]) => {
    const shape = tensors.reduce<number[]>((s, t) => broadcastShapes(s, t.shape), []);
    return tensors.map((t) => call1(expand, [t, shape, false]));
  },
}]);

/** torch.broadcast_tensors(*tensors): views of each tensor expanded to their common shape. */
export function broadcast_tensors(...tensors: Tensor[]): Tensor[] {
  return broadcastTensorsOp(tensors);
}

const expandAs = defineOp<(self: Tensor, other: Tensor) => Tensor>("expand_as", [{
  schema: "aten::expand_as(Tensor(a) self, Tensor other) -> Tensor(a)",
  composite: true,
  forward: (self: Tensor, other: Tensor) => call1(expand, [self, other.shape, false]),
}]);

export const squeeze = defineOp<(self: Tensor, dim?: number) => Tensor>("squeeze", [
  {
    schema: "aten::squeeze(Tensor(a) self) -> Tensor(a)",
    gradName: "SqueezeBackward0",
    forward: (self: Tensor) => {
      const keep = self.shape.map((d) => d !== 1);
      return makeView(self, geo(self.shape.filter((_, i) => keep[i]), self._strides.filter((_, i) => keep[i]), self.offset));
    },
    backward: (g: Tensor, [self]: [Tensor]): GradOut[] => [call1(reshape, [g, self.shape])],
  },
  {
    schema: "aten::squeeze.dim(Tensor(a) self, int dim) -> Tensor(a)",
    gradName: "SqueezeBackward1",
    forward: (self: Tensor, dim: number) => {
      const d = normalizeDim(dim, self.shape.length);
      if (self.shape.length === 0 || self.shape[d] !== 1) return makeView(self, geo(self.shape.slice(), self._strides.slice(), self.offset));
      return makeView(self, geo(self.shape.filter((_, i) => i !== d), self._strides.filter((_, i) => i !== d), self.offset));
    },
    backward: (g: Tensor, [self, dim]: [Tensor, number]): GradOut[] => {
      const n = self.shape.length;
      const d = normalizeDim(dim, n);
      return [n > 0 && self.shape[d] === 1 ? call1(unsqueeze, [g, d]) : g];
    },
  },
]);

export const unsqueeze = defineOp<(self: Tensor, dim: number) => Tensor>("unsqueeze", [{
  schema: "aten::unsqueeze(Tensor(a) self, int dim) -> Tensor(a)",
  gradName: "UnsqueezeBackward0",
  forward: (self: Tensor, dim: number) => {
    return makeView(self, unsqueezeGeometry(self, dim));
  },
  backward: (g: Tensor, [self, dim]: [Tensor, number]): GradOut[] => [callAten("aten::squeeze.dim", [g, normalizeDim(dim, self.shape.length + 1)])],
}]);

// ---------------------------------------------------------------- flatten, unflatten, contiguous, unbind

export const flatten = defineOp<(self: Tensor, start_dim?: number, end_dim?: number) => Tensor>("flatten", [{
  schema: "aten::flatten.using_ints(Tensor(a) self, int start_dim=0, int end_dim=-1) -> Tensor(a)",
  composite: true,
  forward: (self: Tensor, startDim: number, endDim: number) => {
    const n = self.shape.length;
    const s = normalizeDim(startDim, n);
    const e = normalizeDim(endDim, n);
    if (s > e) throw new RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim");
    if (n === 0) return call1(reshape, [self, [1]]);
    if (s === e) return self;
    const shape = [...self.shape.slice(0, s), numel(self.shape.slice(s, e + 1)), ...self.shape.slice(e + 1)];
    return call1(reshape, [self, shape]);
  },
}]);

export const unflatten = defineOp<(self: Tensor, dim: number, sizes: Size) => Tensor>("unflatten", [{
  schema: "aten::unflatten.int(Tensor(a) self, int dim, int[] sizes) -> Tensor(a)",
  composite: true,
  forward: (self: Tensor, dim: number, sizes: Size) => {
    const d = normalizeDim(dim, self.shape.length);
    if (sizes.length === 0) throw new RuntimeError("unflatten: sizes must be non-empty");
    let inferred: number[];
    try {
      inferred = inferSize(sizes, self.shape[d] ?? 1);
    } catch (e) {
      if (e instanceof RuntimeError && e.message.includes("is invalid for input of size")) {
        throw new RuntimeError(
          `unflatten: Provided sizes ${formatSize(sizes)} don't multiply up to the size of dim ${d} (${self.shape[d]}) in the input tensor`,
        );
      }
      throw e;
    }
    return call1(viewOp, [self, [...self.shape.slice(0, d), ...inferred, ...self.shape.slice(d + 1)]]);
  },
}]);

export const contiguous = defineOp<(self: Tensor) => Tensor>("contiguous", [{
  schema: "aten::contiguous(Tensor(a) self, *, MemoryFormat memory_format=contiguous_format) -> Tensor(a)",
  composite: true,
  forward: (self: Tensor) => (self.is_contiguous() ? self : cloneContiguous(self)),
}]);

export const unbind = defineOp<(self: Tensor, dim?: number) => Tensor[]>("unbind", [{
  schema: "aten::unbind.int(Tensor(a) self, int dim=0) -> Tensor(a)[]",
  gradName: "UnbindBackward0",
  forward: (self: Tensor, dim: number) => {
    if (self.shape.length === 0) throw new IndexError("Dimension specified as 0 but tensor has no dimensions");
    const d = normalizeDim(dim, self.shape.length);
    const out: Tensor[] = [];
    for (let i = 0; i < self.shape[d]!; i++) {
      out.push(makeView(self, selectGeometry(self, d, i)));
    }
    return out;
  },
  backward: (grads: (Tensor | null)[], [self, dim]: [Tensor, number]): GradOut[] => {
    const d = normalizeDim(dim, self.shape.length);
    const shape = self.shape.filter((_, i) => i !== d);
    const filled = grads.map((g) => g ?? Tensor.empty(shape.slice(), self.dtype));
    return [stackOf(filled, d)];
  },
}]);

/** torch.stack lives in join.ts, reached through the registry at call time. */
function stackOf(tensors: Tensor[], dim: number): Tensor {
  return callAten("aten::stack", [tensors, dim]);
}

/** A view used only inside a kernel (no autograd base bookkeeping needed). */
function rawView(t: Tensor, g: Geo): Tensor {
  return new Tensor(t.storage, g.shape, g._strides, g.offset, t.dtype);
}

// ---------------------------------------------------------------- methods

type SizeArgs = number[] | [Size];

declare module "../tensor.js" {
  interface Tensor {
    view(...size: SizeArgs): Tensor;
    reshape(...shape: SizeArgs): Tensor;
    view_as(other: Tensor): Tensor;
    reshape_as(other: Tensor): Tensor;
    select(dim: number, index: number): Tensor;
    /** aten::slice as a method (PyTorch reaches it through `x[a:b]`). */
    slice(dim?: number, start?: number | null, end?: number | null, step?: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    swapaxes(axis0: number, axis1: number): Tensor;
    swapdims(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    permute(...dims: SizeArgs): Tensor;
    movedim(source: number | Size, destination: number | Size): Tensor;
    moveaxis(source: number | Size, destination: number | Size): Tensor;
    expand(...size: SizeArgs): Tensor;
    expand_as(other: Tensor): Tensor;
    squeeze(dim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    flatten(start_dim?: number, end_dim?: number): Tensor;
    unflatten(dim: number, sizes: Size): Tensor;
    contiguous(): Tensor;
    unbind(dim?: number): Tensor[];
    /** All dims reversed (PyTorch's `x.T`). */
    readonly T: Tensor;
    /** The last two dims swapped (PyTorch's `x.mT`). */
    readonly mT: Tensor;
  }
}

installMethods({
  view: (self: Tensor, ...size: unknown[]) => call1(viewOp, [self, sizeList("view", size)]),
  reshape: (self: Tensor, ...size: unknown[]) => call1(reshape, [self, sizeList("reshape", size)]),
  permute: (self: Tensor, ...dims: unknown[]) => call1(permute, [self, sizeList("permute", dims)]),
  expand: (self: Tensor, ...size: unknown[]) => call1(expand, [self, sizeList("expand", size), false]),
  view_as: viewAs, reshape_as: reshapeAs, expand_as: expandAs,
  select, slice: sliceOp, narrow, transpose, swapaxes: transpose, swapdims: transpose, t,
  movedim, moveaxis: movedim, squeeze, unsqueeze, flatten, unflatten, contiguous, unbind,
});

Object.defineProperty(Tensor.prototype, "T", {
  get(this: Tensor) {
    return call1(numpyT, [this]);
  },
  configurable: true,
});

Object.defineProperty(Tensor.prototype, "mT", {
  get(this: Tensor) {
    // PyTorch 1.13 rejects only 1-D tensors here; a 0-d tensor passes through
    if (this.shape.length === 1) throw new RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.");
    return call1(transpose, [this, -2 % Math.max(this.shape.length, 1), -1]);
  },
  configurable: true,
});

export const swapaxes = transpose;
export const swapdims = transpose;
