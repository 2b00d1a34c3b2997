// The kernel answers kernel_info before the evaluator has loaded (src/kernel/main.ts); an
// interrupt that arrives while a cell waits for it must stop that cell, not vanish, and an
// interrupt while nothing waits must not touch the next cell.

import { describe, expect, it } from "vitest";
import { LazyEvaluator } from "../../src/kernel/main.js";
import type { ExecuteOptions, MainThreadEvaluator, MainThreadSink } from "../../src/kernel/protocol/evaluator.js";

const OPTIONS: ExecuteOptions = { executionCount: 1, silent: false, storeHistory: true, userExpressions: {}, allowStdin: false, stopOnError: true };
const SINK = {} as MainThreadSink;

/** An evaluator that records what it runs and how often it was interrupted. */
function recorder(): MainThreadEvaluator & { ran: string[]; interrupts: number } {
  const r = {
    ran: [] as string[],
    interrupts: 0,
    execute: async (code: string) => (r.ran.push(code), { status: "ok" as const }),
    interrupt: () => void r.interrupts++,
  };
  return r as unknown as MainThreadEvaluator & { ran: string[]; interrupts: number };
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("LazyEvaluator", () => {
  it("stops a cell that was waiting for the evaluator when interrupted", async () => {
    const inner = recorder();
    const ready = deferred<MainThreadEvaluator>();
    const lazy = new LazyEvaluator(ready.promise);
    const waiting = lazy.execute("while (true) {}", OPTIONS, SINK);
    lazy.interrupt();
    ready.resolve(inner);
    expect(await waiting).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(inner.ran).toEqual([]);
    // the next cell runs normally
    expect(await lazy.execute("1 + 1", OPTIONS, SINK)).toEqual({ status: "ok" });
    expect(inner.ran).toEqual(["1 + 1"]);
  });

  it("ignores an interrupt while nothing waits, and forwards interrupts once loaded", async () => {
    const inner = recorder();
    const ready = deferred<MainThreadEvaluator>();
    const lazy = new LazyEvaluator(ready.promise);
    lazy.interrupt(); // idle: a no-op, as the Evaluator contract says
    ready.resolve(inner);
    expect(await lazy.execute("1 + 1", OPTIONS, SINK)).toEqual({ status: "ok" });
    lazy.interrupt();
    expect(inner.interrupts).toBe(1);
  });

  it("starts the load when a request needs the evaluator, or when told to, once", async () => {
    const inner = recorder();
    let demanded = 0;
    const ready = deferred<MainThreadEvaluator>();
    const lazy = new LazyEvaluator(ready.promise, () => demanded++);
    expect(demanded).toBe(0); // constructing it loads nothing
    const waiting = lazy.execute("1 + 1", OPTIONS, SINK);
    expect(demanded).toBe(1);
    ready.resolve(inner);
    await waiting;
    lazy.load();
    expect(demanded).toBe(2); // the caller's start function is idempotent (a promise resolved once)
    expect(inner.ran).toEqual(["1 + 1"]);
  });

  it("shuts down at once when the load never started", async () => {
    const never = new Promise<MainThreadEvaluator>(() => undefined);
    const lazy = new LazyEvaluator(never, () => undefined);
    await expect(lazy.shutdown(false)).resolves.toBeUndefined();
  });
});
