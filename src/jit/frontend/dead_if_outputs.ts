/**
 * Removes the outputs of prim::If nodes that nothing uses, with the matching block outputs
 * (the part of PyTorch's EliminateDeadCode that prunes control-flow outputs). The SSA
 * conversion gives an if an output for every variable a branch assigns, refinements included
 * (Note [refinement]); those read after the if stay, the others go, as PyTorch prints them.
 *
 * Given:
 *   %y : Tensor, %opt.2 : Tensor? = prim::If(%c)
 *     block0(): -> (%a, %opt.1)
 *     block1(): -> (%b, %opt)
 *   return (%y)
 * Execute: eliminateDeadIfOutputs(graph)
 * Result:
 *   %y : Tensor = prim::If(%c)
 *     block0(): -> (%a)
 *     block1(): -> (%b)
 */
import type { Block, Graph } from "../ir/index.js";

function sweep(b: Block): void {
  const nodes = [...b.nodes()].reverse();
  for (const n of nodes) {
    if (n.kind === "prim::If") {
      for (let i = n.outputs.length - 1; i >= 0; i--) {
        if (n.outputs[i]!.uses.length > 0) continue;
        n.eraseOutput(i);
        for (const inner of n.blocks) inner.eraseOutput(i);
      }
    }
    for (const inner of n.blocks) sweep(inner);
  }
}

export function eliminateDeadIfOutputs(g: Graph): void {
  sweep(g.block);
}
