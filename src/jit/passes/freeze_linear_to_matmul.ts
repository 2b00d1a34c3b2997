/**
 * optimize_for_inference on CPU: a frozen `aten::linear(x, W, b)` with a constant weight
 * becomes `aten::add(aten::matmul(x, Wᵀ), b, 1)` with Wᵀ transposed once, ahead of time, as
 * PyTorch 1.13's FrozenLinearTranspose + linear decomposition produce (`torch.add(torch.matmul(x,
 * CONSTANTS.c0), CONSTANTS.c1)`). Without a bias it is only the matmul.
 *
 * Given:   %y : Tensor = aten::linear(%x, %self.fc.weight, %self.fc.bias)
 * Execute: decomposeFrozenLinear(graph)
 * Result:
 *   %1 : Float(4, 8, strides=[8, 1], ...) = prim::Constant[value=<Tensor>]()
 *   %2 : int = prim::Constant[value=1]()
 *   %3 : Tensor = aten::matmul(%x, %1)
 *   %y : Tensor = aten::add(%3, %self.fc.bias, %2)
 */
import { no_grad } from "../../autograd/grad_mode.js";
import { constantValue, createConstant, resolveOverload, tensorTypeOf, Types, type Block, type Graph, type Node } from "../ir/index.js";

function insertOp(graph: Graph, kind: string, inputs: Node["inputs"], before: Node): Node {
  const n = graph.create(kind, inputs, [Types.tensor], { scope: before.scope });
  n.insertBefore(before);
  n.op = resolveOverload(n);
  return n;
}

function sweep(graph: Graph, block: Block): boolean {
  let changed = false;
  for (const n of [...block.nodes()]) {
    for (const inner of n.blocks) changed = sweep(graph, inner) || changed;
    if (n.kind !== "aten::linear" || n.inputs.length !== 3) continue;
    const w = constantValue(n.inputs[1]!.node);
    const b = constantValue(n.inputs[2]!.node);
    if (w?.type !== "Tensor" || w.value.dim() !== 2 || (b !== null && b.type !== "Tensor" && b.type !== "None")) continue;
    if (b === null) continue; // a bias computed at run time: leave the linear
    const wt = no_grad(() => w.value.t().contiguous());
    const transposed = createConstant(graph, { type: "Tensor", value: wt });
    transposed.output().setType(tensorTypeOf(wt));
    transposed.insertBefore(n);
    let out = insertOp(graph, "aten::matmul", [n.inputs[0]!, transposed.output()], n);
    if (b.type === "Tensor") {
      const one = createConstant(graph, { type: "int", value: 1 });
      one.insertBefore(out);
      out = insertOp(graph, "aten::add", [out.output(), n.inputs[2]!, one.output()], n);
    }
    n.output().replaceAllUsesWith(out.output());
    n.destroy();
    changed = true;
  }
  return changed;
}

export function decomposeFrozenLinear(graph: Graph): boolean {
  return sweep(graph, graph.block);
}
