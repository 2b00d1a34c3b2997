// Where the TypeScript source of a class or function came from, for torch.jit.script.
//
// A JS function's `toString()` is the *emitted* JavaScript: types are gone, and TorchScript
// needs them (`x: Tensor`, `n: int`). The kernel's cell compiler registers every top-level class
// and function a cell declares with the exact TypeScript text of its declaration and where it
// sits in the cell, so the script compiler can parse the typed source and point its errors at
// cell lines. A WeakMap: registering never keeps a class alive after the notebook drops it.

/** The typed source of one declaration. `line`/`column` are 1-based, where `text` starts in `file`. */
export interface SourceLocation {
  /** The cell's name as tracebacks show it (`<cell 3>`), or a file path. */
  file: string;
  /** The declaration's TypeScript text, types and all, exactly as written. */
  text: string;
  line: number;
  column: number;
}

const sources = new WeakMap<Function, SourceLocation>();

/** Records `target`'s source; a later registration (the cell ran again) replaces it. */
export function registerSource(target: Function, source: SourceLocation): void {
  sources.set(target, source);
}

/** The registered source of `target`, or undefined if it was not declared in a cell. */
export function sourceOf(target: Function): SourceLocation | undefined {
  return sources.get(target);
}

/**
 * torch.jit.register_source(target, text): gives torch.jit.script the typed TypeScript source of
 * a class or function whose own source has no types (plain JavaScript, or code loaded without
 * the tsjit/register hook), as a TorchScript user would write type comments. `text` is the
 * declaration as TypeScript (`function f(x: Tensor, n: int): Tensor { ... }`); script errors
 * point into it (`file`, 1-based `line`/`column`, default `<source of NAME>` at 1:1).
 *
 * @example
 * function repeat(x, n) { let y = x; for (let i = 0; i < n; i++) y = y.add(x); return y; }
 * torch.jit.register_source(repeat, `function repeat(x: Tensor, n: int): Tensor {
 *   let y = x; for (let i = 0; i < n; i++) y = y.add(x); return y; }`);
 * torch.jit.script(repeat).code; // def repeat(x: Tensor, n: int) -> Tensor: ...
 */
export function register_source(target: Function, text: string, where: { file?: string; line?: number; column?: number } = {}): void {
  if (typeof target !== "function") throw new TypeError(`torch.jit.register_source: expected a class or function, got ${typeof target}`);
  if (typeof text !== "string") throw new TypeError(`torch.jit.register_source: expected the TypeScript source as a string, got ${typeof text}`);
  registerSource(target, { file: where.file ?? `<source of ${target.name || "anonymous"}>`, text, line: where.line ?? 1, column: where.column ?? 1 });
}
