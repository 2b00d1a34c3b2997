/**
 * torch.jit.script: compiles a module (and, recursively, its submodules and the methods and
 * functions its forward calls) or a function from its TypeScript source into the IR, and
 * hands back a ScriptModule or ScriptFunction that prints PyTorch's `.code` and runs on the
 * interpreter. See src/jit/frontend/README.md and docs/script-language.md.
 *
 * @example
 * class Gate extends nn.Module {
 *   forward(x: Tensor): Tensor {
 *     if (x.sum().gt(0).item()) { return x; } else { return x.neg(); }
 *   }
 * }
 * torch.jit.script(new Gate()).code // def forward(self, x: Tensor) -> Tensor: if bool(torch.gt(torch.sum(x), 0)): ...
 */
import { Module } from "../nn/module.js";
import { ScriptModule, type ScriptFunction } from "./script_module.js";
import { Compiler } from "./frontend/compile.js";
import type { ScriptOptions } from "./frontend/script_options.js";

export type { ScriptOptions } from "./frontend/script_options.js";
export { ScriptError } from "./frontend/script_error.js";

export function script(obj: Module, opts?: ScriptOptions): ScriptModule;
export function script(obj: (...args: any[]) => unknown, opts?: ScriptOptions): ScriptFunction;
export function script(obj: Module | ((...args: any[]) => unknown), opts: ScriptOptions = {}): ScriptModule | ScriptFunction {
  if (obj instanceof ScriptModule) return obj;
  const compiler = new Compiler(opts);
  if (obj instanceof Module) return compiler.scriptModule(obj);
  if (typeof obj === "function") {
    const { script: fn } = compiler.compileFunction(obj, null);
    return fn!;
  }
  throw new TypeError("torch.jit.script expects an nn.Module or a function");
}
