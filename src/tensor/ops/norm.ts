/**
 * Normalization. As in PyTorch 1.13, batch_norm / layer_norm / group_norm are composite over
 * the primitives native_batch_norm (NativeBatchNormBackward0), native_layer_norm
 * (NativeLayerNormBackward0) and native_group_norm (NativeGroupNormBackward0), whose gradients
 * are the ops native_*_backward. Statistics are computed in float64 and rounded once.
 */
import { RuntimeError } from "../../util/errors.js";
import { float16, roundToDType, type DType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, overload, runOverload } from "../registry.js";
import { fromF64, notImplementedFor, sizeStr } from "../kernels/conv_common.js";

type Opt = Tensor | null;
type Grads = (Tensor | null)[];

/** Reads an optional per-channel vector as float64 (`fill` where absent). */
function vec(t: Opt, n: number, fill: number): Float64Array {
  const out = new Float64Array(n);
  if (t === null) return out.fill(fill);
  const d = t.contiguousData();
  for (let i = 0; i < n; i++) out[i] = d[i]!;
  return out;
}

/** Writes `values` into the 1-d tensor `t` in place (running statistics), respecting its stride. */
function writeInPlace(t: Tensor, values: Float64Array): void {
  const d = t.storage.data;
  const stride = t.ndim === 0 ? 0 : t._strides[0]!;
  for (let i = 0; i < values.length; i++) d[t.offset + i * stride] = roundToDType(values[i]!, t.dtype);
  t.storage.version++;
}

function maskOf(m: readonly (boolean | number)[]): [boolean, boolean, boolean] {
  return [Boolean(m[0]), Boolean(m[1]), Boolean(m[2])];
}

// ---------------------------------------------------------------------------- batch norm

function checkFeatures(name: string, t: Opt, c: number): void {
  if (t !== null && t.numel() !== c) throw new RuntimeError(`${name} should contain ${c} elements not ${t.numel()}`);
}

function checkBatchNorm(input: Tensor, weight: Opt, bias: Opt, rm: Opt, rv: Opt, training: boolean): void {
  const c = input.size(1);
  checkFeatures("running_mean", rm, c);
  if (rm === null && !training) throw new RuntimeError("running_mean must be defined in evaluation mode");
  checkFeatures("running_var", rv, c);
  if (rv === null && !training) throw new RuntimeError("running_var must be defined in evaluation mode");
  checkFeatures("weight", weight, c);
  checkFeatures("bias", bias, c);
  for (const [name, t] of [["running_mean", rm], ["running_var", rv]] as const) {
    if (t !== null && t.requires_grad) {
      throw new RuntimeError(`The function 'native_batch_norm' is not differentiable with respect to argument '${name}'. This input cannot have requires_grad True.`);
    }
  }
  if (!input.dtype.is_floating_point || input.dtype === float16) throw notImplementedFor("batch_norm", input.dtype);
  for (const t of [weight, bias, rm, rv]) {
    if (t !== null && t.dtype !== input.dtype) throw new RuntimeError("mixed dtype (CPU): expect input to have scalar type of BFloat16");
  }
}

/** Per-channel mean and biased variance of x [N, C, S] over N and S. */
function channelMoments(x: ArrayLike<number>, N: number, C: number, S: number): [Float64Array, Float64Array] {
  const mean = new Float64Array(C);
  const varSum = new Float64Array(C);
  const M = N * S;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let i = 0, o = (n * C + c) * S; i < S; i++) s += x[o + i]!;
    const m = s / M;
    let v = 0;
    for (let n = 0; n < N; n++) {
      for (let i = 0, o = (n * C + c) * S; i < S; i++) {
        const d = x[o + i]! - m;
        v += d * d;
      }
    }
    mean[c] = m;
    varSum[c] = v;
  }
  return [mean, varSum];
}

function nativeBatchNorm(
  input: Tensor, weight: Opt, bias: Opt, rm: Opt, rv: Opt, training: boolean, momentum: number, eps: number,
): [Tensor, Tensor, Tensor] {
  checkBatchNorm(input, weight, bias, rm, rv, training);
  const [N, C] = [input.shape[0]!, input.shape[1]!];
  const S = input.numel() / Math.max(N * C, 1);
  const x = input.contiguousData();
  let mean: Float64Array, invstd: Float64Array;
  if (training) {
    const [m, varSum] = channelMoments(x, N, C, S);
    const M = N * S;
    mean = m;
    invstd = varSum.map((v) => 1 / Math.sqrt(v / M + eps));
    if (rm !== null) writeInPlace(rm, vec(rm, C, 0).map((r, c) => momentum * m[c]! + (1 - momentum) * r));
    if (rv !== null) writeInPlace(rv, vec(rv, C, 0).map((r, c) => momentum * (varSum[c]! / (M - 1)) + (1 - momentum) * r));
  } else {
    mean = vec(rm, C, 0);
    invstd = vec(rv, C, 1).map((v) => 1 / Math.sqrt(v + eps));
  }
  const w = vec(weight, C, 1), b = vec(bias, C, 0);
  const out = new Float64Array(x.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const alpha = invstd[c]! * w[c]!, beta = b[c]! - mean[c]! * alpha;
      for (let i = 0, o = (n * C + c) * S; i < S; i++) out[o + i] = x[o + i]! * alpha + beta;
    }
  }
  const dt = input.dtype;
  const saved = training ? [fromF64(mean, [C], dt), fromF64(invstd, [C], dt)] : [Tensor.empty([0], dt), Tensor.empty([0], dt)];
  return [fromF64(out, input.shape.slice(), dt), saved[0]!, saved[1]!];
}

type BNArgs = [Tensor, Opt, Opt, Opt, Opt, boolean, number, number];

export const native_batch_norm = defineOp<
  (input: Tensor, weight: Opt, bias: Opt, running_mean: Opt, running_var: Opt, training: boolean, momentum: number, eps: number) => [Tensor, Tensor, Tensor]
>("native_batch_norm", [overload({
  schema: "aten::native_batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, bool training, float momentum, float eps) -> (Tensor, Tensor, Tensor)",
  gradName: "NativeBatchNormBackward0",
  forward: nativeBatchNorm,
  backward: (grads: Grads, args: BNArgs, result: [Tensor, Tensor, Tensor]): Grads => {
    const g = grads[0];
    if (!g) return [];
    const [input, weight, bias, rm, rv, training, , eps] = args;
    const mask = [input.requires_grad, weight?.requires_grad ?? false, bias?.requires_grad ?? false];
    const r = runOverload(native_batch_norm_backward.overloads[0]!, [g, input, weight, rm, rv, result[1], result[2], training, eps, mask]) as Grads;
    return [r[0] ?? null, r[1] ?? null, r[2] ?? null];
  },
})]);

function batchNormBackward(
  grad: Tensor, input: Tensor, weight: Opt, rm: Opt, rv: Opt, saveMean: Opt, saveInvstd: Opt,
  train: boolean, eps: number, outputMask: (boolean | number)[],
): Grads {
  const [N, C] = [input.shape[0]!, input.shape[1]!];
  const S = input.numel() / Math.max(N * C, 1);
  const M = N * S;
  const x = input.contiguousData(), g = grad.contiguousData();
  const mean = train ? vec(saveMean, C, 0) : vec(rm, C, 0);
  const invstd = train ? vec(saveInvstd, C, 1) : vec(rv, C, 1).map((v) => 1 / Math.sqrt(v + eps));
  const w = vec(weight, C, 1);
  const gsum = new Float64Array(C), dotp = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let s = 0, d = 0;
      for (let i = 0, o = (n * C + c) * S; i < S; i++) {
        s += g[o + i]!;
        d += g[o + i]! * (x[o + i]! - mean[c]!);
      }
      gsum[c] = gsum[c]! + s;
      dotp[c] = dotp[c]! + d;
    }
  }
  const [needIn, needW, needB] = maskOf(outputMask);
  const dt = input.dtype;
  let gi: Tensor | null = null;
  if (needIn) {
    const out = new Float64Array(x.length);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const is = invstd[c]!, m = mean[c]!;
        // training: the batch statistics depend on x too
        const proj = train ? (dotp[c]! * is * is) / M : 0, gmean = train ? gsum[c]! / M : 0;
        for (let i = 0, o = (n * C + c) * S; i < S; i++) out[o + i] = (g[o + i]! - gmean - (x[o + i]! - m) * proj) * is * w[c]!;
      }
    }
    gi = fromF64(out, input.shape.slice(), dt);
  }
  const gw = needW ? fromF64(dotp.map((d, c) => d * invstd[c]!), [C], dt) : null;
  const gb = needB ? fromF64(gsum, [C], dt) : null;
  return [gi, gw, gb];
}

export const native_batch_norm_backward = defineOp<
  (grad_out: Tensor, input: Tensor, weight: Opt, running_mean: Opt, running_var: Opt, save_mean: Opt, save_invstd: Opt,
    train: boolean, eps: number, output_mask: boolean[]) => Grads
>("native_batch_norm_backward", [overload({
  schema: "aten::native_batch_norm_backward(Tensor grad_out, Tensor input, Tensor? weight, Tensor? running_mean, Tensor? running_var, Tensor? save_mean, Tensor? save_invstd, bool train, float eps, bool[3] output_mask) -> (Tensor, Tensor, Tensor)",
  forward: batchNormBackward,
})]);

export const batch_norm = defineOp<
  (input: Tensor, weight: Opt, bias: Opt, running_mean: Opt, running_var: Opt, training: boolean, momentum: number, eps: number, cudnn_enabled: boolean) => Tensor
>("batch_norm", [overload({
  schema: "aten::batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, bool training, float momentum, float eps, bool cudnn_enabled) -> Tensor",
  composite: true,
  forward: (input: Tensor, weight: Opt, bias: Opt, rm: Opt, rv: Opt, training: boolean, momentum: number, eps: number) =>
    native_batch_norm(input, weight, bias, rm, rv, training, momentum, eps)[0],
})]);

// ---------------------------------------------------------------------------- layer norm

function checkLayerNorm(input: Tensor, shape: number[], weight: Opt, bias: Opt): void {
  const same = (a: readonly number[]) => a.length === shape.length && a.every((v, i) => v === shape[i]);
  if (shape.length < 1) {
    throw new RuntimeError(
      `Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = ${sizeStr(shape)}`,
    );
  }
  if (weight !== null && !same(weight.shape)) {
    throw new RuntimeError(`Expected weight to be of same shape as normalized_shape, but got weight of shape ${sizeStr(weight.shape)} and normalized_shape = ${sizeStr(shape)}`);
  }
  if (bias !== null && !same(bias.shape)) {
    throw new RuntimeError(`Expected bias to be of same shape as normalized_shape, but got bias of shape ${sizeStr(bias.shape)} and normalized_shape = ${sizeStr(shape)}`);
  }
  if (input.ndim < shape.length || !same(input.shape.slice(input.ndim - shape.length))) {
    throw new RuntimeError(
      `Given normalized_shape=${sizeStr(shape)}, expected input with shape [*${shape.map((s) => `, ${s}`).join("")}], but got input of size${sizeStr(input.shape)}`,
    );
  }
  if (!input.dtype.is_floating_point || input.dtype === float16) throw notImplementedFor("LayerNormKernelImpl", input.dtype);
}

/** Mean and 1/sqrt(var + eps) of each row of x [R, D]. */
function rowMoments(x: ArrayLike<number>, R: number, D: number, eps: number): [Float64Array, Float64Array] {
  const mean = new Float64Array(R), rstd = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    const o = r * D;
    let s = 0;
    for (let i = 0; i < D; i++) s += x[o + i]!;
    const m = s / D;
    let v = 0;
    for (let i = 0; i < D; i++) v += (x[o + i]! - m) ** 2;
    mean[r] = m;
    rstd[r] = 1 / Math.sqrt(v / D + eps);
  }
  return [mean, rstd];
}

function nativeLayerNorm(input: Tensor, normalizedShape: number[] | number, weight: Opt, bias: Opt, eps: number): [Tensor, Tensor, Tensor] {
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
  checkLayerNorm(input, shape, weight, bias);
  const axis = input.ndim - shape.length;
  const R = input.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const D = input.numel() / Math.max(R, 1);
  const x = input.contiguousData();
  const [mean, rstd] = rowMoments(x, R, D, eps);
  const w = weight?.contiguousData() ?? null, b = bias?.contiguousData() ?? null;
  const out = new Float64Array(x.length);
  for (let r = 0; r < R; r++) {
    const m = mean[r]!, s = rstd[r]!;
    for (let i = 0, o = r * D; i < D; i++) out[o + i] = (x[o + i]! - m) * s * (w ? w[i]! : 1) + (b ? b[i]! : 0);
  }
  const statShape = [...input.shape.slice(0, axis), ...shape.map(() => 1)];
  const dt = input.dtype;
  return [fromF64(out, input.shape.slice(), dt), fromF64(mean, statShape, dt), fromF64(rstd, statShape.slice(), dt)];
}

type LNArgs = [Tensor, number[], Opt, Opt, number];

export const native_layer_norm = defineOp<
  (input: Tensor, normalized_shape: number[], weight: Opt, bias: Opt, eps: number) => [Tensor, Tensor, Tensor]
>("native_layer_norm", [overload({
  schema: "aten::native_layer_norm(Tensor input, int[] normalized_shape, Tensor? weight, Tensor? bias, float eps) -> (Tensor, Tensor, Tensor)",
  gradName: "NativeLayerNormBackward0",
  forward: nativeLayerNorm,
  backward: (grads: Grads, args: LNArgs, result: [Tensor, Tensor, Tensor]): Grads => {
    const g = grads[0];
    if (!g) return [];
    const [input, shape, weight, bias] = args;
    const mask = [input.requires_grad, weight?.requires_grad ?? false, bias?.requires_grad ?? false];
    const r = runOverload(native_layer_norm_backward.overloads[0]!, [g, input, shape, result[1], result[2], weight, bias, mask]) as Grads;
    return [r[0] ?? null, null, r[1] ?? null, r[2] ?? null];
  },
})]);

function layerNormBackward(
  grad: Tensor, input: Tensor, shape: number[], mean: Tensor, rstd: Tensor, weight: Opt, bias: Opt, outputMask: (boolean | number)[],
): Grads {
  const D = shape.reduce((a, b) => a * b, 1);
  const R = input.numel() / Math.max(D, 1);
  const x = input.contiguousData(), g = grad.contiguousData();
  const mu = mean.contiguousData(), rs = rstd.contiguousData();
  const w = weight?.contiguousData() ?? null;
  const [needIn, needW, needB] = maskOf(outputMask);
  const gx = needIn ? new Float64Array(x.length) : null;
  const gw = new Float64Array(D), gb = new Float64Array(D);
  for (let r = 0; r < R; r++) {
    const o = r * D, m = mu[r]!, s = rs[r]!;
    let sumG = 0, sumGX = 0;
    for (let i = 0; i < D; i++) {
      const xh = (x[o + i]! - m) * s, gh = g[o + i]! * (w ? w[i]! : 1);
      sumG += gh;
      sumGX += gh * xh;
      gw[i] = gw[i]! + g[o + i]! * xh;
      gb[i] = gb[i]! + g[o + i]!;
    }
    if (gx === null) continue;
    for (let i = 0; i < D; i++) {
      const xh = (x[o + i]! - m) * s, gh = g[o + i]! * (w ? w[i]! : 1);
      gx[o + i] = (s / D) * (D * gh - sumG - xh * sumGX);
    }
  }
  const dt = input.dtype;
  return [
    gx === null ? null : fromF64(gx, input.shape.slice(), dt),
    needW && weight !== null ? fromF64(gw, weight.shape.slice(), dt) : null,
    needB && bias !== null ? fromF64(gb, bias.shape.slice(), dt) : null,
  ];
}

export const native_layer_norm_backward = defineOp<
  (grad_out: Tensor, input: Tensor, normalized_shape: number[], mean: Tensor, rstd: Tensor, weight: Opt, bias: Opt, output_mask: boolean[]) => Grads
>("native_layer_norm_backward", [overload({
  schema: "aten::native_layer_norm_backward(Tensor grad_out, Tensor input, int[] normalized_shape, Tensor mean, Tensor rstd, Tensor? weight, Tensor? bias, bool[3] output_mask) -> (Tensor, Tensor, Tensor)",
  forward: layerNormBackward,
})]);

export const layer_norm = defineOp<
  (input: Tensor, normalized_shape: number[], weight?: Opt, bias?: Opt, eps?: number, cudnn_enable?: boolean) => Tensor
>("layer_norm", [overload({
  schema: "aten::layer_norm(Tensor input, int[] normalized_shape, Tensor? weight=None, Tensor? bias=None, float eps=1e-05, bool cudnn_enable=True) -> Tensor",
  composite: true,
  forward: (input: Tensor, shape: number[] | number, weight: Opt, bias: Opt, eps: number) =>
    native_layer_norm(input, typeof shape === "number" ? [shape] : shape, weight, bias, eps)[0],
})]);

// ---------------------------------------------------------------------------- group norm

function checkGroupNorm(input: Tensor, weight: Opt, bias: Opt, C: number, groups: number): void {
  if (groups <= 0) throw new RuntimeError(`Expected num groups to be greater than 0, got ${groups}`);
  if (C % groups !== 0) {
    throw new RuntimeError(
      `Expected number of channels in input to be divisible by num_groups, but got input of shape ${sizeStr(input.shape)} and num_groups=${groups}`,
    );
  }
  for (const [name, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t !== null && (t.ndim !== 1 || t.numel() !== C)) {
      throw new RuntimeError(
        `Expected ${name} to be a vector of size equal to the number of channels in input, but got ${name} of shape ${sizeStr(t.shape)} and input of shape ${sizeStr(input.shape)}`,
      );
    }
  }
  if (!input.dtype.is_floating_point || input.dtype === float16) throw notImplementedFor("GroupNormKernelImpl", input.dtype);
}

function nativeGroupNorm(input: Tensor, weight: Opt, bias: Opt, N: number, C: number, HxW: number, group: number, eps: number): [Tensor, Tensor, Tensor] {
  checkGroupNorm(input, weight, bias, C, group);
  const x = input.contiguousData();
  const D = (C / group) * HxW;
  const [mean, rstd] = rowMoments(x, N * group, D, eps);
  const w = vec(weight, C, 1), b = vec(bias, C, 0);
  const out = new Float64Array(x.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const r = n * group + Math.floor(c / (C / group));
      const alpha = rstd[r]! * w[c]!, beta = b[c]! - mean[r]! * alpha;
      for (let i = 0, o = (n * C + c) * HxW; i < HxW; i++) out[o + i] = x[o + i]! * alpha + beta;
    }
  }
  const dt = input.dtype;
  return [fromF64(out, input.shape.slice(), dt), fromF64(mean, [N, group], dt), fromF64(rstd, [N, group], dt)];
}

type GNArgs = [Tensor, Opt, Opt, number, number, number, number, number];

export const native_group_norm = defineOp<
  (input: Tensor, weight: Opt, bias: Opt, N: number, C: number, HxW: number, group: number, eps: number) => [Tensor, Tensor, Tensor]
>("native_group_norm", [overload({
  schema: "aten::native_group_norm(Tensor input, Tensor? weight, Tensor? bias, int N, int C, int HxW, int group, float eps) -> (Tensor, Tensor, Tensor)",
  gradName: "NativeGroupNormBackward0",
  forward: nativeGroupNorm,
  backward: (grads: Grads, args: GNArgs, result: [Tensor, Tensor, Tensor]): Grads => {
    const g = grads[0];
    if (!g) return [];
    const [input, weight, bias, N, C, HxW, group] = args;
    const mask = [input.requires_grad, weight?.requires_grad ?? false, bias?.requires_grad ?? false];
    return runOverload(native_group_norm_backward.overloads[0]!, [g, input, result[1], result[2], weight, N, C, HxW, group, mask]) as Grads;
  },
})]);

function groupNormBackward(
  grad: Tensor, input: Tensor, mean: Tensor, rstd: Tensor, weight: Opt, N: number, C: number, HxW: number, group: number,
  outputMask: (boolean | number)[],
): Grads {
  const x = input.contiguousData(), g = grad.contiguousData();
  const mu = mean.contiguousData(), rs = rstd.contiguousData();
  const w = vec(weight, C, 1);
  const Cg = C / group, M = Cg * HxW;
  const [needIn, needW, needB] = maskOf(outputMask);
  const gx = needIn ? new Float64Array(x.length) : null;
  const gw = new Float64Array(C), gb = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < group; k++) {
      const r = n * group + k, m = mu[r]!, s = rs[r]!;
      const o0 = (n * C + k * Cg) * HxW;
      let sumG = 0, sumGX = 0;
      for (let j = 0; j < M; j++) {
        const c = k * Cg + Math.floor(j / HxW), xh = (x[o0 + j]! - m) * s, gv = g[o0 + j]!;
        sumG += gv * w[c]!;
        sumGX += gv * w[c]! * xh;
        gw[c] = gw[c]! + gv * xh;
        gb[c] = gb[c]! + gv;
      }
      if (gx === null) continue;
      for (let j = 0; j < M; j++) {
        const c = k * Cg + Math.floor(j / HxW), xh = (x[o0 + j]! - m) * s;
        gx[o0 + j] = (s / M) * (M * g[o0 + j]! * w[c]! - sumG - xh * sumGX);
      }
    }
  }
  const dt: DType = input.dtype;
  return [
    gx === null ? null : fromF64(gx, input.shape.slice(), dt),
    needW && weight !== null ? fromF64(gw, [C], dt) : null,
    needB ? fromF64(gb, [C], dt) : null,
  ];
}

export const native_group_norm_backward = defineOp<
  (grad_out: Tensor, input: Tensor, mean: Tensor, rstd: Tensor, weight: Opt, N: number, C: number, HxW: number, group: number, output_mask: boolean[]) => Grads
>("native_group_norm_backward", [overload({
  schema: "aten::native_group_norm_backward(Tensor grad_out, Tensor input, Tensor mean, Tensor rstd, Tensor? weight, int N, int C, int HxW, int group, bool[3] output_mask) -> (Tensor, Tensor, Tensor)",
  forward: groupNormBackward,
})]);

export const group_norm = defineOp<
  (input: Tensor, num_groups: number, weight?: Opt, bias?: Opt, eps?: number, cudnn_enabled?: boolean) => Tensor
>("group_norm", [overload({
  schema: "aten::group_norm(Tensor input, int num_groups, Tensor? weight=None, Tensor? bias=None, float eps=1e-05, bool cudnn_enabled=True) -> Tensor",
  composite: true,
  forward: (input: Tensor, groups: number, weight: Opt, bias: Opt, eps: number) => {
    const [N, C] = [input.size(0), input.size(1)];
    checkGroupNorm(input, weight, bias, C, groups);
    const HxW = input.shape.slice(2).reduce((a, b) => a * b, 1);
    return native_group_norm(input, weight, bias, N, C, HxW, groups, eps)[0];
  },
})]);
