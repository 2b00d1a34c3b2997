/**
 * Note [hoisted linear transpose] (tensor/ops/linalg.ts): a linear in a loop whose weight is
 * defined in front of the loop takes a transpose of the weight made once there, instead of
 * transposing it (and, with grad, recording a TBackward0 node) on every step. The gradient is
 * the same bit for bit: the per-step gradients that eager sums at the weight's AccumulateGrad
 * are summed at the one TBackward0 in the same order, then transposed (transposing is exact).
 * Only for graphs that write nothing, so the weight cannot change while the loop runs.
 *
 * Given:
 *   %h : Tensor = prim::Loop(%n, %true, %h0)
 *     block0(%i : int, %h.1 : Tensor):
 *       %y : Tensor = aten::linear(%h.1, %w, %b)
 *       -> (%true, %y)
 * Execute: hoistLinearTranspose(graph)
 * Result:
 *   %wt : Tensor? = tsjit::t_if_matrix(%w)
 *   %h : Tensor = prim::Loop(%n, %true, %h0)
 *     block0(%i : int, %h.1 : Tensor):
 *       %y : Tensor = tsjit::linear_t(%h.1, %wt, %w, %b)
 *       -> (%true, %y)
 */
import { optionalType, resolveOverload, Types, type Block, type Graph, type Node, type Value } from "../ir/index.js";
import { graphWrites } from "./node_effects.js";
import { definedOutside } from "./loop_invariant_code_motion.js";

function rewriteLoop(graph: Graph, loop: Node, observe?: RewriteObserver): boolean {
  const transposed = new Map<Value, Value>();
  let changed = false;
  for (const n of [...loop.block(0).nodes()]) {
    if (n.kind !== "aten::linear" || n.inputs.length !== 3) continue;
    const [x, w, b] = n.inputs as [Value, Value, Value];
    if (!definedOutside(w, loop)) continue;
    let wt = transposed.get(w);
    if (wt === undefined) {
      const t = graph.create("tsjit::t_if_matrix", [w], [optionalType(Types.tensor)], { scope: n.scope });
      t.insertBefore(loop);
      t.op = resolveOverload(t);
      wt = t.output();
      transposed.set(w, wt);
    }
    const lin = graph.create("tsjit::linear_t", [x, wt, w, b], [n.output().type], { scope: n.scope });
    lin.insertBefore(n);
    lin.op = resolveOverload(lin);
    lin.sourceRange = n.sourceRange;
    lin.output().copyMetadata(n.output());
    observe?.(lin, n);
    n.output().replaceAllUsesWith(lin.output());
    n.destroy();
    changed = true;
  }
  return changed;
}

/** Told of each linear_t made and the linear it replaced (e.g. to report errors against it). */
export type RewriteObserver = (replacement: Node, original: Node) => void;

function sweep(graph: Graph, block: Block, observe?: RewriteObserver): boolean {
  let changed = false;
  for (const n of [...block.nodes()]) {
    for (const inner of n.blocks) changed = sweep(graph, inner, observe) || changed;
    if (n.kind === "prim::Loop") changed = rewriteLoop(graph, n, observe) || changed;
  }
  return changed;
}

/** Returns whether any linear was rewritten. */
export function hoistLinearTranspose(graph: Graph, observe?: RewriteObserver): boolean {
  if (graphWrites(graph)) return false;
  return sweep(graph, graph.block, observe);
}
