/**
 * torch.jit.script_if_tracing: a function that runs eagerly as it is, but is scripted the
 * first time it is called while torch.jit.trace records, so its loops and branches survive in
 * the trace as a call (`__torch__.dyn_repeat(x, 2, )`) instead of being unrolled.
 *
 * @example
 * const dyn_repeat = torch.jit.script_if_tracing(function dyn_repeat(x: Tensor, n: int): Tensor {
 *   for (let i = 0; i < n; i++) x = x.mul(2);
 *   return x;
 * });
 * torch.jit.trace(new Uses(), [x]).code // ... __torch__.dyn_repeat(x, 2, ) ...
 */
import { activeSession } from "./tracer/session.js";
import type { ScriptFunction } from "./script_module.js";
import { script } from "./script.js";
import { callWhileTracing } from "./traced_calls.js";

type AnyFunction = (...args: any[]) => unknown;

/** Wrapper → the function it wraps, so the script compiler can compile the original. */
const originals = new WeakMap<Function, AnyFunction>();
/** Original → its ScriptFunction, compiled on the first traced call. */
const scripted = new WeakMap<AnyFunction, ScriptFunction>();

/** The function a script_if_tracing wrapper wraps, or undefined for any other function. */
export function scriptIfTracingOriginal(fn: Function): AnyFunction | undefined {
  return originals.get(fn);
}

/** torch.jit.script_if_tracing(fn): fn itself eagerly; a call to fn's scripted form while tracing. */
export function script_if_tracing<F extends AnyFunction>(fn: F): F {
  if (typeof fn !== "function") throw new TypeError(`torch.jit.script_if_tracing: expected a function, got ${typeof fn}`);
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    if (activeSession === null) return fn.apply(this, args);
    let compiled = scripted.get(fn);
    if (compiled === undefined) {
      compiled = script(fn);
      scripted.set(fn, compiled);
    }
    return callWhileTracing(compiled, args, () => compiled!(...args));
  };
  Object.defineProperty(wrapper, "name", { value: fn.name });
  originals.set(wrapper, fn);
  return wrapper as unknown as F;
}
