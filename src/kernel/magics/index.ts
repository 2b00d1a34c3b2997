/**
 * IPython-style magics for TypeScript cells: `rewriteMagics` lowers them to calls on the global
 * `__tsjit_magics`, which `createMagicsRuntime(host)` makes. See README.md.
 *
 * @example
 * globalThis.__tsjit_magics = createMagicsRuntime(host);
 * const { code } = rewriteMagics("const t = %trace cell(x, h)");
 * // code: 'const t = __tsjit_magics.trace("cell(x, h)", () => [cell, [x, h]], true);'
 */
export { rewriteMagics } from "./rewrite.js";
export { createMagicsRuntime, MagicListing, type MagicsRuntime } from "./runtime.js";
export type { MagicsHost, TypeCheckMode } from "./host.js";
export { RUNTIME as MAGICS_GLOBAL } from "./lowering.js";
export { LINE_MAGICS, CELL_MAGICS, type LineMagic, type CellMagic } from "./table.js";
export { TimeitResult, formatTime } from "./time_format.js";
export { UsageError } from "./options.js";
