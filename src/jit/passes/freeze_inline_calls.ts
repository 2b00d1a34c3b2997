/**
 * Freezing, step 1: inline every method and function call whose callee is known statically,
 * as torch.jit.freeze inlines the whole module into forward. A prim::CallMethod is resolved
 * when its object is a `prim::GetAttr` chain from `self` ending at a ScriptObject; a
 * prim::CallFunction when its Function constant names a compiled function.
 *
 * Given:
 *   %fc1 : Linear = prim::GetAttr[name="fc1"](%self)
 *   %y : Tensor = prim::CallMethod[name="forward"](%fc1, %x)
 * Execute: inlineModuleCalls(graph, module)
 * Result:
 *   %fc1 : Linear = prim::GetAttr[name="fc1"](%self)
 *   %weight : Tensor = prim::GetAttr[name="weight"](%fc1)
 *   %bias : Tensor = prim::GetAttr[name="bias"](%fc1)
 *   %y : Tensor = aten::linear(%x, %weight, %bias)
 */
import type { Graph, Value } from "../ir/index.js";
import { isScriptObject, type FunctionTable, type ScriptObject } from "../runtime/objects.js";
import { inlineCalls } from "./inline.js";

/** The object `v` holds when it is `self` or a GetAttr chain from it; null otherwise. */
export function staticObject(v: Value, graph: Graph, self: ScriptObject): ScriptObject | null {
  if (v === graph.inputs[0]) return self;
  const n = v.node;
  if (n.kind !== "prim::GetAttr") return null;
  const owner = staticObject(n.inputs[0]!, graph, self);
  if (owner === null || !owner.hasAttr(n.s("name"))) return null;
  const attr = owner.getAttr(n.s("name"));
  return isScriptObject(attr) ? attr : null;
}

/** Inlines until no resolvable call is left; returns whether anything was inlined. */
export function inlineModuleCalls(graph: Graph, self: ScriptObject, functions: FunctionTable): boolean {
  return inlineCalls(graph, (call) => {
    if (call.kind === "prim::CallMethod") {
      const target = staticObject(call.inputs[0]!, graph, self);
      return target?.getMethod(call.s("name"))?.graph ?? null;
    }
    const fnType = call.inputs[0]!.type;
    if (fnType.kind !== "Function" || fnType.name === null) return null;
    const callee = functions.get(fnType.name)?.graph ?? null;
    return callee === null ? null : withoutFunctionInput(callee);
  });
}

/**
 * A function graph takes its arguments directly, but prim::CallFunction's first input is the
 * Function itself: a copy of the callee with a leading placeholder input lines them up.
 */
export function withoutFunctionInput(callee: Graph): Graph {
  const g = callee.copy();
  g.insertInput(0, undefined, { kind: "Function", name: null });
  return g;
}
