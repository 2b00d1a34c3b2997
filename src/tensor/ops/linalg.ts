/**
 * Matrix products. The primitives (mm, bmm, addmm, mv, dot) run the backend's GEMM kernel
 * (kernels/matmul.ts) on strided operands, so transposed views are read in place. matmul,
 * linear and outer are composite, built from those primitives and views exactly as PyTorch
 * 1.13 builds them, so autograd shows the same nodes (Note [matmul composition]).
 */
import { RuntimeError } from "../../util/errors.js";
import { DType, bool, float16 } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { REGISTRY, defineOp, installMethods, invokerOf, runOverload, type OpOverload, type OverloadDef } from "../registry.js";
import { broadcastShapes, broadcastStrides, numel } from "../shape.js";
import { getMatmulKernel } from "../kernels/matmul.js";
import { roundHalf } from "../kernels/reduce.js";
import { castRaw } from "./reduce_common.js";
import { mul, add } from "./arith.js";
import { OpNode, type GradOut } from "../../autograd/op_node.js";
import { gradState } from "../../autograd/grad_mode.js";

function checkGemmDType(d: DType, what: string): void {
  if (d === bool || d === float16) throw new RuntimeError(`"${what}" not implemented for '${d.scalarType}'`);
}

function checkSame(a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) throw new RuntimeError(`expected scalar type ${a.dtype.scalarType} but found ${b.dtype.scalarType}`);
}

/** out[outOff..] (row-major m x n) = alpha * a·b + beta * out, a and b 2-D strided views. */
function gemmInto(
  a: Tensor, aOff: number, aRs: number, aCs: number, b: Tensor, bOff: number, bRs: number, bCs: number,
  m: number, n: number, k: number, out: Tensor["storage"]["data"], outOff: number, alpha: number, beta: number,
  dtype: DType,
): void {
  getMatmulKernel(dtype)(m, n, k, a.storage.data, aOff, aRs, aCs, b.storage.data, bOff, bRs, bCs, out, outOff, n, alpha, beta);
}

function checkMm(self: Tensor, mat2: Tensor, selfName: string): void {
  if (self.ndim !== 2) throw new RuntimeError(`${selfName} must be a matrix`);
  if (mat2.ndim !== 2) throw new RuntimeError("mat2 must be a matrix");
  if (self.shape[1] !== mat2.shape[0]) {
    throw new RuntimeError(
      `mat1 and mat2 shapes cannot be multiplied (${self.shape[0]}x${self.shape[1]} and ${mat2.shape[0]}x${mat2.shape[1]})`,
    );
  }
}

function mmForward(self: Tensor, mat2: Tensor): Tensor {
  checkMm(self, mat2, "self");
  checkSame(self, mat2);
  checkGemmDType(self.dtype, "addmm_impl_cpu_");
  const [m, k] = self.shape as [number, number];
  const n = mat2.shape[1]!;
  const out = new self.dtype.ArrayType(m * n);
  gemmInto(self, self.offset, self._strides[0]!, self._strides[1]!, mat2, mat2.offset, mat2._strides[0]!, mat2._strides[1]!,
    m, n, k, out, 0, 1, 0, self.dtype);
  roundHalf(out, self.dtype);
  return Tensor.fromData(out, [m, n], self.dtype);
}

export const mm = defineOp<(input: Tensor, mat2: Tensor) => Tensor>("mm", [{
  schema: "aten::mm(Tensor self, Tensor mat2) -> Tensor",
  gradName: "MmBackward0",
  forward: mmForward,
  backward: (g: Tensor, [self, mat2]: [Tensor, Tensor]): GradOut[] => [mm(g, mat2.t()), mm(self.t(), g)],
}]);

function addmmForward(self: Tensor, mat1: Tensor, mat2: Tensor, beta: number, alpha: number): Tensor {
  if (mat1.ndim !== 2) throw new RuntimeError(`mat1 must be a matrix, got ${mat1.ndim}-D tensor`);
  if (mat2.ndim !== 2) throw new RuntimeError(`mat2 must be a matrix, got ${mat2.ndim}-D tensor`);
  checkMm(mat1, mat2, "mat1");
  const m = mat1.shape[0]!;
  const n = mat2.shape[1]!;
  if (self.dtype !== mat2.dtype) throw new RuntimeError("self and mat2 must have the same dtype");
  if (mat1.dtype !== mat2.dtype) throw new RuntimeError("mat1 and mat2 must have the same dtype");
  checkGemmDType(self.dtype, "addmm_impl_cpu_");
  const shape = [m, n]; // the result's own from here on (Note [shared shape arrays])
  const out = expandInto(self, shape);
  if (beta !== 0 && beta !== 1) for (let i = 0; i < out.length; i++) out[i] = beta * out[i]!;
  addProduct(out, mat1, mat2, alpha, beta === 0 ? 0 : 1);
  return Tensor.fromData(out, shape, self.dtype);
}

/** out (row-major, mat1's rows x mat2's columns) = alpha * mat1·mat2 + beta * out, rounded for half dtypes. */
function addProduct(out: Tensor["storage"]["data"], mat1: Tensor, mat2: Tensor, alpha: number, beta: number): void {
  const [m, k] = mat1.shape as [number, number];
  gemmInto(mat1, mat1.offset, mat1._strides[0]!, mat1._strides[1]!, mat2, mat2.offset, mat2._strides[0]!, mat2._strides[1]!,
    m, mat2.shape[1]!, k, out, 0, alpha, beta, mat1.dtype);
  roundHalf(out, mat1.dtype);
}

/** Writes a 1-D `row` of length n into every row of `out` (row-major, n columns): a linear layer's bias. */
function fillRows(row: Tensor, n: number, out: Tensor["storage"]["data"]): void {
  const src = row.storage.data;
  const st = row._strides[0]!;
  for (let j = 0, p = row.offset; j < n; j++, p += st) out[j] = src[p]!;
  for (let r = n; r < out.length; r += n) for (let j = 0; j < n; j++) out[r + j] = out[j]!;
}

/** A fresh contiguous copy of `t` broadcast to `shape`, with PyTorch's expand message. */
function expandInto(t: Tensor, shape: number[]): Tensor["storage"]["data"] {
  const nd = shape.length;
  for (let i = 0; i < t.ndim; i++) {
    const s = t.shape[t.ndim - 1 - i]!;
    const target = shape[nd - 1 - i];
    if (target === undefined || (s !== 1 && s !== target)) {
      throw new RuntimeError(
        `The expanded size of the tensor (${target ?? -1}) must match the existing size (${s}) at non-singleton dimension ${nd - 1 - i}.  Target sizes: [${shape.join(", ")}].  Tensor sizes: [${t.shape.join(", ")}]`,
      );
    }
  }
  const n = shape[nd - 1]!;
  if (t.ndim === 1 && t.shape[0] === n) {
    // the bias of a linear layer: one row repeated (the common case, kept cheap)
    const out = new t.dtype.ArrayType(numel(shape));
    fillRows(t, n, out);
    return out;
  }
  const view = new Tensor(t.storage, shape, broadcastStrides(t.shape, t._strides, shape), t.offset, t.dtype);
  const data = view.contiguousData();
  return data.buffer === t.storage.data.buffer ? data.slice() : data;
}

export const addmm = defineOp<(input: Tensor, mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }) => Tensor>("addmm", [{
  schema: "aten::addmm(Tensor self, Tensor mat1, Tensor mat2, *, Scalar beta=1, Scalar alpha=1) -> Tensor",
  gradName: "AddmmBackward0",
  forward: addmmForward,
  backward: (g: Tensor, [, mat1, mat2, beta, alpha]: [Tensor, Tensor, Tensor, number, number]) => {
    const scale = (t: Tensor, s: number) => (s === 1 ? t : mul(t, s));
    return [scale(g, beta), scale(mm(g, mat2.t()), alpha), scale(mm(mat1.t(), g), alpha), null, null];
  },
}]);

function checkBatches(batch1: Tensor, batch2: Tensor): [number, number, number, number] {
  if (batch1.ndim !== 3) throw new RuntimeError("batch1 must be a 3D tensor");
  if (batch2.ndim !== 3) throw new RuntimeError("batch2 must be a 3D tensor");
  const [bs, m, k] = batch1.shape as [number, number, number];
  if (batch2.shape[0] !== bs || batch2.shape[1] !== k) {
    throw new RuntimeError(
      `Expected size for first two dimensions of batch2 tensor to be: [${bs}, ${k}] but got: [${batch2.shape[0]}, ${batch2.shape[1]}].`,
    );
  }
  checkSame(batch1, batch2);
  checkGemmDType(batch1.dtype, "bmm");
  return [bs, m, k, batch2.shape[2]!];
}

/** out[b] = alpha * batch1[b]·batch2[b] + beta * out[b] for every batch. */
function batchedGemmInto(
  batch1: Tensor, batch2: Tensor, dims: [number, number, number, number], out: Tensor["storage"]["data"], alpha: number, beta: number,
): void {
  const [bs, m, k, n] = dims;
  const [s0, s1, s2] = batch1._strides as [number, number, number];
  const [t0, t1, t2] = batch2._strides as [number, number, number];
  for (let b = 0; b < bs; b++) {
    gemmInto(batch1, batch1.offset + b * s0, s1, s2, batch2, batch2.offset + b * t0, t1, t2, m, n, k, out, b * m * n, alpha, beta, batch1.dtype);
  }
  roundHalf(out, batch1.dtype);
}

function bmmForward(self: Tensor, mat2: Tensor): Tensor {
  const dims = checkBatches(self, mat2);
  const [bs, m, , n] = dims;
  const out = new self.dtype.ArrayType(bs * m * n);
  batchedGemmInto(self, mat2, dims, out, 1, 0);
  return Tensor.fromData(out, [bs, m, n], self.dtype);
}

export const bmm = defineOp<(input: Tensor, mat2: Tensor) => Tensor>("bmm", [{
  schema: "aten::bmm(Tensor self, Tensor mat2) -> Tensor",
  gradName: "BmmBackward0",
  forward: bmmForward,
  backward: (g: Tensor, [self, mat2]: [Tensor, Tensor]): GradOut[] => [bmm(g, mat2.transpose(1, 2)), bmm(self.transpose(1, 2), g)],
}]);

function baddbmmForward(self: Tensor, batch1: Tensor, batch2: Tensor, beta: number, alpha: number): Tensor {
  const dims = checkBatches(batch1, batch2);
  const [bs, m, , n] = dims;
  // self is converted to the batches' dtype, as PyTorch 1.13 does
  const out = expandInto(castRaw(self, batch1.dtype), [bs, m, n]);
  if (beta !== 0 && beta !== 1) for (let i = 0; i < out.length; i++) out[i] = beta * out[i]!;
  batchedGemmInto(batch1, batch2, dims, out, alpha, beta === 0 ? 0 : 1);
  return Tensor.fromData(out, [bs, m, n], batch1.dtype);
}

export const baddbmm = defineOp<(input: Tensor, batch1: Tensor, batch2: Tensor, opts?: { beta?: number; alpha?: number }) => Tensor>("baddbmm", [{
  schema: "aten::baddbmm(Tensor self, Tensor batch1, Tensor batch2, *, Scalar beta=1, Scalar alpha=1) -> Tensor",
  gradName: "BaddbmmBackward0",
  forward: baddbmmForward,
  backward: (g: Tensor, [, b1, b2, beta, alpha]: [Tensor, Tensor, Tensor, number, number]): GradOut[] => {
    const scale = (t: Tensor, s: number) => (s === 1 ? t : mul(t, s));
    return [scale(g, beta), scale(bmm(g, b2.transpose(1, 2)), alpha), scale(bmm(b1.transpose(1, 2), g), alpha), null, null];
  },
}]);

function dotForward(self: Tensor, other: Tensor): Tensor {
  if (self.ndim !== 1 || other.ndim !== 1) {
    throw new RuntimeError(`1D tensors expected, but got ${self.ndim}D and ${other.ndim}D tensors`);
  }
  if (self.dtype !== other.dtype) {
    throw new RuntimeError(`dot : expected both vectors to have same dtype, but found ${self.dtype.scalarType} and ${other.dtype.scalarType}`);
  }
  const n = self.shape[0]!;
  if (other.shape[0] !== n) {
    throw new RuntimeError(
      `inconsistent tensor size, expected tensor [${n}] and src [${other.shape[0]}] to have the same number of elements, but got ${n} and ${other.shape[0]} elements respectively`,
    );
  }
  checkGemmDType(self.dtype, "dot");
  const out = new self.dtype.ArrayType(1);
  gemmInto(self, self.offset, 0, self._strides[0]!, other, other.offset, other._strides[0]!, 0, 1, 1, n, out, 0, 1, 0, self.dtype);
  roundHalf(out, self.dtype);
  return Tensor.fromData(out, [], self.dtype);
}

export const dot = defineOp<(input: Tensor, other: Tensor) => Tensor>("dot", [{
  schema: "aten::dot(Tensor self, Tensor tensor) -> Tensor",
  gradName: "DotBackward0",
  forward: dotForward,
  backward: (g: Tensor, [self, other]: [Tensor, Tensor]) => [mul(g, other), mul(g, self)],
}]);

function mvForward(self: Tensor, vec: Tensor): Tensor {
  if (self.ndim !== 2 || vec.ndim !== 1) {
    throw new RuntimeError(`vector + matrix @ vector expected, got 1, ${self.ndim}, ${vec.ndim}`);
  }
  const [m, k] = self.shape as [number, number];
  if (vec.shape[0] !== k) throw new RuntimeError(`size mismatch, got ${m}, ${m}x${k},${vec.shape[0]}`);
  checkSame(self, vec);
  checkGemmDType(self.dtype, "addmv_impl_cpu");
  const out = new self.dtype.ArrayType(m);
  gemmInto(self, self.offset, self._strides[0]!, self._strides[1]!, vec, vec.offset, vec._strides[0]!, 0, m, 1, k, out, 0, 1, 0, self.dtype);
  roundHalf(out, self.dtype);
  return Tensor.fromData(out, [m], self.dtype);
}

export const mv = defineOp<(input: Tensor, vec: Tensor) => Tensor>("mv", [{
  schema: "aten::mv(Tensor self, Tensor vec) -> Tensor",
  gradName: "MvBackward0",
  forward: mvForward,
  backward: (g: Tensor, [self, vec]: [Tensor, Tensor]): GradOut[] => [mul(g.unsqueeze(1), vec), mv(self.t(), g)],
}]);

// ---- _unsafe_view: the reshape matmul ends with (UnsafeViewBackward0) ----

const UNSAFE_VIEW: OverloadDef = {
  schema: "aten::_unsafe_view(Tensor self, int[] size) -> Tensor",
  gradName: "UnsafeViewBackward0",
  // the result never aliases a tensor the user holds, so a copy is as good as a view here
  forward: (self: Tensor, size: number[]) => {
    const data = self.contiguousData();
    const shape = inferShape(size, data.length);
    return Tensor.fromData(data === self.storage.data ? data.slice() : data, shape, self.dtype);
  },
  backward: (g: Tensor, [self]: [Tensor]) => [g.reshape(self.shape.slice())],
};

function inferShape(size: readonly number[], total: number): number[] {
  const known = size.reduce((a, d) => (d === -1 ? a : a * d), 1);
  return size.map((d) => (d === -1 ? total / known : d));
}

// Another op file may own aten::_unsafe_view (view.ts); use its entry when it exists.
let unsafeViewOverload: OpOverload | null = null;
export function _unsafe_view(self: Tensor, size: number[]): Tensor {
  if (unsafeViewOverload === null) {
    unsafeViewOverload = REGISTRY.get("aten::_unsafe_view")?.[0] ?? defineOp("_unsafe_view", [UNSAFE_VIEW]).overloads[0]!;
  }
  return runOverload(unsafeViewOverload, [self, size]) as Tensor;
}

// ---- matmul ----

/**
 * Note [matmul composition]: PyTorch 1.13's matmul, case by case: 1-D·1-D dot; 2-D·1-D mv;
 * 1-D·2-D unsqueeze, mm, squeeze_; 2-D·2-D mm; a >=3-D operand against a 1- or 2-D one folds
 * the batch into the rows of one mm (transposing both when the big operand is on the right),
 * unless the left operand is a 3-D tensor with its last two dims transposed; everything else
 * broadcasts the batch dims, expands, reshapes to 3-D, and runs bmm. Results are reshaped with
 * _unsafe_view, which is what autograd shows (UnsafeViewBackward0).
 */
function matmulForward(a: Tensor, b: Tensor): Tensor {
  const da = a.ndim;
  const db = b.ndim;
  if (da === 0 || db === 0) {
    throw new RuntimeError(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  }
  if (da === 1 && db === 1) return dot(a, b);
  if (da === 2 && db === 1) return mv(a, b);
  if (da === 1 && db === 2) return squeezeFirst(mm(a.unsqueeze(0), b));
  if (da === 2 && db === 2) return mm(a, b);
  if (shouldFold(a, db) || shouldFold(b, da)) return foldedMatmul(a, b);
  return batchedMatmul(a, b);
}

/**
 * PyTorch squeezes the fresh mm result in place (`squeeze_(0)`, SqueezeBackward3). The view
 * ops' entry is used when it exists; otherwise this file's stand-in, which is only ever applied
 * to a fresh result nothing else aliases, so rewriting its shape in place is safe.
 */
const SQUEEZE_INPLACE: OverloadDef = {
  schema: "aten::squeeze_.dim(Tensor(a!) self, int dim) -> Tensor(a!)",
  gradName: "SqueezeBackward3",
  forward: (self: Tensor, dim: number) => {
    if (self.shape[dim] === 1) {
      self.shape = self.shape.filter((_, i) => i !== dim);
      self._strides = self._strides.filter((_, i) => i !== dim);
    }
    return self;
  },
  backward: (g: Tensor, [self, dim]: [Tensor, number]): GradOut[] => [self.ndim === g.ndim ? g : g.unsqueeze(dim)],
};

let squeezeInplaceOverload: OpOverload | null = null;
function squeezeFirst(t: Tensor): Tensor {
  if (squeezeInplaceOverload === null) {
    const existing = REGISTRY.get("aten::squeeze_")?.find((o) => o.schema.overload === "dim");
    squeezeInplaceOverload = existing ?? defineOp("squeeze_", [SQUEEZE_INPLACE]).overloads[0]!;
  }
  return runOverload(squeezeInplaceOverload, [t, 0]) as Tensor;
}

function shouldFold(t1: Tensor, dim2: number): boolean {
  const d1 = t1.ndim;
  if (d1 < 3 || (dim2 !== 1 && dim2 !== 2)) return false;
  const s = t1._strides;
  const transposedInner = d1 === 3 && dim2 === 2 && s[2] !== 1 && s[0] === t1.shape[1]! * t1.shape[2]!;
  return !transposedInner;
}

function foldedMatmul(a: Tensor, b: Tensor): Tensor {
  const transpose = b.ndim > a.ndim;
  const t1 = transpose ? b.transpose(-2, -1) : a;
  const t2 = !transpose ? b : a.ndim === 2 ? a.t() : a;
  const sizes = t1.shape;
  const outShape = sizes.slice(0, -1);
  const rows = numel(outShape);
  if (t2.ndim === 2) outShape.push(t2.shape[1]!);
  const folded = t1.reshape([rows, sizes[sizes.length - 1]!]);
  if (t2.ndim === 2) {
    const out = _unsafe_view(mm(folded, t2), outShape);
    return transpose ? out.transpose(-2, -1).contiguous() : out;
  }
  return _unsafe_view(mv(folded, t2), outShape);
}

function batchedMatmul(a: Tensor, b: Tensor): Tensor {
  const da = a.ndim;
  const db = b.ndim;
  const n = da > 1 ? a.shape[da - 2]! : 1;
  const m1 = a.shape[da - 1]!;
  const m2 = db > 1 ? b.shape[db - 2]! : b.shape[0]!;
  const p = db > 1 ? b.shape[db - 1]! : 1;
  const batch = broadcastShapes(a.shape.slice(0, Math.max(da - 2, 0)), b.shape.slice(0, Math.max(db - 2, 0)));
  const bprod = numel(batch);
  const a3 = a.expand([...batch, n, m1]).reshape([bprod, n, m1]);
  const b3 = b.expand([...batch, m2, p]).reshape([bprod, m2, p]);
  const outShape = batch.slice();
  if (da > 1) outShape.push(n);
  if (db > 1) outShape.push(p);
  return _unsafe_view(bmm(a3, b3), outShape);
}

export const matmul = defineOp<(input: Tensor, other: Tensor) => Tensor>("matmul", [{
  schema: "aten::matmul(Tensor self, Tensor other) -> Tensor",
  composite: true,
  forward: matmulForward,
}]);

// ---- linear / outer ----

/**
 * PyTorch 1.13's linear: 2-D input with bias is one addmm (AddmmBackward0); a contiguous 3-D
 * input with bias is folded to 2-D around an addmm (ViewBackward0); otherwise matmul against
 * weight.t(), then the bias is added (AddBackward0).
 */
function linearForward(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  return linearTransposed(input, transposedWeight(input, weight, bias), bias);
}

/** Whether autograd records the pieces of linear (grad mode on, some input requires grad). */
function recordsGraph(input: Tensor, weight: Tensor, bias: Tensor | null): boolean {
  return gradState.enabled && (input.requires_grad || weight.requires_grad || (bias !== null && bias.requires_grad));
}

/** aten::t (registered by view.ts), looked up once on first use rather than per call. */
let transposeOverload: OpOverload | undefined;

/**
 * Note [unrecorded linear]: linear's pieces (t, addmm) are not dispatched: the tracer sees only
 * aten::linear, and the kernels run on a transposed view of the weight directly, skipping two
 * dispatches on the hot call of small eager models (an RNN cell's Linear(4, 4) on a batch of 3).
 * When autograd records, the view's TBackward0 (and addmm's AddmmBackward0 in
 * linearTransposed) are recorded directly, as dispatching t and addmm would record them (their
 * forwards run no ops of their own and nothing observes them). A weight that is not 2-D goes
 * through the t op itself, with its error for more than two dims.
 */
/**
 * The shape and strides of the last weight transposedWeight saw, and of its transpose: shape
 * arrays are never mutated (Note [shared shape arrays]), so a layer called again (every step of
 * an RNN) shares the transposed ones instead of allocating two arrays per call.
 */
let lastWeightShape: number[] = [];
let lastWeightStrides: number[] = [];
let transposedShape: number[] = [];
let transposedStrides: number[] = [];

function transposedWeight(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  if (weight.ndim !== 2) return (weight as Tensor & { t(): Tensor }).t();
  if (weight.shape !== lastWeightShape || weight._strides !== lastWeightStrides) {
    lastWeightShape = weight.shape;
    lastWeightStrides = weight._strides;
    transposedShape = [weight.shape[1]!, weight.shape[0]!];
    transposedStrides = [weight._strides[1]!, weight._strides[0]!];
  }
  const wt = new Tensor(weight.storage, transposedShape, transposedStrides, weight.offset, weight.dtype);
  wt._base = weight._base ?? weight;
  if (weight.requires_grad && recordsGraph(input, weight, bias)) {
    OpNode.record((transposeOverload ??= REGISTRY.get("aten::t")![0]!), [weight], wt);
  }
  return wt;
}

/** linear(input, weight, bias) given `weightT` = weight.t(): the kernels and the nodes eager linear makes. */
function linearTransposed(input: Tensor, weightT: Tensor, bias: Tensor | null): Tensor {
  if (input.ndim === 2 && weightT.ndim === 2) {
    if (!recordsGraph(input, weightT, bias)) return bias === null ? mmForward(input, weightT) : addmmForward(bias, input, weightT, 1, 1);
    if (bias !== null) {
      const out = addmmForward(bias, input, weightT, 1, 1);
      OpNode.record(addmm.overloads[0]!, [bias, input, weightT, 1, 1], out);
      return out;
    }
  }
  if (bias !== null && input.ndim === 3 && input.is_contiguous()) {
    const [b0, b1, k] = input.shape as [number, number, number];
    const out = runOverload(addmm.overloads[0]!, [bias, input.view([b0 * b1, k]), weightT, 1, 1]) as Tensor;
    return out.view([b0, b1, out.shape[1]!]);
  }
  const out = matmul(input, weightT);
  return bias === null ? out : add(out, bias);
}

const linearOp = defineOp<(input: Tensor, weight: Tensor, bias?: Tensor | null) => Tensor>("linear", [{
  schema: "aten::linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor",
  composite: true,
  forward: linearForward,
}]);
const invokeLinear = invokerOf(linearOp.overloads[0]!);

/**
 * linear(x, w) and linear(x, w, b) skip argument binding, as withFastPath does, without its
 * argument arrays: a Linear layer's call is the hot path of small eager models.
 */
export const linear = Object.defineProperties(
  function linear(this: unknown, input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
    if (arguments.length <= 3 && input instanceof Tensor && weight instanceof Tensor &&
      (bias === undefined || bias === null || bias instanceof Tensor)) {
      return invokeLinear([input, weight, bias ?? null]) as Tensor;
    }
    return linearOp(...(Array.prototype.slice.call(arguments) as [Tensor, Tensor, Tensor?]));
  },
  { overloads: { value: linearOp.overloads } },
) as unknown as typeof linearOp;

/**
 * Note [hoisted linear transpose]: linear given `weight.t()` made once in front of a loop
 * (passes/hoist_linear_transpose.ts), so the transpose (and, with grad, its TBackward0 node) is
 * made once per call instead of once per step. tsjit::t_if_matrix makes it without failing (null
 * for a weight of more than two dims, which linear_t then transposes itself, raising t's error
 * inside the loop as before); tsjit::linear_t runs linear's kernels and records linear's nodes.
 * Internal ops: they appear only in the executor's specialized graphs.
 */
export const linear_t = defineOp<(input: Tensor, weightT: Tensor | null, weight: Tensor, bias?: Tensor | null) => Tensor>("linear_t", [{
  schema: "tsjit::linear_t(Tensor input, Tensor? weight_t, Tensor weight, Tensor? bias=None) -> Tensor",
  composite: true,
  forward: (input: Tensor, weightT: Tensor | null, weight: Tensor, bias: Tensor | null) =>
    linearTransposed(input, weightT ?? transposedWeight(input, weight, bias), bias),
}]);

/**
 * tsjit::linear_t writing into `reuse`, a dead tensor of an executor's own (Note [buffer reuse]
 * in jit/executor/buffer_reuse.ts), where it can: a 2-D input with a 1-D bias, nothing to
 * record, and `reuse` contiguous, of the result's shape and dtype, at offset 0, sharing no
 * storage with an input. The values are what linear_t computes (the same bias fill and GEMM
 * addmm runs); any other call is linear_t's own.
 */
export function linearTransposedInto(reuse: Tensor | null, input: Tensor, weightT: Tensor | null, weight: Tensor, bias: Tensor | null): Tensor {
  const wt = weightT ?? weight;
  if (reuse !== null && weightT !== null && bias !== null && input.ndim === 2 && wt.ndim === 2 && bias.ndim === 1 &&
    !recordsGraph(input, wt, bias) && fitsResult(reuse, input, wt, bias)) {
    const out = reuse.storage.data;
    fillRows(bias, wt.shape[1]!, out);
    addProduct(out, input, wt, 1, 1);
    reuse.storage.version++;
    return reuse;
  }
  return linear_t(input, weightT, weight, bias);
}

/** Whether `reuse` can hold linear's result for these operands (linearTransposedInto). */
function fitsResult(reuse: Tensor, input: Tensor, wt: Tensor, bias: Tensor): boolean {
  const m = input.shape[0]!;
  const n = wt.shape[1]!;
  const d = input.dtype;
  if (wt.dtype !== d || bias.dtype !== d || reuse.dtype !== d || bias.shape[0] !== n || input.shape[1] !== wt.shape[0]) return false;
  if (d === bool || d === float16) return false;
  if (reuse.offset !== 0 || reuse.ndim !== 2 || reuse.shape[0] !== m || reuse.shape[1] !== n || reuse.storage.data.length !== m * n) return false;
  if (!reuse.is_contiguous()) return false;
  const s = reuse.storage;
  return s !== input.storage && s !== wt.storage && s !== bias.storage;
}

export const t_if_matrix = defineOp<(self: Tensor) => Tensor | null>("t_if_matrix", [{
  schema: "tsjit::t_if_matrix(Tensor self) -> Tensor?",
  composite: true,
  forward: (self: Tensor) => (self.ndim <= 2 ? (self as Tensor & { t(): Tensor }).t() : null),
}]);

export const outer = defineOp<(input: Tensor, vec2: Tensor) => Tensor>("outer", [{
  schema: "aten::outer(Tensor self, Tensor vec2) -> Tensor",
  composite: true,
  forward: (self: Tensor, vec2: Tensor) => {
    if (self.ndim !== 1) throw new RuntimeError(`outer: Expected 1-D argument self, but got ${self.ndim}-D`);
    if (vec2.ndim !== 1) throw new RuntimeError(`outer: Expected 1-D argument vec2, but got ${vec2.ndim}-D`);
    return mul(self.reshape([self.shape[0]!, 1]), vec2);
  },
}]);
export const ger = outer;

declare module "../tensor.js" {
  interface Tensor {
    mm(mat2: Tensor): Tensor;
    bmm(mat2: Tensor): Tensor;
    baddbmm(batch1: Tensor, batch2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
    addmm(mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
    dot(other: Tensor): Tensor;
    mv(vec: Tensor): Tensor;
    matmul(other: Tensor): Tensor;
    outer(vec2: Tensor): Tensor;
    ger(vec2: Tensor): Tensor;
  }
}

installMethods({ mm, bmm, baddbmm, addmm, dot, mv, matmul, outer, ger: outer });
