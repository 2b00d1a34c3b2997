/**
 * The kernel's TypeScript language side: type checking of cells against earlier cells and
 * tsjit's typings, completion, inspection, is_complete (design: README.md).
 */
export { CellLanguageService, type CellLanguageServiceOptions } from "./service.js";
export type { CellDiagnostic } from "./cell_diagnostics.js";
export { readNotebookTsconfig, cellCompilerOptions, defaultCellCompilerOptions, type NotebookTsconfig } from "./compiler_options.js";
export { TENSOR_TRUTHINESS_CODE, TENSOR_TRUTHINESS_MESSAGE } from "./tensor_truthiness.js";
