/** Layers against PyTorch: printing, parameter names / shapes / order, default initialisation. */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../src/index.js";
import { hasTorch, runTorch } from "../support/pytorch.js";

const { nn } = torch;
type Module = InstanceType<typeof nn.Module>;
const vals = (t: Tensor): number[] => Array.from(t.contiguousData());
const f32 = (xs: number[]): number[] => xs.map(Math.fround);

/** [PyTorch expression, the same layer built here]. */
const LAYERS: [string, () => Module][] = [
  ["nn.Linear(4, 4)", () => new nn.Linear(4, 4)],
  ["nn.Linear(4, 2, bias=False)", () => new nn.Linear(4, 2, { bias: false })],
  ["nn.Identity(3, foo=1)", () => new nn.Identity(3, { foo: 1 })],
  ["nn.Conv2d(3, 8, 3, stride=1, padding=1)", () => new nn.Conv2d(3, 8, 3, { stride: 1, padding: 1 })],
  ["nn.Conv2d(3, 8, (3, 5), stride=2, padding=(1, 2), dilation=2, bias=False, padding_mode='reflect')",
    () => new nn.Conv2d(3, 8, [3, 5], { stride: 2, padding: [1, 2], dilation: 2, bias: false, padding_mode: "reflect" })],
  ["nn.Conv2d(4, 8, 3, groups=2, padding='same')", () => new nn.Conv2d(4, 8, 3, { groups: 2, padding: "same" })],
  ["nn.Conv1d(2, 4, 3)", () => new nn.Conv1d(2, 4, 3)],
  ["nn.Conv1d(2, 4, 5, padding='valid', padding_mode='circular')", () => new nn.Conv1d(2, 4, 5, { padding: "valid", padding_mode: "circular" })],
  ["nn.MaxPool2d(2)", () => new nn.MaxPool2d(2)],
  ["nn.MaxPool2d((2, 3), stride=1, padding=1, ceil_mode=True)", () => new nn.MaxPool2d([2, 3], { stride: 1, padding: 1, ceil_mode: true })],
  ["nn.AvgPool2d(2)", () => new nn.AvgPool2d(2)],
  ["nn.AvgPool2d(3, stride=2, padding=1)", () => new nn.AvgPool2d(3, { stride: 2, padding: 1 })],
  ["nn.AdaptiveAvgPool2d((1, 1))", () => new nn.AdaptiveAvgPool2d([1, 1])],
  ["nn.AdaptiveAvgPool2d(7)", () => new nn.AdaptiveAvgPool2d(7)],
  ["nn.AdaptiveAvgPool2d((None, 7))", () => new nn.AdaptiveAvgPool2d([null, 7])],
  ["nn.BatchNorm1d(4)", () => new nn.BatchNorm1d(4)],
  ["nn.BatchNorm2d(8, eps=1e-3, momentum=None, affine=False, track_running_stats=False)",
    () => new nn.BatchNorm2d(8, { eps: 1e-3, momentum: null, affine: false, track_running_stats: false })],
  ["nn.LayerNorm(4)", () => new nn.LayerNorm(4)],
  ["nn.LayerNorm([2, 3], eps=1e-6, elementwise_affine=False)", () => new nn.LayerNorm([2, 3], { eps: 1e-6, elementwise_affine: false })],
  ["nn.Embedding(10, 3)", () => new nn.Embedding(10, 3)],
  ["nn.Embedding(10, 3, padding_idx=-1, max_norm=1.5, norm_type=1.5, scale_grad_by_freq=True, sparse=True)",
    () => new nn.Embedding(10, 3, { padding_idx: -1, max_norm: 1.5, norm_type: 1.5, scale_grad_by_freq: true, sparse: true })],
  ["nn.Dropout()", () => new nn.Dropout()],
  ["nn.Dropout(0.25, inplace=True)", () => new nn.Dropout(0.25, { inplace: true })],
  ["nn.ReLU()", () => new nn.ReLU()],
  ["nn.ReLU(inplace=True)", () => new nn.ReLU({ inplace: true })],
  ["nn.LeakyReLU()", () => new nn.LeakyReLU()],
  ["nn.LeakyReLU(0.2, inplace=True)", () => new nn.LeakyReLU(0.2, { inplace: true })],
  ["nn.ELU()", () => new nn.ELU()],
  ["nn.ELU(alpha=0.5)", () => new nn.ELU({ alpha: 0.5 })],
  ["nn.Hardtanh()", () => new nn.Hardtanh()],
  ["nn.Hardtanh(-2.5, 2.0, inplace=True)", () => new nn.Hardtanh({ min_val: -2.5, max_val: 2.0, inplace: true })],
  ["nn.ReLU6()", () => new nn.ReLU6()],
  ["nn.ReLU6(inplace=True)", () => new nn.ReLU6(true)],
  ["nn.MaxPool1d(3)", () => new nn.MaxPool1d(3)],
  ["nn.AvgPool1d(2)", () => new nn.AvgPool1d(2)],
  ["nn.AvgPool1d(3, stride=1, padding=1)", () => new nn.AvgPool1d(3, { stride: 1, padding: 1 })],
  ["nn.AdaptiveAvgPool1d(4)", () => new nn.AdaptiveAvgPool1d(4)],
  ["nn.GELU()", () => new nn.GELU()],
  ["nn.GELU(approximate='tanh')", () => new nn.GELU({ approximate: "tanh" })],
  ["nn.SiLU()", () => new nn.SiLU()],
  ["nn.Softplus(beta=2, threshold=10)", () => new nn.Softplus({ beta: 2, threshold: 10 })],
  ["nn.Tanh()", () => new nn.Tanh()],
  ["nn.Sigmoid()", () => new nn.Sigmoid()],
  ["nn.Softmax(dim=1)", () => new nn.Softmax(1)],
  ["nn.LogSoftmax()", () => new nn.LogSoftmax()],
  ["nn.Flatten()", () => new nn.Flatten()],
  ["nn.Flatten(0, 2)", () => new nn.Flatten(0, 2)],
  ["nn.Unflatten(1, (2, 3))", () => new nn.Unflatten(1, [2, 3])],
  ["nn.MSELoss()", () => new nn.MSELoss()],
  ["nn.CrossEntropyLoss(weight=torch.ones(3), label_smoothing=0.1)", () => new nn.CrossEntropyLoss({ weight: torch.ones(3), label_smoothing: 0.1 })],
  ["nn.NLLLoss(ignore_index=0)", () => new nn.NLLLoss({ ignore_index: 0 })],
];

interface LayerRef { repr: string; params: [string, number[]][]; state: string[] }

describe.skipIf(!hasTorch)("layers against PyTorch", () => {
  const ref = hasTorch
    ? runTorch<LayerRef[]>(`
import torch.nn as nn
out = []
for expr in ${JSON.stringify(LAYERS.map(([e]) => e))}:
    m = eval(expr)
    out.append({"repr": repr(m), "params": [[n, list(p.shape)] for n, p in m.named_parameters()],
                "state": list(m.state_dict().keys())})
print(json.dumps(out))
`)
    : [];
  LAYERS.forEach(([expr, make], i) => {
    it(`${expr}: repr, parameters and state_dict keys`, () => {
      const m = make();
      expect(String(m)).toBe(ref[i]!.repr);
      expect(m.named_parameters().map(([n, p]) => [n, p.shape])).toEqual(ref[i]!.params);
      expect([...m.state_dict().keys()]).toEqual(ref[i]!.state);
    });
  });

  it("default initialisation after manual_seed equals PyTorch's", () => {
    const r = runTorch<Record<string, number[]>>(`
import torch.nn as nn
out = {}
def grab(name, make):
    torch.manual_seed(0)
    m = make()
    for n, t in m.state_dict().items():
        out[name + "." + n] = t.flatten().tolist()
grab("conv2d", lambda: nn.Conv2d(3, 8, 3, padding=1))
grab("conv2d_groups", lambda: nn.Conv2d(4, 6, (2, 3), groups=2, bias=True))
grab("conv1d", lambda: nn.Conv1d(2, 5, 4))
grab("emb", lambda: nn.Embedding(10, 3))
grab("emb_small", lambda: nn.Embedding(5, 2, padding_idx=1))
grab("emb64", lambda: nn.Embedding(6, 4, dtype=torch.float64))
grab("lin64", lambda: nn.Linear(3, 2, dtype=torch.float64))
grab("bn", lambda: nn.BatchNorm2d(3))
grab("ln", lambda: nn.LayerNorm([2, 2]))
print(json.dumps(out))
`);
    const grab = (name: string, make: () => Module): Record<string, number[]> => {
      torch.manual_seed(0);
      const m = make();
      return Object.fromEntries([...m.state_dict()].map(([k, t]) => [`${name}.${k}`, vals(t)]));
    };
    const ours = {
      ...grab("conv2d", () => new nn.Conv2d(3, 8, 3, { padding: 1 })),
      ...grab("conv2d_groups", () => new nn.Conv2d(4, 6, [2, 3], { groups: 2, bias: true })),
      ...grab("conv1d", () => new nn.Conv1d(2, 5, 4)),
      ...grab("emb", () => new nn.Embedding(10, 3)),
      ...grab("emb_small", () => new nn.Embedding(5, 2, { padding_idx: 1 })),
      ...grab("emb64", () => new nn.Embedding(6, 4, { dtype: torch.float64 })),
      ...grab("lin64", () => new nn.Linear(3, 2, { dtype: "float64" })),
      ...grab("bn", () => new nn.BatchNorm2d(3)),
      ...grab("ln", () => new nn.LayerNorm([2, 2])),
    };
    expect(Object.keys(ours)).toEqual(Object.keys(r));
    for (const [k, v] of Object.entries(r)) {
      const got = ours[k as keyof typeof ours]!;
      if (k.startsWith("emb64")) {
        // float64 normal_ (16-wide path) uses libm log/cos/sin: V8's may differ by an ulp from glibc's
        got.forEach((x, i) => expect(Math.abs(x - v[i]!), k).toBeLessThanOrEqual(4e-16 * Math.abs(v[i]!)));
        continue;
      }
      const exact = k.startsWith("lin64") || k.endsWith("num_batches_tracked");
      expect(got, k).toEqual(exact ? v : f32(v));
    }
  });
});

describe("layer construction checks", () => {
  it("raises PyTorch's ValueErrors", () => {
    expect(() => new nn.Conv2d(3, 8, 3, { groups: 2 })).toThrow("in_channels must be divisible by groups");
    expect(() => new nn.Conv2d(4, 6, 3, { groups: 4 })).toThrow("out_channels must be divisible by groups");
    expect(() => new nn.Conv2d(4, 6, 3, { groups: 0 })).toThrow("groups must be a positive integer");
    expect(() => new nn.Conv2d(4, 6, 3, { padding: "same", stride: 2 })).toThrow("padding='same' is not supported for strided convolutions");
    expect(() => new nn.Dropout(1.5)).toThrow("dropout probability has to be between 0 and 1, but got 1.5");
    expect(() => new nn.Embedding(4, 2, { padding_idx: 4 })).toThrow("Padding_idx must be within num_embeddings");
  });

  it("zeroes the padding row of an Embedding and normalises a negative index", () => {
    torch.manual_seed(3);
    const e = new nn.Embedding(4, 3, { padding_idx: -2 });
    expect(e.padding_idx).toBe(2);
    expect(vals(e.weight).slice(6, 9)).toEqual([0, 0, 0]);
  });

  it("Embedding.from_pretrained keeps the given weights, frozen by default", () => {
    const w = torch.tensor([[1.5, 2.5], [3.5, 4.5]]);
    const e = nn.Embedding.from_pretrained(w);
    expect(vals(e.weight)).toEqual([1.5, 2.5, 3.5, 4.5]);
    expect(e.weight.requires_grad).toBe(false);
  });

  it("BatchNorm registers its buffers in PyTorch's order", () => {
    const bn = new nn.BatchNorm2d(2);
    expect(bn.named_buffers().map(([n, t]) => [n, t.dtype.name, t.shape])).toEqual([
      ["running_mean", "float32", [2]], ["running_var", "float32", [2]], ["num_batches_tracked", "int64", []],
    ]);
    expect(vals(bn.running_var!)).toEqual([1, 1]);
    const plain = new nn.BatchNorm1d(2, { track_running_stats: false });
    expect(plain.running_mean).toBeNull();
    expect(plain.named_buffers()).toEqual([]);
  });
});
