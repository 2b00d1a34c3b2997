/**
 * What a running graph sees of the objects around it. A method graph's first input (`self`) is
 * a ScriptObject: a class-typed instance whose attributes are parameters, buffers, submodules
 * (other ScriptObjects) and plain values. prim::GetAttr / prim::SetAttr read and write them;
 * prim::CallMethod finds the callee's method graph here; prim::CallFunction finds a function
 * graph by its qualified name in the FunctionTable. ScriptModule (src/jit/script_module.ts)
 * implements ScriptObject; so will TorchScript class instances and loaded archive objects.
 */
import type { Graph } from "../ir/index.js";

export interface ScriptMethod {
  readonly name: string;
  readonly graph: Graph;
}

export interface ScriptObject {
  /** e.g. "__torch__.MyCell_v1" or "__torch__.torch.nn.modules.linear.Linear". */
  readonly qualifiedName: string;
  getAttr(name: string): unknown;
  setAttr(name: string, value: unknown): void;
  hasAttr(name: string): boolean;
  getMethod(name: string): ScriptMethod | undefined;
}

export function isScriptObject(v: unknown): v is ScriptObject {
  return (
    (typeof v === "object" || typeof v === "function") && v !== null &&
    typeof (v as ScriptObject).getAttr === "function" && typeof (v as ScriptObject).getMethod === "function"
  );
}

/** Free functions callable by prim::CallFunction, by qualified name ("__torch__.helper"). */
export interface FunctionTable {
  get(qualifiedName: string): ScriptMethod | undefined;
}

/**
 * Runtime representation of TorchScript values:
 *   Tensor -> Tensor; int, float -> number; bool -> boolean; str -> string; None -> null;
 *   List[T] and Tuple[...] -> JS arrays (the node kinds say which); Dict[K, V] -> Map;
 *   class instances and modules -> ScriptObject; Device -> the string "cpu";
 *   Future[T] -> ScriptFuture; Enum members -> ScriptEnumValue (enum_value.ts).
 */
export interface ScriptFuture {
  readonly kind: "future";
  value: unknown;
}
