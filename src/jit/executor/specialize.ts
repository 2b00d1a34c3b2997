/**
 * Specialization: the graph a compiled plan runs, made for one receiver and one input
 * signature. Method and function calls whose callee is known are inlined (so the code
 * generator sees one straight graph), then the optimization passes run, in this order:
 *
 *   inline calls → shape specialization → constant propagation → constant pooling → dead code
 *   → common subexpressions → loop-invariant code motion → dead code
 *   → elementwise fusion (plans made with grad off: fused ops record no autograd)
 *
 * Inlining relies on what the receiver held when the plan was made (`self.cell` is this
 * ScriptModule, its `forward` is this graph, it has no hooks); each such fact becomes a
 * Guard the executor checks before running the plan (Note [structure guards]).
 *
 * Note [structure guards]: TorchScript fixes a module's submodule types at compile time;
 * here a ScriptModule's attributes can still be reassigned from TypeScript, so the plan
 * re-reads the path `self.a.b` on each call and compares: same object, same method graph,
 * still no hooks. A failed guard makes a new plan (or runs the interpreter).
 */
import type { Graph, Node } from "../ir/index.js";
import { eliminateDeadCode } from "../passes/dead_code_elimination.js";
import { staticObject, withoutFunctionInput } from "../passes/freeze_inline_calls.js";
import { forEachPairedNode, inlineCalls } from "../passes/inline.js";
import { eliminateCommonSubexpressions } from "../passes/common_subexpression_elimination.js";
import { peephole } from "../passes/peephole.js";
import { hoistLinearTranspose } from "../passes/hoist_linear_transpose.js";
import { hoistLoopInvariants } from "../passes/loop_invariant_code_motion.js";
import { fuseElementwise } from "../passes/fuse_elementwise.js";
import { fuseScalarConditions } from "../passes/fuse_scalar_condition.js";
import { graphWrites } from "../passes/node_effects.js";
import { specializeShapes } from "../passes/specialize_shapes.js";
import { constantPropagation } from "../frontend/constant_propagation.js";
import { constantPooling } from "../frontend/constant_pooling.js";
import { Tensor } from "../../tensor/tensor.js";
import { isScriptObject, type FunctionTable, type ScriptObject } from "../runtime/objects.js";

/** Where a node of the specialized graph came from, for error reports (Note [error frames]). */
export interface Origin {
  /** The node in the graph the user compiled (a method or function graph). */
  readonly node: Node;
  /** The calls it was inlined through, outermost first, with the callee's name. */
  readonly calls: readonly { readonly node: Node; readonly name: string }[];
}

/** Note [structure guards]: the object reached from self by `path` still runs `graph` as `method`. */
export interface ObjectGuard {
  readonly kind: "object";
  readonly path: readonly string[];
  readonly object: ScriptObject;
  readonly method: string;
  readonly graph: Graph;
}

/** A compiled function `name` in the function table is still `graph`. */
export interface FunctionGuard {
  readonly kind: "function";
  readonly name: string;
  readonly graph: Graph;
}

export type Guard = ObjectGuard | FunctionGuard;

export interface Specialized {
  readonly graph: Graph;
  readonly origins: ReadonlyMap<Node, Origin>;
  readonly guards: readonly Guard[];
}

/** A module with hooks runs them around forward, so its calls stay calls. */
function hasHooks(o: ScriptObject): boolean {
  const m = o as { _forwardHooks?: Map<unknown, unknown>; _forwardPreHooks?: Map<unknown, unknown> };
  return (m._forwardHooks?.size ?? 0) > 0 || (m._forwardPreHooks?.size ?? 0) > 0;
}

/** The attribute names from self to `v`, when `v` is self or a GetAttr chain from it. */
function pathOf(v: Node["inputs"][number], graph: Graph): string[] | null {
  if (v === graph.inputs[0]) return [];
  const n = v.node;
  if (n.kind !== "prim::GetAttr") return null;
  const owner = pathOf(n.inputs[0]!, graph);
  return owner === null ? null : [...owner, n.s("name")];
}

export interface SpecializeOptions {
  /** The plan runs with grad mode off, so ops may be fused (autograd cannot see into a group). */
  readonly gradFree: boolean;
  /** The inputs the plan is made for: their tensors' shapes and dtypes are in its argument spec. */
  readonly inputs: readonly unknown[];
}

export function specialize(source: Graph, self: unknown, functions: FunctionTable | undefined, opts: SpecializeOptions): Specialized {
  const graph = source.copy();
  const origins = new Map<Node, Origin>();
  forEachPairedNode(graph.block, source.block, (copy, original) => origins.set(copy, { node: original, calls: [] }));
  const guards: Guard[] = [];
  const calleeName = new Map<Node, string>();
  const receiver = isScriptObject(self) ? self : null;

  const resolve = (call: Node): Graph | null => {
    if (call.kind === "prim::CallMethod") {
      if (receiver === null) return null;
      const target = staticObject(call.inputs[0]!, graph, receiver);
      const path = pathOf(call.inputs[0]!, graph);
      if (target === null || path === null || hasHooks(target)) return null;
      const method = target.getMethod(call.s("name"));
      if (method === undefined) return null;
      guards.push({ kind: "object", path, object: target, method: method.name, graph: method.graph });
      calleeName.set(call, method.name);
      return method.graph;
    }
    const fnType = call.inputs[0]!.type;
    if (fnType.kind !== "Function" || fnType.name === null) return null;
    const fn = functions?.get(fnType.name);
    if (fn === undefined) return null;
    guards.push({ kind: "function", name: fnType.name, graph: fn.graph });
    calleeName.set(call, fn.name);
    return withoutFunctionInput(fn.graph);
  };

  inlineCalls(graph, resolve, (copy, original, call) => {
    const via = origins.get(call);
    const name = calleeName.get(call) ?? call.s("name");
    const callerChain = via === undefined ? [] : [...via.calls, { node: via.node, name }];
    origins.set(copy, { node: original, calls: callerChain });
  });

  // the argument spec fixes input shapes, unless the graph could change them in place
  if (!graphWrites(graph)) {
    specializeShapes(graph, opts.inputs.map((v) => (v instanceof Tensor ? { shape: v.shape, dtype: v.dtype } : null)));
  }
  peephole(graph);
  constantPropagation(graph);
  constantPooling(graph);
  eliminateDeadCode(graph);
  eliminateCommonSubexpressions(graph);
  hoistLoopInvariants(graph);
  hoistLinearTranspose(graph, (replacement, original) => {
    const origin = origins.get(original);
    if (origin !== undefined) origins.set(replacement, origin);
  });
  eliminateDeadCode(graph);
  // a condition that declines runs its subgraph's nodes inline: errors name the user's nodes
  fuseScalarConditions(graph, (condition, bool, copies) => {
    for (const [copy, original] of [[condition, bool] as const, ...copies]) {
      const origin = origins.get(original);
      if (origin !== undefined) origins.set(copy, origin);
    }
  });
  // with grad on, a group records one node for its ops (Note [fused groups under autograd])
  fuseElementwise(graph, (group, consumer) => {
    const origin = origins.get(consumer);
    if (origin !== undefined) origins.set(group, origin);
  });
  return { graph, origins, guards };
}
