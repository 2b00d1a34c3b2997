/** Forward (and backward) passes of small models with PyTorch's weights give PyTorch's numbers. */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../src/index.js";
import { hasTorch, runTorch } from "../support/pytorch.js";

const { nn } = torch;
type Module = InstanceType<typeof nn.Module>;

interface Flat { shape: number[]; data: number[] }
const PY_HELPERS = `
import torch.nn as nn
import torch.nn.functional as F
def flat(t): return {"shape": list(t.shape), "data": t.detach().flatten().tolist()}
def sd(m): return {k: flat(v) for k, v in m.state_dict().items()}
`;

const toTensor = (f: Flat, dtype: "float32" | "int64" = "float32"): Tensor =>
  torch.tensor(f.data, { dtype }).reshape(f.shape);

function expectClose(t: Tensor, f: Flat, tol = 1e-5): void {
  expect(t.shape).toEqual(f.shape);
  const got = Array.from(t.contiguousData());
  const bad = got.map((v, i) => [i, v, f.data[i]!] as const).filter(([, v, w]) => !(Math.abs(v - w) <= tol * (1 + Math.abs(w))));
  expect(bad.slice(0, 5)).toEqual([]);
}

/** Loads PyTorch's state_dict (as JSON) into a model built here. */
function loadFrom(m: Module, state: Record<string, Flat>): void {
  const sd = new Map<string, Tensor>();
  for (const [k, v] of Object.entries(state)) sd.set(k, toTensor(v, k.endsWith("num_batches_tracked") ? "int64" : "float32"));
  m.load_state_dict(sd);
}

describe.skipIf(!hasTorch)("MLP: Linear -> ReLU -> Linear", () => {
  it("gives PyTorch's outputs, grad_fn and gradients", () => {
    const ref = runTorch<{ state: Record<string, Flat>; x: Flat; y: Flat; grads: Record<string, Flat>; gradx: Flat; fn: string; repr: string }>(`${PY_HELPERS}
torch.manual_seed(7)
m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
x = torch.randn(5, 4, requires_grad=True)
y = m(x)
y.pow(2).sum().backward()
print(json.dumps({"state": sd(m), "x": flat(x), "y": flat(y), "fn": type(y.grad_fn).__name__, "repr": repr(m),
                  "grads": {n: flat(p.grad) for n, p in m.named_parameters()}, "gradx": flat(x.grad)}))
`);
    const m = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
    loadFrom(m, ref.state);
    expect(String(m)).toBe(ref.repr);
    const x = toTensor(ref.x).requires_grad_();
    const y = m(x) as Tensor;
    expectClose(y, ref.y);
    expect(y.grad_fn!.name()).toBe(ref.fn);
    y.pow(2).sum().backward();
    for (const [n, p] of m.named_parameters()) expectClose(p.grad!, ref.grads[n]!, 1e-4);
    expectClose(x.grad!, ref.gradx, 1e-4);
  });
});

class SmallCNN extends nn.Module {
  conv1 = new nn.Conv2d(1, 4, 3, { padding: 1 });
  bn = new nn.BatchNorm2d(4);
  pool = new nn.MaxPool2d(2);
  conv2 = new nn.Conv2d(4, 6, 3, { stride: 1 });
  gap = new nn.AdaptiveAvgPool2d([1, 1]);
  flatten = new nn.Flatten();
  drop = new nn.Dropout(0.0);
  fc = new nn.Linear(6, 3);

  override forward(x: Tensor): Tensor {
    const h = this.pool(torch.relu(this.bn(this.conv1(x))));
    return this.fc(this.drop(this.flatten(this.gap(torch.relu(this.conv2(h))))));
  }
}

describe.skipIf(!hasTorch)("small CNN: conv -> batchnorm -> relu -> pool -> conv -> gap -> linear", () => {
  it("matches PyTorch in training and eval mode, including running statistics and gradients", () => {
    const ref = runTorch<Record<string, unknown>>(`${PY_HELPERS}
class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(4, 6, 3, stride=1)
        self.gap = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.drop = nn.Dropout(0.0)
        self.fc = nn.Linear(6, 3)
    def forward(self, x):
        h = self.pool(torch.relu(self.bn(self.conv1(x))))
        return self.fc(self.drop(self.flatten(self.gap(torch.relu(self.conv2(h))))))
torch.manual_seed(3)
m = SmallCNN()
state0 = sd(m)
x = torch.randn(2, 1, 8, 8)
target = torch.tensor([0, 2])
y = m(x)
loss = nn.CrossEntropyLoss()(y, target)
loss.backward()
after = sd(m)
m.eval()
y_eval = m(x)
print(json.dumps({"state": state0, "x": flat(x), "y": flat(y), "loss": flat(loss), "after": after,
                  "grads": {n: flat(p.grad) for n, p in m.named_parameters()}, "y_eval": flat(y_eval), "repr": repr(m)}))
`);
    const m = new SmallCNN();
    loadFrom(m, ref["state"] as Record<string, Flat>);
    expect(String(m)).toBe(ref["repr"]);
    const x = toTensor(ref["x"] as Flat);
    const y = m(x) as Tensor;
    expectClose(y, ref["y"] as Flat);
    const loss = new nn.CrossEntropyLoss()(y, torch.tensor([0, 2])) as Tensor;
    expectClose(loss, ref["loss"] as Flat);
    loss.backward();
    const after = ref["after"] as Record<string, Flat>;
    for (const [k, v] of m.state_dict()) expectClose(v, after[k]!);
    const grads = ref["grads"] as Record<string, Flat>;
    for (const [n, p] of m.named_parameters()) expectClose(p.grad!, grads[n]!, 1e-4);
    m.eval();
    expectClose(m(x) as Tensor, ref["y_eval"] as Flat);
  });
});

describe.skipIf(!hasTorch)("single layers against PyTorch", () => {
  const CASES: [string, string, () => Module, "float" | "long"][] = [
    ["relu", "nn.ReLU()", () => new nn.ReLU(), "float"],
    ["gelu", "nn.GELU()", () => new nn.GELU(), "float"],
    ["gelu_tanh", "nn.GELU(approximate='tanh')", () => new nn.GELU({ approximate: "tanh" }), "float"],
    ["silu", "nn.SiLU()", () => new nn.SiLU(), "float"],
    ["softplus", "nn.Softplus(beta=2, threshold=1)", () => new nn.Softplus({ beta: 2, threshold: 1 }), "float"],
    ["tanh", "nn.Tanh()", () => new nn.Tanh(), "float"],
    ["sigmoid", "nn.Sigmoid()", () => new nn.Sigmoid(), "float"],
    ["softmax", "nn.Softmax(dim=1)", () => new nn.Softmax(1), "float"],
    ["log_softmax", "nn.LogSoftmax(dim=-1)", () => new nn.LogSoftmax({ dim: -1 }), "float"],
    ["flatten", "nn.Flatten(0)", () => new nn.Flatten(0), "float"],
    ["unflatten", "nn.Unflatten(2, (2, 3))", () => new nn.Unflatten(2, [2, 3]), "float"],
    ["identity", "nn.Identity()", () => new nn.Identity(), "float"],
    ["layer_norm", "nn.LayerNorm(6)", () => new nn.LayerNorm(6), "float"],
    ["layer_norm2", "nn.LayerNorm([3, 6], elementwise_affine=False, eps=1e-3)", () => new nn.LayerNorm([3, 6], { elementwise_affine: false, eps: 1e-3 }), "float"],
    ["avg_pool", "nn.AvgPool2d(2, stride=1, padding=1, count_include_pad=False)", () => new nn.AvgPool2d(2, { stride: 1, padding: 1, count_include_pad: false }), "float"],
    ["adaptive", "nn.AdaptiveAvgPool2d((None, 2))", () => new nn.AdaptiveAvgPool2d([null, 2]), "float"],
    ["max_pool", "nn.MaxPool2d(2, stride=1, ceil_mode=True)", () => new nn.MaxPool2d(2, { stride: 1, ceil_mode: true }), "float"],
    ["leaky_relu", "nn.LeakyReLU(0.2)", () => new nn.LeakyReLU(0.2), "float"],
    ["elu", "nn.ELU(alpha=0.5)", () => new nn.ELU({ alpha: 0.5 }), "float"],
    ["hardtanh", "nn.Hardtanh(-0.5, 0.75)", () => new nn.Hardtanh({ min_val: -0.5, max_val: 0.75 }), "float"],
    ["relu6", "nn.ReLU6()", () => new nn.ReLU6(), "float"],
    ["max_pool1d", "nn.MaxPool1d(2, stride=1, padding=1)", () => new nn.MaxPool1d(2, { stride: 1, padding: 1 }), "float"],
    ["avg_pool1d", "nn.AvgPool1d(3, stride=2, padding=1)", () => new nn.AvgPool1d(3, { stride: 2, padding: 1 }), "float"],
    ["adaptive1d", "nn.AdaptiveAvgPool1d(4)", () => new nn.AdaptiveAvgPool1d(4), "float"],
    ["bn1d", "nn.BatchNorm1d(3)", () => new nn.BatchNorm1d(3), "float"],
    ["conv1d", "nn.Conv1d(3, 2, 2, stride=2, dilation=1)", () => new nn.Conv1d(3, 2, 2, { stride: 2 }), "float"],
    ["conv_same", "nn.Conv2d(2, 2, 3, padding='same', dilation=2, bias=False)", () => new nn.Conv2d(2, 2, 3, { padding: "same", dilation: 2, bias: false }), "float"],
    ["embedding", "nn.Embedding(7, 3, padding_idx=0)", () => new nn.Embedding(7, 3, { padding_idx: 0 }), "long"],
    ["embedding_max_norm", "nn.Embedding(7, 3, max_norm=1.0)", () => new nn.Embedding(7, 3, { max_norm: 1.0 }), "long"],
  ];
  const INPUTS = {
    leaky_relu: "torch.randn(2, 3, 6)", elu: "torch.randn(2, 3, 6)", hardtanh: "torch.randn(2, 3, 6)", relu6: "torch.randn(2, 3, 6) * 5",
    max_pool1d: "torch.randn(2, 3, 7)", avg_pool1d: "torch.randn(2, 3, 7)", adaptive1d: "torch.randn(2, 3, 7)",
    relu: "torch.randn(2, 3, 6)", gelu: "torch.randn(2, 3, 6)", gelu_tanh: "torch.randn(2, 3, 6)", silu: "torch.randn(2, 3, 6)",
    softplus: "torch.randn(2, 3, 6)", tanh: "torch.randn(2, 3, 6)", sigmoid: "torch.randn(2, 3, 6)", softmax: "torch.randn(2, 3, 6)",
    log_softmax: "torch.randn(2, 3, 6)", flatten: "torch.randn(2, 3, 6)", unflatten: "torch.randn(2, 3, 6)", identity: "torch.randn(2, 3, 6)",
    layer_norm: "torch.randn(2, 3, 6)", layer_norm2: "torch.randn(2, 3, 6)", avg_pool: "torch.randn(1, 2, 4, 5)",
    adaptive: "torch.randn(1, 2, 4, 5)", max_pool: "torch.randn(1, 2, 4, 5)", bn1d: "torch.randn(4, 3, 5)",
    conv1d: "torch.randn(2, 3, 7)", conv_same: "torch.randn(1, 2, 5, 5)",
    embedding: "torch.tensor([[0, 3, 6], [2, 0, 1]])", embedding_max_norm: "torch.tensor([[4, 3, 4], [2, 5, 1]])",
  } as Record<string, string>;

  it("forward outputs, gradients and (for modules with state) updated state", () => {
    const ref = runTorch<Record<string, { state: Record<string, Flat>; x: Flat; y: Flat; gx: Flat | null; after: Record<string, Flat> }>>(`${PY_HELPERS}
out = {}
for name, expr, inp in ${JSON.stringify(CASES.map(([n, e]) => [n, e, INPUTS[n]]))}:
    torch.manual_seed(11)
    m = eval(expr)
    state = sd(m)
    x = eval(inp)
    if x.is_floating_point(): x.requires_grad_()
    y = m(x)
    (y * torch.arange(y.numel()).reshape(y.shape).sin()).sum().backward()
    out[name] = {"state": state, "x": flat(x), "y": flat(y), "gx": flat(x.grad) if x.grad is not None else None, "after": sd(m)}
print(json.dumps(out))
`);
    for (const [name, , make, kind] of CASES) {
      const r = ref[name]!;
      const m = make();
      loadFrom(m, r.state);
      const x = toTensor(r.x, kind === "long" ? "int64" : "float32");
      if (kind === "float") x.requires_grad_();
      const y = m(x) as Tensor;
      expectClose(y, r.y);
      const w = torch.arange(y.numel()).reshape(y.shape).sin();
      y.mul(w).sum().backward();
      if (r.gx) expectClose(x.grad!, r.gx, 1e-4);
      for (const [k, v] of m.state_dict()) expectClose(v, r.after[k]!);
    }
  });
});

describe.skipIf(!hasTorch)("BatchNorm running statistics", () => {
  it("momentum=None keeps a cumulative average; eval uses the running statistics", () => {
    const ref = runTorch<{ x1: Flat; x2: Flat; after: Record<string, Flat>; y: Flat }>(`${PY_HELPERS}
torch.manual_seed(5)
bn = nn.BatchNorm2d(3, momentum=None)
x1, x2 = torch.randn(2, 3, 2, 2), torch.randn(4, 3, 1, 2) * 3 + 1
bn(x1); bn(x2)
bn.eval()
print(json.dumps({"x1": flat(x1), "x2": flat(x2), "after": sd(bn), "y": flat(bn(x1))}))
`);
    const bn = new nn.BatchNorm2d(3, { momentum: null });
    bn(toTensor(ref.x1));
    bn(toTensor(ref.x2));
    for (const [k, v] of bn.state_dict()) expectClose(v, ref.after[k]!);
    expect(bn.num_batches_tracked!.item()).toBe(2);
    bn.eval();
    expectClose(bn(toTensor(ref.x1)) as Tensor, ref.y);
  });

  it("checks input dims and batch size as PyTorch", () => {
    expect(() => new nn.BatchNorm2d(3)(torch.zeros(2, 3))).toThrow("expected 4D input (got 2D input)");
    expect(() => new nn.BatchNorm1d(3)(torch.zeros(1, 3))).toThrow(
      "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])",
    );
  });
});

describe.skipIf(!hasTorch)("loss modules", () => {
  it("MSELoss, NLLLoss and CrossEntropyLoss (weight, ignore_index, label_smoothing, reductions)", () => {
    const ref = runTorch<Record<string, Flat> & { inp: Flat; tgt: Flat; a: Flat; b: Flat; w: Flat }>(`${PY_HELPERS}
torch.manual_seed(9)
inp = torch.randn(4, 3); tgt = torch.tensor([0, 2, 1, 2]); a = torch.randn(2, 5); b = torch.randn(2, 5); w = torch.tensor([0.2, 1.0, 3.0])
out = {"inp": flat(inp), "tgt": flat(tgt), "a": flat(a), "b": flat(b), "w": flat(w)}
out["mse"] = flat(nn.MSELoss()(a, b)); out["mse_sum"] = flat(nn.MSELoss(reduction='sum')(a, b)); out["mse_none"] = flat(nn.MSELoss(reduction='none')(a, b))
out["ce"] = flat(nn.CrossEntropyLoss()(inp, tgt))
out["ce_w"] = flat(nn.CrossEntropyLoss(weight=w, ignore_index=1)(inp, tgt))
out["ce_ls"] = flat(nn.CrossEntropyLoss(label_smoothing=0.2, reduction='sum')(inp, tgt))
out["ce_none"] = flat(nn.CrossEntropyLoss(reduction='none')(inp, tgt))
out["nll"] = flat(nn.NLLLoss(weight=w)(F.log_softmax(inp, 1), tgt))
out["nll_legacy"] = flat(nn.NLLLoss(size_average=False)(F.log_softmax(inp, 1), tgt))
print(json.dumps(out))
`);
    const inp = toTensor(ref.inp), tgt = toTensor(ref.tgt, "int64"), a = toTensor(ref.a), b = toTensor(ref.b), w = toTensor(ref.w);
    expectClose(new nn.MSELoss()(a, b), ref["mse"]!);
    expectClose(new nn.MSELoss({ reduction: "sum" })(a, b), ref["mse_sum"]!);
    expectClose(new nn.MSELoss({ reduction: "none" })(a, b), ref["mse_none"]!);
    expectClose(new nn.CrossEntropyLoss()(inp, tgt), ref["ce"]!);
    expectClose(new nn.CrossEntropyLoss({ weight: w, ignore_index: 1 })(inp, tgt), ref["ce_w"]!);
    expectClose(new nn.CrossEntropyLoss({ label_smoothing: 0.2, reduction: "sum" })(inp, tgt), ref["ce_ls"]!);
    expectClose(new nn.CrossEntropyLoss({ reduction: "none" })(inp, tgt), ref["ce_none"]!);
    const logp = torch.nn.functional.log_softmax(inp, 1);
    expectClose(new nn.NLLLoss({ weight: w })(logp, tgt), ref["nll"]!);
    const legacy = new nn.NLLLoss({ size_average: false });
    expect(legacy.reduction).toBe("sum");
    expectClose(legacy(logp, tgt), ref["nll_legacy"]!);
    expect(() => new nn.MSELoss({ reduction: "avg" as "mean" })(a, b)).toThrow("avg is not a valid value for reduction");
  });
});

describe("Dropout", () => {
  it("is the identity in eval mode and with p=0, and zeroes everything with p=1", () => {
    const x = torch.ones(4, 5);
    const d = new nn.Dropout(0.5);
    d.eval();
    expect(d(x)).toBe(x);
    expect(Array.from((new nn.Dropout(0)(x) as Tensor).contiguousData())).toEqual(new Array(20).fill(1));
    expect(Array.from((new nn.Dropout(1)(x) as Tensor).contiguousData())).toEqual(new Array(20).fill(0));
  });
  it("scales kept elements by 1/(1-p) in training mode", () => {
    const y = new nn.Dropout(0.25)(torch.ones(200)) as Tensor;
    const v = Array.from(y.contiguousData());
    expect(v.every((e) => e === 0 || Math.abs(e - 1 / 0.75) < 1e-6)).toBe(true);
    expect(v.filter((e) => e === 0).length).toBeGreaterThan(20);
  });
});
