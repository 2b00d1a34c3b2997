/**
 * Folds an eval-mode batch norm into the convolution feeding it, as PyTorch's
 * FoldFrozenConvBatchnorm does when freezing: with every weight a constant,
 *   bn(conv(x, W, b)) = conv(x, W * s, (b - mean) * rsqrt(var + eps) * gamma + beta),
 *   s = gamma * rsqrt(var + eps), one factor per output channel.
 * The new constants are named after the conv's (`%self.conv1.weight_fused_bn`).
 *
 * Given:
 *   %y : Tensor = aten::conv2d(%x, %self.conv1.weight, %self.conv1.bias, ...)
 *   %z : Tensor = aten::batch_norm(%y, %gamma, %beta, %mean, %var, %false, %momentum, %eps, %true)
 * Execute: foldConvBatchNorm(graph)
 * Result:
 *   %self.conv1.weight_fused_bn : Float(...) = prim::Constant[value=<Tensor>]()
 *   %self.conv1.bias_fused_bn : Float(...) = prim::Constant[value=<Tensor>]()
 *   %y : Tensor = aten::conv2d(%x, %self.conv1.weight_fused_bn, %self.conv1.bias_fused_bn, ...)
 *   (uses of %z read %y)
 */
import type { Tensor } from "../../tensor/tensor.js";
import { no_grad } from "../../autograd/grad_mode.js";
import { constantValue, createConstant, tensorTypeOf, type Block, type Graph, type Node, type Value } from "../ir/index.js";

const CONVS: ReadonlySet<string> = new Set(["aten::conv1d", "aten::conv2d", "aten::conv3d"]);

/** The tensor a constant holds; null for None; undefined when `v` is not a constant tensor or None. */
function constTensor(v: Value): Tensor | null | undefined {
  const c = constantValue(v.node);
  if (c === null) return undefined;
  if (c.type === "None") return null;
  return c.type === "Tensor" ? c.value : undefined;
}

function constScalar(v: Value): number | boolean | undefined {
  const c = constantValue(v.node);
  if (c?.type === "bool") return c.value;
  if (c?.type === "float" || c?.type === "int") return Number(c.value);
  return undefined;
}

interface Fold { weight: Tensor; bias: Tensor }

/** The fused weight and bias, or null when some input is not a constant (or bn is in training mode). */
function fused(conv: Node, bn: Node): Fold | null {
  const w = constTensor(conv.inputs[1]!);
  const b = constTensor(conv.inputs[2]!);
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => constTensor(bn.inputs[i]!));
  if (!w || b === undefined || gamma === undefined || beta === undefined || !mean || !variance) return null;
  if (constScalar(bn.inputs[5]!) !== false) return null;
  const eps = constScalar(bn.inputs[7]!);
  if (typeof eps !== "number") return null;
  return no_grad(() => {
    const rsqrt = variance.add(eps).rsqrt();
    const g = gamma ?? rsqrt.mul(0).add(1);
    const shape = [-1, ...new Array<number>(w.dim() - 1).fill(1)];
    const weight = w.mul(g.mul(rsqrt).reshape(shape));
    const convBias = b ?? mean.mul(0);
    let bias = convBias.sub(mean).mul(rsqrt).mul(g);
    if (beta) bias = bias.add(beta);
    return { weight, bias };
  });
}

function namedConstant(graph: Graph, t: Tensor, name: string, before: Node): Value {
  const c = createConstant(graph, { type: "Tensor", value: t });
  c.output().setType(tensorTypeOf(t));
  if (name) c.output().setDebugName(name);
  c.insertBefore(before);
  return c.output();
}

function sweep(graph: Graph, block: Block): boolean {
  let changed = false;
  for (const bn of [...block.nodes()]) {
    for (const inner of bn.blocks) changed = sweep(graph, inner) || changed;
    if (bn.kind !== "aten::batch_norm" || bn.inputs.length !== 9) continue;
    const conv = bn.inputs[0]!.node;
    if (!CONVS.has(conv.kind) || conv.output().uses.length !== 1) continue;
    const fold = fused(conv, bn);
    if (fold === null) continue;
    const base = conv.inputs[1]!.hasDebugName() ? conv.inputs[1]!.debugName : "";
    const biasBase = base.endsWith(".weight") ? `${base.slice(0, -".weight".length)}.bias` : "";
    conv.replaceInput(1, namedConstant(graph, fold.weight, base && `${base}_fused_bn`, conv));
    conv.replaceInput(2, namedConstant(graph, fold.bias, biasBase && `${biasBase}_fused_bn`, conv));
    bn.output().replaceAllUsesWith(conv.output());
    bn.destroy();
    changed = true;
  }
  return changed;
}

export function foldConvBatchNorm(graph: Graph): boolean {
  return sweep(graph, graph.block);
}
