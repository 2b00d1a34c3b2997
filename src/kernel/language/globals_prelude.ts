// The ambient file every cell sees: the kernel's globals, typed.

/** Name of the prelude's export that names the Tensor type (tensor_truthiness.ts looks it up). */
export const TENSOR_TYPE_EXPORT = "__TsjitTensor";

/** Specifiers the prelude imports the display API's and comms' types from (cell_program.ts maps them). */
export const DISPLAY_SPECIFIER = "tsjit:kernel-display";
export const COMMS_SPECIFIER = "tsjit:kernel-comms";

/**
 * The names a cell may use without an import, as the evaluator installs them on globalThis
 * (src/kernel/evaluator/cell_globals.ts, ts_evaluator.ts's installGlobals). `torch`, `nn`, `F`
 * and `Tensor` are aliases of tsjit's own exports (so `nn.Linear` and `torch.Tensor` work as
 * types too, and `class M extends nn.Module` as a value). The display API's names get the
 * types of src/kernel/display when its typings are there (`withDisplayTypes`), `any` otherwise.
 */
export function globalsPrelude(withDisplayTypes: boolean): string {
  const display = withDisplayTypes
    ? {
        import: `import type * as __display from "${DISPLAY_SPECIFIER}";\nimport type * as __comms from "${COMMS_SPECIFIER}";\n`,
        display: "__display.DisplayFunction",
        tslab: "__display.TslabModule",
        comms: "__comms.CommManager",
      }
    : { import: "", display: "any", tslab: "any", comms: "any" };
  return `import * as __tsjit from "tsjit";
${display.import}declare global {
  export import torch = __tsjit.torch;
  export import nn = __tsjit.torch.nn;
  export import F = __tsjit.torch.nn.functional;
  export import Tensor = __tsjit.Tensor;
  /** Python's range: \`for (const i of range(n))\` (compiled by torch.jit.script to \`for i in range(n)\`). */
  const range: typeof __tsjit.range;
  /** A Python \`int\` in TorchScript signatures: a JavaScript number. */
  type int = number;
  /** A Python \`float\` in TorchScript signatures: a JavaScript number. */
  type float = number;
  /** Shows rich output: \`display(value)\`, \`display.html(text)\`, \`display.markdown(text)\`, ... */
  const display: ${display.display};
  /** Clears the cell's output (\`wait\`: when the next output arrives). */
  function clear_output(wait?: boolean): void;
  /** tslab's module, for notebooks written for tslab: \`tslab.display.html(text)\`, \`tslab.newDisplay()\`. */
  const tslab: ${display.tslab};
  /** Jupyter comms (widgets): open comms to the frontend and register targets for its comms. */
  const comms: ${display.comms};
  /** Asks the frontend for a line of input; null when the frontend cannot give one. */
  function prompt(message?: string, defaultValue?: string): string | null;
  const __tsjit_magics: any;
  function __tsjit_name<T>(value: T, name: string): T;
}
export type ${TENSOR_TYPE_EXPORT} = __tsjit.Tensor;
`;
}
