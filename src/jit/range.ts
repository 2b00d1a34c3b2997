/**
 * range(stop) / range(start, stop, step = 1): Python's range for TypeScript, so a loop can be
 * written `for (const i of range(n))` eagerly and compile to TorchScript's `for i in range(n)`
 * (the script frontend recognises the call, emit_function.ts's emitForOf). Integers only, as
 * Python's; a step of 0 is PyTorch's error.
 */
import { RuntimeError, TypeError_ } from "../util/errors.js";

export function* range(startOrStop: number, stop?: number, step = 1): Generator<number, void, undefined> {
  const [start, end] = stop === undefined ? [0, startOrStop] : [startOrStop, stop];
  for (const v of [start, end, step]) {
    if (!Number.isInteger(v)) throw new TypeError_(`'float' object cannot be interpreted as an integer (range got ${v})`);
  }
  if (step === 0) throw new RuntimeError("range() arg 3 must not be zero");
  for (let i = start; step > 0 ? i < end : i > end; i += step) yield i;
}
