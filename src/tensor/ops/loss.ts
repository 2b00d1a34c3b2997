/**
 * Losses, with PyTorch 1.13's split into primitives and composites:
 *   primitive  mse_loss, smooth_l1_loss, huber_loss, binary_cross_entropy, nll_loss_forward,
 *              nll_loss2d_forward, each with its *_backward op;
 *   composite  nll_loss, nll_loss2d, nll_loss_nd, cross_entropy_loss (log_softmax + nll, or the
 *              label-smoothing / class-probability formulas), l1_loss ((x - y).abs() reduced).
 * `reduction` is at::Reduction's integer (0 none, 1 mean, 2 sum); nn.functional maps strings.
 */
import { IndexError, RuntimeError, ValueError } from "../../util/errors.js";
import { float32, int64, uint8, type DType, type TypedArray } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { broadcastShapes, broadcastStrides } from "../shape.js";
import { resultType2 } from "../promotion.js";
import { defineOp, lookupOverloads, overload, runOverload } from "../registry.js";
import { add, div, mul, neg, sub } from "./arith.js";
import { Reduction, callOp, fromF64, notImplementedFor, reductionOf, sizeStr } from "../kernels/conv_common.js";

type Opt = Tensor | null;
type Grads = (Tensor | null)[];

/** Elements of `t` read as if broadcast to `shape`, row-major. */
function expanded(t: Tensor, shape: number[]): TypedArray {
  if (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])) return t.contiguousData();
  return new Tensor(t.storage, shape, broadcastStrides(t.shape, t._strides, shape), t.offset, t.dtype).contiguousData();
}

/** apply_loss_reduction on float64 per-element losses. */
function reduceLoss(values: Float64Array, reduction: Reduction, shape: number[], dtype: DType): Tensor {
  if (reduction === Reduction.None) return fromF64(values, shape, dtype);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return fromF64(Float64Array.of(reduction === Reduction.Mean ? s / values.length : s), [], dtype);
}

// ------------------------------------------------------------- pointwise (x - y) losses

interface PointwiseLoss {
  /** The name PyTorch's dispatch error shows for non-float inputs. */
  kernel: string;
  value(d: number, p: number): number;
  /** d value / d x; the gradient for y is the same rule with x and y swapped. */
  grad(d: number, p: number): number;
}

const MSE: PointwiseLoss = { kernel: "mse_cpu", value: (d) => d * d, grad: (d) => 2 * d };
const SMOOTH_L1: PointwiseLoss = {
  kernel: "smooth_l1_cpu",
  value: (d, beta) => (Math.abs(d) < beta ? (0.5 * d * d) / beta : Math.abs(d) - 0.5 * beta),
  grad: (d, beta) => (d <= -beta ? -1 : d >= beta ? 1 : d / beta),
};
const HUBER: PointwiseLoss = {
  kernel: "huber_cpu",
  value: (d, delta) => (Math.abs(d) < delta ? 0.5 * d * d : delta * (Math.abs(d) - 0.5 * delta)),
  grad: (d, delta) => (d <= -delta ? -delta : d >= delta ? delta : d),
};

function pointwiseForward(spec: PointwiseLoss, self: Tensor, target: Tensor, reduction: unknown, p: number): Tensor {
  const dtype = resultType2(self, target);
  if (!dtype.is_floating_point) throw notImplementedFor(spec.kernel, dtype);
  const shape = broadcastShapes(self.shape, target.shape);
  const a = expanded(self, shape), b = expanded(target, shape);
  const f32 = dtype === float32;
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const d = f32 ? Math.fround(a[i]! - b[i]!) : a[i]! - b[i]!;
    out[i] = spec.value(d, p);
  }
  return reduceLoss(out, reductionOf(reduction), shape, dtype);
}

function pointwiseBackward(spec: PointwiseLoss, grad: Tensor, self: Tensor, target: Tensor, reduction: unknown, p: number): Tensor {
  const dtype = resultType2(self, target);
  const shape = broadcastShapes(self.shape, target.shape);
  const a = expanded(self, shape), b = expanded(target, shape);
  const r = reductionOf(reduction);
  const g = r === Reduction.None ? expanded(grad, shape) : grad.contiguousData();
  const norm = r === Reduction.Mean ? 1 / a.length : 1;
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = spec.grad(a[i]! - b[i]!, p) * norm * g[r === Reduction.None ? i : 0]!;
  return fromF64(out, shape, dtype);
}

/** Declares a pointwise loss and its backward op; `extra` is the schema's trailing float. */
function pointwiseLoss(spec: PointwiseLoss, name: string, gradName: string, extra: string | null, check?: (p: number) => void) {
  const tail = extra === null ? "" : `, float ${extra}`;
  const param = (rest: unknown[]): number => (extra === null ? 0 : (rest[0] as number));
  const backwardOp = defineOp<(...args: unknown[]) => Tensor>(`${name}_backward`, [overload({
    schema: `aten::${name}_backward(Tensor grad_output, Tensor self, Tensor target, int reduction${tail.replace("=1.", "")}) -> Tensor`,
    forward: (g: Tensor, self: Tensor, target: Tensor, red: unknown, ...rest: unknown[]) => pointwiseBackward(spec, g, self, target, red, param(rest)),
  })]);
  const bw = backwardOp.overloads[0]!;
  const op = defineOp<(self: Tensor, target: Tensor, reduction?: number, ...rest: number[]) => Tensor>(name, [overload({
    schema: `aten::${name}(Tensor self, Tensor target, int reduction=Mean${tail}) -> Tensor`,
    gradName,
    forward: (self: Tensor, target: Tensor, red: unknown, ...rest: unknown[]) => {
      check?.(param(rest));
      return pointwiseForward(spec, self, target, red, param(rest));
    },
    // d/dtarget is the same rule with the operands swapped (derivatives.yaml)
    backward: (g: Tensor, args: [Tensor, Tensor, unknown, ...unknown[]]): Grads => {
      const [self, target, red, ...rest] = args;
      return [
        self.requires_grad ? (runOverload(bw, [g, self, target, red, ...rest]) as Tensor) : null,
        target.requires_grad ? (runOverload(bw, [g, target, self, red, ...rest]) as Tensor) : null,
      ];
    },
  })]);
  return [op, backwardOp] as const;
}

export const [mse_loss, mse_loss_backward] = pointwiseLoss(MSE, "mse_loss", "MseLossBackward0", null);
export const [smooth_l1_loss, smooth_l1_loss_backward] = pointwiseLoss(SMOOTH_L1, "smooth_l1_loss", "SmoothL1LossBackward0", "beta=1.", (beta) => {
  if (beta < 0) throw new RuntimeError("smooth_l1_loss does not support negative values for beta.");
});
export const [huber_loss, huber_loss_backward] = pointwiseLoss(HUBER, "huber_loss", "HuberLossBackward0", "delta=1.", (delta) => {
  if (delta <= 0) throw new RuntimeError("huber_loss does not support non-positive values for delta.");
});

/** l1_loss is composite in 1.13: (self - target).abs() reduced (MeanBackward0 / SumBackward0). */
export const l1_loss = defineOp<(self: Tensor, target: Tensor, reduction?: number) => Tensor>("l1_loss", [overload({
  schema: "aten::l1_loss(Tensor self, Tensor target, int reduction=Mean) -> Tensor",
  composite: true,
  forward: (self: Tensor, target: Tensor, red: unknown) => {
    const loss = callOp("aten::abs", "", sub(self, target));
    const r = reductionOf(red);
    if (r === Reduction.None) return loss;
    return r === Reduction.Mean ? callOp("aten::mean", "", loss, null) : callOp("aten::sum", "", loss, null);
  },
})]);

// ------------------------------------------------------------------ binary cross entropy

function bceForward(self: Tensor, target: Tensor, weight: Opt, red: unknown): Tensor {
  const dtype = resultType2(self, target);
  if (!dtype.is_floating_point) throw notImplementedFor("binary_cross_entropy", dtype);
  const shape = broadcastShapes(self.shape, target.shape);
  const x = expanded(self, shape), y = expanded(target, shape);
  const w = weight === null ? null : expanded(weight, shape);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!, t = y[i]!;
    if (!(v >= 0 && v <= 1)) throw new RuntimeError("all elements of input should be between 0 and 1");
    // log terms are clamped at -100 so that 0 and 1 give finite losses
    out[i] = ((t - 1) * Math.max(Math.log1p(-v), -100) - t * Math.max(Math.log(v), -100)) * (w ? w[i]! : 1);
  }
  return reduceLoss(out, reductionOf(red), shape, dtype);
}

export const binary_cross_entropy_backward = defineOp<
  (grad_output: Tensor, self: Tensor, target: Tensor, weight?: Opt, reduction?: number) => Tensor
>("binary_cross_entropy_backward", [overload({
  schema: "aten::binary_cross_entropy_backward(Tensor grad_output, Tensor self, Tensor target, Tensor? weight=None, int reduction=Mean) -> Tensor",
  forward: (grad: Tensor, self: Tensor, target: Tensor, weight: Opt, red: unknown) => {
    const shape = broadcastShapes(self.shape, target.shape);
    const x = expanded(self, shape), y = expanded(target, shape);
    const w = weight === null ? null : expanded(weight, shape);
    const r = reductionOf(red);
    const g = r === Reduction.None ? expanded(grad, shape) : grad.contiguousData();
    const norm = r === Reduction.Mean ? 1 / x.length : 1;
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = ((v - y[i]!) / Math.max((1 - v) * v, 1e-12)) * g[r === Reduction.None ? i : 0]! * norm * (w ? w[i]! : 1);
    }
    return fromF64(out, shape, resultType2(self, target));
  },
})]);

/** binary_cross_entropy_target_backward: (log(1 - x) - log(x)) * grad * weight [/ n]. */
function bceTargetGrad(g: Tensor, self: Tensor, target: Tensor, weight: Opt, red: unknown): Tensor {
  let gt = mul(sub(callOp("aten::log", "", sub(1, self)), callOp("aten::log", "", self)), g);
  if (weight !== null) gt = mul(gt, weight);
  return reductionOf(red) === Reduction.Mean ? div(gt, target.numel()) : gt;
}

export const binary_cross_entropy = defineOp<(self: Tensor, target: Tensor, weight?: Opt, reduction?: number) => Tensor>(
  "binary_cross_entropy", [overload({
    schema: "aten::binary_cross_entropy(Tensor self, Tensor target, Tensor? weight=None, int reduction=Mean) -> Tensor",
    gradName: "BinaryCrossEntropyBackward0",
    forward: bceForward,
    backward: (g: Tensor, args: [Tensor, Tensor, Opt, unknown]): Grads => {
      const [self, target, weight, red] = args;
      return [
        self.requires_grad ? binary_cross_entropy_backward(g, self, target, weight, reductionOf(red)) : null,
        target.requires_grad ? bceTargetGrad(g, self, target, weight, red) : null,
        null,
      ];
    },
  })],
);

// ------------------------------------------------------------------------------ nll loss

/** Layout of an nll input as [N, C, S]: 1-d (C), 2-d (N, C) and spatial (N, C, H, W). */
interface NllLayout {
  N: number;
  C: number;
  S: number;
}

function checkTargetDType(target: Tensor): void {
  if (target.dtype !== int64 && target.dtype !== uint8) {
    throw new RuntimeError(`expected scalar type Long but found ${target.dtype.scalarType}`);
  }
}

/** Per-element losses -w[t] x[t] (0 where t is ignore_index) and the total weight. */
function nllKernel(x: TypedArray, t: TypedArray, w: TypedArray | null, l: NllLayout, ignore: number): [Float64Array, number] {
  const { N, C, S } = l;
  const out = new Float64Array(N * S);
  let total = 0;
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const cls = t[n * S + s]!;
      if (cls === ignore) continue;
      if (cls < 0 || cls >= C) throw new IndexError(`Target ${cls} is out of bounds.`);
      const wt = w ? w[cls]! : 1;
      out[n * S + s] = -x[(n * C + cls) * S + s]! * wt;
      total += wt;
    }
  }
  return [out, total];
}

function nllForward(kernelName: string, self: Tensor, target: Tensor, weight: Opt, red: unknown, ignore: number, l: NllLayout, noneShape: number[]): [Tensor, Tensor] {
  if (!self.dtype.is_floating_point) throw notImplementedFor(kernelName, self.dtype);
  checkTargetDType(target);
  const [losses, total] = nllKernel(self.contiguousData(), target.contiguousData(), weight?.contiguousData() ?? null, l, ignore);
  const r = reductionOf(red);
  const dt = self.dtype;
  const totalT = fromF64(Float64Array.of(r === Reduction.None ? 0 : total), [], dt);
  if (r === Reduction.None) return [fromF64(losses, noneShape, dt), totalT];
  let s = 0;
  for (let i = 0; i < losses.length; i++) s += losses[i]!;
  return [fromF64(Float64Array.of(r === Reduction.Mean ? s / total : s), [], dt), totalT];
}

function nllBackward(grad: Tensor, self: Tensor, target: Tensor, weight: Opt, red: unknown, ignore: number, total: Tensor, l: NllLayout): Tensor {
  const { N, C, S } = l;
  const t = target.contiguousData(), g = grad.contiguousData();
  const w = weight?.contiguousData() ?? null;
  const r = reductionOf(red);
  const perElement = r === Reduction.None && grad.ndim > 0;
  const norm = r === Reduction.Mean ? 1 / (total.item() as number) : 1;
  const out = new Float64Array(self.numel());
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      const cls = t[n * S + s]!;
      if (cls === ignore) continue;
      out[(n * C + cls) * S + s] = -(w ? w[cls]! : 1) * g[perElement ? n * S + s : 0]! * norm;
    }
  }
  return fromF64(out, self.shape.slice(), self.dtype);
}

function nll1dLayout(self: Tensor, target: Tensor, weight: Opt): NllLayout {
  if (self.ndim < 1 || self.ndim > 2) throw new RuntimeError("input tensor should be 1D or 2D");
  if (target.ndim > 1) throw new RuntimeError("0D or 1D target tensor expected, multi-target not supported");
  const noBatch = self.ndim === 1 && target.ndim === 0;
  if (!noBatch && self.shape[0] !== target.shape[0]) {
    throw new RuntimeError(`size mismatch (got input: ${sizeStr(self.shape)}, target: ${sizeStr(target.shape)})`);
  }
  const C = self.shape[self.ndim - 1]!;
  if (weight !== null && (weight.ndim !== 1 || weight.numel() !== C)) {
    throw new RuntimeError(`weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${sizeStr(weight.shape)}`);
  }
  return { N: self.ndim === 2 ? self.shape[0]! : 1, C, S: 1 };
}

function nll2dLayout(self: Tensor, target: Tensor, weight: Opt): NllLayout {
  if (target.ndim !== 3) throw new RuntimeError(`only batches of spatial targets supported (3D tensors) but got targets of dimension: ${target.ndim}`);
  if (self.ndim !== 4) throw new RuntimeError(`only batches of spatial inputs supported (4D tensors), but got input of dimension: ${self.ndim}`);
  if (weight !== null && weight.numel() !== self.shape[1]) throw new RuntimeError("weight tensor should be defined either for all or no classes");
  const [n, , h, w] = self.shape as [number, number, number, number];
  if (n !== target.shape[0] || h !== target.shape[1] || w !== target.shape[2]) {
    throw new RuntimeError(`size mismatch (got input: ${sizeStr(self.shape)} , target: ${sizeStr(target.shape)}`);
  }
  return { N: n, C: self.shape[1]!, S: h * w };
}

type NllArgs = [Tensor, Tensor, Opt, unknown, number];
type NllFn = (self: Tensor, target: Tensor, weight?: Opt, reduction?: number, ignore_index?: number) => Tensor;

/** nll_loss{,2d}_forward / _backward and the composite nll_loss{,2d}. */
function nllFamily(suffix: "" | "2d", gradName: string, layout: typeof nll1dLayout, kernelName: string) {
  const backwardOp = defineOp<(...args: unknown[]) => Tensor>(`nll_loss${suffix}_backward`, [overload({
    schema: `aten::nll_loss${suffix}_backward(Tensor grad_output, Tensor self, Tensor target, Tensor? weight, int reduction, int ignore_index, Tensor total_weight) -> Tensor`,
    gradName: `${gradName.replace("Backward0", "")}BackwardBackward0`,
    forward: (g: Tensor, self: Tensor, target: Tensor, weight: Opt, red: unknown, ignore: number, total: Tensor) =>
      nllBackward(g, self, target, weight, red, ignore, total, layout(self, target, weight)),
    // linear in grad_output: its gradient is the forward loss of the incoming gradient
    backward: (gg: Tensor, args: [Tensor, Tensor, Tensor, Opt, unknown, number, Tensor]): Grads =>
      [forwardOp(gg, args[2], args[3], reductionOf(args[4]), args[5])[0], null],
  })]);
  const forwardOp = defineOp<(self: Tensor, target: Tensor, weight: Opt, reduction: number, ignore_index: number) => [Tensor, Tensor]>(
    `nll_loss${suffix}_forward`, [overload({
      schema: `aten::nll_loss${suffix}_forward(Tensor self, Tensor target, Tensor? weight, int reduction, int ignore_index) -> (Tensor output, Tensor total_weight)`,
      gradName,
      forward: (self: Tensor, target: Tensor, weight: Opt, red: unknown, ignore: number) => {
        const l = layout(self, target, weight);
        const noneShape = suffix === "2d" ? target.shape.slice() : self.ndim === 2 ? [l.N] : [];
        return nllForward(kernelName, self, target, weight, red, ignore, l, noneShape);
      },
      backward: (grads: Grads, args: NllArgs, result: [Tensor, Tensor]): Grads => {
        const g = grads[0];
        if (!g) return [];
        const [self, target, weight, red, ignore] = args;
        return [backwardOp(g, self, target, weight, red, ignore, result[1])];
      },
    })],
  );
  const composite = defineOp<NllFn>(`nll_loss${suffix}`, [overload({
    schema: `aten::nll_loss${suffix}(Tensor self, Tensor target, Tensor? weight=None, int reduction=Mean, int ignore_index=-100) -> Tensor`,
    composite: true,
    forward: (self: Tensor, target: Tensor, weight: Opt, red: unknown, ignore: number) => forwardOp(self, target, weight, reductionOf(red), ignore)[0],
  })]);
  return [composite, forwardOp, backwardOp] as const;
}

export const [nll_loss, nll_loss_forward, nll_loss_backward] = nllFamily("", "NllLossBackward0", nll1dLayout, "nll_loss_out_frame");
export const [nll_loss2d, nll_loss2d_forward, nll_loss2d_backward] = nllFamily("2d", "NllLoss2DBackward0", nll2dLayout, "nll_loss2d_forward_out_frame");

/** nll_loss_nd: 1-d/2-d inputs use nll_loss, 4-d nll_loss2d, others are viewed as 4-d. */
function nllLossNd(self: Tensor, target: Tensor, weight: Opt, red: unknown, ignore: number): Tensor {
  if (self.ndim < 1) throw new ValueError(`Expected 1 or more dimensions (got ${self.ndim})`);
  if (self.ndim !== 1 && self.shape[0] !== target.shape[0]) {
    throw new ValueError(`Expected input batch_size (${self.shape[0]}) to match target batch_size (${target.shape[0]}).`);
  }
  const r = reductionOf(red);
  if (self.ndim <= 2) return nll_loss(self, target, weight, r, ignore);
  if (self.ndim === 4) return nll_loss2d(self, target, weight, r, ignore);
  const [n, c] = [self.shape[0]!, self.shape[1]!];
  const outSize = [n, ...self.shape.slice(2)];
  if (target.ndim !== outSize.length || !target.shape.slice(1).every((d, i) => d === self.shape[i + 2])) {
    throw new RuntimeError(`Expected target size ${sizeStr(outSize)}, got ${sizeStr(target.shape)}`);
  }
  const view = (t: Tensor, shape: number[]) => callOp("aten::view", "", callOp("aten::contiguous", "", t, "contiguous_format"), shape);
  const x = view(self, self.numel() > 0 ? [n, c, 1, -1] : [n, c, 0, 0]);
  const t = view(target, target.numel() > 0 ? [n, 1, -1] : [n, 0, 0]);
  const out = nll_loss2d(x, t, weight, r, ignore);
  return r === Reduction.None ? callOp("aten::view", "", out, outSize) : out;
}

export const nll_loss_nd = defineOp<NllFn>("nll_loss_nd", [overload({
  schema: "aten::nll_loss_nd(Tensor self, Tensor target, Tensor? weight=None, int reduction=Mean, int ignore_index=-100) -> Tensor",
  composite: true,
  forward: nllLossNd,
})]);

// ------------------------------------------------------------------------ cross entropy

function logSoftmax(self: Tensor, dim: number): Tensor {
  return callOp("aten::log_softmax", "int", self, dim, self.dtype);
}

function sumAll(t: Tensor): Tensor {
  return callOp("aten::sum", "", t, null);
}

function sumDim(t: Tensor, dim: number): Tensor {
  return callOp("aten::sum", "dim_IntList", t, [dim], false, null);
}

/** weight viewed to broadcast along the class dim. */
function classView(weight: Tensor, ndim: number, classDim: number): Tensor {
  const shape = new Array<number>(ndim).fill(1);
  shape[classDim] = weight.shape[0]!;
  return callOp("aten::view", "", weight, shape);
}

/** Division by a Python number, as div.Scalar where it is registered (DivBackward1). */
function divScalar(t: Tensor, s: number): Tensor {
  const ov = lookupOverloads("aten::div").find((o) => o.schema.overload === "Scalar");
  return ov ? (runOverload(ov, [t, s]) as Tensor) : div(t, s);
}

function crossEntropyProbTarget(self: Tensor, target: Tensor, weight: Opt, r: Reduction, smoothing: number): Tensor {
  const classDim = self.ndim === 1 ? 0 : 1;
  const C = self.shape[classDim]!;
  if (weight !== null && (weight.ndim !== 1 || weight.numel() !== C)) {
    throw new RuntimeError(
      `cross_entropy: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${sizeStr(weight.shape)}`,
    );
  }
  const input = logSoftmax(self, classDim);
  let t = target;
  if (smoothing > 0) {
    if (smoothing > 1) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${smoothing}`);
    t = add(mul(target, 1 - smoothing), smoothing / C);
  }
  const prod = weight === null ? mul(input, t) : mul(mul(input, t), classView(weight, input.ndim, classDim));
  if (r === Reduction.None) return neg(sumDim(prod, classDim));
  if (r === Reduction.Sum) return neg(sumAll(prod));
  return divScalar(neg(sumAll(prod)), input.numel() === 0 ? NaN : input.numel() / C);
}

function crossEntropyLabelSmoothing(self: Tensor, target: Tensor, weight: Opt, r: Reduction, ignore: number, smoothing: number): Tensor {
  const classDim = self.ndim === 1 ? 0 : 1;
  const C = self.shape[classDim]!;
  const input = logSoftmax(self, classDim);
  const nll = nll_loss_nd(input, target, weight, r, ignore);
  const ignoreMask = callOp("aten::eq", "Scalar", target, ignore);
  let smooth = neg(sumDim(weight === null ? input : mul(input, classView(weight, input.ndim, classDim)), classDim));
  smooth = callOp("aten::masked_fill", "Scalar", smooth, ignoreMask, 0);
  let ret = smooth;
  if (r === Reduction.Sum) ret = sumAll(smooth);
  else if (r === Reduction.Mean) {
    // the denominator is a constant: the weights (or count) of the targets not ignored
    const t = target.contiguousData(), w = weight?.contiguousData() ?? null;
    let denom = 0;
    for (let i = 0; i < t.length; i++) if (t[i] !== ignore) denom += w ? w[t[i]!]! : 1;
    ret = div(sumAll(smooth), denom);
  }
  return add(mul(nll, 1 - smoothing), mul(ret, smoothing / C));
}

function crossEntropy(self: Tensor, target: Tensor, weight: Opt, red: unknown, ignore: number, smoothing: number): Tensor {
  const r = reductionOf(red);
  if (self.ndim === target.ndim && self.shape.every((d, i) => d === target.shape[i])) {
    if (!target.dtype.is_floating_point) {
      throw new RuntimeError(`Expected floating point type for target with class probabilities, got ${target.dtype.scalarType}`);
    }
    if (ignore >= 0) throw new RuntimeError("ignore_index is not supported for floating point target");
    return crossEntropyProbTarget(self, target, weight, r, smoothing);
  }
  if (smoothing > 0) {
    if (smoothing > 1) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${smoothing}`);
    return crossEntropyLabelSmoothing(self, target, weight, r, ignore, smoothing);
  }
  return nll_loss_nd(logSoftmax(self, self.ndim === 1 ? 0 : 1), target, weight, r, ignore);
}

export const cross_entropy_loss = defineOp<
  (self: Tensor, target: Tensor, weight?: Opt, reduction?: number, ignore_index?: number, label_smoothing?: number) => Tensor
>("cross_entropy_loss", [overload({
  schema: "aten::cross_entropy_loss(Tensor self, Tensor target, Tensor? weight=None, int reduction=Mean, int ignore_index=-100, float label_smoothing=0.0) -> Tensor",
  composite: true,
  forward: crossEntropy,
})]);
