/**
 * Matrix multiply kernels, chosen per backend from a small table (house style: registries, not
 * switches), so a WASM-SIMD kernel can be registered later without touching the ops.
 *
 * A kernel computes C = alpha * A·B + beta * C on strided operands: element (i, p) of A is
 * a[aOff + i * aRs + p * aCs], so a transposed view (`w.t()`) is read in place, without a copy.
 * C has unit column stride. With beta = 0, C's old contents are ignored (NaN does not leak),
 * as BLAS does.
 *
 * Note [js gemm]: the plain-JS float kernel packs B into 4-column panels and A into 4-row strips
 * (both Float64Array, so the inner loop is monomorphic whatever the input dtype), then runs a
 * 4x4 register-blocked micro-kernel over K blocks of KC. V8 emits scalar code only, so the
 * ceiling is about one multiply-add per cycle: ~5 GFLOPS single-threaded on 512x512 float32 on
 * the development machine (bench/matmul_gflops.ts). Tiny products (Linear(4, 4) on a batch of
 * 3) skip packing: the direct loop is faster there.
 * Accumulation is in float64, so float32 results differ from PyTorch's float32 FMA
 * accumulation by rounding only (about 1e-6 relative).
 */
import type { DType, DTypeName, TypedArray } from "../dtype.js";
import { makeWasmSimdF32Matmul } from "./wasm/wasm_matmul.js";

export type MatmulKernel = (
  m: number, n: number, k: number,
  a: TypedArray, aOff: number, aRs: number, aCs: number,
  b: TypedArray, bOff: number, bRs: number, bCs: number,
  c: TypedArray, cOff: number, cRs: number,
  alpha: number, beta: number,
) => void;

export interface MatmulKernelEntry {
  backend: string;
  dtypes: readonly DTypeName[];
  kernel: MatmulKernel;
}

const TABLE = new Map<string, Map<DTypeName, MatmulKernel>>();
/** Backends in the order they are tried; a later registration of a new backend goes first. */
let preference: string[] = [];

export function registerMatmulKernel(entry: MatmulKernelEntry): void {
  const byDType = TABLE.get(entry.backend) ?? new Map<DTypeName, MatmulKernel>();
  for (const d of entry.dtypes) {
    if (byDType.has(d)) console.warn(`matmul kernel for backend '${entry.backend}' and dtype ${d} registered twice; keeping the last`);
    byDType.set(d, entry.kernel);
  }
  TABLE.set(entry.backend, byDType);
  if (!preference.includes(entry.backend)) preference = [entry.backend, ...preference];
  chosen.clear();
}

/** Sets which backends are tried, in order (e.g. ["wasm-simd", "js"]). */
export function setMatmulBackends(order: readonly string[]): void {
  for (const b of order) if (!TABLE.has(b)) throw new Error(`no matmul backend named '${b}' is registered`);
  preference = order.slice();
  chosen.clear();
}

/** The kernel picked per dtype, cleared whenever the table or the preference changes. */
const chosen = new Map<DType, MatmulKernel>();

export function getMatmulKernel(dtype: DType): MatmulKernel {
  const hit = chosen.get(dtype);
  if (hit !== undefined) return hit;
  for (const b of preference) {
    const k = TABLE.get(b)?.get(dtype.name);
    if (k) {
      chosen.set(dtype, k);
      return k;
    }
  }
  throw new Error(`no matmul kernel is registered for dtype ${dtype.name} (backends: ${preference.join(", ") || "none"})`);
}

/** C = beta * C before accumulation (beta = 0 clears, so NaN in C does not leak). */
function scaleC(m: number, n: number, c: TypedArray, cOff: number, cRs: number, beta: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const row = cOff + i * cRs;
    if (beta === 0) c.fill(0, row, row + n);
    else for (let j = row; j < row + n; j++) c[j] = beta * c[j]!;
  }
}

/**
 * The direct loop for small products and for integer dtypes: a 1x4 strip of outputs per step,
 * so each element of A is loaded once for four columns.
 *
 * Note [monomorphic kernels]: V8 specializes a loop for the typed-array kinds it has seen; one
 * function shared by Float32Array, Float64Array and Int32Array callers runs about twice as slow
 * on tiny products. So each dtype gets its own compiled copy of this source (the same reason
 * kernels/elementwise.ts generates its loops).
 */
const DIRECT_SOURCE = `
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * aRs;
    const ci = cOff + i * cRs;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let pa = ai;
      let pb = bOff + j * bCs;
      for (let p = 0; p < k; p++, pa += aCs, pb += bRs) {
        const av = a[pa];
        s0 += av * b[pb]; s1 += av * b[pb + bCs]; s2 += av * b[pb + 2 * bCs]; s3 += av * b[pb + 3 * bCs];
      }
      const q = ci + j;
      if (beta === 0) {
        c[q] = alpha * s0; c[q + 1] = alpha * s1; c[q + 2] = alpha * s2; c[q + 3] = alpha * s3;
      } else {
        c[q] = alpha * s0 + beta * c[q]; c[q + 1] = alpha * s1 + beta * c[q + 1];
        c[q + 2] = alpha * s2 + beta * c[q + 2]; c[q + 3] = alpha * s3 + beta * c[q + 3];
      }
    }
    for (; j < n; j++) {
      let s = 0;
      let pa = ai;
      let pb = bOff + j * bCs;
      for (let p = 0; p < k; p++, pa += aCs, pb += bRs) s += a[pa] * b[pb];
      c[ci + j] = beta === 0 ? alpha * s : alpha * s + beta * c[ci + j];
    }
  }`;

const KERNEL_PARAMS = ["m", "n", "k", "a", "aOff", "aRs", "aCs", "b", "bOff", "bRs", "bCs", "c", "cOff", "cRs", "alpha", "beta"];

/** A fresh compiled copy of the direct loop (Note [monomorphic kernels]). */
export function makeDirectMatmul(): MatmulKernel {
  return new Function(...KERNEL_PARAMS, DIRECT_SOURCE) as MatmulKernel;
}

/** A shared direct kernel, for callers that are not on a hot path (tests, other backends). */
export const directMatmul: MatmulKernel = makeDirectMatmul();

const KC = 256;
const MR = 4;
const NR = 4;
/** Below this many multiply-adds, packing costs more than it saves. */
const SMALL_GEMM = 16 * 16 * 16;

const packA = new Float64Array(KC * MR);
let packB = new Float64Array(KC * 64);

/** Packs rows [i0, i0+4) x cols [p0, p0+kc) of A as [p][r], zero-padding missing rows. */
function packStripA(a: TypedArray, aOff: number, aRs: number, aCs: number, i0: number, rows: number, p0: number, kc: number, dst: Float64Array): void {
  for (let r = 0; r < MR; r++) {
    if (r >= rows) {
      for (let p = 0; p < kc; p++) dst[p * MR + r] = 0;
      continue;
    }
    let src = aOff + (i0 + r) * aRs + p0 * aCs;
    for (let p = 0; p < kc; p++, src += aCs) dst[p * MR + r] = a[src]!;
  }
}

/** Packs rows [p0, p0+kc) of B into 4-column panels [panel][p][c], zero-padding the last. */
function packPanelsB(b: TypedArray, bOff: number, bRs: number, bCs: number, n: number, p0: number, kc: number, dst: Float64Array): void {
  const panels = Math.ceil(n / NR);
  for (let jp = 0; jp < panels; jp++) {
    const base = jp * kc * NR;
    for (let cc = 0; cc < NR; cc++) {
      const j = jp * NR + cc;
      if (j >= n) {
        for (let p = 0; p < kc; p++) dst[base + p * NR + cc] = 0;
        continue;
      }
      let src = bOff + p0 * bRs + j * bCs;
      for (let p = 0; p < kc; p++, src += bRs) dst[base + p * NR + cc] = b[src]!;
    }
  }
}

/**
 * The 4x4 micro-kernel: C[i0.., j0..] += alpha * Ap·Bp over kc. Sixteen accumulators stay in
 * registers; rows/cols beyond the matrix edge were zero-padded by packing and are not stored.
 */
function micro4x4(
  kc: number, ap: Float64Array, bp: Float64Array, bBase: number,
  c: TypedArray, cIdx: number, cRs: number, rows: number, cols: number, alpha: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ia = 0;
  let ib = bBase;
  for (let p = 0; p < kc; p++, ia += 4, ib += 4) {
    const a0 = ap[ia]!, a1 = ap[ia + 1]!, a2 = ap[ia + 2]!, a3 = ap[ia + 3]!;
    const b0 = bp[ib]!, b1 = bp[ib + 1]!, b2 = bp[ib + 2]!, b3 = bp[ib + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (rows === 4 && cols === 4) {
    let q = cIdx;
    c[q] = c[q]! + alpha * c00; c[q + 1] = c[q + 1]! + alpha * c01; c[q + 2] = c[q + 2]! + alpha * c02; c[q + 3] = c[q + 3]! + alpha * c03;
    q += cRs;
    c[q] = c[q]! + alpha * c10; c[q + 1] = c[q + 1]! + alpha * c11; c[q + 2] = c[q + 2]! + alpha * c12; c[q + 3] = c[q + 3]! + alpha * c13;
    q += cRs;
    c[q] = c[q]! + alpha * c20; c[q + 1] = c[q + 1]! + alpha * c21; c[q + 2] = c[q + 2]! + alpha * c22; c[q + 3] = c[q + 3]! + alpha * c23;
    q += cRs;
    c[q] = c[q]! + alpha * c30; c[q + 1] = c[q + 1]! + alpha * c31; c[q + 2] = c[q + 2]! + alpha * c32; c[q + 3] = c[q + 3]! + alpha * c33;
    return;
  }
  const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) {
    for (let cc = 0; cc < cols; cc++) {
      const q = cIdx + r * cRs + cc;
      c[q] = c[q]! + alpha * tile[r * 4 + cc]!;
    }
  }
}

/** Note [js gemm]: packed 4x4 blocking, with `direct` (this dtype's own copy) for small products. */
export function makeJsFloatMatmul(direct: MatmulKernel = makeDirectMatmul()): MatmulKernel {
  return (m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, alpha, beta) => {
    if (m * n * k <= SMALL_GEMM || k === 0) {
      direct(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, alpha, beta);
      return;
    }
    scaleC(m, n, c, cOff, cRs, beta);
    const panels = Math.ceil(n / NR);
    const needB = panels * NR * Math.min(KC, k);
    if (packB.length < needB) packB = new Float64Array(needB);
    const ap = packA;
    const bp = packB;
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      packPanelsB(b, bOff, bRs, bCs, n, p0, kc, bp);
      for (let i0 = 0; i0 < m; i0 += MR) {
        const rows = Math.min(MR, m - i0);
        packStripA(a, aOff, aRs, aCs, i0, rows, p0, kc, ap);
        const cRow = cOff + i0 * cRs;
        for (let jp = 0; jp < panels; jp++) {
          const j0 = jp * NR;
          micro4x4(kc, ap, bp, jp * kc * NR, c, cRow + j0, cRs, rows, Math.min(NR, n - j0), alpha);
        }
      }
    }
  };
}

for (const d of ["float32", "float64", "float16", "bfloat16"] as const) {
  registerMatmulKernel({ backend: "js", dtypes: [d], kernel: makeJsFloatMatmul() });
}
for (const d of ["int64", "int32", "int16", "int8", "uint8"] as const) {
  registerMatmulKernel({ backend: "js", dtypes: [d], kernel: makeDirectMatmul() });
}
// Registered after "js", so tried first for float32; tiny products and runtimes without
// WebAssembly SIMD stay on the JS kernel (Note [wasm size threshold] in wasm/wasm_matmul.ts).
const wasmSimdF32 = makeWasmSimdF32Matmul(makeJsFloatMatmul());
if (wasmSimdF32) registerMatmulKernel({ backend: "wasm-simd", dtypes: ["float32"], kernel: wasmSimdF32 });
