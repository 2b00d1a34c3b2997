/**
 * The freezing passes one at a time, IR text in and IR out (no frontend in the way), plus
 * freezing a traced module.
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { parseGraph, printGraph, type Graph } from "../../../src/jit/ir/index.js";
import { removeDropout } from "../../../src/jit/passes/freeze_remove_dropout.js";
import { foldConvBatchNorm } from "../../../src/jit/passes/freeze_fold_conv_bn.js";
import { decomposeFrozenLinear } from "../../../src/jit/passes/freeze_linear_to_matmul.js";
import { eliminateDeadCode } from "../../../src/jit/passes/dead_code_elimination.js";
import { same } from "./support.js";

const text = (g: Graph) => printGraph(g, { sourceLocations: false });

describe("removeDropout", () => {
  it("drops an eval-mode dropout and keeps a training one", () => {
    const g = parseGraph(`graph(%x : Tensor, %train : bool):
  %p : float = prim::Constant[value=0.5]()
  %false : bool = prim::Constant[value=0]()
  %a : Tensor = aten::dropout(%x, %p, %false)
  %b : Tensor = aten::dropout(%a, %p, %train)
  return (%b)
`);
    expect(removeDropout(g)).toBe(true);
    expect(text(g)).toContain("%b : Tensor = aten::dropout(%x, %p, %train)");
    expect(text(g).match(/aten::dropout/g)).toHaveLength(1);
    expect(removeDropout(g)).toBe(false);
  });
});

describe("foldConvBatchNorm", () => {
  const graphWith = (training: string) => `graph(%x : Tensor):
  %w : Float(2, 1, 1, 1, strides=[1, 1, 1, 1], requires_grad=0, device=cpu) = prim::Constant[value=<Tensor>]()
  %none : NoneType = prim::Constant()
  %s : int[] = prim::Constant[value=[1, 1]]()
  %p : int[] = prim::Constant[value=[0, 0]]()
  %g : int = prim::Constant[value=1]()
  %gamma : Float(2, strides=[1], requires_grad=0, device=cpu) = prim::Constant[value= 2  3 [ CPUFloatType{2} ]]()
  %beta : Float(2, strides=[1], requires_grad=0, device=cpu) = prim::Constant[value= 1  1 [ CPUFloatType{2} ]]()
  %mean : Float(2, strides=[1], requires_grad=0, device=cpu) = prim::Constant[value= 0.5  0.5 [ CPUFloatType{2} ]]()
  %var : Float(2, strides=[1], requires_grad=0, device=cpu) = prim::Constant[value= 4  9 [ CPUFloatType{2} ]]()
  %training : bool = prim::Constant[value=${training}]()
  %momentum : float = prim::Constant[value=0.10000000000000001]()
  %eps : float = prim::Constant[value=0.]()
  %cudnn : bool = prim::Constant[value=1]()
  %y : Tensor = aten::conv2d(%x, %w, %none, %s, %p, %s, %g)
  %z : Tensor = aten::batch_norm(%y, %gamma, %beta, %mean, %var, %training, %momentum, %eps, %cudnn)
  return (%z)
`;

  it("folds an eval-mode batch norm into the conv (conv without bias)", () => {
    const g = parseGraph(graphWith("0"));
    expect(foldConvBatchNorm(g)).toBe(true);
    eliminateDeadCode(g);
    expect(text(g)).not.toContain("batch_norm");
    expect(text(g)).toContain("%w_fused_bn");
    // y = conv(x, w) → (y - 0.5) * gamma / sqrt(var) + 1; w = zeros reads back as zeros: bias alone
    const conv = [...g.nodes()].find((n) => n.kind === "aten::conv2d")!;
    const bias = conv.inputs[2]!.node.t("value").value;
    expect(same(bias, torch.tensor([(0 - 0.5) * (2 / 2) + 1, (0 - 0.5) * (3 / 3) + 1]))).toBe(true);
  });

  it("leaves a training-mode batch norm alone", () => {
    const g = parseGraph(graphWith("1"));
    expect(foldConvBatchNorm(g)).toBe(false);
    expect(text(g)).toContain("aten::batch_norm");
  });
});

describe("decomposeFrozenLinear", () => {
  it("turns linear with constant weight into matmul with the transposed weight, plus bias", () => {
    const g = parseGraph(`graph(%x : Tensor):
  %w : Float(2, 3, strides=[3, 1], requires_grad=0, device=cpu) = prim::Constant[value=<Tensor>]()
  %b : Float(2, strides=[1], requires_grad=0, device=cpu) = prim::Constant[value= 1  2 [ CPUFloatType{2} ]]()
  %y : Tensor = aten::linear(%x, %w, %b)
  return (%y)
`);
    expect(decomposeFrozenLinear(g)).toBe(true);
    eliminateDeadCode(g);
    const out = text(g);
    expect(out).toMatch(/Float\(3, 2, strides=\[2, 1\], requires_grad=0, device=cpu\) = prim::Constant/);
    expect(out).toMatch(/aten::matmul\(%x, %\d+\)/);
    expect(out).toMatch(/aten::add\(%\d+, %b, %\d+\)/);
  });

  it("leaves a linear whose weight is computed", () => {
    const g = parseGraph(`graph(%x : Tensor, %w : Tensor):
  %none : NoneType = prim::Constant()
  %y : Tensor = aten::linear(%x, %w, %none)
  return (%y)
`);
    expect(decomposeFrozenLinear(g)).toBe(false);
  });
});

describe("freezing a traced module", () => {
  it("prints what PyTorch 1.13 prints for the frozen seed cell", () => {
    class MyCell extends torch.nn.Module {
      linear = new torch.nn.Linear(4, 4);
      override forward(x: torch.Tensor, h: torch.Tensor): [torch.Tensor, torch.Tensor] {
        const new_h = torch.tanh(this.linear(x).add(h));
        return [new_h, new_h];
      }
    }
    const cell = new MyCell();
    const frozen = torch.jit.freeze(torch.jit.trace(cell, [torch.rand(3, 4), torch.rand(3, 4)]).eval());
    // PyTorch 1.13: torch.jit.freeze(torch.jit.trace(MyCell(), (x, h)).eval()).code
    expect(frozen.code).toBe(`def forward(self,
    x: Tensor,
    h: Tensor) -> Tuple[Tensor, Tensor]:
  _0 = torch.linear(x, CONSTANTS.c0, CONSTANTS.c1)
  _1 = torch.tanh(torch.add(_0, h))
  return (_1, _1)
`);
    const [x, h] = [torch.rand(3, 4), torch.rand(3, 4)];
    expect(same(frozen(x, h), cell(x, h))).toBe(true);
  });
});
