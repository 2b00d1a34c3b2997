// The TypeScript compiler, loaded on first use.
//
// `typescript.js` is ~9 MB of JavaScript: requiring it costs 150–300 ms, more than the kernel's
// whole start budget. Modules here import its *types* only (`import type`), and call
// `typescript()` when they first need the compiler, so importing this folder is free and the
// kernel can answer kernel_info before the compiler is loaded (CellLanguageService.warmUp).

import { createRequire } from "node:module";
import type ts from "typescript";

let loaded: typeof ts | undefined;

/** The `typescript` module (CommonJS, so it loads synchronously, shared with any ESM import). */
export function typescript(): typeof ts {
  loaded ??= createRequire(import.meta.url)("typescript") as typeof ts;
  return loaded;
}
