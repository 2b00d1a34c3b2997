// The globals a cell sees without importing anything: tsjit's API (`torch`, `nn`, `F`,
// `Tensor`), the notebook helpers (`display`, `tslab`, `prompt`), and the runtime functions
// compiled cells call (runtime_names.ts). They are writable and configurable, so a cell may
// shadow `F` or `display` with its own, and non-enumerable, so they stay out of the way of
// code that lists globalThis.

import * as tsjit from "../../index.js";
import { nameLocal } from "../../tensor/local_names.js";

const torch = tsjit.torch;

/** The library's globals: the same objects `import { torch } from "tsjit"` gives. */
export function libraryGlobals(): Record<string, unknown> {
  return { torch, nn: torch.nn, F: torch.nn.functional, Tensor: torch.Tensor, range: tsjit.range };
}

/**
 * `__tsjit_name`: the tracer's hook (`nameLocal`, Note [local names]), which records which
 * variable holds a value while a trace runs and is one null check otherwise.
 */
export const traceName: <T>(value: T, name: string) => T = nameLocal;

/** What `import ... from "tsjit"` gives a cell: the kernel's own module, so one torch. */
export const tsjitModule: unknown = tsjit;

export function defineGlobals(values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  }
}

export function defineGlobalGetter(name: string, get: () => unknown): void {
  Object.defineProperty(globalThis, name, { get, configurable: true, enumerable: false });
}
