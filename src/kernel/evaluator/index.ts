/**
 * The TypeScript cell evaluator: what the kernel's protocol thread calls to run cells.
 *
 * @example
 * const evaluator = new TsEvaluator({ cwd: process.cwd() });
 * const host = await startProtocolThread({ connection, evaluator, kernelInfo });
 */
export { TsEvaluator, type TsEvaluatorOptions, type CellLanguage } from "./ts_evaluator.js";
export { transformCell, type TransformedCell, type DeclaredSource, type CellSyntaxError } from "./cell_transform.js";
export { compileCell, type CompiledCell } from "./cell_compiler.js";
export { HistoryStore, defaultHistoryFile } from "./history.js";
export { KeyboardInterrupt } from "./cell_runner.js";
export { RUNTIME as EVALUATOR_GLOBALS } from "./runtime_names.js";
