// The TypeScript compiler, loaded on first use, by require.
//
// `typescript.js` is ~9 MB of CommonJS. Loading it by `require` costs 0.5–0.6 s of CPU; an ESM
// `import ts from "typescript"` costs more than twice that, because Node also detects its module
// format and runs cjs-module-lexer over all of it to find named exports (measured by the kernel
// profiles, Note [typescript through require] in kernel/evaluator/cell_transform.ts). So modules
// import its *types* only (`import type TS from "typescript"`) and get the value from here:
// `typescript()` when they need it, or `lazyTypescript` where `ts.x` is read throughout a file.
import { createRequire } from "node:module";
import type TS from "typescript";

let loaded: typeof TS | undefined;

/** The `typescript` module (CommonJS, so it loads synchronously, shared with any other import). */
export function typescript(): typeof TS {
  loaded ??= createRequire(import.meta.url)("typescript") as typeof TS;
  return loaded;
}

/**
 * The module as an object that loads it on first property read, so importing a file that uses
 * the compiler (the script frontend) costs nothing until something is compiled: `import
 * { tsjit }` in a Node program does not pay for TypeScript unless it calls torch.jit.script.
 */
export const lazyTypescript: typeof TS = new Proxy({} as typeof TS, {
  get: (_target, key) => (typescript() as unknown as Record<PropertyKey, unknown>)[key],
  has: (_target, key) => key in typescript(),
});
