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
