// Running a compiled cell on the main thread, and stopping it.
//
// Note [two kinds of interrupt]: a cell stuck in synchronous code (`while (true) {}`) can only
// be stopped by SIGINT: the script runs with vm's `breakOnSigint`, which turns the signal into
// an exception inside the cell (the protocol thread raises SIGINT for interrupt_request). A cell
// waiting on a promise is not running at all: `interrupt()` rejects the run's interrupt promise,
// which every top-level `await` of the cell is raced against (the transform writes
// `await __tsjit_await(p)`), and so is the cell as a whole. So the cell stops at the statement
// it was waiting in, with every binding made before it kept, and the next cell can run at once.
// Code after an `await` inside a function the cell called is out of reach (as in any JS
// runtime): it may still finish later, and its output goes to the latest execution.

import type vm from "node:vm";

/** IPython's name for an interrupted cell. */
export class KeyboardInterrupt extends Error {
  override name = "KeyboardInterrupt";
}

export function isInterrupt(e: unknown): boolean {
  if (e instanceof KeyboardInterrupt) return true;
  if (typeof e !== "object" || e === null) return false;
  return (e as { code?: unknown }).code === "ERR_SCRIPT_EXECUTION_INTERRUPTED" || (e as { name?: unknown }).name === "KeyboardInterrupt";
}

class CellRun {
  readonly interrupted: Promise<never>;
  private rejectInterrupted!: (e: Error) => void;

  constructor() {
    this.interrupted = new Promise<never>((_, reject) => (this.rejectInterrupted = reject));
    this.interrupted.catch(() => undefined); // only races observe it
  }

  interrupt(): void {
    this.rejectInterrupted(new KeyboardInterrupt("interrupted"));
  }

  race<T>(value: T): Promise<Awaited<T>> {
    return Promise.race([value, this.interrupted]);
  }
}

export type RunResult = { ok: true; value: unknown } | { ok: false; error: unknown; interrupted: boolean };

export class CellRunner {
  private current: CellRun | null = null;

  /** `__tsjit_await(p)`: `p`, or a rejection as soon as the running cell is interrupted. */
  readonly awaitValue = <T>(value: T): T | Promise<Awaited<T>> => (this.current === null ? value : this.current.race(value));

  get isRunning(): boolean {
    return this.current !== null;
  }

  /** Cancels the pending await of the running cell (no-op when idle). */
  interrupt(): void {
    this.current?.interrupt();
  }

  /** Runs `script` (a cell's wrapper call); awaits its promise when the cell is async. */
  async run(script: vm.Script, isAsync: boolean): Promise<RunResult> {
    const run = new CellRun();
    const previous = this.current;
    this.current = run;
    try {
      // displayErrors: false keeps V8 from prefixing the stack with a source excerpt.
      let value: unknown = script.runInThisContext({ breakOnSigint: true, displayErrors: false });
      if (isAsync) value = await run.race(value);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error, interrupted: isInterrupt(error) };
    } finally {
      this.current = previous;
    }
  }
}
