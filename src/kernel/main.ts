// The kernel process: `tsjit kernel <connection-file>`, as a Jupyter kernelspec launches it.
//
// Note [answer before the evaluator loads]: the protocol thread answers kernel_info and the
// heartbeat by itself, so the kernel is "up" as soon as its sockets are bound. The evaluator
// (the TypeScript compiler, the torch library, tsjit's typings for the checker) takes seconds to
// import and warm up; it loads on the main thread behind `LazyEvaluator`, and a request that
// needs it waits for it. The load starts after the first kernel_info_reply has gone out (a
// frontend's first request), so that the reply does not share the machine's cores with it; or
// at the first request that needs the evaluator; or LOAD_UNASKED_MS after the sockets are bound
// when no frontend has asked for anything.
//
// Restart is the launcher's job (jupyter_client's KernelManager, the notebook server): it sends
// shutdown_request with `restart: true`, waits for this process to exit and starts a new one on
// the same connection file. So both kinds of shutdown end the same way here: the evaluator is
// told which it is (to keep its history), the sockets close, the process exits 0.

import { writeSync } from "node:fs";
import { readConnectionFile } from "./protocol/connection.js";
import type {
  CommInbound,
  CompleteResult,
  ExecuteOptions,
  ExecuteOutcome,
  HistoryQuery,
  InspectResult,
  IsCompleteResult,
  MainThreadEvaluator,
  MainThreadSink,
} from "./protocol/evaluator.js";
import { describeError } from "./protocol/evaluator.js";
import { startProtocolThread, type ProtocolHost } from "./protocol/host.js";
import type { HistoryTuple } from "./protocol/messages.js";
import { tsjitKernelInfo } from "./kernel_info.js";

/** When to load the evaluator if no frontend asks for kernel_info (Note [answer before the evaluator loads]). */
const LOAD_UNASKED_MS = 250;

export interface RunKernelOptions {
  /** Builds the evaluator (default: TsEvaluator in the current directory). */
  createEvaluator?: () => Promise<MainThreadEvaluator>;
  /** Where the kernel's own diagnostics go (default: file descriptor 2, the launcher's log). */
  log?: (line: string) => void;
  /** Load the evaluator this long after binding if no frontend asked for anything (default LOAD_UNASKED_MS). */
  loadUnaskedMs?: number;
}

/** The real evaluator, imported lazily: Note [answer before the evaluator loads]. */
async function createTsEvaluator(): Promise<MainThreadEvaluator> {
  const { TsEvaluator } = await import("./evaluator/index.js");
  const evaluator = new TsEvaluator({ cwd: process.cwd() });
  // Load the type checker while the user reads the empty notebook, not in the first cell.
  // setImmediate: a cell already waiting for the evaluator goes first (it loads what it needs);
  // one that comes during the warm-up waits for one step of it at most.
  setImmediate(() => {
    evaluator.warmUp().catch((e: unknown) => writeSync(2, `tsjit kernel: the warm-up failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
  });
  return evaluator;
}

/** Forwards every call to an evaluator that is still loading; a failed load becomes each cell's error. */
export class LazyEvaluator implements MainThreadEvaluator {
  private loaded: MainThreadEvaluator | null = null;
  /** An interrupt that came while the evaluator was loading stops the cell waiting for it. */
  private interruptedWhileLoading = false;
  private waiting = 0;

  /**
   * @param ready the evaluator, once loaded
   * @param demand starts the load if it has not started (called by every request that needs it)
   */
  constructor(
    private readonly ready: Promise<MainThreadEvaluator>,
    private readonly demand: () => void = () => undefined,
  ) {
    ready.then((e) => (this.loaded = e)).catch(() => undefined); // a failure is reported per request
  }

  private loadStarted = false;

  /** Starts loading the evaluator, if it has not started (Note [answer before the evaluator loads]). */
  load(): void {
    this.loadStarted = true;
    this.demand();
  }

  /** The evaluator, starting its load if need be. */
  private get evaluator(): Promise<MainThreadEvaluator> {
    this.load();
    return this.ready;
  }

  async execute(code: string, options: ExecuteOptions, sink: MainThreadSink): Promise<ExecuteOutcome> {
    let evaluator: MainThreadEvaluator;
    this.waiting++;
    try {
      evaluator = await this.evaluator;
    } catch (e) {
      const { ename, evalue } = describeError(e);
      return { status: "error", ename, evalue: `the tsjit evaluator failed to load: ${evalue}`, traceback: [`${ename}: the tsjit evaluator failed to load: ${evalue}`] };
    } finally {
      this.waiting--;
    }
    if (this.interruptedWhileLoading) {
      this.interruptedWhileLoading = false;
      return { status: "error", ename: "KeyboardInterrupt", evalue: "", traceback: ["KeyboardInterrupt: interrupted before the cell started"] };
    }
    return evaluator.execute(code, options, sink);
  }
  async complete(code: string, cursorPos: number): Promise<CompleteResult> {
    return (await this.evaluator).complete(code, cursorPos);
  }
  async inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectResult> {
    return (await this.evaluator).inspect(code, cursorPos, detailLevel);
  }
  async isComplete(code: string): Promise<IsCompleteResult> {
    return (await this.evaluator).isComplete(code);
  }
  async history(query: HistoryQuery): Promise<HistoryTuple[]> {
    return (await this.evaluator).history(query);
  }
  async commInfo(targetName?: string): Promise<{ [commId: string]: { target_name: string } }> {
    return (await this.evaluator).commInfo(targetName);
  }
  async comm(message: CommInbound, sink: MainThreadSink): Promise<void> {
    return (await this.evaluator).comm(message, sink);
  }
  interrupt(): void {
    if (this.loaded !== null) this.loaded.interrupt();
    else if (this.waiting > 0) this.interruptedWhileLoading = true; // the waiting cell must not start
  }
  async shutdown(restart: boolean): Promise<void> {
    if (!this.loadStarted) return; // nothing loaded, nothing to keep
    const evaluator = await this.ready.catch(() => null);
    await evaluator?.shutdown(restart);
  }
}

/**
 * Errors nobody awaited (a timer callback that throws, a promise a cell rejected and dropped)
 * would end a Node process. A kernel reports them on stderr and keeps the session, unless the
 * evaluator takes them itself (it can tie them to the cell that made them).
 */
function reportStrayErrors(host: ProtocolHost): void {
  const report = (kind: string) => (e: unknown) => {
    const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : describeError(e).evalue;
    host.emit({ type: "stream", name: "stderr", text: `${kind}: ${text}\n` });
  };
  if (process.listenerCount("unhandledRejection") === 0) process.on("unhandledRejection", report("Unhandled promise rejection"));
  if (process.listenerCount("uncaughtException") === 0) process.on("uncaughtException", report("Uncaught exception"));
}

/**
 * An orphaned kernel (its launcher was killed) would hold its ports and memory forever. When
 * the parent goes away the process is re-parented, so `process.ppid` changes: then exit, as
 * ipykernel's parent poller does.
 */
function exitWithParent(log: (line: string) => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      log(`tsjit kernel: parent process ${parent} is gone; exiting`);
      process.exit(1);
    }
  }, 1000);
  timer.unref();
}

/**
 * Runs a kernel on `connectionFile` until the frontend shuts it down; resolves to the exit code
 * (0 after a shutdown_request, 1 if the protocol thread died).
 *
 * ```ts
 * process.exit(await runKernel("/run/user/1000/jupyter/kernel-1234.json"));
 * ```
 */
export async function runKernel(connectionFile: string, options: RunKernelOptions = {}): Promise<number> {
  // fd 2 directly: once loaded, the evaluator captures process.stderr into the running cell's output.
  const log = options.log ?? ((line: string) => writeSync(2, `${line}\n`));
  const connection = await readConnectionFile(connectionFile);
  // Note [answer before the evaluator loads]: the load starts after the first kernel_info_reply
  // (or a request, or a while after binding), so it does not compete for the CPU with the
  // protocol thread's start and first reply. Starting it twice is a no-op.
  let startLoading!: () => void;
  const loading = new Promise<void>((resolve) => (startLoading = resolve)).then(options.createEvaluator ?? createTsEvaluator);
  loading.catch((e: unknown) => log(`tsjit kernel: the evaluator failed to load: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  const evaluator = new LazyEvaluator(loading, () => startLoading());
  const host = await startProtocolThread({ connection, evaluator, kernelInfo: tsjitKernelInfo(), onKernelInfoReplied: () => evaluator.load() });
  setTimeout(() => evaluator.load(), options.loadUnaskedMs ?? LOAD_UNASKED_MS).unref();
  exitWithParent(log);
  loading.then(() => reportStrayErrors(host)).catch(() => reportStrayErrors(host));
  try {
    await host.stopped;
    return 0;
  } catch (e) {
    log(`tsjit kernel: ${(e as Error).message}`);
    return 1;
  }
}
