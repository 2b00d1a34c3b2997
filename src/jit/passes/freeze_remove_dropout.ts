/**
 * Frozen graphs run in eval mode, where dropout is the identity: `aten::dropout(x, p, False)`
 * (and feature/alpha dropout) is replaced by `x`, as PyTorch's RemoveDropout pass does when
 * freezing. A dropout whose `train` argument is not a constant False is left alone.
 *
 * Given:   %y : Tensor = aten::dropout(%x, %p, %false)
 * Execute: removeDropout(graph)
 * Result:  uses of %y read %x
 */
import { constantValue, type Block, type Graph } from "../ir/index.js";

const DROPOUTS: ReadonlySet<string> = new Set(["aten::dropout", "aten::feature_dropout", "aten::alpha_dropout", "aten::feature_alpha_dropout"]);

function sweep(block: Block): boolean {
  let changed = false;
  for (const n of [...block.nodes()]) {
    for (const inner of n.blocks) changed = sweep(inner) || changed;
    if (!DROPOUTS.has(n.kind) || n.inputs.length !== 3) continue;
    const train = n.inputs[2]!.node.kind === "prim::Constant" ? constantValue(n.inputs[2]!.node) : null;
    if (train === null || train.type !== "bool" || train.value) continue;
    n.output().replaceAllUsesWith(n.inputs[0]!);
    n.destroy();
    changed = true;
  }
  return changed;
}

export function removeDropout(graph: Graph): boolean {
  return sweep(graph.block);
}
