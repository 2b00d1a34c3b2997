/**
 * Packing between strided JS arrays and the WASM kernel's memory (layouts in gemm_f32_simd.ts).
 * Each element of A and B is copied once per product, O(mk + kn) against the kernel's O(mnk).
 * Padding (rows past m, columns past n, k steps past kc) is zero, so a padded product adds 0 to
 * real outputs; padded outputs may hold 0 * inf = NaN but are never copied back.
 */
import type { TypedArray } from "../../dtype.js";

/**
 * Block sizes of both drivers (wasm_matmul.ts, wasm_matmul_threaded.ts), which must agree for
 * their results to agree bit for bit: KC steps of k per packed block (a B panel, KC x NR floats
 * = 8 KiB, stays in L1) and MC rows of A per block (MC x KC floats = 128 KiB, stays in L2).
 */
export const KC = 256;
export const MC = 128;

/** A block's extent in the source matrix and its padded extent in packed memory. */
export interface PackRange {
  start: number;
  count: number;
  padded: number;
}

/**
 * Packs A[i0 .. i0+rows.count, p0 .. p0+ks.count] as strips of `mr` rows, each [p][r] over
 * ks.padded steps, at float index `dst` of `mem`.
 */
export function packA(
  a: TypedArray, aOff: number, aRs: number, aCs: number,
  rows: PackRange, ks: PackRange, mr: number, mem: Float32Array, dst: number,
): void {
  const strips = rows.padded / mr;
  if (rows.count < rows.padded || ks.count < ks.padded) mem.fill(0, dst, dst + strips * mr * ks.padded);
  for (let s = 0; s < strips; s++) {
    const base = dst + s * mr * ks.padded;
    const rowsHere = Math.min(mr, rows.count - s * mr);
    for (let r = 0; r < rowsHere; r++) {
      let src = aOff + (rows.start + s * mr + r) * aRs + ks.start * aCs;
      let q = base + r;
      for (let p = 0; p < ks.count; p++, src += aCs, q += mr) mem[q] = a[src]!;
    }
  }
}

/**
 * Packs B[p0 .. p0+ks.count, 0 .. cols.count] as panels of `nr` columns, each [p][c] over
 * ks.padded steps. Reads along whichever of B's strides is unit, so B and a transposed view of
 * B both stream from memory.
 */
export function packB(
  b: TypedArray, bOff: number, bRs: number, bCs: number,
  ks: PackRange, cols: PackRange, nr: number, mem: Float32Array, dst: number,
): void {
  const panels = cols.padded / nr;
  if (cols.count < cols.padded || ks.count < ks.padded) mem.fill(0, dst, dst + panels * nr * ks.padded);
  for (let jp = 0; jp < panels; jp++) {
    const base = dst + jp * nr * ks.padded;
    const colsHere = Math.min(nr, cols.count - jp * nr);
    const first = bOff + ks.start * bRs + (cols.start + jp * nr) * bCs;
    if (bCs === 1) {
      for (let p = 0; p < ks.count; p++) {
        const src = first + p * bRs;
        const q = base + p * nr;
        for (let c = 0; c < colsHere; c++) mem[q + c] = b[src + c]!;
      }
    } else {
      for (let c = 0; c < colsHere; c++) {
        let src = first + c * bCs;
        let q = base + c;
        for (let p = 0; p < ks.count; p++, src += bRs, q += nr) mem[q] = b[src]!;
      }
    }
  }
}

/** Rows at least this long are copied with TypedArray.set; below, the subarray costs more than a loop. */
const SET_ROW_MIN = 128;

/** c[i, j] = alpha * w[i, j] (+ beta * c[i, j] unless beta = 0, so old NaN does not leak). */
export function writeC(
  m: number, n: number, w: Float32Array, wOff: number, wRs: number,
  c: TypedArray, cOff: number, cRs: number, alpha: number, beta: number,
): void {
  for (let i = 0; i < m; i++) {
    const src = wOff + i * wRs;
    const dst = cOff + i * cRs;
    if (beta === 0 && alpha === 1 && n >= SET_ROW_MIN) {
      (c as Float32Array).set(w.subarray(src, src + n), dst);
    } else if (beta === 0 && alpha === 1) {
      for (let j = 0; j < n; j++) c[dst + j] = w[src + j]!;
    } else if (beta === 0) {
      for (let j = 0; j < n; j++) c[dst + j] = alpha * w[src + j]!;
    } else {
      for (let j = 0; j < n; j++) c[dst + j] = alpha * w[src + j]! + beta * c[dst + j]!;
    }
  }
}
