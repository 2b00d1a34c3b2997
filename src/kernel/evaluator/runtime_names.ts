// The globals compiled cells call. One table, so the transform that emits the calls and the
// runtime that installs the functions cannot disagree on a name.

export const RUNTIME = {
  /** `__tsjit_name(value, "x")`: tell the tracer which variable holds a value (trace names). */
  name: "__tsjit_name",
  /** `__tsjit_import(specifier, options?)`: import() resolved from the notebook's directory. */
  import: "__tsjit_import",
  /** `__tsjit_require(specifier)`: `import x = require("m")`, from the notebook's directory. */
  require: "__tsjit_require",
  /** `__tsjit_await(promise)`: a top-level await that an interrupt cancels. */
  await: "__tsjit_await",
  /** `__tsjit_source(target, cellId, index)`: register a declaration's TypeScript source. */
  source: "__tsjit_source",
  /** `import.meta` in a cell: url/dirname/filename of a file in the notebook's directory. */
  importMeta: "__tsjit_import_meta",
} as const;
