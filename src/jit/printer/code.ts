/**
 * `.code` of one method or function: what `module.code`, `module.forward.code` and a script
 * function's `.code` print in PyTorch 1.13.
 *
 * @example
 * printMethod(graph, { name: "forward" });
 * // def forward(self,
 * //     x: Tensor,
 * //     h: Tensor) -> Tuple[Tensor, Tensor]:
 * //   linear = self.linear
 * //   _0 = torch.tanh(torch.add((linear).forward(x, ), h))
 * //   return (_0, _0)
 */
import type { Graph } from "../ir/index.js";
import { PythonPrinter, type FunctionSignature, type PrinterOptions } from "./python_printer.js";

export type CodeOptions = PrinterOptions & FunctionSignature & {
  /** Print as a free function (ScriptFunction `.code`): the first argument is typed too. */
  readonly isFunction?: boolean;
};

/** A method's `.code`: `self` without a type, `def` at column 0, body indented by 2. */
export function printMethod(graph: Graph, options: CodeOptions): string {
  const p = new PythonPrinter(options);
  p.printFunction(graph, options, options.isFunction === true);
  return p.text();
}

/**
 * A free function's `.code` (ScriptFunction): every argument typed. The function is named by
 * the last part of its qualified name (`__torch__.helper` prints `def helper(`).
 */
export function printFunction(
  graph: Graph, qualifiedName: string, options: PrinterOptions & Omit<FunctionSignature, "name"> = {},
): string {
  const p = new PythonPrinter(options);
  p.printFunction(graph, { ...options, name: unqualifiedName(qualifiedName) });
  return p.text();
}

/** `__torch__.torch.nn.functional.relu` -> `relu`. */
export function unqualifiedName(qualifiedName: string): string {
  return qualifiedName.slice(qualifiedName.lastIndexOf(".") + 1);
}
