/**
 * Dead code elimination for compiled source, as PyTorch's EliminateDeadCode treats scripted
 * graphs (dead_code_elimination.cpp), beyond what passes/dead_code_elimination.ts does today:
 *
 * - an op that writes one of its inputs is live even when its overload was matched leniently
 *   (`torch.add_(num_batches_tracked, 1)` has no `node.op`, an int where a Tensor goes), so
 *   the overload is resolved from the node's types, and failing that any mutating overload of
 *   the kind keeps it;
 * - unused If outputs are removed from the node and both branches;
 * - unused loop-carried values (output unused and body parameter unused) are removed from the
 *   loop's inputs, body parameters and body outputs: the `while _4:` condition variable that
 *   the body reassigns is not carried once compiled, as in PyTorch's importer.
 *
 * Given:   %c2 : bool, %y : Tensor = prim::Loop(%max, %c, %c, %y0)
 *            block0(%i : int, %c1 : bool, %y1 : Tensor):  ... -> (%n, %n, %y2)
 * Execute: eliminateDeadCodeFully(graph)
 * Result:  %y : Tensor = prim::Loop(%max, %c, %y0)
 *            block0(%i : int, %y1 : Tensor):  ... -> (%n, %y2)
 */
import { REGISTRY } from "../../tensor/registry.js";
import { kindHasSideEffects, type Block, type Graph, type Node } from "../ir/index.js";
import { resolveNodeOverload } from "../runtime/op_call.js";

/** Kinds kept even when their outputs are unused (as passes/dead_code_elimination.ts). */
const ALWAYS_LIVE = new Set(["prim::CallMethod", "prim::CallFunction", "prim::SetAttr", "prim::RaiseException", "prim::Print", "aten::warn"]);

function mutates(n: Node): boolean {
  const ov = resolveNodeOverload(n);
  if (ov) return ov.schema.args.some((a) => a.mutated);
  return (REGISTRY.get(n.kind) ?? []).some((o) => o.schema.args.some((a) => a.mutated));
}

function hasSideEffects(n: Node): boolean {
  if (ALWAYS_LIVE.has(n.kind) || kindHasSideEffects(n.kind)) return true;
  if (n.kind.startsWith("aten::") && mutates(n)) return true;
  for (const b of n.blocks) {
    for (let m = b.firstNode; m !== null; m = m.next) if (hasSideEffects(m)) return true;
  }
  return false;
}

function removeDeadIfOutputs(n: Node): boolean {
  let changed = false;
  for (let i = n.outputs.length - 1; i >= 0; i--) {
    if (n.outputs[i]!.hasUses()) continue;
    n.eraseOutput(i);
    for (const b of n.blocks) b.eraseOutput(i);
    changed = true;
  }
  return changed;
}

function removeDeadLoopCarried(n: Node): boolean {
  const body = n.blocks[0]!;
  let changed = false;
  for (let i = n.outputs.length - 1; i >= 0; i--) {
    if (n.outputs[i]!.hasUses() || body.inputs[i + 1]!.hasUses()) continue;
    n.eraseOutput(i);
    n.removeInput(i + 2);
    body.eraseInput(i + 1);
    body.eraseOutput(i + 1);
    changed = true;
  }
  return changed;
}

function sweep(block: Block): boolean {
  let changed = false;
  // last to first, so a use goes before its definition
  for (let n = block.lastNode; n !== null;) {
    // taken first: only `n` itself (never a sibling) can be destroyed below
    const prev: Node | null = n.prev;
    if (n.kind === "prim::If") changed = removeDeadIfOutputs(n) || changed;
    if (n.kind === "prim::Loop") changed = removeDeadLoopCarried(n) || changed;
    for (const b of n.blocks) changed = sweep(b) || changed;
    // the cheap test first: side effects need an overload lookup, and most nodes are used
    if (n.outputs.every((o) => !o.hasUses()) && !hasSideEffects(n)) {
      n.destroy();
      changed = true;
    }
    n = prev;
  }
  return changed;
}

/** Runs until nothing more is removed; returns whether anything was. */
export function eliminateDeadCodeFully(graph: Graph): boolean {
  let any = false;
  while (sweep(graph.block)) any = true;
  return any;
}
