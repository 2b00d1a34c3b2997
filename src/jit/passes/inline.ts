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

/**
 * Told of every node an inlining copied, with the node it copies and the call it replaced
 * (before the call is destroyed), e.g. to map errors in inlined code back to their sources.
 */
export type InlineObserver = (copy: Node, original: Node, call: Node) => void;

/** Calls `f` on corresponding nodes of two blocks of the same structure (a block and its clone). */
export function forEachPairedNode(a: Block, b: Block, f: (x: Node, y: Node) => void): void {
  const xs = [...a.nodes()];
  const ys = [...b.nodes()];
  for (let i = 0; i < xs.length && i < ys.length; i++) {
    f(xs[i]!, ys[i]!);
    const xb = xs[i]!.blocks;
    const yb = ys[i]!.blocks;
    for (let k = 0; k < xb.length && k < yb.length; k++) forEachPairedNode(xb[k]!, yb[k]!, f);
  }
}

/**
 * Replaces `call` by a copy of `callee`'s nodes, its inputs standing for callee's inputs in
 * order (any node kind: the importer's operator upgraders replace an op node this way).
 */
export function inlineGraphAt(graph: Graph, call: Node, callee: Graph, observe?: InlineObserver): void {
  inlineOne(graph, call, callee, observe);
}

function inlineOne(graph: Graph, call: Node, callee: Graph, observe?: InlineObserver): void {
  const env = new Map<Value, Value>();
  callee.inputs.forEach((v, i) => env.set(v, call.inputs[i]!));
  graph.withInsertPoint(call, () => {
    for (const n of callee.block.nodes()) {
      const copy = graph.insertNode(graph.createClone(n, env));
      if (observe === undefined) continue;
      observe(copy, n, call);
      for (let k = 0; k < n.blocks.length; k++) forEachPairedNode(copy.blocks[k]!, n.blocks[k]!, (c, o) => observe(c, o, call));
    }
  });
  callee.outputs.forEach((o, i) => {
    const replacement = env.get(o) ?? o;
    call.outputs[i]?.replaceAllUsesWith(replacement);
  });
  call.destroy();
}

function inlineBlock(graph: Graph, block: Block, resolve: CallResolver, observe?: InlineObserver): boolean {
  let changed = false;
  for (const n of [...block.nodes()]) {
    for (const b of n.blocks) changed = inlineBlock(graph, b, resolve, observe) || changed;
    if (n.kind !== "prim::CallMethod" && n.kind !== "prim::CallFunction") continue;
    const callee = resolve(n);
    if (!callee) continue;
    inlineOne(graph, n, callee, observe);
    changed = true;
  }
  return changed;
}

/** Inlines until no resolvable call is left (callees may call further methods). */
export function inlineCalls(graph: Graph, resolve: CallResolver, observe?: InlineObserver): boolean {
  let any = false;
  while (inlineBlock(graph, graph.block, resolve, observe)) any = true;
  return any;
}
