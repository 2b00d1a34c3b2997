import { beforeAll, describe, expect, it } from "vitest";
import { ThreadedWasmGemmF32, chunkGrid } from "../../../../src/tensor/kernels/wasm/wasm_matmul_threaded.js";
import { WasmGemmF32 } from "../../../../src/tensor/kernels/wasm/wasm_matmul.js";
import { buildSharedGemmF32Module } from "../../../../src/tensor/kernels/wasm/gemm_f32_simd.js";
import { createSharedMemory, validate } from "../../../../src/tensor/kernels/wasm/wasm_runtime.js";
import { rng } from "../../../support/rng.js";


interface Shape { m: number; n: number; k: number; transA: boolean; transB: boolean; alpha: number; beta: number }

/** Operands with offsets, optional transposition and padded C rows (as wasm_matmul.test.ts builds them). */
function operands(sh: Shape, seed: number) {
  const rand = rng(seed);
  const { m, n, k } = sh;
  const aOff = 3, bOff = 5, cOff = 7, cRs = n + 2;
  const fill = (len: number): Float32Array => Float32Array.from({ length: len }, () => rand() * 2 - 1);
  const [aRs, aCs] = sh.transA ? [1, m] : [k, 1];
  const [bRs, bCs] = sh.transB ? [1, k] : [n, 1];
  return { a: fill(aOff + m * k), aOff, aRs, aCs, b: fill(bOff + k * n), bOff, bRs, bCs, c: fill(cOff + m * cRs), cOff, cRs };
}

/** Index of the first element where two arrays differ as bit patterns (Object.is tells -0 from 0), or -1. */
function firstBitDifference(x: Float32Array, y: Float32Array): number {
  const xi = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const yi = new Uint32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < x.length; i++) if (xi[i] !== yi[i]) return i;
  return x.length === y.length ? -1 : x.length;
}

describe("the shared-memory GEMM module", () => {
  it("imports a shared memory and validates; the runtime gives shared memories", () => {
    expect(validate(buildSharedGemmF32Module(65536))).toBe(true);
    const memory = createSharedMemory(1, 16);
    expect(memory?.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});

describe("chunkGrid", () => {
  it("covers every strip and panel, with several chunks per thread where C allows", () => {
    for (const [strips, panels, threads] of [[128, 64, 2], [1, 88, 2], [75, 1, 3], [33, 17, 2], [1, 1, 2]] as const) {
      const g = chunkGrid(strips, panels, 4, threads);
      expect(g.colGroups * g.panelsPerGroup).toBeGreaterThanOrEqual(panels);
      expect((g.colGroups - 1) * g.panelsPerGroup).toBeLessThan(panels);
      expect(g.total).toBe(Math.ceil(strips / g.stripsPerBlock) * g.colGroups);
      const rowBlocks = Math.ceil(strips / g.stripsPerBlock);
      expect(g.total).toBeGreaterThanOrEqual(Math.min(4 * threads, rowBlocks * panels));
    }
    expect(chunkGrid(128, 64, 4, 2).total).toBe(8); // 512^3: 4 row blocks x 2 column groups
  });
});

describe("the float32 GEMM on two threads", () => {
  let threaded: ThreadedWasmGemmF32;
  const one = new WasmGemmF32();

  beforeAll(() => {
    const made = ThreadedWasmGemmF32.create();
    if (!made) throw new Error("Node >= 20 has shared WebAssembly memory and worker_threads: the threaded GEMM must exist");
    threaded = made;
    expect(threaded.waitForWorkers(2, 20_000)).toBe(1);
  });

  /** Runs a shape on one thread and on two; returns how many chunks the worker ran. */
  function compare(sh: Shape, seed: number): number {
    const x = operands(sh, seed);
    const y = operands(sh, seed);
    if (sh.beta === 0) { x.c.fill(NaN); y.c.fill(NaN); } // beta = 0 must ignore C, NaN included
    expect(one.run(sh.m, sh.n, sh.k, x.a, x.aOff, x.aRs, x.aCs, x.b, x.bOff, x.bRs, x.bCs, x.c, x.cOff, x.cRs, sh.alpha, sh.beta)).toBe(true);
    expect(threaded.run(2, sh.m, sh.n, sh.k, y.a, y.aOff, y.aRs, y.aCs, y.b, y.bOff, y.bRs, y.bCs, y.c, y.cOff, y.cRs, sh.alpha, sh.beta)).toBe(true);
    const at = firstBitDifference(x.c, y.c);
    if (at >= 0) throw new Error(`${JSON.stringify(sh)}: C[${at}] is ${y.c[at]} on two threads, ${x.c[at]} on one`);
    const report = threaded.lastReport!;
    expect(report.ranByThread).toHaveLength(2);
    const grid = chunkGrid(Math.ceil(sh.m / 4), Math.ceil(sh.n / 8), 4, 2);
    expect(report.ranByThread[0]! + report.ranByThread[1]!).toBe(grid.total);
    return report.ranByThread[1]!;
  }

  it("equals the one-thread kernel bit for bit on odd sizes, transposed operands, alpha and beta", () => {
    const shapes: Shape[] = [
      { m: 1, n: 9, k: 1, transA: false, transB: false, alpha: 1, beta: 0 },
      { m: 97, n: 131, k: 300, transA: false, transB: false, alpha: 1, beta: 0 },
      { m: 5, n: 700, k: 513, transA: true, transB: false, alpha: 1, beta: 0 },
      { m: 300, n: 3, k: 1000, transA: false, transB: true, alpha: -0.5, beta: 0 },
      { m: 261, n: 37, k: 600, transA: true, transB: true, alpha: 2, beta: 1.5 },
      { m: 130, n: 200, k: 257, transA: false, transB: true, alpha: 1, beta: 1 },
      { m: 128, n: 128, k: 256, transA: false, transB: false, alpha: 1, beta: 0 },
    ];
    shapes.forEach((sh, i) => compare(sh, i + 1));
  });

  it("the worker really computes: over repeated 512^3 products it runs chunks, all bit-identical", () => {
    const sh: Shape = { m: 512, n: 512, k: 512, transA: false, transB: true, alpha: 1, beta: 0 };
    let workerChunks = 0;
    // under load the calling thread may take every chunk of one product, but not of twenty
    for (let t = 0; t < 20 && workerChunks === 0; t++) workerChunks += compare(sh, 100 + t);
    expect(workerChunks).toBeGreaterThan(0);
  });

  it("grows its memory for a larger product and then reuses it for a smaller one", () => {
    compare({ m: 40, n: 50, k: 60, transA: false, transB: false, alpha: 1, beta: 0 }, 7);
    compare({ m: 700, n: 300, k: 900, transA: true, transB: false, alpha: 1, beta: 0 }, 8);
    compare({ m: 70, n: 30, k: 90, transA: false, transB: true, alpha: 1, beta: 0.5 }, 9);
  });

  it("leaves a product whose C is one tile to the caller: there is nothing to share", () => {
    const x = operands({ m: 3, n: 5, k: 20_000, transA: false, transB: false, alpha: 1, beta: 0 }, 4);
    expect(threaded.run(2, 3, 5, 20_000, x.a, x.aOff, x.aRs, x.aCs, x.b, x.bOff, x.bRs, x.bCs, x.c, x.cOff, x.cRs, 1, 0)).toBe(false);
  });

  it("refuses empty extents", () => {
    const z = new Float32Array(4);
    expect(() => threaded.run(2, 0, 2, 2, z, 0, 2, 1, z, 0, 2, 1, z, 0, 2, 1, 0)).toThrow(RangeError);
  });

  it("a product before any worker is ready is refused (written nowhere), so the caller runs it alone", () => {
    const fresh = ThreadedWasmGemmF32.create()!;
    const x = operands({ m: 64, n: 64, k: 64, transA: false, transB: false, alpha: 1, beta: 0 }, 3);
    const before = x.c.slice();
    // starting a worker takes a whole V8 isolate (milliseconds), so none is ready yet
    expect(fresh.run(2, 64, 64, 64, x.a, x.aOff, x.aRs, x.aCs, x.b, x.bOff, x.bRs, x.bCs, x.c, x.cOff, x.cRs, 1, 0)).toBe(false);
    expect(firstBitDifference(x.c, before)).toBe(-1);
  });
});
