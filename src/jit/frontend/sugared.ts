/**
 * What a name or expression denotes while compiling, before it is a graph value (TorchScript's
 * SugaredValue): a plain value, a module (`this`, `this.linear`), a method of one, a namespace
 * (`torch`, `F`, `Math`), a builtin op, a free function to compile, or a tensor/list method
 * waiting for its call.
 */
import type { Module } from "../../nn/module.js";
import type { ConstantValue, JitType, Value } from "../ir/index.js";
import type { ScriptModule } from "../script_module.js";

/** A module being scripted (or already compiled) and how its attributes look to the compiler. */
export interface ModuleInfo {
  readonly module: Module;
  readonly script: ScriptModule;
  /** The type of attribute `name`, or null when the module has none. */
  attributeType(name: string): JitType | null;
  /** A `Final` / `__constants__` attribute: its value, inlined where read. */
  constant(name: string): ConstantValue | null;
  /** The submodule under `name`, if any. */
  submodule(name: string): ModuleInfo | null;
  /** The children in order when the module iterates over them (Sequential, ModuleList), else null. */
  iterationOrder(): readonly string[] | null;
  /** The torch.jit marker (ignore / unused / export) on method `name`, if any. */
  marker(name: string): "ignore" | "unused" | "export" | undefined;
  /** Whether `name` is a getter or setter on the module's class (not scriptable). */
  isAccessor(name: string): boolean;
  /** Whether `name` is a method the compiler can compile (user-defined or library source). */
  hasMethod(name: string): boolean;
}

export type Sugared =
  | { readonly kind: "value"; readonly value: Value }
  | { readonly kind: "module"; readonly value: Value; readonly info: ModuleInfo }
  | { readonly kind: "method"; readonly self: Value; readonly info: ModuleInfo; readonly name: string }
  | { readonly kind: "namespace"; readonly name: string }
  | { readonly kind: "builtin"; readonly op: string; readonly self: Value | null }
  | { readonly kind: "function"; readonly fn: Function; readonly qualifiedName: string | null }
  | { readonly kind: "none" };

export const asSugared = (value: Value): Sugared => ({ kind: "value", value });
