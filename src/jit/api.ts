/**
 * torch.jit's eager-side API: method markers (ignore / unused / export) read by the
 * script frontend. Further eager/trace helpers (script_if_tracing, isinstance, annotate,
 * fork/wait) live in their own files and are re-exported from ./index.ts.
 */

/** What torch.jit.script should do with a marked method or function. */
export type JitMarker = "ignore" | "unused" | "export";

// Note [marker storage]
// Markers live in a WeakMap keyed by the function object instead of a property on it, so
// marking never changes a function's shape or enumerable keys and frozen functions can be
// marked too. A standard (TS 5) method decorator receives the original method as `value`
// and we return nothing, so the class keeps the very function we marked.
const markers = new WeakMap<Function, JitMarker>();

/** The marker set on `fn` by ignore/unused/export, or undefined when it has none. */
export function markerOf(fn: Function): JitMarker | undefined {
  return markers.get(fn);
}

function mark<F extends Function>(fn: F, marker: JitMarker, api: string): F {
  if (typeof fn !== "function") {
    throw new TypeError(`torch.jit.${api}: expected a function or method, got ${typeof fn}`);
  }
  markers.set(fn, marker);
  return fn;
}

function isDecoratorContext(value: unknown): value is DecoratorContext {
  return typeof value === "object" && value !== null && "kind" in value;
}

function checkMethodContext(context: DecoratorContext, api: string): void {
  if (context.kind !== "method") {
    throw new TypeError(`@torch.jit.${api} applies to methods; '${String(context.name)}' is ${/^[aeiou]/.test(context.kind) ? "an" : "a"} ${context.kind}`);
  }
}

/** Options of torch.jit.ignore, as PyTorch's `ignore(drop=False)`. */
export interface IgnoreOptions {
  /** true: the method is replaced by a raise, like torch.jit.unused. */
  drop?: boolean;
}

type MethodDecorator = <F extends Function>(fn: F, context?: ClassMethodDecoratorContext) => F;

/**
 * torch.jit.ignore: leave a method/function as a JavaScript call; script does not compile it.
 * Usable as `@torch.jit.ignore` on a method, `torch.jit.ignore(fn)`, or
 * `@torch.jit.ignore({ drop: true })` (= torch.jit.unused).
 */
export function ignore<F extends Function>(fn: F, context?: ClassMethodDecoratorContext): F;
export function ignore(options: IgnoreOptions): MethodDecorator;
export function ignore(target: Function | IgnoreOptions, context?: unknown): unknown {
  if (typeof target !== "function") {
    if (typeof target !== "object" || target === null) {
      throw new TypeError(`torch.jit.ignore: expected a function, a method or options like { drop: true }, got ${target === null ? "null" : typeof target}`);
    }
    const marker: JitMarker = target.drop === true ? "unused" : "ignore";
    return <F extends Function>(fn: F, ctx?: ClassMethodDecoratorContext): F => {
      if (isDecoratorContext(ctx)) checkMethodContext(ctx, "ignore");
      return mark(fn, marker, "ignore");
    };
  }
  if (isDecoratorContext(context)) checkMethodContext(context, "ignore");
  return mark(target, "ignore", "ignore");
}

/**
 * torch.jit.unused: script replaces the method's body with a raise, so it may use anything.
 * `@torch.jit.unused` on a method or `torch.jit.unused(fn)`.
 */
export function unused<F extends Function>(fn: F, context?: ClassMethodDecoratorContext): F {
  if (isDecoratorContext(context)) checkMethodContext(context, "unused");
  return mark(fn, "unused", "unused");
}

/**
 * torch.jit.export: compile this method too (and make it callable on the ScriptModule), even
 * when forward does not reach it. Exported as `export` (a reserved word, hence the local name).
 */
function exportMethod<F extends Function>(fn: F, context?: ClassMethodDecoratorContext): F {
  if (isDecoratorContext(context)) checkMethodContext(context, "export");
  return mark(fn, "export", "export");
}

export { exportMethod as export };
