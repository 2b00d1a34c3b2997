/**
 * Convolution loops: im2col / col2im around three matrix products, each one call of the matmul
 * kernel registry (kernels/matmul.ts), so float32 runs on the fastest registered backend
 * (WASM SIMD) and a backend added later speeds convolution up too.
 *
 * Note [image side and column side]: a convolution relates an "image" (the larger spatial
 * side, whose patches are gathered) and a "column side" (one value per patch). For a regular
 * convolution the image is the input and the column side the output; for a transposed
 * convolution the roles swap. The weight is always [Ccol, Cimg / groups, KH, KW] in these
 * terms, so three routines cover forward and backward of both kinds:
 *   imageToCols   (im2col, then W x cols)       regular forward,    transposed grad_input
 *   colsToImage   (W^T x cols, then col2im)     regular grad_input, transposed forward
 *   weightGrad    (im2col, then cols' x cols^T) grad_weight of both
 * One-dimensional convolutions run as two-dimensional ones with a height of 1. The transposed
 * operands (W^T, cols^T) are strided views the kernel reads in place, never copies.
 *
 * Note [conv accumulation dtype]: float32 convolutions compute in float32 arrays on the float32
 * kernel, so sums accumulate in float32 as PyTorch's do (the WASM kernel; products too small
 * for it run on the JS kernel, which sums in float64 and rounds once per output). Every other
 * dtype (float64, bfloat16, integers) computes in float64 arrays on the float64 kernel, and the
 * caller rounds into the result dtype once.
 */
import { float32, float64, type DType, type TypedArray } from "../dtype.js";
import { getMatmulKernel } from "./matmul.js";

type Data = TypedArray;

/** Scratch and result arrays of a convolution: float32 or float64 (Note [conv accumulation dtype]). */
export type ConvArray = Float32Array | Float64Array;

/** The dtype whose arrays and matmul kernel a convolution of `dtype` computes in. */
export function convComputeDType(dtype: DType): DType {
  return dtype === float32 ? float32 : float64;
}

/** A zeroed array of the compute dtype of tensors of `dtype`. */
function newArray(dtype: DType, length: number): ConvArray {
  return convComputeDType(dtype) === float32 ? new Float32Array(length) : new Float64Array(length);
}

/** Geometry of one convolution, 2-D (1-D uses KH = 1, sh = 1, ph = 0, dh = 1, H = OH = 1). */
export interface ConvGeom {
  N: number;
  groups: number;
  /** Image channels (all groups), height, width. */
  Ci: number;
  H: number;
  W: number;
  /** Column-side channels (all groups), height, width. */
  Cc: number;
  OH: number;
  OW: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
}

/** First output index o >= 0 whose input position start + o * step is at least `bound` (clamped to [0, count]). */
function firstAtLeast(start: number, step: number, bound: number, count: number): number {
  return Math.min(count, Math.max(0, Math.ceil((bound - start) / step)));
}

/**
 * Gathers the patches of one group's image [C, H, W] at `off` into col [C*KH*KW, OH*OW].
 * The in-bounds run [owLo, owHi) of each kernel column is found once, so the copy loop has no
 * bounds test.
 */
function im2col(src: Data, off: number, C: number, g: ConvGeom, col: ConvArray): void {
  const { H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw } = g;
  const P = OH * OW;
  let row = 0;
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < KH; ki++) {
      for (let kj = 0; kj < KW; kj++, row += P) {
        const iw0 = kj * dw - pw;
        const owLo = firstAtLeast(iw0, sw, 0, OW);
        const owHi = Math.max(owLo, firstAtLeast(iw0, sw, W, OW));
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sh - ph + ki * dh;
          const o = row + oh * OW;
          if (ih < 0 || ih >= H) {
            for (let ow = 0; ow < OW; ow++) col[o + ow] = 0;
            continue;
          }
          for (let ow = 0; ow < owLo; ow++) col[o + ow] = 0;
          let s = off + (c * H + ih) * W + iw0 + owLo * sw;
          for (let ow = owLo; ow < owHi; ow++, s += sw) col[o + ow] = src[s]!;
          for (let ow = owHi; ow < OW; ow++) col[o + ow] = 0;
        }
      }
    }
  }
}

/** Scatter-adds col [C*KH*KW, OH*OW] into one group's image [C, H, W] at `off`. */
function col2imAdd(col: ConvArray, C: number, g: ConvGeom, dst: ConvArray, off: number): void {
  const { H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw } = g;
  const P = OH * OW;
  let row = 0;
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < KH; ki++) {
      for (let kj = 0; kj < KW; kj++, row += P) {
        const iw0 = kj * dw - pw;
        const owLo = firstAtLeast(iw0, sw, 0, OW);
        const owHi = Math.max(owLo, firstAtLeast(iw0, sw, W, OW));
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sh - ph + ki * dh;
          if (ih < 0 || ih >= H) continue;
          const o = row + oh * OW;
          let d = off + (c * H + ih) * W + iw0 + owLo * sw;
          for (let ow = owLo; ow < owHi; ow++, d += sw) dst[d] = dst[d]! + col[o + ow]!;
        }
      }
    }
  }
}

/** A 1x1, stride-1, unpadded kernel reads the image itself as its column matrix. */
function isPointwise(g: ConvGeom): boolean {
  return g.KH === 1 && g.KW === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0 && g.H === g.OH && g.W === g.OW;
}

/** Sizes of one group's products: Kc rows of the column matrix, P patches. */
function groupSizes(g: ConvGeom): { Cig: number; Ccg: number; P: number; Kc: number } {
  const Cig = g.Ci / g.groups, Ccg = g.Cc / g.groups, P = g.OH * g.OW;
  return { Cig, Ccg, P, Kc: Cig * g.KH * g.KW };
}

/** Column side [N, Cc, OH, OW] from the image [N, Ci, H, W]: out = W x im2col(image). */
export function imageToCols(image: Data, weight: Data, g: ConvGeom, dtype: DType): ConvArray {
  const { N, groups, Ci, Cc, H, W } = g;
  const { Cig, Ccg, P, Kc } = groupSizes(g);
  const gemm = getMatmulKernel(convComputeDType(dtype));
  const out = newArray(dtype, N * Cc * P);
  const col = isPointwise(g) ? null : newArray(dtype, Kc * P);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const imOff = (n * Ci + gi * Cig) * H * W;
      const outOff = (n * Cc + gi * Ccg) * P;
      // out_g [Ccg, P] = W_g [Ccg, Kc] x cols [Kc, P]
      if (col === null) gemm(Ccg, P, Kc, weight, gi * Ccg * Kc, Kc, 1, image, imOff, P, 1, out, outOff, P, 1, 0);
      else {
        im2col(image, imOff, Cig, g, col);
        gemm(Ccg, P, Kc, weight, gi * Ccg * Kc, Kc, 1, col, 0, P, 1, out, outOff, P, 1, 0);
      }
    }
  }
  return out;
}

/** Image [N, Ci, H, W] from the column side [N, Cc, OH, OW]: col2im(W^T x cols). */
export function colsToImage(cols: Data, weight: Data, g: ConvGeom, dtype: DType): ConvArray {
  const { N, groups, Ci, Cc, H, W } = g;
  const { Cig, Ccg, P, Kc } = groupSizes(g);
  const gemm = getMatmulKernel(convComputeDType(dtype));
  const out = newArray(dtype, N * Ci * H * W);
  const col = isPointwise(g) ? null : newArray(dtype, Kc * P);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const imOff = (n * Ci + gi * Cig) * H * W;
      const colOff = (n * Cc + gi * Ccg) * P;
      // [Kc, P] = W_g^T (W_g [Ccg, Kc] read transposed) x cols_g [Ccg, P]
      if (col === null) gemm(Kc, P, Ccg, weight, gi * Ccg * Kc, 1, Kc, cols, colOff, P, 1, out, imOff, P, 1, 0);
      else {
        gemm(Kc, P, Ccg, weight, gi * Ccg * Kc, 1, Kc, cols, colOff, P, 1, col, 0, P, 1, 0);
        col2imAdd(col, Cig, g, out, imOff);
      }
    }
  }
  return out;
}

/** Weight gradient [Cc, Ci / groups, KH, KW] = sum over the batch of cols' x im2col(image)^T. */
export function weightGrad(image: Data, cols: Data, g: ConvGeom, dtype: DType): ConvArray {
  const { N, groups, Ci, Cc, H, W } = g;
  const { Cig, Ccg, P, Kc } = groupSizes(g);
  const gemm = getMatmulKernel(convComputeDType(dtype));
  const out = newArray(dtype, Cc * Kc);
  const col = isPointwise(g) ? null : newArray(dtype, Kc * P);
  for (let n = 0; n < N; n++) {
    // beta = 1 accumulates over the batch in place, as PyTorch's per-sample addmm does
    const beta = n === 0 ? 0 : 1;
    for (let gi = 0; gi < groups; gi++) {
      const imOff = (n * Ci + gi * Cig) * H * W;
      const colOff = (n * Cc + gi * Ccg) * P;
      // gw_g [Ccg, Kc] += cols'_g [Ccg, P] x im2col^T (im2col [Kc, P] read transposed)
      if (col === null) gemm(Ccg, Kc, P, cols, colOff, P, 1, image, imOff, 1, P, out, gi * Ccg * Kc, Kc, 1, beta);
      else {
        im2col(image, imOff, Cig, g, col);
        gemm(Ccg, Kc, P, cols, colOff, P, 1, col, 0, 1, P, out, gi * Ccg * Kc, Kc, 1, beta);
      }
    }
  }
  return out;
}

/** Adds bias[c] to every position of channel c of x [N, C, S] (in place). */
export function addBias(x: ConvArray, bias: Data, N: number, C: number, S: number): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const b = bias[c]!;
      const o = (n * C + c) * S;
      for (let s = 0; s < S; s++) x[o + s] = x[o + s]! + b;
    }
  }
}

/** Sums x [N, C, S] over N and S: the bias gradient. */
export function sumPerChannel(x: Data, N: number, C: number, S: number): Float64Array {
  const out = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const o = (n * C + c) * S;
      let s = 0;
      for (let i = 0; i < S; i++) s += x[o + i]!;
      out[c] = out[c]! + s;
    }
  }
  return out;
}
