/**
 * Inlines method and function calls: each prim::CallMethod / prim::CallFunction whose callee
 * graph `resolve` finds is replaced by a copy of that graph's nodes, as PyTorch's Inline pass
 * does for `.inlined_graph` (and as the optimizing JIT will before fusing).
 *
 * Given:
 *   %linear : Linear = prim::GetAttr[name="linear"](%self)
 *   %y : Tensor = prim::CallMethod[name="forward"](%linear, %x)
 * Execute: inlineCalls(graph, resolve)
 * Result:
 *   %linear : Linear = prim::GetAttr[name="linear"](%self)
 *   %bias : Tensor = prim::GetAttr[name="bias"](%linear)
 *   %weight : Tensor = prim::GetAttr[name="weight"](%linear)
 *   %y : Tensor = aten::linear(%x, %weight, %bias)
 */
import type { Block, Graph, Node, Value } from "../ir/index.js";

/** Finds the graph a call node runs, or null to leave the call in place. */
export type CallResolver = (call: Node) => Graph | null;

function inlineOne(graph: Graph, call: Node, callee: Graph): void {
  const env = new Map<Value, Value>();
  callee.inputs.forEach((v, i) => env.set(v, call.inputs[i]!));
  graph.withInsertPoint(call, () => {
    for (const n of callee.block.nodes()) graph.insertNode(graph.createClone(n, env));
  });
  callee.outputs.forEach((o, i) => {
    const replacement = env.get(o) ?? o;
    call.outputs[i]?.replaceAllUsesWith(replacement);
  });
  call.destroy();
}

function inlineBlock(graph: Graph, block: Block, resolve: CallResolver): boolean {
  let changed = false;
  for (const n of [...block.nodes()]) {
    for (const b of n.blocks) changed = inlineBlock(graph, b, resolve) || changed;
    if (n.kind !== "prim::CallMethod" && n.kind !== "prim::CallFunction") continue;
    const callee = resolve(n);
    if (!callee) continue;
    inlineOne(graph, n, callee);
    changed = true;
  }
  return changed;
}

/** Inlines until no resolvable call is left (callees may call further methods). */
export function inlineCalls(graph: Graph, resolve: CallResolver): boolean {
  let any = false;
  while (inlineBlock(graph, graph.block, resolve)) any = true;
  return any;
}
