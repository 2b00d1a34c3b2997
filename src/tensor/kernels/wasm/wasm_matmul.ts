/**
 * The "wasm-simd" float32 matmul kernel: packs blocks of A and B into WASM memory, runs the
 * generated SIMD block kernel (gemm_f32_simd.ts) and writes alpha * A·B + beta * C back.
 *
 * Blocking: kc = KC steps of k at a time (a B panel, KC x NR floats = 8 KiB, stays in L1) and
 * MC rows of A at a time (an A block, MC x KC floats = 128 KiB, stays in L2). The whole padded C
 * lives in WASM memory while k blocks accumulate into it, so memory grows to about the output's
 * size plus two blocks (and stays grown: a WASM memory cannot shrink).
 *
 * Note [wasm f32 accuracy]: the SIMD kernel accumulates in float32, as PyTorch's float32 GEMM
 * does, where the plain-JS kernel accumulates in float64. The rounding error of a float32 sum
 * of k products is bounded by about k * 2^-24 * sum_p |a_ip * b_pj| (recursive summation; the
 * blocked order here only shortens the chains); tests check against a float64 reference with
 * that bound, not a fixed relative tolerance, since cancellation makes |c| itself small.
 *
 * Note [wasm size threshold]: a WASM call has a fixed cost (zeroing C, packing, the call,
 * copying C back) that the JS direct loop does not pay. CPU time per product printed by
 * bench/matmul_gflops.ts on the development machine (2 shared cores, load ~7):
 *   3x4 @ 4x4 (Linear(4, 4) on a batch of 3)  js 125 ns   wasm 423 ns
 *   8^3                                        js 940 ns   wasm 1008 ns
 *   12^3                                       js 2312 ns  wasm 1554 ns
 *   16^3                                       js 4993 ns  wasm 2976 ns
 *   32^3                                       js 28820 ns wasm 9856 ns
 *   1x64 @ 64x64                               js 4823 ns  wasm 13846 ns
 *   1x128 @ 128x128                            js 93753 ns wasm 49893 ns
 * Cubes cross over near 10^3-12^3 (earlier runs had 12^3 even), but thin products do not:
 * for 1 x 64 @ 64 x 64 JS's direct loop reads B once, where WASM packs all of B and three of
 * the four tile rows are padding. So products up to JS_MAX_MULADDS = 16^3 multiply-adds stay on
 * JS, the same bound below which the JS kernel itself uses its direct loop; above it even
 * matrix-vector products win here, because JS then packs too.
 */
import type { TypedArray } from "../../dtype.js";
import type { MatmulKernel } from "../matmul.js";
import { DEFAULT_TILE, GEMM_BLOCK_EXPORT, MEMORY_EXPORT, buildGemmF32Module, type GemmTile } from "./gemm_f32_simd.js";
import { KC, MC, packA, packB, writeC, type PackRange } from "./gemm_f32_pack.js";
import { get_num_threads } from "./num_threads.js";
import { ThreadedWasmGemmF32 } from "./wasm_matmul_threaded.js";
import { hasWasmSimd, instantiate, reserveBytes, type WasmMemory } from "./wasm_runtime.js";

export const JS_MAX_MULADDS = 16 * 16 * 16;

/**
 * Note [threaded break-even]: handing a product to a worker and joining it costs a futex wake
 * and a wait: 23 us at best and about 50 us median on the development machine (2 cores shared
 * with other jobs), measured as a threaded 8^3 product against a one-thread one. The one-thread
 * kernel takes 26 us at 64^3, 86 us at 96^3 and 150 us at 128^3, so two threads can only win
 * (T/2 + overhead < T) from about 100^3 on; below 128^3 multiply-adds products stay on one
 * thread, and Linear(4, 4) (48 multiply-adds) is nowhere near.
 */
export const THREADED_MIN_MULADDS = 128 * 128 * 128;

/** Whether a product of this shape goes to the WASM kernel (Note [wasm size threshold]). */
export function useWasmFor(m: number, n: number, k: number): boolean {
  return m * n * k > JS_MAX_MULADDS;
}

/** Whether a product of this shape is worth splitting between `threads` threads (Note [threaded break-even]). */
export function useThreadsFor(threads: number, m: number, n: number, k: number): boolean {
  return threads >= 2 && m * n * k >= THREADED_MIN_MULADDS;
}

type GemmBlock = (strips: number, panels: number, kc: number, aPtr: number, bPtr: number, cPtr: number, ldc: number) => void;

const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

/** One instance of the generated module and a float view of its (growable) memory. */
export class WasmGemmF32 {
  private readonly gemmBlock: GemmBlock;
  private readonly memory: WasmMemory;
  private view: Float32Array;
  readonly nr: number;

  constructor(readonly tile: GemmTile = DEFAULT_TILE) {
    const { exports } = instantiate(buildGemmF32Module(tile));
    this.gemmBlock = exports[GEMM_BLOCK_EXPORT] as GemmBlock;
    this.memory = exports[MEMORY_EXPORT] as WasmMemory;
    this.view = new Float32Array(this.memory.buffer);
    this.nr = 4 * tile.nv;
  }

  /**
   * C = alpha * A·B + beta * C for m, n, k >= 1 (the MatmulKernel contract). Returns false,
   * having written nothing, when WASM memory cannot grow to the product's size (4 GiB at most).
   */
  run(
    m: number, n: number, k: number,
    a: TypedArray, aOff: number, aRs: number, aCs: number,
    b: TypedArray, bOff: number, bRs: number, bCs: number,
    c: TypedArray, cOff: number, cRs: number, alpha: number, beta: number,
  ): boolean {
    // the generated loops count down to zero, so an empty extent would never end
    if (!(m >= 1 && n >= 1 && k >= 1)) throw new RangeError(`WasmGemmF32.run needs m, n, k >= 1, got ${m}, ${n}, ${k}`);
    const { mr, unroll } = this.tile;
    const mPad = roundUp(m, mr);
    const nPad = roundUp(n, this.nr);
    const kcMax = roundUp(Math.min(KC, k), unroll);
    const mc = MC - (MC % mr); // whole strips per A block
    const mcMax = Math.min(mc, mPad);
    const cAt = 0;
    const bAt = mPad * nPad;
    const aAt = bAt + kcMax * nPad;
    const mem = this.reserve(aAt + mcMax * kcMax);
    if (!mem) return false;
    mem.fill(0, cAt, cAt + mPad * nPad);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      const ks: PackRange = { start: p0, count: kc, padded: roundUp(kc, unroll) };
      packB(b, bOff, bRs, bCs, ks, { start: 0, count: n, padded: nPad }, this.nr, mem, bAt);
      for (let i0 = 0; i0 < m; i0 += mc) {
        const rows: PackRange = { start: i0, count: Math.min(mc, m - i0), padded: Math.min(mc, mPad - i0) };
        packA(a, aOff, aRs, aCs, rows, ks, mr, mem, aAt);
        this.gemmBlock(rows.padded / mr, nPad / this.nr, ks.padded, aAt * 4, bAt * 4, (cAt + i0 * nPad) * 4, nPad * 4);
      }
    }
    writeC(m, n, mem, cAt, nPad, c, cOff, cRs, alpha, beta);
    return true;
  }

  /** A view of memory holding at least `floats` floats, growing it (which detaches old views). */
  private reserve(floats: number): Float32Array | undefined {
    if (!reserveBytes(this.memory, floats * 4)) return undefined;
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }
}

/**
 * One threaded kernel (and worker pool) per process, created by the first product that wants
 * threads; null once creation failed, so a runtime without shared memory stays on one thread.
 */
let threaded: ThreadedWasmGemmF32 | undefined | null;

/** The process's threaded kernel if a product has created it (tests read its lastReport). */
export function threadedGemmIfCreated(): ThreadedWasmGemmF32 | undefined {
  return threaded ?? undefined;
}

/**
 * The float32 kernel: WASM SIMD for products worth it, on several threads when
 * torch.set_num_threads allows and the product pays for them (wasm_matmul_threaded.ts, same
 * bits), `fallback` (the JS kernel) for the rest and for products too large for WASM memory. Undefined where WebAssembly SIMD is unavailable.
 * The module is compiled on first use.
 */
export function makeWasmSimdF32Matmul(fallback: MatmulKernel): MatmulKernel | undefined {
  if (!hasWasmSimd()) return undefined;
  let gemm: WasmGemmF32 | undefined;
  return (m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, alpha, beta) => {
    const threads = get_num_threads();
    if (useThreadsFor(threads, m, n, k)) {
      if (threaded === undefined) threaded = ThreadedWasmGemmF32.create() ?? null;
      if (threaded?.run(threads, m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, alpha, beta)) return;
    }
    if (useWasmFor(m, n, k)) {
      gemm ??= new WasmGemmF32();
      if (gemm.run(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, alpha, beta)) return;
    }
    fallback(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs, alpha, beta);
  };
}
