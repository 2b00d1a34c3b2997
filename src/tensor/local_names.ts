/**
 * Which local variable holds a tensor, for naming traced values as PyTorch does.
 *
 * Note [local names]: PyTorch's tracer names a Value that has no debug name yet at the moment
 * an op takes it as an input (TracingState::getValue): it asks the Python frame that called the
 * op for a local variable holding that very tensor (torch.jit._trace's
 * `_create_interpreter_name_lookup_fn(0)`: `frame.f_back.f_locals`, the first key in local
 * order whose value `is` the tensor, `self` excepted). So the name comes from the *consuming*
 * frame, not from where the tensor was made: `F.relu(input)` names its argument `input` whatever
 * the caller called it; a value never passed to an op (a returned one) never gets a name; a
 * local that has been reassigned no longer names the old tensor; with two locals holding it,
 * the first declared wins; a temporary (`f(g(x))`) has no name, and neither has an operand of a
 * Python-level operator wrapper (`x ** 2`, `1 - x`, whose frame holds only `args`).
 *
 * JS cannot look into a caller's variables, so the locals are recorded as they are assigned:
 * `nameLocal(value, "name")` (the kernel's cell compiler wraps every variable initializer and
 * identifier assignment in it, as the global `__tsjit_name`; tsjit's own nn code calls it where
 * PyTorch's Python source has a local) stores the binding in the innermost *name frame*. A
 * name frame stands for one Python function frame: module calls (the tracer) and
 * torch.nn.functional wrappers open one, binding their parameters by name, and close it when
 * they return, so a name bound in a frame that has returned never leaks into its caller. The
 * tracer asks `localNameOf(tensor)` in the frame current when the op is recorded.
 *
 * Limits: a plain JS helper function called inside forward does not open a frame unless its
 * body is wrapped in `withNameFrame` (the cell compiler may do so), so its parameters are not
 * bound and its locals land in its caller's frame; a destructuring assignment binds only what
 * the compiler wraps; the order of locals is the order of first assignment at run time, where
 * Python's is the order of first appearance in the function's code.
 *
 * Outside a trace nothing is recorded: `nameLocal` is a load and a compare, and opening a
 * frame returns null. This file imports nothing, so nn code below the JIT can call it.
 */

/** One function's locals while tracing: name -> the value the variable holds now. */
export interface NameFrame {
  readonly parent: NameFrame | null;
  readonly locals: Map<string, unknown>;
}

/** The innermost frame while a trace is running; null when none is. */
let current: NameFrame | null = null;

/**
 * Records that the local variable `name` of the running function now holds `value`, and returns
 * `value` (so it can wrap an initializer: `const h = nameLocal(torch.tanh(x), "h")`).
 */
export function nameLocal<T>(value: T, name: string): T {
  const frame = current;
  // a non-object can never be the tensor looked up: store it only to drop an older binding
  if (frame !== null && (typeof value === "object" || frame.locals.has(name))) frame.locals.set(name, value);
  return value;
}

/**
 * Opens the frame of a function called with `args`, whose parameters are `names` (a null name,
 * e.g. a destructured parameter, binds nothing). Returns null when no trace is running; pass
 * the result to `leaveNameFrame` when the function returns or throws.
 */
export function enterNameFrame(names: readonly (string | null)[], args: ArrayLike<unknown>): NameFrame | null {
  if (current === null) return null;
  const frame: NameFrame = { parent: current, locals: new Map() };
  const n = Math.min(names.length, args.length);
  for (let i = 0; i < n; i++) {
    const name = names[i];
    if (name) frame.locals.set(name, args[i]);
  }
  current = frame;
  return frame;
}

/** Closes a frame opened by enterNameFrame (null: nothing was opened). */
export function leaveNameFrame(frame: NameFrame | null): void {
  if (frame !== null && current === frame) current = frame.parent;
}

/** Runs `body` as a function whose parameters `names` hold `args`. */
export function withNameFrame<T>(names: readonly (string | null)[], args: ArrayLike<unknown>, body: () => T): T {
  const frame = enterNameFrame(names, args);
  try {
    return body();
  } finally {
    leaveNameFrame(frame);
  }
}

/** The first local of the current frame holding `value` (never `self`), or null. */
export function localNameOf(value: unknown): string | null {
  const frame = current;
  if (frame === null) return null;
  for (const [name, held] of frame.locals) {
    if (held === value && name !== "self") return name;
  }
  return null;
}

/**
 * Starts recording names (a trace begins): opens the frame of the code that called the trace.
 * Returns what `stopLocalNames` restores.
 */
export function startLocalNames(): NameFrame | null {
  const saved = current;
  current = { parent: null, locals: new Map() };
  return saved;
}

/** Stops recording names (the trace ended), restoring what startLocalNames saved. */
export function stopLocalNames(saved: NameFrame | null): void {
  current = saved;
}

/** Whether a trace is recording names now. */
export function recordingLocalNames(): boolean {
  return current !== null;
}
