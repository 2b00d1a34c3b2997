/**
 * Convolution loops: im2col / col2im plus three small matrix products, all accumulating in
 * float64 scratch arrays (the caller rounds into the result dtype once).
 *
 * Note [image side and column side]: a convolution relates an "image" (the larger spatial
 * side, whose patches are gathered) and a "column side" (one value per patch). For a regular
 * convolution the image is the input and the column side the output; for a transposed
 * convolution the roles swap. The weight is always [Ccol, Cimg / groups, KH, KW] in these
 * terms, so three routines cover forward and backward of both kinds:
 *   imageToCols   (im2col, then W x cols)       regular forward,    transposed grad_input
 *   colsToImage   (W^T x cols, then col2im)     regular grad_input, transposed forward
 *   weightGrad    (im2col, then cols' x cols^T) grad_weight of both
 * One-dimensional convolutions run as two-dimensional ones with a height of 1.
 */
import type { TypedArray } from "../dtype.js";

type Data = TypedArray;

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

/** Gathers the patches of one group's image [C, H, W] at `off` into col [C*KH*KW, OH*OW]. */
function im2col(src: Data, off: number, C: number, g: ConvGeom, col: Float64Array): void {
  const { H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw } = g;
  const P = OH * OW;
  let row = 0;
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < KH; ki++) {
      for (let kj = 0; kj < KW; kj++, row += P) {
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sh - ph + ki * dh;
          const o = row + oh * OW;
          if (ih < 0 || ih >= H) {
            col.fill(0, o, o + OW);
            continue;
          }
          const base = off + (c * H + ih) * W;
          let iw = kj * dw - pw;
          for (let ow = 0; ow < OW; ow++, iw += sw) col[o + ow] = iw >= 0 && iw < W ? src[base + iw]! : 0;
        }
      }
    }
  }
}

/** Scatter-adds col [C*KH*KW, OH*OW] into one group's image [C, H, W] at `off`. */
function col2imAdd(col: Float64Array, C: number, g: ConvGeom, dst: Float64Array, off: number): void {
  const { H, W, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw } = g;
  const P = OH * OW;
  let row = 0;
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < KH; ki++) {
      for (let kj = 0; kj < KW; kj++, row += P) {
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sh - ph + ki * dh;
          if (ih < 0 || ih >= H) continue;
          const base = off + (c * H + ih) * W;
          const o = row + oh * OW;
          let iw = kj * dw - pw;
          for (let ow = 0; ow < OW; ow++, iw += sw) if (iw >= 0 && iw < W) dst[base + iw] = dst[base + iw]! + col[o + ow]!;
        }
      }
    }
  }
}

/** C[M, N] += A[M, K] * B[K, N]; four rows of B per pass over a row of C. */
function gemmNN(M: number, N: number, K: number, A: Data, ao: number, B: Data, bo: number, C: Float64Array, co: number): void {
  for (let m = 0; m < M; m++) {
    const crow = co + m * N;
    const arow = ao + m * K;
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const a0 = A[arow + k]!, a1 = A[arow + k + 1]!, a2 = A[arow + k + 2]!, a3 = A[arow + k + 3]!;
      const b0 = bo + k * N, b1 = b0 + N, b2 = b1 + N, b3 = b2 + N;
      for (let n = 0; n < N; n++) C[crow + n] = C[crow + n]! + a0 * B[b0 + n]! + a1 * B[b1 + n]! + a2 * B[b2 + n]! + a3 * B[b3 + n]!;
    }
    for (; k < K; k++) {
      const a = A[arow + k]!;
      if (a === 0) continue;
      const b0 = bo + k * N;
      for (let n = 0; n < N; n++) C[crow + n] = C[crow + n]! + a * B[b0 + n]!;
    }
  }
}

/** C[M, N] += A^T B where A is stored [K, M] and B is [K, N]. */
function gemmTN(M: number, N: number, K: number, A: Data, ao: number, B: Data, bo: number, C: Float64Array, co: number): void {
  for (let k = 0; k < K; k++) {
    const brow = bo + k * N;
    for (let m = 0; m < M; m++) {
      const a = A[ao + k * M + m]!;
      if (a === 0) continue;
      const crow = co + m * N;
      for (let n = 0; n < N; n++) C[crow + n] = C[crow + n]! + a * B[brow + n]!;
    }
  }
}

/** C[M, N] += A B^T where A is [M, K] and B is stored [N, K]. */
function gemmNT(M: number, N: number, K: number, A: Data, ao: number, B: Data, bo: number, C: Float64Array, co: number): void {
  for (let m = 0; m < M; m++) {
    const arow = ao + m * K;
    for (let n = 0; n < N; n++) {
      const brow = bo + n * K;
      let s0 = 0, s1 = 0;
      let k = 0;
      for (; k + 2 <= K; k += 2) {
        s0 += A[arow + k]! * B[brow + k]!;
        s1 += A[arow + k + 1]! * B[brow + k + 1]!;
      }
      if (k < K) s0 += A[arow + k]! * B[brow + k]!;
      C[co + m * N + n] = C[co + m * N + n]! + s0 + s1;
    }
  }
}

/** A 1x1, stride-1, unpadded kernel reads the image itself as its column matrix. */
function isPointwise(g: ConvGeom): boolean {
  return g.KH === 1 && g.KW === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0 && g.H === g.OH && g.W === g.OW;
}

/** Column side [N, Cc, OH, OW] from the image [N, Ci, H, W]: out = W x im2col(image). */
export function imageToCols(image: Data, weight: Data, g: ConvGeom): Float64Array {
  const { N, groups, Ci, Cc, H, W, OH, OW, KH, KW } = g;
  const Cig = Ci / groups, Ccg = Cc / groups, P = OH * OW, Kc = Cig * KH * KW;
  const out = new Float64Array(N * Cc * P);
  const direct = isPointwise(g);
  const col = direct ? null : new Float64Array(Kc * P);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const imOff = (n * Ci + gi * Cig) * H * W;
      const outOff = (n * Cc + gi * Ccg) * P;
      if (col === null) gemmNN(Ccg, P, Kc, weight, gi * Ccg * Kc, image, imOff, out, outOff);
      else {
        im2col(image, imOff, Cig, g, col);
        gemmNN(Ccg, P, Kc, weight, gi * Ccg * Kc, col, 0, out, outOff);
      }
    }
  }
  return out;
}

/** Image [N, Ci, H, W] from the column side [N, Cc, OH, OW]: col2im(W^T x cols). */
export function colsToImage(cols: Data, weight: Data, g: ConvGeom): Float64Array {
  const { N, groups, Ci, Cc, H, W, OH, OW, KH, KW } = g;
  const Cig = Ci / groups, Ccg = Cc / groups, P = OH * OW, Kc = Cig * KH * KW;
  const out = new Float64Array(N * Ci * H * W);
  const direct = isPointwise(g);
  const col = direct ? null : new Float64Array(Kc * P);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const imOff = (n * Ci + gi * Cig) * H * W;
      const colOff = (n * Cc + gi * Ccg) * P;
      if (col === null) gemmTN(Kc, P, Ccg, weight, gi * Ccg * Kc, cols, colOff, out, imOff);
      else {
        col.fill(0);
        gemmTN(Kc, P, Ccg, weight, gi * Ccg * Kc, cols, colOff, col, 0);
        col2imAdd(col, Cig, g, out, imOff);
      }
    }
  }
  return out;
}

/** Weight gradient [Cc, Ci / groups, KH, KW] = sum over the batch of cols' x im2col(image)^T. */
export function weightGrad(image: Data, cols: Data, g: ConvGeom): Float64Array {
  const { N, groups, Ci, Cc, H, W, OH, OW, KH, KW } = g;
  const Cig = Ci / groups, Ccg = Cc / groups, P = OH * OW, Kc = Cig * KH * KW;
  const out = new Float64Array(Cc * Kc);
  const direct = isPointwise(g);
  const col = direct ? null : new Float64Array(Kc * P);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < groups; gi++) {
      const imOff = (n * Ci + gi * Cig) * H * W;
      const colOff = (n * Cc + gi * Ccg) * P;
      if (col === null) gemmNT(Ccg, Kc, P, cols, colOff, image, imOff, out, gi * Ccg * Kc);
      else {
        im2col(image, imOff, Cig, g, col);
        gemmNT(Ccg, Kc, P, cols, colOff, col, 0, out, gi * Ccg * Kc);
      }
    }
  }
  return out;
}

/** Adds bias[c] to every position of channel c of x [N, C, S] (in place). */
export function addBias(x: Float64Array, bias: Data, N: number, C: number, S: number): void {
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
