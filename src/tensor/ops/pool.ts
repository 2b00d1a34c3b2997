/**
 * Pooling. Primitive as in PyTorch 1.13: max_pool2d_with_indices
 * (MaxPool2DWithIndicesBackward0), avg_pool2d (AvgPool2DBackward0) and _adaptive_avg_pool2d
 * (AdaptiveAvgPool2DBackward0), each with its registered backward op. Composite: max_pool2d,
 * adaptive_avg_pool2d (a mean for output 1x1, MeanBackward1), and the 1-d pools, which run
 * the 2-d ones on an unsqueezed input and squeeze the result (SqueezeBackward1).
 */
import { IndexError, RuntimeError } from "../../util/errors.js";
import { float16, float32, int64, type DType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, overload } from "../registry.js";
import { callOp, fromF64, notImplementedFor, sizeStr } from "../kernels/conv_common.js";
import {
  adaptiveAvgPool2d, adaptiveAvgPool2dBackward, avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward,
  poolOutputSize, type AvgOpts, type Pool2d,
} from "../kernels/pool_2d.js";

type Ints = number | number[];
type Grads = (Tensor | null)[];

function ints(v: Ints): number[] {
  return typeof v === "number" ? [v] : v;
}

/** pooling_output_shape's own checks, then the size. */
function outputSize(size: number, k: number, pad: number, stride: number, dilation: number, ceil: boolean): number {
  if (stride === 0) throw new RuntimeError("stride should not be zero");
  if (pad < 0) throw new RuntimeError(`pad must be non-negative, but got pad: ${pad}`);
  if (pad > Math.trunc(k / 2)) throw new RuntimeError(`pad should be at most half of kernel size, but got pad=${pad} and kernel_size=${k}`);
  return poolOutputSize(size, k, pad, stride, dilation, ceil);
}

/** Reads kernel/stride/padding/dilation lists as max_pool2d's and avg_pool2d's meta functions do. */
function poolParams(
  name: string, input: Tensor, kernel: Ints, stride: Ints, padding: Ints, dilation: Ints, ceil: boolean,
): Pool2d {
  const k = ints(kernel), s = ints(stride), p = ints(padding), d = ints(dilation);
  if (k.length !== 1 && k.length !== 2) throw new RuntimeError(`${name}: kernel_size must either be a single int, or a tuple of two ints`);
  if (s.length > 2) throw new RuntimeError(`${name}: stride must either be omitted, a single int, or a tuple of two ints`);
  if (p.length !== 1 && p.length !== 2) {
    throw new RuntimeError(name === "max_pool2d"
      ? "max_pool2d: padding must be either be a single int, or a tuple of two ints"
      : `${name}: padding must either be a single int, or a tuple of two ints`);
  }
  if (d.length !== 1 && d.length !== 2) throw new RuntimeError(`${name}: dilation must be either a single int, or a tuple of two ints`);
  const kH = k[0]!, kW = k[1] ?? kH;
  const dH = s.length === 0 ? kH : s[0]!, dW = s.length === 0 ? kW : s[1] ?? dH;
  const padH = p[0]!, padW = p[1] ?? padH;
  const dilH = d[0]!, dilW = d[1] ?? dilH;
  const nd = input.ndim;
  if (name === "max_pool2d" && nd !== 3 && nd !== 4) throw new RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input");
  if (nd < 3) throw new IndexError(`Dimension out of range (expected to be in range of [${-Math.max(nd, 1)}, ${Math.max(nd, 1) - 1}], but got -3)`);
  const H = input.shape[nd - 2]!, W = input.shape[nd - 1]!;
  const OH = outputSize(H, kH, padH, dH, dilH, ceil);
  const OW = outputSize(W, kW, padW, dW, dilW, ceil);
  const planes = input.numel() / Math.max(H * W, 1);
  const geom = { planes, H, W, OH, OW, kH, kW, dH, dW, padH, padW, dilH, dilW };
  shapeCheck(input, geom);
  return geom;
}

/** pool2d_shape_check. */
function shapeCheck(input: Tensor, p: Pool2d): void {
  const sh = input.shape;
  if (p.kW <= 0 || p.kH <= 0) throw new RuntimeError(`kernel size should be greater than zero, but got kH: ${p.kH} kW: ${p.kW}`);
  if (p.dW <= 0 || p.dH <= 0) throw new RuntimeError(`stride should be greater than zero, but got dH: ${p.dH} dW: ${p.dW}`);
  if (p.dilH <= 0 || p.dilW <= 0) {
    throw new RuntimeError(`dilation should be greater than zero, but got dilationH: ${p.dilH} dilationW: ${p.dilW}`);
  }
  const valid = sh[1] !== 0 && sh[2] !== 0;
  if (!((sh.length === 3 && sh[0] !== 0 && valid) || (sh.length === 4 && valid && sh[3] !== 0))) {
    throw new RuntimeError(`Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:${sizeStr(sh)}`);
  }
  if (Math.trunc(p.kW / 2) < p.padW || Math.trunc(p.kH / 2) < p.padH) {
    throw new RuntimeError(
      `pad should be smaller than or equal to half of kernel size, but got padW = ${p.padW}, padH = ${p.padH}, kW = ${p.kW}, kH = ${p.kH}`,
    );
  }
  if (p.OW < 1 || p.OH < 1) {
    const c = sh[sh.length - 3]!;
    throw new RuntimeError(
      `Given input size: (${c}x${p.H}x${p.W}). Calculated output size: (${c}x${p.OH}x${p.OW}). Output size is too small`,
    );
  }
}

function outShape(input: Tensor, OH: number, OW: number): number[] {
  return [...input.shape.slice(0, -2), OH, OW];
}

function requireFloating(kernel: string, d: DType): void {
  if (!d.is_floating_point || d === float16) throw notImplementedFor(kernel, d);
}

// ------------------------------------------------------------------------------ max pool

type MaxArgs = [Tensor, Ints, Ints, Ints, Ints, boolean];

function maxPoolForward(input: Tensor, kernel: Ints, stride: Ints, padding: Ints, dilation: Ints, ceil: boolean): [Tensor, Tensor] {
  const p = poolParams("max_pool2d", input, kernel, stride, padding, dilation, ceil);
  requireFloating("max_pool2d", input.dtype);
  const [out, idx] = maxPool2d(input.contiguousData(), p);
  const shape = outShape(input, p.OH, p.OW);
  return [fromF64(out, shape, input.dtype), Tensor.fromData(idx, shape.slice(), int64)];
}

export const max_pool2d_with_indices = defineOp<
  (input: Tensor, kernel_size: Ints, stride?: Ints, padding?: Ints, dilation?: Ints, ceil_mode?: boolean) => [Tensor, Tensor]
>("max_pool2d_with_indices", [overload({
  schema: "aten::max_pool2d_with_indices(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, int[2] dilation=1, bool ceil_mode=False) -> (Tensor, Tensor)",
  gradName: "MaxPool2DWithIndicesBackward0",
  forward: maxPoolForward,
  backward: (grads: (Tensor | null)[], args: MaxArgs, result: [Tensor, Tensor]) => {
    const g = grads[0];
    if (!g) return [null];
    const [input, k, s, p, d, ceil] = args;
    return [max_pool2d_with_indices_backward(g, input, k, s, p, d, ceil, result[1])];
  },
})]);

export const max_pool2d_with_indices_backward = defineOp<
  (grad_output: Tensor, self: Tensor, kernel_size: Ints, stride: Ints, padding: Ints, dilation: Ints, ceil_mode: boolean, indices: Tensor) => Tensor
>("max_pool2d_with_indices_backward", [overload({
  schema: "aten::max_pool2d_with_indices_backward(Tensor grad_output, Tensor self, int[2] kernel_size, int[2] stride, int[2] padding, int[2] dilation, bool ceil_mode, Tensor indices) -> Tensor",
  forward: (grad: Tensor, input: Tensor, _k: Ints, _s: Ints, _p: Ints, _d: Ints, _c: boolean, indices: Tensor) => {
    const nd = input.ndim;
    const inPlane = input.shape[nd - 2]! * input.shape[nd - 1]!;
    const outPlane = grad.shape[nd - 2]! * grad.shape[nd - 1]!;
    const planes = input.numel() / Math.max(inPlane, 1);
    const gin = maxPool2dBackward(grad.contiguousData(), indices.contiguousData(), planes, inPlane, outPlane);
    return fromF64(gin, input.shape.slice(), input.dtype);
  },
})]);

type PoolKw = { stride?: Ints; padding?: Ints; dilation?: Ints; ceil_mode?: boolean };
type PoolFn = {
  (input: Tensor, kernel_size: Ints, stride?: Ints, padding?: Ints, dilation?: Ints, ceil_mode?: boolean): Tensor;
  (input: Tensor, kernel_size: Ints, kwargs: PoolKw): Tensor;
};

export const max_pool2d = defineOp<PoolFn>("max_pool2d", [overload({
  schema: "aten::max_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, int[2] dilation=1, bool ceil_mode=False) -> Tensor",
  composite: true,
  forward: (input: Tensor, k: Ints, s: Ints, p: Ints, d: Ints, ceil: boolean) => max_pool2d_with_indices(input, k, s, p, d, ceil)[0],
})]);

// ------------------------------------------------------------------------------ avg pool

type AvgArgs = [Tensor, Ints, Ints, Ints, boolean, boolean, number | null];

function avgOpts(dtype: DType, countIncludePad: boolean, divisorOverride: number | null): AvgOpts {
  return { countIncludePad, divisorOverride, f32: dtype === float32, integral: !dtype.is_floating_point };
}

function avgPoolForward(input: Tensor, k: Ints, s: Ints, p: Ints, ceil: boolean, countIncludePad: boolean, divisor: number | null): Tensor {
  if (divisor !== null && divisor === 0) throw new RuntimeError("divisor must be not zero");
  const geom = poolParams("avg_pool2d", input, k, s, p, 1, ceil);
  if (input.dtype === float16 || input.dtype.isBool) throw notImplementedFor("avg_pool2d", input.dtype);
  const out = avgPool2d(input.contiguousData(), geom, avgOpts(input.dtype, countIncludePad, divisor));
  return fromF64(out, outShape(input, geom.OH, geom.OW), input.dtype);
}

type AvgKw = { stride?: Ints; padding?: Ints; ceil_mode?: boolean; count_include_pad?: boolean; divisor_override?: number | null };
export const avg_pool2d = defineOp<{
  (input: Tensor, kernel_size: Ints, stride?: Ints, padding?: Ints, ceil_mode?: boolean, count_include_pad?: boolean, divisor_override?: number | null): Tensor;
  (input: Tensor, kernel_size: Ints, kwargs: AvgKw): Tensor;
}>("avg_pool2d", [overload({
  schema: "aten::avg_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, bool ceil_mode=False, bool count_include_pad=True, int? divisor_override=None) -> Tensor",
  gradName: "AvgPool2DBackward0",
  forward: avgPoolForward,
  backward: (g: Tensor, args: AvgArgs): Grads => [avg_pool2d_backward(g, ...args)],
})]);

export const avg_pool2d_backward = defineOp<
  (grad_output: Tensor, self: Tensor, kernel_size: Ints, stride: Ints, padding: Ints, ceil_mode: boolean, count_include_pad: boolean, divisor_override: number | null) => Tensor
>("avg_pool2d_backward", [overload({
  schema: "aten::avg_pool2d_backward(Tensor grad_output, Tensor self, int[2] kernel_size, int[2] stride, int[2] padding, bool ceil_mode, bool count_include_pad, int? divisor_override) -> Tensor",
  gradName: "AvgPool2DBackwardBackward0",
  forward: (g: Tensor, input: Tensor, k: Ints, s: Ints, p: Ints, ceil: boolean, cip: boolean, div: number | null) => {
    const geom = poolParams("avg_pool2d", input, k, s, p, 1, ceil);
    const gin = avgPool2dBackward(g.contiguousData(), geom, avgOpts(input.dtype, cip, div));
    return fromF64(gin, input.shape.slice(), input.dtype);
  },
  // linear in grad_output: its gradient is the forward pool of the incoming gradient
  backward: (gg: Tensor, args: [Tensor, ...AvgArgs]): Grads => {
    const [, , k, s, p, ceil, cip, div] = args;
    return [avg_pool2d(gg, k, s, p, ceil, cip, div), null];
  },
})]);

// ------------------------------------------------------------------------- adaptive pool

function adaptiveForward(input: Tensor, outputSize: number[]): Tensor {
  if (outputSize.length !== 2) throw new RuntimeError("adaptive_avg_pool2d: output_size must be 2");
  const nd = input.ndim;
  if (nd !== 3 && nd !== 4) throw new RuntimeError(`adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ${sizeStr(input.shape)}`);
  for (const i of [-2, -1]) {
    if (input.shape[nd + i]! <= 0) {
      throw new RuntimeError(
        `adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ${sizeStr(input.shape)} with dimension ${nd + i} being empty`,
      );
    }
  }
  requireFloating("adaptive_avg_pool2d", input.dtype);
  const H = input.shape[nd - 2]!, W = input.shape[nd - 1]!;
  const [OH, OW] = outputSize as [number, number];
  const out = adaptiveAvgPool2d(input.contiguousData(), input.numel() / (H * W), H, W, OH, OW, input.dtype === float32);
  return fromF64(out, outShape(input, OH, OW), input.dtype);
}

export const _adaptive_avg_pool2d = defineOp<(input: Tensor, output_size: Ints) => Tensor>("_adaptive_avg_pool2d", [overload({
  schema: "aten::_adaptive_avg_pool2d(Tensor self, int[2] output_size) -> Tensor",
  gradName: "AdaptiveAvgPool2DBackward0",
  forward: (input: Tensor, size: Ints) => adaptiveForward(input, ints(size)),
  backward: (g: Tensor, args: [Tensor, Ints]): Grads => [_adaptive_avg_pool2d_backward(g, args[0])],
})]);

export const _adaptive_avg_pool2d_backward = defineOp<(grad_output: Tensor, self: Tensor) => Tensor>("_adaptive_avg_pool2d_backward", [overload({
  schema: "aten::_adaptive_avg_pool2d_backward(Tensor grad_output, Tensor self) -> Tensor",
  gradName: "AdaptiveAvgPool2DBackwardBackward0",
  forward: (g: Tensor, input: Tensor) => {
    const nd = input.ndim;
    const H = input.shape[nd - 2]!, W = input.shape[nd - 1]!;
    const OH = g.shape[nd - 2]!, OW = g.shape[nd - 1]!;
    const gin = adaptiveAvgPool2dBackward(g.contiguousData(), input.numel() / Math.max(H * W, 1), H, W, OH, OW, input.dtype === float32);
    return fromF64(gin, input.shape.slice(), input.dtype);
  },
  backward: (gg: Tensor, args: [Tensor, Tensor]): Grads => {
    const gs = args[0].shape;
    return [_adaptive_avg_pool2d(gg, [gs[gs.length - 2]!, gs[gs.length - 1]!]), null];
  },
})]);

export const adaptive_avg_pool2d = defineOp<(input: Tensor, output_size: Ints) => Tensor>("adaptive_avg_pool2d", [overload({
  schema: "aten::adaptive_avg_pool2d(Tensor self, int[2] output_size) -> Tensor",
  composite: true,
  forward: (input: Tensor, size: Ints) => {
    const s = ints(size);
    if (s.length !== 2) throw new RuntimeError("adaptive_avg_pool2d: output_size must be 2");
    if (s[0]! < 0 || s[1]! < 0) {
      throw new RuntimeError(
        `adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {${s[0]}, ${s[1]}}`,
      );
    }
    // a 1x1 output is a mean over the last two dims (PyTorch's fast path, MeanBackward1)
    if (s[0] === 1 && s[1] === 1) return callOp("aten::mean", "dim", input, [-1, -2], true, null);
    return _adaptive_avg_pool2d(input, s);
  },
})]);

// --------------------------------------------------------------------------------- 1-d pools

function checkDimRange(name: string, t: Tensor): void {
  if (t.ndim < 2 || t.ndim > 3) {
    throw new RuntimeError(
      `Expected 2 to 3 dimensions, but got ${t.ndim}-dimensional tensor for argument #1 'self' (while checking arguments for ${name})`,
    );
  }
}

function check1d(fn: string, arg: string, v: number[]): void {
  if (v.length !== 1) throw new RuntimeError(`${fn}() argument '${arg}' should contain one int (got ${v.length})`);
}

/** Runs a 2-d pool on `input.unsqueeze(-2)` and squeezes dim -2 of each result. */
function via2d<T extends Tensor | [Tensor, Tensor]>(input: Tensor, run: (x: Tensor) => T): T {
  const out = run(callOp("aten::unsqueeze", "", input, -2));
  const squeeze = (t: Tensor): Tensor => callOp("aten::squeeze", "dim", t, -2);
  return (out instanceof Tensor ? squeeze(out) : [squeeze(out[0]), squeeze(out[1])]) as T;
}

function pool1dArgs(name: string, input: Tensor, kernel: Ints, stride: Ints, padding: Ints, dilation: Ints): [number, number, number, number] {
  const k = ints(kernel), p = ints(padding), d = ints(dilation);
  const s = ints(stride).length === 0 ? k : ints(stride);
  checkDimRange(name, input);
  check1d(name, "kernel_size", k);
  check1d(name, "stride", s);
  check1d(name, "padding", p);
  check1d(name, "dilation", d);
  return [k[0]!, s[0]!, p[0]!, d[0]!];
}

export const max_pool1d_with_indices = defineOp<
  (input: Tensor, kernel_size: Ints, stride?: Ints, padding?: Ints, dilation?: Ints, ceil_mode?: boolean) => [Tensor, Tensor]
>("max_pool1d_with_indices", [overload({
  schema: "aten::max_pool1d_with_indices(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] padding=0, int[1] dilation=1, bool ceil_mode=False) -> (Tensor, Tensor)",
  composite: true,
  forward: (input: Tensor, kernel: Ints, stride: Ints, padding: Ints, dilation: Ints, ceil: boolean) => {
    const [k, s, p, d] = pool1dArgs("max_pool1d", input, kernel, stride, padding, dilation);
    return via2d(input, (x) => max_pool2d_with_indices(x, [1, k], [1, s], [0, p], [1, d], ceil));
  },
})]);

export const max_pool1d = defineOp<PoolFn>("max_pool1d", [overload({
  schema: "aten::max_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] padding=0, int[1] dilation=1, bool ceil_mode=False) -> Tensor",
  composite: true,
  forward: (input: Tensor, k: Ints, s: Ints, p: Ints, d: Ints, ceil: boolean) => {
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new RuntimeError(`max_pool1d() Expected 2D or 3D input tensor, but got ${sizeStr(input.shape)}`);
    }
    return max_pool1d_with_indices(input, k, s, p, d, ceil)[0];
  },
})]);

export const avg_pool1d = defineOp<
  (input: Tensor, kernel_size: Ints, stride?: Ints, padding?: Ints, ceil_mode?: boolean, count_include_pad?: boolean) => Tensor
>("avg_pool1d", [overload({
  schema: "aten::avg_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], int[1] padding=0, bool ceil_mode=False, bool count_include_pad=True) -> Tensor",
  composite: true,
  forward: (input: Tensor, kernel: Ints, stride: Ints, padding: Ints, ceil: boolean, cip: boolean) => {
    const [k, s, p] = pool1dArgs("avg_pool1d", input, kernel, stride, padding, 1);
    return via2d(input, (x) => avg_pool2d(x, [1, k], [1, s], [0, p], ceil, cip, null));
  },
})]);

export const adaptive_avg_pool1d = defineOp<(input: Tensor, output_size: Ints) => Tensor>("adaptive_avg_pool1d", [overload({
  schema: "aten::adaptive_avg_pool1d(Tensor self, int[1] output_size) -> Tensor",
  composite: true,
  forward: (input: Tensor, size: Ints) => {
    checkDimRange("adaptive_avg_pool1d", input);
    check1d("adaptive_avg_pool1d", "output_size", ints(size));
    return via2d(input, (x) => adaptive_avg_pool2d(x, [1, ints(size)[0]!]));
  },
})]);
