/**
 * torch.jit.freeze and optimize_for_inference: PyTorch 1.13's frozen `.code` (checked live
 * against PyTorch when installed, and against the frozen_cnn conformance case), outputs equal
 * to the unfrozen module, eval-mode and ScriptModule checks with PyTorch's messages.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { torch } from "../../../src/index.js";
import type { ScriptModule } from "../../../src/jit/script_module.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { defineCell } from "../script/support.js";
import { expectedCode, moduleFromIR, pythonModule, same, unmangle } from "./support.js";

const { MLP, Counter } = defineCell(`
class MLP extends nn.Module {
  fc1 = new nn.Linear(4, 8);
  act = new nn.ReLU();
  fc2 = new nn.Linear(8, 2);
  scale: float = 2.0;
  forward(x: Tensor): Tensor {
    return this.fc2(this.act(this.fc1(x))).mul(this.scale);
  }
}

class Counter extends nn.Module {
  fc = new nn.Linear(3, 3);
  calls: int = 0;
  forward(x: Tensor): Tensor {
    this.calls = this.calls + 1;
    return this.fc(x).add(this.calls);
  }
}
`, { file: "<freeze cell>" });

// The same module in Python, for PyTorch's own frozen code.
const PY_MLP = `
import torch.nn as nn
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8); self.act = nn.ReLU(); self.fc2 = nn.Linear(8, 2)
        self.scale = 2.0
    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale
`;

describe("torch.jit.freeze", () => {
  it("refuses a module in training mode, and anything that is not a ScriptModule, with PyTorch's messages", () => {
    expect(() => torch.jit.freeze(torch.jit.script(new MLP()))).toThrow(
      "Freezing is currently only implemented for modules in eval mode. Please call .eval() on your module before freezing.",
    );
    expect(() => torch.jit.freeze(new MLP().eval() as unknown as ScriptModule)).toThrow(
      "Freezing expects a ScriptModule as input. Please use torch.jit.script or torch.jit.trace to script your 'nn.Module'.",
    );
  });

  it("folds parameters and attributes into constants and inlines submodules: PyTorch's code, eager's outputs", () => {
    const model = new MLP().eval();
    const frozen = torch.jit.freeze(torch.jit.script(model));
    expect(frozen.code).toBe(`def forward(self,
    x: Tensor) -> Tensor:
  _0 = torch.linear(x, CONSTANTS.c0, CONSTANTS.c1)
  result = torch.relu(_0)
  _1 = torch.linear(result, CONSTANTS.c2, CONSTANTS.c3)
  return torch.mul(_1, 2.)
`);
    expect([...frozen.parameters()]).toHaveLength(0);
    expect([...frozen.children()]).toHaveLength(0);
    const x = torch.rand(5, 4);
    expect(same(frozen(x), model(x))).toBe(true);
  });

  it("keeps preserved attributes as attribute reads", () => {
    const frozen = torch.jit.freeze(torch.jit.script(new MLP().eval()), { preserved_attrs: ["scale"] });
    expect(frozen.code).toContain("  scale = self.scale\n  return torch.mul(_1, scale)\n");
    expect((frozen as unknown as { scale: number }).scale).toBe(2);
  });

  it("keeps attributes that forward writes, so the frozen module still counts", () => {
    const model = new Counter().eval();
    const frozen = torch.jit.freeze(torch.jit.script(model));
    expect(frozen.code).toContain("self.calls = ");
    expect(frozen.code).toContain("CONSTANTS.c0");
    const x = torch.rand(2, 3);
    const first = frozen(x) as torch.Tensor;
    const second = frozen(x) as torch.Tensor;
    expect(same(second.sub(first), torch.ones(2, 3))).toBe(true);
  });

  it.skipIf(!hasTorch)("prints what PyTorch 1.13 prints for the same module (live comparison)", () => {
    const py = runTorch<{ frozen: string; preserved: string; optimized: string }>(`${pythonModule(PY_MLP)}
m = torch.jit.script(MLP().eval())
print(json.dumps({"frozen": torch.jit.freeze(m).code, "preserved": torch.jit.freeze(m, preserved_attrs=["scale"]).code,
                  "optimized": torch.jit.optimize_for_inference(torch.jit.script(MLP().eval())).code}))
`);
    const s = torch.jit.script(new MLP().eval());
    expect(torch.jit.freeze(s).code).toBe(py.frozen);
    expect(torch.jit.freeze(s, { preserved_attrs: ["scale"] }).code).toBe(py.preserved);
    expect(torch.jit.optimize_for_inference(torch.jit.script(new MLP().eval())).code).toBe(py.optimized);
  });
});

describe("a frozen module saved with torch.jit.save", () => {
  it("loads back with the same code and outputs", () => {
    const path = join(mkdtempSync(join(tmpdir(), "tsjit-frozen-")), "frozen.pt");
    const frozen = torch.jit.freeze(torch.jit.script(new MLP().eval()));
    torch.jit.save(frozen, path);
    const loaded = torch.jit.load(path);
    expect(loaded.code).toBe(frozen.code);
    const x = torch.rand(3, 4);
    expect(same(loaded(x), frozen(x))).toBe(true);
  });

  it.skipIf(!hasTorch)("loads in PyTorch 1.13 (CONSTANTS.cN in constants.pkl) and computes the same", () => {
    const path = join(mkdtempSync(join(tmpdir(), "tsjit-frozen-")), "frozen.pt");
    const frozen = torch.jit.freeze(torch.jit.script(new MLP().eval()));
    torch.jit.save(frozen, path);
    const x = torch.rand(3, 4);
    const py = runTorch<{ code: string; out: number[] }>(`
m = torch.jit.load(${JSON.stringify(path)})
x = torch.tensor(${JSON.stringify(x.tolist())})
print(json.dumps({"code": m.code, "out": m(x).flatten().tolist()}))
`);
    expect(py.code).toBe(frozen.code);
    expect(same(torch.tensor(py.out).reshape([3, 2]), frozen(x))).toBe(true);
  });
});

describe("torch.jit.optimize_for_inference", () => {
  it("freezes (switching to eval mode) and turns linear into matmul with the transposed weight plus bias", () => {
    const model = new MLP();
    const optimized = torch.jit.optimize_for_inference(torch.jit.script(model));
    expect(optimized.code).toBe(`def forward(self,
    x: Tensor) -> Tensor:
  _0 = torch.add(torch.matmul(x, CONSTANTS.c0), CONSTANTS.c1)
  result = torch.relu(_0)
  _1 = torch.add(torch.matmul(result, CONSTANTS.c2), CONSTANTS.c3)
  return torch.mul(_1, 2.)
`);
    model.eval();
    const x = torch.rand(3, 4);
    expect(same(optimized(x), model(x))).toBe(true);
  });

  it("does not freeze an already frozen module again", () => {
    const frozen = torch.jit.freeze(torch.jit.script(new MLP().eval()));
    expect(torch.jit.optimize_for_inference(frozen)).toBe(frozen);
  });

  it("refuses what is not a ScriptModule", () => {
    expect(() => torch.jit.optimize_for_inference(new MLP() as unknown as ScriptModule)).toThrow(
      "optimize_for_inference expects a ScriptModule as input. Please use torch.jit.script or torch.jit.trace to script your 'nn.Module'.",
    );
  });
});

// Note [frozen_cnn from IR]
// frozen_cnn freezes a scripted SmallCNN (conv1 → bn1 → relu → max_pool2d → conv2 → relu →
// flatten → fc). Its modules are written here as the IR their scripted forwards reduce to, so
// this checks the freezing passes (inlining, attribute folding, conv-bn folding, pooling)
// against PyTorch's frozen code independently of which layers the script frontend supports.
const CONV = (padding: string) => `graph(%self : __torch__.torch.nn.modules.conv.Conv2d,
      %input : Tensor):
  %weight : Tensor = prim::GetAttr[name="weight"](%self)
  %bias : Tensor? = prim::GetAttr[name="bias"](%self)
  %s : int[] = prim::Constant[value=[1, 1]]()
  %p : int[] = prim::Constant[value=${padding}]()
  %g : int = prim::Constant[value=1]()
  %7 : Tensor = aten::conv2d(%input, %weight, %bias, %s, %p, %s, %g)
  return (%7)
`;
const BN = `graph(%self : __torch__.torch.nn.modules.batchnorm.BatchNorm2d,
      %input : Tensor):
  %training : bool = prim::GetAttr[name="training"](%self)
  %weight : Tensor = prim::GetAttr[name="weight"](%self)
  %bias : Tensor = prim::GetAttr[name="bias"](%self)
  %running_mean : Tensor = prim::GetAttr[name="running_mean"](%self)
  %running_var : Tensor = prim::GetAttr[name="running_var"](%self)
  %momentum : float = prim::Constant[value=0.10000000000000001]()
  %eps : float = prim::Constant[value=1.0000000000000001e-05]()
  %cudnn : bool = prim::Constant[value=1]()
  %7 : Tensor = aten::batch_norm(%input, %weight, %bias, %running_mean, %running_var, %training, %momentum, %eps, %cudnn)
  return (%7)
`;
const LINEAR = `graph(%self : __torch__.torch.nn.modules.linear.Linear,
      %input : Tensor):
  %weight : Tensor = prim::GetAttr[name="weight"](%self)
  %bias : Tensor = prim::GetAttr[name="bias"](%self)
  %7 : Tensor = aten::linear(%input, %weight, %bias)
  return (%7)
`;
const SMALL_CNN = `graph(%self : __torch__.SmallCNN,
      %x.1 : Tensor):
  %conv1 : __torch__.torch.nn.modules.conv.Conv2d = prim::GetAttr[name="conv1"](%self)
  %bn1 : __torch__.torch.nn.modules.batchnorm.BatchNorm2d = prim::GetAttr[name="bn1"](%self)
  %conv2 : __torch__.torch.nn.modules.conv.Conv2d = prim::GetAttr[name="conv2"](%self)
  %fc : __torch__.torch.nn.modules.linear.Linear = prim::GetAttr[name="fc"](%self)
  %c1 : Tensor = prim::CallMethod[name="forward"](%conv1, %x.1)
  %b1 : Tensor = prim::CallMethod[name="forward"](%bn1, %c1)
  %result.6 : Tensor = aten::relu(%b1)
  %k : int[] = prim::Constant[value=[2, 2]]()
  %p : int[] = prim::Constant[value=[0, 0]]()
  %d : int[] = prim::Constant[value=[1, 1]]()
  %false : bool = prim::Constant[value=0]()
  %x.5 : Tensor = aten::max_pool2d(%result.6, %k, %k, %p, %d, %false)
  %c2 : Tensor = prim::CallMethod[name="forward"](%conv2, %x.5)
  %result.3 : Tensor = aten::relu(%c2)
  %one : int = prim::Constant[value=1]()
  %minus_one : int = prim::Constant[value=-1]()
  %x.13 : Tensor = aten::flatten(%result.3, %one, %minus_one)
  %y : Tensor = prim::CallMethod[name="forward"](%fc, %x.13)
  return (%y)
`;

describe("frozen_cnn: conv-bn folding", () => {
  function smallCnn() {
    torch.manual_seed(0);
    const layers = {
      conv1: new torch.nn.Conv2d(1, 4, 3, { padding: 1 }),
      bn1: new torch.nn.BatchNorm2d(4),
      conv2: new torch.nn.Conv2d(4, 8, 3),
      fc: new torch.nn.Linear(32, 5),
    };
    // batch statistics that are not the identity, so the fold has something to do
    layers.bn1.running_mean = torch.rand(4).sub(0.5);
    layers.bn1.running_var = torch.rand(4).add(0.5);
    torch.no_grad(() => {
      layers.bn1.weight!.copy_(torch.rand(4).add(0.5));
      layers.bn1.bias!.copy_(torch.rand(4).sub(0.5));
    });
    const own = (m: torch.nn.Module, names: string[]) =>
      Object.fromEntries(names.map((n) => [n, (m as unknown as Record<string, unknown>)[n]]));
    const sub = {
      conv1: moduleFromIR("__torch__.torch.nn.modules.conv.Conv2d", { forward: CONV("[1, 1]") }, own(layers.conv1, ["weight", "bias"])),
      bn1: moduleFromIR("__torch__.torch.nn.modules.batchnorm.BatchNorm2d", { forward: BN }, own(layers.bn1, ["weight", "bias", "running_mean", "running_var"])),
      conv2: moduleFromIR("__torch__.torch.nn.modules.conv.___torch_mangle_1.Conv2d", { forward: CONV("[0, 0]") }, own(layers.conv2, ["weight", "bias"])),
      fc: moduleFromIR("__torch__.torch.nn.modules.linear.Linear", { forward: LINEAR }, own(layers.fc, ["weight", "bias"])),
    };
    const eager = (x: torch.Tensor) => {
      let y = torch.nn.functional.max_pool2d(torch.relu(layers.bn1(layers.conv1(x))), 2);
      y = torch.relu(layers.conv2(y));
      return layers.fc(torch.flatten(y, 1));
    };
    Object.values(layers).forEach((l) => l.eval());
    return { module: moduleFromIR("__torch__.SmallCNN", { forward: SMALL_CNN }, sub), eager };
  }

  it("prints frozen_cnn's code.txt and computes what the unfrozen layers compute", () => {
    const { module, eager } = smallCnn();
    const frozen = torch.jit.freeze(module.eval());
    expect(unmangle(frozen.code)).toBe(unmangle(expectedCode("frozen_cnn").get("<top>.forward")!));
    expect(String(frozen.graph)).toContain("%self.conv1.weight_fused_bn");
    expect(String(frozen.graph)).not.toContain("batch_norm");
    const x = torch.randn(2, 1, 8, 8);
    expect(same(frozen(x), eager(x))).toBe(true);
    expect(same(module(x), eager(x))).toBe(true);
  });

  it("optimize_numerics: false keeps the batch norm", () => {
    const { module, eager } = smallCnn();
    const frozen = torch.jit.freeze(module.eval(), { optimize_numerics: false });
    expect(String(frozen.graph)).toContain("aten::batch_norm");
    const x = torch.randn(2, 1, 8, 8);
    expect(same(frozen(x), eager(x))).toBe(true);
  });
});
