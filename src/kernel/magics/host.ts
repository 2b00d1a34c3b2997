/** What the magics need from the kernel, and small shared helpers. */
import type { MimeBundle } from "../display/index.js";

export type TypeCheckMode = "error" | "warn" | "off";

export interface MagicsHost {
  /** Shows a bundle (display_data). */
  display(bundle: MimeBundle): void;
  stdout(text: string): void;
  stderr(text: string): void;
  /** The notebook's working directory (where relative paths and shell commands start). */
  cwd(): string;
  chdir(dir: string): void;
  /** Sets how type errors of later cells are reported (%typecheck). */
  setTypeCheck?(mode: TypeCheckMode): void;
  /** The current type-check mode, for `%typecheck` without an argument. */
  typeCheck?(): TypeCheckMode;
}

/** Seconds on a monotonic clock (Python's perf_counter). */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/** A value now or later: magics stay synchronous (and so interruptible by SIGINT) for sync bodies. */
export type Maybe<T> = T | Promise<T>;

export function andThen<T, U>(v: Maybe<T>, f: (value: T) => Maybe<U>): Maybe<U> {
  return isThenable(v) ? (v as Promise<T>).then(f) : f(v as T);
}

/** An error with a Python exception name (UsageError, NotImplementedError, KeyboardInterrupt). */
export function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}
