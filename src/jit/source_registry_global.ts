// How code that `tsjit/register` transpiled reaches the source registry (source_registry.ts).
//
// Note [registry through a global]: the registration calls that node_transpile.ts appends go
// through `globalThis[Symbol.for(REGISTER_SOURCE_KEY)]` instead of importing
// source_registry.js, because (1) a CommonJS file (.cts, or .ts in a package without
// `"type": "module"`) cannot import an ES module on Node 20, and (2) the call must reach the very
// registry torch.jit.script reads: src/register.ts installs the function from the same dist/
// that `import "tsjit"` loads, before the program's first module runs.
import { registerSource } from "./source_registry.js";

export const REGISTER_SOURCE_KEY = "tsjit.registerSource";

/** Makes the registry callable from transpiled files, whatever their module format. */
export function installSourceRegistryGlobal(): void {
  Object.defineProperty(globalThis, Symbol.for(REGISTER_SOURCE_KEY), { value: registerSource, configurable: true, writable: true });
}
