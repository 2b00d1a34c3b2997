/**
 * softmax and log_softmax. As in PyTorch, the public `aten::softmax.int` (with its optional
 * dtype) is composite over the primitive `aten::_softmax`, whose node autograd shows
 * (SoftmaxBackward0). Both subtract the line's max first, so large inputs do not overflow.
 */
import { RuntimeError } from "../../util/errors.js";
import { DType, float16, bfloat16, float32, float64 } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods, type Op } from "../registry.js";
import { normalizeDim } from "../shape.js";
import { mapSlices } from "../kernels/reduce.js";
import { expf } from "../kernels/fast_math.js";
import { mul, sub } from "./arith.js";
import { exp } from "./unary.js";
import { sum } from "./reduce.js";
import { withFastPath } from "./reduce_common.js";

type Line = (src: Float64Array, n: number, dst: Float64Array) => void;

/**
 * The line kernels, made once per exp: float32 and half results use fast_math's expf (inlined
 * arithmetic, ~1e-9 relative error, far below float32's rounding); float64 keeps Math.exp.
 */
function softmaxLine(expFn: (x: number) => number): Line {
  return (src, n, dst) => {
    let m = -Infinity;
    for (let i = 0; i < n; i++) if (src[i]! > m) m = src[i]!;
    let s = 0;
    for (let i = 0; i < n; i++) s += dst[i] = expFn(src[i]! - m);
    for (let i = 0; i < n; i++) dst[i] = dst[i]! / s;
  };
}

function logSoftmaxLine(expFn: (x: number) => number): Line {
  return (src, n, dst) => {
    let m = -Infinity;
    for (let i = 0; i < n; i++) if (src[i]! > m) m = src[i]!;
    let s = 0;
    for (let i = 0; i < n; i++) s += expFn(src[i]! - m);
    const lse = m + Math.log(s);
    for (let i = 0; i < n; i++) dst[i] = src[i]! - lse;
  };
}

const SOFTMAX = { f64: softmaxLine(Math.exp), f32: softmaxLine(expf) };
const LOG_SOFTMAX = { f64: logSoftmaxLine(Math.exp), f32: logSoftmaxLine(expf) };

function lineForward(kernelName: string, line: { f64: Line; f32: Line }) {
  return (self: Tensor, dim: number, halfToFloat: boolean): Tensor => {
    const d = normalizeDim(dim, self.ndim);
    if (!self.dtype.is_floating_point) {
      const where = d === self.ndim - 1 || self.ndim === 0 ? `${kernelName}_lastdim_kernel_impl` : `${kernelName}_kernel_impl`;
      throw new RuntimeError(`"${where}" not implemented for '${self.dtype.scalarType}'`);
    }
    const half = self.dtype === float16 || self.dtype === bfloat16;
    const out = halfToFloat && half ? float32 : self.dtype;
    return mapSlices(self, self.ndim === 0 ? [] : [d], out, self.dtype === float64 ? line.f64 : line.f32);
  };
}

export const _softmax = defineOp<(input: Tensor, dim: number, half_to_float: boolean) => Tensor>("_softmax", [{
  schema: "aten::_softmax(Tensor self, int dim, bool half_to_float) -> Tensor",
  gradName: "SoftmaxBackward0",
  forward: lineForward("softmax", SOFTMAX),
  // dx = y * (g - sum(g * y)) along dim
  backward: (g: Tensor, [, dim]: [Tensor, number], y: Tensor) => [mul(y, sub(g, sum(mul(g, y), [dim], true)))],
}]);

export const _log_softmax = defineOp<(input: Tensor, dim: number, half_to_float: boolean) => Tensor>("_log_softmax", [{
  schema: "aten::_log_softmax(Tensor self, int dim, bool half_to_float) -> Tensor",
  gradName: "LogSoftmaxBackward0",
  forward: lineForward("log_softmax", LOG_SOFTMAX),
  // dx = g - exp(y) * sum(g) along dim
  backward: (g: Tensor, [, dim]: [Tensor, number], y: Tensor) => [sub(g, mul(exp(y), sum(g, [dim], true)))],
}]);

/** The dtype= argument converts the input first (an autograd-visible cast, as in PyTorch). */
function castFor(self: Tensor, dtype: DType | null): Tensor {
  return dtype !== null && dtype !== self.dtype ? self.to(dtype) : self;
}

type SoftmaxFn = (input: Tensor, dim: number, dtype?: DType | string | null) => Tensor;

/** softmax(x, dim) skips argument binding (withFastPath); the dtype form binds as usual. */
function lineFastPath(op: Op<SoftmaxFn>): Op<SoftmaxFn> {
  const ov = op.overloads[0]!;
  return withFastPath(op, (raw) =>
    raw.length === 2 && raw[0] instanceof Tensor && typeof raw[1] === "number" ? [ov, [raw[0], raw[1], null]] : null);
}

export const softmax = lineFastPath(defineOp<SoftmaxFn>("softmax", [{
  schema: "aten::softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> Tensor",
  composite: true,
  forward: (self: Tensor, dim: number, dtype: DType | null) => _softmax(castFor(self, dtype), dim, false),
}]));

export const log_softmax = lineFastPath(defineOp<SoftmaxFn>("log_softmax", [{
  schema: "aten::log_softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> Tensor",
  composite: true,
  forward: (self: Tensor, dim: number, dtype: DType | null) => _log_softmax(castFor(self, dtype), dim, false),
}]));

declare module "../tensor.js" {
  interface Tensor {
    softmax(dim: number, dtype?: DType | string | null): Tensor;
    log_softmax(dim: number, dtype?: DType | string | null): Tensor;
  }
}

installMethods({ softmax, log_softmax });
