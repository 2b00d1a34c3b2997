/**
 * Removes nodes whose outputs are never used and that have no side effects, as PyTorch's
 * EliminateDeadCode does after tracing (the ops a traced `if (x.sum().gt(0).item())` recorded
 * before the branch was taken leave no trace in `.code`).
 *
 * Given:
 *   %1 : Tensor = aten::sum(%x, %none)
 *   %2 : Tensor = aten::neg(%x)
 *   return (%2)
 * Execute: eliminateDeadCode(graph)
 * Result:
 *   %2 : Tensor = aten::neg(%x)
 *   return (%2)
 */
import type { Block, Graph, Node } from "../ir/index.js";
import { nodeWrites } from "./node_effects.js";

/** Kinds that are kept even when their outputs are unused. */
const ALWAYS_LIVE = new Set(["prim::CallMethod", "prim::CallFunction", "prim::SetAttr", "prim::RaiseException", "prim::Print", "aten::warn"]);

function hasSideEffects(n: Node): boolean {
  // nodeWrites covers in-place ops (found by their schema even before `node.op` is resolved)
  if (ALWAYS_LIVE.has(n.kind) || nodeWrites(n)) return true;
  return n.blocks.some((b) => [...b.nodes()].some(hasSideEffects));
}

function sweep(block: Block): boolean {
  let changed = false;
  const nodes = [...block.nodes()].reverse();
  for (const n of nodes) {
    for (const b of n.blocks) changed = sweep(b) || changed;
    if (hasSideEffects(n)) continue;
    if (n.outputs.every((o) => o.uses.length === 0)) {
      n.destroy();
      changed = true;
    }
  }
  return changed;
}

/** Returns whether anything was removed. */
export function eliminateDeadCode(graph: Graph): boolean {
  return sweep(graph.block);
}
