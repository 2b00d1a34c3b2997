/**
 * Free names: what `torch`, `F`, `nn`, `Math` and a user's top-level functions denote inside
 * scripted code. TorchScript resolves Python globals by value through the function's
 * `__globals__`; JS cannot see a function's scope, so names resolve by name: the namespaces
 * below, then `options.globals` given to torch.jit.script, then `globalThis` (where a notebook
 * keeps its top-level bindings).
 */
import type ts from "typescript";
import { REGISTRY } from "../../tensor/registry.js";
import type { ConstantValue, Graph, JitType } from "../ir/index.js";
import { libraryFunction } from "./nn_library.js";
export { signatures, type Signature } from "./signature.js";
import type { ModuleInfo, Sugared } from "./sugared.js";

export interface CompiledFunction {
  readonly qualifiedName: string;
  readonly graph: Graph;
  /** The default of each parameter (null: none), for calls that leave trailing ones out. */
  readonly defaults: readonly (ConstantValue | null)[];
}

/** What the expression emitter asks of the compiler driving it. */
export interface CompileHooks {
  /** Compiles (once) method `name` of a module and returns its graph. */
  method(info: ModuleInfo, name: string, at: ts.Node): Graph;
  /** The declared return type of method `name` (for a call that is not compiled, Note [unused methods]). */
  returnType(info: ModuleInfo, name: string, at: ts.Node): JitType;
  /** Compiles (once) a free function. */
  func(fn: Function, qualifiedName: string | null, at: ts.Node): CompiledFunction;
  readonly globals: Readonly<Record<string, unknown>>;
}

const GLOBAL_NAMESPACES: Readonly<Record<string, string>> = {
  torch: "torch", F: "torch.nn.functional", nn: "torch.nn", Math: "Math", jit: "torch.jit",
};

/** Math.* as TorchScript's math builtins (prim::abs, prim::max, aten::floor, ...). */
const MATH: Readonly<Record<string, string>> = {
  abs: "prim::abs", max: "prim::max", min: "prim::min", floor: "aten::floor", ceil: "aten::ceil", sqrt: "aten::sqrt",
  exp: "aten::exp", log: "aten::log", log2: "aten::log2", log10: "aten::log10", sin: "aten::sin", cos: "aten::cos",
  tan: "aten::tan", tanh: "aten::tanh", atan: "aten::atan", asin: "aten::asin", acos: "aten::acos", atan2: "aten::atan2",
  pow: "aten::pow", trunc: "aten::trunc", round: "aten::round", sign: "aten::sign", expm1: "aten::expm1", log1p: "aten::log1p",
};

const MATH_CONSTANTS: Readonly<Record<string, number>> = { PI: Math.PI, E: Math.E, LN2: Math.LN2, LN10: Math.LN10, SQRT2: Math.SQRT2 };

const builtinOp = (op: string): Sugared | null => (REGISTRY.has(op) ? { kind: "builtin", op, self: null } : null);

/** Members of a namespace: a builtin op, a nested namespace, a library function or a constant. */
export function resolveNamespaceMember(ns: string, name: string, hooks: CompileHooks): Sugared | { constant: ConstantValue } | null {
  void hooks;
  switch (ns) {
    case "torch":
      if (name === "nn") return { kind: "namespace", name: "torch.nn" };
      if (name === "jit") return { kind: "namespace", name: "torch.jit" };
      return builtinOp(`aten::${name}`);
    case "torch.nn":
      if (name === "functional") return { kind: "namespace", name: "torch.nn.functional" };
      return null;
    case "torch.nn.functional": {
      const lib = libraryFunction(name);
      if (lib) return { kind: "function", fn: lib.fn, qualifiedName: lib.qualifiedName };
      return builtinOp(`aten::${name}`);
    }
    case "Math": {
      const c = MATH_CONSTANTS[name];
      if (c !== undefined) return { constant: { type: "float", value: c } };
      const op = MATH[name];
      return op ? builtinOp(op) : null;
    }
    default:
      return null;
  }
}

/** A free identifier: a namespace, then a global function or constant. */
export function resolveGlobal(name: string, hooks: CompileHooks): Sugared | null {
  const ns = GLOBAL_NAMESPACES[name];
  if (ns) return { kind: "namespace", name: ns };
  const own = Object.prototype.hasOwnProperty.call(hooks.globals, name);
  const v = own ? hooks.globals[name] : (globalThis as Record<string, unknown>)[name];
  if (typeof v === "function" && !/^class\b/.test(Function.prototype.toString.call(v))) {
    return { kind: "function", fn: v, qualifiedName: null };
  }
  return null;
}
