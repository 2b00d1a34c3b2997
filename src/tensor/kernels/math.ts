/**
 * Hand-written loops for elementwise work that does not fit the generated one- and two-operand
 * kernels of elementwise.ts: dtype conversion with PyTorch's cast rules, three-operand selects
 * (where, masked_fill), and activation kernels with more scalars (or more work per element)
 * than those carry (elu, and the hardtanh, softplus and gelu gradients). Each loop is a plain
 * function over typed arrays, with no per-element callback.
 */
import { DType, bool, float16, bfloat16, int64, roundToDType, type TypedArray } from "../dtype.js";
import { broadcastStrides, numel, sameShape } from "../shape.js";
import { Tensor, gatherStrided } from "../tensor.js";
import { erf } from "./elementwise.js";

const TWO_63 = 2 ** 63;
const TWO_31 = 2 ** 31;

/**
 * Note [float to int casts]: PyTorch truncates toward zero. Out-of-range values and NaN become
 * the most negative value on x86 (cvttss2si): INT64_MIN for int64, INT32_MIN for int32, and the
 * low bits of INT32_MIN (0) for the narrower types, which otherwise wrap modulo 2^bits as the
 * typed array's store does.
 */
function floatToIntLoop(src: TypedArray, out: TypedArray, wide: boolean): void {
  const limit = wide ? TWO_63 : TWO_31;
  for (let i = 0; i < src.length; i++) {
    const t = Math.trunc(src[i]!);
    out[i] = t >= -limit && t < limit ? t : -limit;
  }
}

/** Converts `src` (elements of dtype `from`) to a new array of dtype `to`. */
export function castArray(src: TypedArray, from: DType, to: DType): TypedArray {
  const n = src.length;
  const out = new to.ArrayType(n);
  if (to === bool) {
    for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
  } else if (to.isIntegral && from.is_floating_point) {
    floatToIntLoop(src, out, to === int64);
  } else if (to === float16 || to === bfloat16) {
    for (let i = 0; i < n; i++) out[i] = roundToDType(src[i]!, to);
  } else if (src.constructor === out.constructor) {
    out.set(src);
  } else {
    // TypedArray.set between element types takes a slow generic path in V8; a loop does not.
    // Stores wrap to the narrow integer types (int64 -> int32 keeps the low 32 bits).
    for (let i = 0; i < n; i++) out[i] = src[i]!;
  }
  return out;
}

/** One value converted as castArray converts elements (used for fill values). */
export function castScalar(v: number | boolean, to: DType): number {
  const x = +v;
  if (to === bool) return x !== 0 ? 1 : 0;
  if (to.isIntegral) {
    const limit = to === int64 ? TWO_63 : TWO_31;
    const t = Math.trunc(x);
    const inRange = t >= -limit && t < limit ? t : -limit;
    if (to === int64) return inRange;
    const one = new to.ArrayType(1);
    one[0] = inRange;
    return one[0]!;
  }
  if (to === float16 || to === bfloat16) return roundToDType(x, to);
  return to.ArrayType === Float32Array ? Math.fround(x) : x;
}

/** A copy of `t` converted to `dtype` (contiguous). */
export function castTensor(t: Tensor, dtype: DType): Tensor {
  const src = t.contiguousData();
  const data = t.dtype === dtype ? src.slice() : castArray(src, t.dtype, dtype);
  return Tensor.fromData(data, t.shape.slice(), dtype);
}

/**
 * `t`'s elements broadcast to `shape`, row-major. Returns storage itself when `t` is contiguous
 * with that shape, so callers must not write into the result.
 */
export function expandedData(t: Tensor, shape: readonly number[]): TypedArray {
  if (sameShape(t.shape, shape)) return t.contiguousData();
  const out = new t.dtype.ArrayType(numel(shape));
  gatherStrided(t.storage.data, shape, broadcastStrides(t.shape, t._strides, shape), t.offset, out);
  return out;
}

/** Note [half storage]: rounds values written into a float16/bfloat16 result. */
export function roundForDType(out: TypedArray, d: DType): void {
  if (d !== float16 && d !== bfloat16) return;
  for (let i = 0; i < out.length; i++) out[i] = roundToDType(out[i]!, d);
}

/** where: out[i] = cond[i] ? a[i] : b[i], where a or b may be a single value. */
export function selectLoop(
  cond: TypedArray, a: TypedArray | number, b: TypedArray | number, out: TypedArray,
): void {
  if (typeof b === "number") out.fill(b);
  else out.set(b);
  if (typeof a === "number") {
    for (let i = 0; i < out.length; i++) if (cond[i] !== 0) out[i] = a;
  } else {
    for (let i = 0; i < out.length; i++) if (cond[i] !== 0) out[i] = a[i]!;
  }
}

/**
 * ELU as PyTorch computes it: x > 0 ? scale * x : (exp(x * input_scale) - 1) * alpha * scale.
 * Three scalars do not fit the generated kernels' two parameters, so this is a hand loop.
 */
export function eluLoop(src: TypedArray, out: TypedArray, alpha: number, scale: number, inputScale: number): void {
  const negcoef = alpha * scale;
  for (let i = 0; i < src.length; i++) {
    const x = src[i]!;
    out[i] = x > 0 ? x * scale : (Math.exp(x * inputScale) - 1) * negcoef;
  }
}

/**
 * elu_backward: from the input (x <= 0: g * input_scale * negcoef * exp(x * input_scale)) or,
 * with isResult, from the output y (y <= 0: g * input_scale * (y + negcoef)).
 */
export function eluBackwardLoop(
  g: TypedArray, v: TypedArray, out: TypedArray,
  alpha: number, scale: number, inputScale: number, isResult: boolean,
): void {
  const negcoef = alpha * scale;
  for (let i = 0; i < out.length; i++) {
    const x = v[i]!;
    if (x > 0) out[i] = g[i]! * scale;
    else if (isResult) out[i] = g[i]! * inputScale * (x + negcoef);
    else out[i] = g[i]! * inputScale * negcoef * Math.exp(x * inputScale);
  }
}

/** hardtanh_backward: the gradient passes strictly inside (min, max). */
export function hardtanhBackwardLoop(g: TypedArray, x: TypedArray, out: TypedArray, min: number, max: number): void {
  for (let i = 0; i < out.length; i++) {
    const v = x[i]!;
    out[i] = v <= min || v >= max ? 0 : g[i]!;
  }
}

/** softplus_backward: g * sigmoid(beta * x), or g where beta * x is past the linear threshold. */
export function softplusBackwardLoop(g: TypedArray, x: TypedArray, out: TypedArray, beta: number, threshold: number): void {
  for (let i = 0; i < out.length; i++) {
    const bx = x[i]! * beta;
    const z = Math.exp(bx);
    out[i] = bx > threshold ? g[i]! : (g[i]! * z) / (z + 1);
  }
}

export const GELU_BETA = Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5; // sqrt(2 / pi)
export const GELU_KAPPA = 0.044715;
export const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** gelu_backward, exact (erf) or with the tanh approximation; one tanh per element. */
export function geluBackwardLoop(g: TypedArray, x: TypedArray, out: TypedArray, tanhApprox: boolean): void {
  if (tanhApprox) {
    for (let i = 0; i < out.length; i++) {
      const v = x[i]!;
      const t = Math.tanh(GELU_BETA * (v + GELU_KAPPA * v * v * v));
      const right = 0.5 * v * (1 - t * t) * GELU_BETA * (1 + 3 * GELU_KAPPA * v * v);
      out[i] = g[i]! * (0.5 * (1 + t) + right);
    }
    return;
  }
  for (let i = 0; i < out.length; i++) {
    const v = x[i]!;
    const cdf = 0.5 * (1 + erf(v * Math.SQRT1_2));
    out[i] = g[i]! * (cdf + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
  }
}
