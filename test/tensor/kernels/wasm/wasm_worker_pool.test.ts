import { describe, expect, it } from "vitest";
import { buildSharedGemmF32Module } from "../../../../src/tensor/kernels/wasm/gemm_f32_simd.js";
import { createSharedMemory } from "../../../../src/tensor/kernels/wasm/wasm_runtime.js";
import { WasmWorkerPool, type JobSpec } from "../../../../src/tensor/kernels/wasm/wasm_worker_pool.js";

/**
 * True only inside one of the pool's workers: its workerData carries the flag array. (The
 * calling thread, even inside a vitest worker, has no `require` or other workerData.)
 */
const IN_POOL_WORKER = `(typeof require === "function" && require("node:worker_threads").workerData?.control instanceof SharedArrayBuffer)`;

function makePool(body: string, maxWorkers = 2) {
  const memory = createSharedMemory(1, 64)!;
  const job = new Int32Array(new SharedArrayBuffer(64));
  const spec: JobSpec = { params: ["job", "exports", "view"], body };
  return { pool: new WasmWorkerPool({ moduleBytes: buildSharedGemmF32Module(64), memory, job, spec, maxWorkers }), job, memory };
}

describe("WasmWorkerPool", () => {
  it("hands out work through the job array and joins every worker posted to", () => {
    // each thread takes tickets until 1000 are gone, writing its ticket into shared memory
    const { pool, job, memory } = makePool(`
      let ran = 0;
      for (let t; (t = Atomics.add(job, 0, 1)) < 1000; ran++) view[t] = t + 1;
      return ran;`);
    pool.ensureWorkers(2);
    expect(pool.waitForWorkers(2, 20_000)).toBe(2);
    for (let round = 0; round < 5; round++) {
      Atomics.store(job, 0, 0);
      new Float32Array(memory.buffer).fill(0, 0, 1000);
      const report = pool.run(pool.readySlots(2));
      expect(report?.ranByThread).toHaveLength(3);
      expect(report!.ranByThread.reduce((x, y) => x + y)).toBe(1000);
      const view = new Float32Array(memory.buffer);
      for (let t = 0; t < 1000; t++) if (view[t] !== t + 1) throw new Error(`round ${round}: ticket ${t} not done`);
    }
  });

  it("a worker sees memory the caller grew after it started", () => {
    const { pool, job, memory } = makePool(`
      if (${IN_POOL_WORKER}) view[view.length - 1] = 42;
      return view.length;`, 1);
    pool.ensureWorkers(1);
    expect(pool.waitForWorkers(1, 20_000)).toBe(1);
    memory.grow(3);
    const report = pool.run(pool.readySlots(1));
    expect(report?.ranByThread).toEqual([4 * 16384, 4 * 16384]);
    expect(new Float32Array(memory.buffer)[4 * 16384 - 1]).toBe(42);
    expect(job[0]).toBe(0);
  });

  it("a job that throws in a worker makes run() report failure, and the worker is never posted to again", () => {
    const { pool } = makePool(`if (${IN_POOL_WORKER}) throw new Error("broken in the worker"); return 1;`, 1);
    pool.ensureWorkers(1);
    expect(pool.waitForWorkers(1, 20_000)).toBe(1);
    expect(pool.run(pool.readySlots(1))).toBeUndefined();
    expect(pool.readySlots(1)).toEqual([]);
    expect(pool.run([])).toEqual({ ranByThread: [1] });
  });

  it("a job that throws on the calling thread still joins the workers before the error propagates", () => {
    const { pool, job } = makePool(`
      if (${IN_POOL_WORKER}) { Atomics.add(job, 1, 1); return 1; }
      throw new Error("broken on the caller");`, 1);
    pool.ensureWorkers(1);
    expect(pool.waitForWorkers(1, 20_000)).toBe(1);
    expect(() => pool.run(pool.readySlots(1))).toThrow("broken on the caller");
    expect(Atomics.load(job, 1)).toBe(1); // the worker had finished when run() threw
  });
});
