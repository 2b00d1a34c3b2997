/**
 * torch.jit.fork / torch.jit.wait and the Future they pass around.
 *
 * @example
 * const fut = torch.jit.fork((a: Tensor) => a.add(1), x);
 * const y = torch.jit.wait(fut); // x + 1
 */
import { RuntimeError } from "../util/errors.js";
import { activeSession } from "./tracer/session.js";
import { traceFork, traceWait } from "./fork_tracing.js";
import { isFuture } from "./runtime/values.js";
import type { ScriptFuture } from "./runtime/objects.js";

type FutureState<T> =
  | { readonly kind: "pending" }
  | { readonly kind: "done"; readonly value: T }
  | { readonly kind: "failed"; readonly error: unknown };

/** torch.Future[T]: the result of a forked call, or the error it raised. */
export class Future<T> {
  private state: FutureState<T> = { kind: "pending" };
  private readonly callbacks: ((fut: Future<T>) => void)[] = [];

  /** True once a result or an error is set. */
  done(): boolean {
    return this.state.kind !== "pending";
  }

  /** The result; rethrows the forked call's error; a RuntimeError while still pending. */
  wait(): T {
    const s = this.state;
    if (s.kind === "done") return s.value;
    if (s.kind === "failed") throw s.error;
    throw new RuntimeError(
      "torch.jit.wait: the Future is not complete yet (the forked function returned a Promise, which cannot be waited for synchronously); use `await fut.promise()`",
    );
  }

  /** Same as wait(), as torch.Future.value(). */
  value(): T {
    return this.wait();
  }

  set_result(value: T): void {
    this.settle({ kind: "done", value });
  }

  set_exception(error: unknown): void {
    this.settle({ kind: "failed", error });
  }

  /** Runs `callback(this)` when the Future completes (at once if it has). */
  add_done_callback(callback: (fut: Future<T>) => void): void {
    if (this.done()) callback(this);
    else this.callbacks.push(callback);
  }

  /** A Future of `callback(this)`, as torch.Future.then. */
  then<U>(callback: (fut: Future<T>) => U): Future<U> {
    const next = new Future<U>();
    this.add_done_callback((fut) => {
      try {
        next.set_result(callback(fut));
      } catch (e) {
        next.set_exception(e);
      }
    });
    return next;
  }

  /** A Promise settled with this Future (for forked async functions). */
  promise(): Promise<T> {
    return new Promise<T>((resolve, reject) => this.add_done_callback((f) => (f.state.kind === "done" ? resolve(f.state.value) : reject((f.state as { error: unknown }).error))));
  }

  private settle(state: FutureState<T>): void {
    if (this.done()) throw new RuntimeError("torch.Future: the result of a Future can only be set once");
    this.state = state;
    for (const cb of this.callbacks.splice(0)) cb(this);
  }

  get [Symbol.toStringTag](): string {
    return "torch.Future";
  }
}

// Note [eager fork]
// PyTorch's eager torch.jit.fork runs the function at once, on the calling thread, and hands
// back a completed Future; an exception escapes from fork itself. We do the same, so eager
// code behaves identically. A function returning a Promise (an async function) gives a
// pending Future that completes when the Promise settles; its rejection is kept for wait().
// While tracing, the call is recorded as PyTorch's tracer records it: a prim::fork with the
// call's trace as its subgraph, and aten::wait (src/jit/fork_tracing.ts).

type Awaited_<R> = R extends PromiseLike<infer U> ? U : R;

/** torch.jit.fork(fn, ...args): calls fn(...args) and returns a Future of its result. */
export function fork<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Future<Awaited_<R>> {
  if (typeof fn !== "function") throw new TypeError(`torch.jit.fork: expected a function to call, got ${typeof fn}`);
  const fut = new Future<Awaited_<R>>();
  const result = activeSession === null ? fn(...args) : (traceFork(fn, args, fut, () => fn(...args)) as R);
  if (isThenable(result)) {
    result.then((v) => fut.set_result(v as Awaited_<R>), (e: unknown) => fut.set_exception(e));
  } else {
    fut.set_result(result as Awaited_<R>);
  }
  return fut;
}

/** torch.jit.wait(fut): the Future's result; rethrows the forked call's error. */
export function wait<T>(fut: Future<T>): T {
  // a Future[T] returned by compiled code is the interpreter's future value
  if (isFuture(fut)) return waitScriptFuture(fut) as T;
  if (!(fut instanceof Future)) throw new TypeError("torch.jit.wait: expected a Future returned by torch.jit.fork");
  const value = fut.wait();
  if (activeSession !== null) traceWait(fut, value);
  return value;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/** The interpreter's futures keep a forked call's error beside the value (Note [eager fork] in runtime/calls.ts). */
function waitScriptFuture(fut: ScriptFuture & { error?: unknown }): unknown {
  if (fut.error !== undefined) throw fut.error;
  return fut.value;
}
