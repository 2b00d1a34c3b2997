/**
 * The float32 WASM SIMD GEMM on several threads: the calling thread packs all of A and B into a
 * shared WebAssembly.Memory, then it and the pool's workers (wasm_worker_pool.ts) take chunks of
 * C, each a block of rows x a group of column panels, from an atomic counter, running the same
 * generated `gemm_block` (gemm_f32_simd.ts) on their own instance of the module.
 *
 * Note [threaded bit-identity]: per output element, the work is exactly the one-thread
 * kernel's (wasm_matmul.ts): C starts at 0; for each k block of KC in order, a float32
 * accumulator sums the block's products in order and is added to C; writeC scales the result.
 * Which thread runs a chunk, and how rows and panels are grouped into chunks, changes no
 * element's arithmetic, so results equal the one-thread kernel's bit for bit.
 *
 * Layout (floats): C (mPad x nPad) | B (k blocks, each panels of nr x kcPad) | A (k blocks,
 * each strips of mr x kcPad). Every k block but the last has kcPad = KC, so block p0's A
 * starts at aAt + mPad * p0 and its B at bAt + nPad * p0. Each chunk zeroes its own part of C,
 * so zeroing is spread over the threads too; packing stays on the calling thread, the only
 * one that can read the caller's arrays.
 *
 * Note [threaded speed]: packing A and B and writing C back run on the calling thread only, so
 * by Amdahl two idle cores give somewhat under 2x on the product itself. `npm run bench` on the
 * idle development machine printed 25 GFLOPS on one thread and 58 on two at 512^3
 * (docs/benchmarks.md); the two-thread row is timed after a second of warm-up (for the worker to
 * start), the one-thread row after three products, so read the ratio as "about two", not more. Under load (another job on the second core) two
 * threads measured no faster than one. Packing on the workers too would need the caller's
 * arrays copied into shared memory first.
 */
import type { TypedArray } from "../../dtype.js";
import { DEFAULT_TILE, GEMM_BLOCK_EXPORT, buildSharedGemmF32Module, type GemmTile } from "./gemm_f32_simd.js";
import { KC, MC, packA, packB, writeC } from "./gemm_f32_pack.js";
import { WASM_PAGE_BYTES, createSharedMemory, hasWasmSimd, reserveBytes, type WasmMemory } from "./wasm_runtime.js";
import { WasmWorkerPool, type JobReport, type JobSpec } from "./wasm_worker_pool.js";

/** 4 GiB: all an i32 address reaches. The reservation is virtual; pages are committed as it grows. */
const MAX_PAGES = 65536;
/** Aim for this many chunks per thread, so a thread slowed by other load leaves work to the rest. */
const CHUNKS_PER_THREAD = 4;
/** At most this many workers ever start (each is a whole V8 isolate). */
const MAX_WORKERS = 63;

/** Index of each job field in the job array; NEXT, the counter threads take chunks from, has its own line. */
const JOB = {
  next: 0, total: 16, colGroups: 17, stripsPerBlock: 18, strips: 19, panelsPerGroup: 20, panels: 21,
  k: 22, kc: 23, unroll: 24, mr: 25, nr: 26, aAt: 27, bAt: 28, cAt: 29, nPad: 30,
} as const;
const JOB_INTS = 32;

/** Runs chunks until the counter passes the total (Note [threaded bit-identity]); shared by every thread. */
const RUN_CHUNKS: JobSpec = {
  params: ["job", "exports", "mem"],
  body: `
  const gemmBlock = exports[${JSON.stringify(GEMM_BLOCK_EXPORT)}];
  const total = job[${JOB.total}], colGroups = job[${JOB.colGroups}], spb = job[${JOB.stripsPerBlock}];
  const strips = job[${JOB.strips}], ppg = job[${JOB.panelsPerGroup}], panels = job[${JOB.panels}];
  const k = job[${JOB.k}], kc = job[${JOB.kc}], unroll = job[${JOB.unroll}], mr = job[${JOB.mr}], nr = job[${JOB.nr}];
  const aAt = job[${JOB.aAt}], bAt = job[${JOB.bAt}], cAt = job[${JOB.cAt}], nPad = job[${JOB.nPad}];
  const mPad = strips * mr;
  let ran = 0;
  for (;;) {
    const chunk = Atomics.add(job, ${JOB.next}, 1);
    if (chunk >= total) return ran;
    const s0 = Math.floor(chunk / colGroups) * spb, ns = Math.min(spb, strips - s0);
    const j0 = (chunk % colGroups) * ppg, np = Math.min(ppg, panels - j0);
    const c0 = cAt + s0 * mr * nPad + j0 * nr;
    for (let r = 0; r < ns * mr; r++) mem.fill(0, c0 + r * nPad, c0 + r * nPad + np * nr);
    for (let p0 = 0; p0 < k; p0 += kc) {
      const kcPad = Math.ceil(Math.min(kc, k - p0) / unroll) * unroll;
      const aPtr = aAt + mPad * p0 + s0 * mr * kcPad;
      const bPtr = bAt + nPad * p0 + j0 * nr * kcPad;
      gemmBlock(ns, np, kcPad, aPtr * 4, bPtr * 4, c0 * 4, nPad * 4);
    }
    ran++;
  }`,
};

const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

/** How C is cut into chunks: blocks of MC rows, and column groups so each thread gets several chunks. */
export function chunkGrid(strips: number, panels: number, mr: number, threads: number) {
  const stripsPerBlock = Math.max(1, Math.floor(MC / mr));
  const rowBlocks = Math.ceil(strips / stripsPerBlock);
  const wantGroups = Math.min(panels, Math.max(1, Math.ceil((CHUNKS_PER_THREAD * threads) / rowBlocks)));
  const panelsPerGroup = Math.ceil(panels / wantGroups);
  const colGroups = Math.ceil(panels / panelsPerGroup);
  return { stripsPerBlock, panelsPerGroup, colGroups, total: rowBlocks * colGroups };
}

export class ThreadedWasmGemmF32 {
  private readonly job = new Int32Array(new SharedArrayBuffer(JOB_INTS * 4));
  private readonly pool: WasmWorkerPool;
  private view: Float32Array;
  readonly nr: number;
  /** What the last product's threads did (for tests: which threads took part). */
  lastReport: JobReport | undefined;

  private constructor(private readonly memory: WasmMemory, readonly tile: GemmTile) {
    this.pool = new WasmWorkerPool({
      moduleBytes: buildSharedGemmF32Module(MAX_PAGES, tile), memory, job: this.job, spec: RUN_CHUNKS, maxWorkers: MAX_WORKERS,
    });
    this.view = new Float32Array(memory.buffer);
    this.nr = 4 * tile.nv;
  }

  /** Undefined where the runtime has no SIMD, no shared memory or no SharedArrayBuffer. */
  static create(tile: GemmTile = DEFAULT_TILE): ThreadedWasmGemmF32 | undefined {
    if (!hasWasmSimd() || typeof SharedArrayBuffer !== "function") return undefined;
    const memory = createSharedMemory(1, MAX_PAGES);
    if (!memory) return undefined;
    try {
      return new ThreadedWasmGemmF32(memory, tile);
    } catch {
      return undefined; // e.g. a runtime that validates SIMD but refuses an imported shared memory
    }
  }

  /** Starts workers for `threads` threads in all (the caller is one); returns at once. */
  startWorkers(threads: number): void {
    this.pool.ensureWorkers(threads - 1);
  }

  /** Blocks up to `timeoutMs` until the workers for `threads` threads are ready; returns how many workers are. */
  waitForWorkers(threads: number, timeoutMs: number): number {
    this.startWorkers(threads);
    return this.pool.waitForWorkers(threads - 1, timeoutMs);
  }

  /**
   * C = alpha * A·B + beta * C on up to `threads` threads (the MatmulKernel contract, m, n, k >= 1).
   * Returns false, having written nothing, when no worker is ready yet, C is a single chunk,
   * memory cannot grow, or a worker failed: the caller then runs the one-thread kernel.
   */
  run(
    threads: number, m: number, n: number, k: number,
    a: TypedArray, aOff: number, aRs: number, aCs: number,
    b: TypedArray, bOff: number, bRs: number, bCs: number,
    c: TypedArray, cOff: number, cRs: number, alpha: number, beta: number,
  ): boolean {
    if (!(m >= 1 && n >= 1 && k >= 1)) throw new RangeError(`ThreadedWasmGemmF32.run needs m, n, k >= 1, got ${m}, ${n}, ${k}`);
    this.startWorkers(threads);
    const slots = this.pool.readySlots(threads - 1);
    if (slots.length === 0) return false;
    const { mr, unroll } = this.tile;
    const mPad = roundUp(m, mr);
    const nPad = roundUp(n, this.nr);
    const grid = chunkGrid(mPad / mr, nPad / this.nr, mr, slots.length + 1);
    if (grid.total < 2) return false; // C is one chunk (e.g. a thin product with a long k): nothing to share
    const lastBlock = Math.floor((k - 1) / KC) * KC;
    const kPad = lastBlock + roundUp(k - lastBlock, unroll);
    const bAt = mPad * nPad;
    const aAt = bAt + kPad * nPad;
    const mem = this.reserve(aAt + mPad * kPad);
    if (!mem) return false;
    this.pack(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, mem, aAt, bAt, mPad, nPad);
    this.writeJob({ ...grid, strips: mPad / mr, panels: nPad / this.nr, k, kc: KC, unroll, mr, nr: this.nr, aAt, bAt, cAt: 0, nPad });
    this.lastReport = this.pool.run(slots);
    if (!this.lastReport) return false;
    writeC(m, n, mem, 0, nPad, c, cOff, cRs, alpha, beta);
    return true;
  }

  private pack(
    m: number, n: number, k: number,
    a: TypedArray, aOff: number, aRs: number, aCs: number,
    b: TypedArray, bOff: number, bRs: number, bCs: number,
    mem: Float32Array, aAt: number, bAt: number, mPad: number, nPad: number,
  ): void {
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      const ks = { start: p0, count: kc, padded: roundUp(kc, this.tile.unroll) };
      packB(b, bOff, bRs, bCs, ks, { start: 0, count: n, padded: nPad }, this.nr, mem, bAt + nPad * p0);
      packA(a, aOff, aRs, aCs, { start: 0, count: m, padded: mPad }, ks, this.tile.mr, mem, aAt + mPad * p0);
    }
  }

  private writeJob(fields: Record<Exclude<keyof typeof JOB, "next">, number>): void {
    for (const [name, value] of Object.entries(fields)) this.job[JOB[name as keyof typeof fields]] = value;
    Atomics.store(this.job, JOB.next, 0);
  }

  /** A view of memory holding at least `floats` floats (at most 4 GiB), growing it. */
  private reserve(floats: number): Float32Array | undefined {
    if (floats * 4 > MAX_PAGES * WASM_PAGE_BYTES || !reserveBytes(this.memory, floats * 4)) return undefined;
    if (this.view.byteLength !== this.memory.buffer.byteLength) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }
}
