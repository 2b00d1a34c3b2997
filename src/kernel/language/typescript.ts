// The TypeScript compiler, loaded on first use (src/util/typescript.ts).
//
// Requiring `typescript.js` costs more than the kernel's whole start budget. Modules here
// import its *types* only (`import type`), and call `typescript()` when they first need the
// compiler, so importing this folder is free and the kernel can answer kernel_info before the
// compiler is loaded (CellLanguageService.warmUp).
export { typescript } from "../../util/typescript.js";
