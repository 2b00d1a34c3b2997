/**
 * 2-D pooling loops over contiguous planes [planes, H, W], following PyTorch 1.13's CPU
 * kernels (MaxPoolKernel.cpp, AvgPoolKernel.cpp, AdaptiveAvgPoolKernel.cpp) window for window.
 *
 * Note [float32 pooling sums]: PyTorch accumulates average pools of float32 in float32 (forward
 * sums and backward scatter-adds), so `f32` rounds each step to float32 to give the same bits.
 */
import type { TypedArray } from "../dtype.js";

export interface Pool2d {
  planes: number;
  H: number;
  W: number;
  OH: number;
  OW: number;
  kH: number;
  kW: number;
  dH: number;
  dW: number;
  padH: number;
  padW: number;
  dilH: number;
  dilW: number;
}

const fround = Math.fround;
const identity = (x: number): number => x;

/** pooling_output_shape_pad_lr: floor division, and in ceil mode the last window must start inside. */
export function poolOutputSize(size: number, k: number, pad: number, stride: number, dilation: number, ceil: boolean): number {
  let out = Math.floor((size + 2 * pad - dilation * (k - 1) - 1 + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}

/** Max over each window; a NaN wins (as `val > max || isnan(val)`); indices are h * W + w. */
export function maxPool2d(src: TypedArray, p: Pool2d): [Float64Array, Float64Array] {
  const { planes, H, W, OH, OW, kH, kW, dH, dW, padH, padW, dilH, dilW } = p;
  const out = new Float64Array(planes * OH * OW);
  const idx = new Float64Array(planes * OH * OW);
  let o = 0;
  for (let c = 0; c < planes; c++) {
    const base = c * H * W;
    for (let oh = 0; oh < OH; oh++) {
      let h0 = oh * dH - padH;
      const h1 = Math.min(h0 + (kH - 1) * dilH + 1, H);
      while (h0 < 0) h0 += dilH;
      for (let ow = 0; ow < OW; ow++, o++) {
        let w0 = ow * dW - padW;
        const w1 = Math.min(w0 + (kW - 1) * dilW + 1, W);
        while (w0 < 0) w0 += dilW;
        let best = -Infinity;
        let at = h0 * W + w0;
        for (let h = h0; h < h1; h += dilH) {
          for (let w = w0; w < w1; w += dilW) {
            const v = src[base + h * W + w]!;
            if (v > best || v !== v) {
              best = v;
              at = h * W + w;
            }
          }
        }
        out[o] = best;
        idx[o] = at;
      }
    }
  }
  return [out, idx];
}

/** Routes each output gradient to the input position its index names. */
export function maxPool2dBackward(gout: TypedArray, indices: TypedArray, planes: number, inPlane: number, outPlane: number): Float64Array {
  const gin = new Float64Array(planes * inPlane);
  for (let c = 0; c < planes; c++) {
    const gi = c * inPlane;
    const go = c * outPlane;
    for (let i = 0; i < outPlane; i++) {
      const at = gi + indices[go + i]!;
      gin[at] = gin[at]! + gout[go + i]!;
    }
  }
  return gin;
}

export interface AvgOpts {
  countIncludePad: boolean;
  divisorOverride: number | null;
  /** Note [float32 pooling sums]. */
  f32: boolean;
  /** Integer dtypes divide with truncation, as int64 arithmetic does. */
  integral: boolean;
}

/** The clipped window of one output cell and its divisor (cpu_avg_pool). */
function avgWindow(p: Pool2d, oh: number, ow: number, opts: AvgOpts, win: Int32Array): number {
  let h0 = oh * p.dH - p.padH;
  let w0 = ow * p.dW - p.padW;
  let h1 = Math.min(h0 + p.kH, p.H + p.padH);
  let w1 = Math.min(w0 + p.kW, p.W + p.padW);
  const poolSize = (h1 - h0) * (w1 - w0);
  h0 = Math.max(h0, 0);
  w0 = Math.max(w0, 0);
  h1 = Math.min(h1, p.H);
  w1 = Math.min(w1, p.W);
  win[0] = h0;
  win[1] = h1;
  win[2] = w0;
  win[3] = w1;
  if (opts.divisorOverride !== null) return opts.divisorOverride;
  return opts.countIncludePad ? poolSize : (h1 - h0) * (w1 - w0);
}

export function avgPool2d(src: TypedArray, p: Pool2d, opts: AvgOpts): Float64Array {
  const { planes, H, W, OH, OW } = p;
  const out = new Float64Array(planes * OH * OW);
  const win = new Int32Array(4);
  const r = opts.f32 ? fround : identity;
  let o = 0;
  for (let c = 0; c < planes; c++) {
    const base = c * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, o++) {
        const div = avgWindow(p, oh, ow, opts, win);
        const h0 = win[0]!, h1 = win[1]!, w0 = win[2]!, w1 = win[3]!;
        if (h0 >= h1 || w0 >= w1) continue;
        let sum = 0;
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) sum = r(sum + src[base + h * W + w]!);
        out[o] = opts.integral ? Math.trunc(sum / div) : r(sum / div);
      }
    }
  }
  return out;
}

export function avgPool2dBackward(gout: TypedArray, p: Pool2d, opts: AvgOpts): Float64Array {
  const { planes, H, W, OH, OW } = p;
  const gin = new Float64Array(planes * H * W);
  const win = new Int32Array(4);
  const r = opts.f32 ? fround : identity;
  let o = 0;
  for (let c = 0; c < planes; c++) {
    const base = c * H * W;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, o++) {
        const div = avgWindow(p, oh, ow, opts, win);
        const h0 = win[0]!, h1 = win[1]!, w0 = win[2]!, w1 = win[3]!;
        const g = r(gout[o]! / div);
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) gin[base + h * W + w] = r(gin[base + h * W + w]! + g);
        }
      }
    }
  }
  return gin;
}

/** Adaptive windows: [floor(i * in / out), ceil((i + 1) * in / out)). */
export function adaptiveStart(i: number, outSize: number, inSize: number): number {
  return Math.floor((i * inSize) / outSize);
}
export function adaptiveEnd(i: number, outSize: number, inSize: number): number {
  return Math.ceil(((i + 1) * inSize) / outSize);
}

export function adaptiveAvgPool2d(src: TypedArray, planes: number, H: number, W: number, OH: number, OW: number, f32: boolean): Float64Array {
  const out = new Float64Array(planes * OH * OW);
  const r = f32 ? fround : identity;
  let o = 0;
  for (let c = 0; c < planes; c++) {
    const base = c * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = adaptiveStart(oh, OH, H), h1 = adaptiveEnd(oh, OH, H);
      for (let ow = 0; ow < OW; ow++, o++) {
        const w0 = adaptiveStart(ow, OW, W), w1 = adaptiveEnd(ow, OW, W);
        let sum = 0;
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) sum = r(sum + src[base + h * W + w]!);
        out[o] = r(r(sum / (h1 - h0)) / (w1 - w0));
      }
    }
  }
  return out;
}

export function adaptiveAvgPool2dBackward(
  gout: TypedArray, planes: number, H: number, W: number, OH: number, OW: number, f32: boolean,
): Float64Array {
  const gin = new Float64Array(planes * H * W);
  const r = f32 ? fround : identity;
  let o = 0;
  for (let c = 0; c < planes; c++) {
    const base = c * H * W;
    for (let oh = 0; oh < OH; oh++) {
      const h0 = adaptiveStart(oh, OH, H), h1 = adaptiveEnd(oh, OH, H);
      for (let ow = 0; ow < OW; ow++, o++) {
        const w0 = adaptiveStart(ow, OW, W), w1 = adaptiveEnd(ow, OW, W);
        const g = r(r(gout[o]! / (h1 - h0)) / (w1 - w0));
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) gin[base + h * W + w] = r(gin[base + h * W + w]! + g);
        }
      }
    }
  }
  return gin;
}
