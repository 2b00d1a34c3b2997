// When the kernel is busy with requests, and when it has been quiet for a while.
//
// Note [warming up when quiet]
// The warm-up (TsEvaluator.warmUp) is a few synchronous steps of 10-150 ms of CPU each: a
// check and a completion of a typical cell (V8 compiles the checker's hot paths), and an emit.
// Run between cells, each step lands in the reply time of the cell after it; with "Run All" right
// after the kernel starts, every early cell paid for one (measured with `npm run bench:kernel`:
// the class cells after 10 cells took twice the CPU of those after 400). Cells that arrive back to
// back warm the checker themselves, so a warm-up step waits until no request is in progress and
// none has ended for QUIET_MS: while the user reads or types, never in the middle of a run.

/** How long after the last request a warm-up step may start: longer than the gap between the cells of "Run All". */
export const QUIET_MS = 250;

export class Activity {
  private inProgress = 0;
  private lastEnded = Number.NEGATIVE_INFINITY;

  constructor(private readonly quietMs: number = QUIET_MS) {}

  /** Runs a request, counting it as activity from its start to its end. */
  async during<T>(request: () => Promise<T>): Promise<T> {
    this.inProgress++;
    try {
      return await request();
    } finally {
      this.inProgress--;
      this.lastEnded = performance.now();
    }
  }

  /**
   * Resolves once no request is in progress and none has ended for the quiet time. It lets the
   * event loop run first, so that a request already waiting (or made by the caller's caller
   * right after this call) counts.
   */
  async quiet(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const left = this.lastEnded + this.quietMs - performance.now();
      if (this.inProgress === 0 && left <= 0) return;
      await new Promise<void>((resolve) => setTimeout(resolve, Math.max(left, this.quietMs / 4)));
    }
  }
}
