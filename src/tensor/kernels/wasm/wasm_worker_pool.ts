/**
 * worker_threads that each instantiate one WASM module on a shared memory and run one job
 * function, the same source the calling thread runs, joined with Atomics
 * (Note [worker handshake]).
 *
 * Note [worker handshake]: each worker owns a slot of Int32 flags on its own 64-byte line:
 *   READY  set once the worker's instance exists; only ready workers get work, so the first
 *          product after the pool starts runs on the calling thread alone, never waiting on a
 *          worker's start (tens of ms), and a worker that never starts costs nothing;
 *   GO     the job generation posted to the worker (it sleeps in Atomics.wait until it changes);
 *   DONE   the generation it finished; the caller sleeps in Atomics.wait until it equals GO;
 *   FAILED set when the job threw in the worker, or by the worker's 'error' event, so the
 *          caller discards the product and never posts to that worker again.
 * The caller writes the job before storing GO (Atomics.store is sequentially consistent, so
 * the worker sees the job), and waits for DONE of every worker it posted to before the next
 * job, so a worker never reads a job being rewritten. Work inside a job is handed out by the
 * job function itself (an atomic counter in the job array), so a worker that wakes late just
 * finds less to do. A message round trip would cost an event-loop turn on both sides, and the
 * caller is synchronous (a kernel call inside a notebook cell), so it could not even receive one.
 * Workers are unref'd and sleep in Atomics.wait, which does not keep the process alive.
 */
import { Worker } from "node:worker_threads";
import { instantiate, type WasmMemory } from "./wasm_runtime.js";

/** Ints per slot: one 64-byte cache line, so threads polling their flags do not share lines. */
const SLOT_INTS = 16;
const FLAG = { ready: 0, go: 1, done: 2, failed: 3, ran: 4 } as const;

/** A job function: `(job, exports, view) => units of work it ran`, as a function body. */
export interface JobSpec {
  /** Parameter names of the body, bound to (job Int32Array, the instance's exports, a Float32Array of memory). */
  params: readonly [string, string, string];
  body: string;
}

export type JobFunction = (job: Int32Array, exports: Record<string, unknown>, view: Float32Array) => number;

export function compileJob(spec: JobSpec): JobFunction {
  return new Function(...spec.params, spec.body) as JobFunction;
}

/**
 * The worker's whole program, as a string (an eval'd worker): a worker file would be a .js path
 * that exists in dist/ but not in src/, where tests and tsx run the TypeScript directly.
 */
function workerSource(spec: JobSpec): string {
  return `
const { workerData } = require("node:worker_threads");
const { bytes, memory, control, job, slot } = workerData;
const flags = new Int32Array(control);
const jobInts = new Int32Array(job);
const base = slot * ${SLOT_INTS};
const run = new Function(${spec.params.map((p) => JSON.stringify(p)).join(", ")}, ${JSON.stringify(spec.body)});
const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
let view = new Float32Array(memory.buffer);
Atomics.store(flags, base + ${FLAG.ready}, 1);
Atomics.notify(flags, base + ${FLAG.ready});
let seen = 0;
for (;;) {
  Atomics.wait(flags, base + ${FLAG.go}, seen);
  seen = Atomics.load(flags, base + ${FLAG.go});
  // the caller may have grown the memory since the last job: a shared buffer lengthens, never detaches
  if (view.byteLength !== memory.buffer.byteLength) view = new Float32Array(memory.buffer);
  try {
    flags[base + ${FLAG.ran}] = run(jobInts, exports, view);
  } catch (e) {
    Atomics.store(flags, base + ${FLAG.failed}, 1);
  }
  Atomics.store(flags, base + ${FLAG.done}, seen);
  Atomics.notify(flags, base + ${FLAG.done});
}`;
}

export interface WorkerPoolOptions {
  moduleBytes: Uint8Array;
  memory: WasmMemory;
  /** The job array (over a SharedArrayBuffer) the job function reads. */
  job: Int32Array;
  spec: JobSpec;
  /** Upper bound on workers this pool will ever start (sizes the flag array). */
  maxWorkers: number;
}

/** The outcome of one job: units run by the calling thread and by each worker posted to. */
export interface JobReport {
  ranByThread: number[];
}

export class WasmWorkerPool {
  private readonly flags: Int32Array;
  private readonly workers: Worker[] = [];
  private readonly local: JobFunction;
  private readonly localExports: Record<string, unknown>;
  private view: Float32Array;
  private generation = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    this.flags = new Int32Array(new SharedArrayBuffer(options.maxWorkers * SLOT_INTS * 4));
    this.local = compileJob(options.spec);
    this.localExports = instantiate(options.moduleBytes, { env: { memory: options.memory } }).exports;
    this.view = new Float32Array(options.memory.buffer);
  }

  /** The calling thread's instance of the module, on the shared memory. */
  get exports(): Record<string, unknown> {
    return this.localExports;
  }

  /** Starts workers (asynchronously) until `count` exist; a worker that fails to start is never ready. */
  ensureWorkers(count: number): void {
    const want = Math.min(count, this.options.maxWorkers);
    while (this.workers.length < want) {
      const slot = this.workers.length;
      const { moduleBytes, memory, job, spec } = this.options;
      try {
        const worker = new Worker(workerSource(spec), {
          eval: true,
          workerData: { bytes: moduleBytes, memory, control: this.flags.buffer, job: job.buffer, slot },
        });
        worker.on("error", () => Atomics.store(this.flags, slot * SLOT_INTS + FLAG.failed, 1));
        worker.unref();
        this.workers.push(worker);
      } catch {
        return; // Note [worker handshake]: without workers the caller runs alone
      }
    }
  }

  /** Slots of the first `limit` workers that are ready and have never failed. */
  readySlots(limit: number): number[] {
    const slots: number[] = [];
    for (let s = 0; s < Math.min(limit, this.workers.length); s++) {
      const at = s * SLOT_INTS;
      if (Atomics.load(this.flags, at + FLAG.ready) === 1 && Atomics.load(this.flags, at + FLAG.failed) === 0) slots.push(s);
    }
    return slots;
  }

  /** Blocks up to `timeoutMs` until the first `count` workers are ready; returns how many are (for tests and benches). */
  waitForWorkers(count: number, timeoutMs: number): number {
    const deadline = Date.now() + timeoutMs;
    for (let s = 0; s < Math.min(count, this.workers.length); s++) {
      const at = s * SLOT_INTS + FLAG.ready;
      while (Atomics.load(this.flags, at) === 0 && Atomics.load(this.flags, s * SLOT_INTS + FLAG.failed) === 0) {
        const left = deadline - Date.now();
        if (left <= 0) return this.readySlots(count).length;
        Atomics.wait(this.flags, at, 0, left);
      }
    }
    return this.readySlots(count).length;
  }

  /**
   * Runs the job (already written to the job array) on the calling thread and on `slots`,
   * returning once all have finished; undefined when a worker failed, so the caller redoes
   * the work alone.
   */
  run(slots: readonly number[]): JobReport | undefined {
    const generation = ++this.generation;
    for (const s of slots) {
      Atomics.store(this.flags, s * SLOT_INTS + FLAG.go, generation);
      Atomics.notify(this.flags, s * SLOT_INTS + FLAG.go);
    }
    if (this.view.byteLength !== this.options.memory.buffer.byteLength) this.view = new Float32Array(this.options.memory.buffer);
    let ranHere: number;
    try {
      ranHere = this.local(this.options.job, this.localExports, this.view);
    } finally {
      // joined even when the calling thread's part threw, so no worker still reads this job when the next is written
      this.join(slots, generation);
    }
    const ranByThread = [ranHere];
    let failed = false;
    for (const s of slots) {
      ranByThread.push(this.flags[s * SLOT_INTS + FLAG.ran]!);
      if (Atomics.load(this.flags, s * SLOT_INTS + FLAG.failed) !== 0) failed = true;
    }
    return failed ? undefined : { ranByThread };
  }

  private join(slots: readonly number[], generation: number): void {
    for (const s of slots) {
      const at = s * SLOT_INTS + FLAG.done;
      for (let done = Atomics.load(this.flags, at); done !== generation; done = Atomics.load(this.flags, at)) {
        Atomics.wait(this.flags, at, done);
      }
    }
  }
}
