/** torch.nn.functional: Python argument binding, PyTorch's checks, numbers and grad_fn names. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { torch, Tensor } from "../../src/index.js";
import { pySignature } from "../../src/nn/layers/utils.js";
import { gradcheck, leaf } from "../support/gradcheck.js";
import { hasTorch, runTorch } from "../support/pytorch.js";

const F = torch.nn.functional;
interface Flat { shape: number[]; data: number[] }
const toTensor = (f: Flat, dtype: "float32" | "int64" | "float64" = "float32"): Tensor => torch.tensor(f.data, { dtype }).reshape(f.shape);
const vals = (t: Tensor): number[] => Array.from(t.contiguousData());

function expectClose(t: Tensor, f: Flat, tol = 1e-5): void {
  expect(t.shape).toEqual(f.shape);
  const got = vals(t);
  const bad = got.map((v, i) => [i, v, f.data[i]!] as const).filter(([, v, w]) => !(Math.abs(v - w) <= tol * (1 + Math.abs(w))));
  expect(bad.slice(0, 5)).toEqual([]);
}

afterEach(() => vi.restoreAllMocks());

describe("Note [python signatures]", () => {
  const sig = pySignature("dropout", "input, p=0.5, training=True, inplace=False");
  it("binds positionally, then by keyword, filling defaults", () => {
    expect(sig.bind("x", [])).toEqual(["x", 0.5, true, false]);
    expect(sig.bind("x", [0.2])).toEqual(["x", 0.2, true, false]);
    expect(sig.bind("x", [0.2, { inplace: true }])).toEqual(["x", 0.2, true, true]);
    expect(sig.bind("x", [{ training: false }])).toEqual(["x", 0.5, false, false]);
  });
  it("raises Python's TypeErrors", () => {
    expect(() => sig.bind("x", [{ q: 1 }])).toThrow("dropout() got an unexpected keyword argument 'q'");
    expect(() => sig.bind("x", [0.1, { p: 0.2 }])).toThrow("dropout() got multiple values for argument 'p'");
    expect(() => sig.bind("x", [0.1, true, false, 3])).toThrow("dropout() takes from 1 to 4 positional arguments but 5 were given");
    const two = pySignature("linear", "input, weight, bias=None");
    expect(() => two.bind("x", [])).toThrow("linear() missing 1 required positional argument: 'weight'");
  });
  it("parses Python defaults", () => {
    expect(pySignature("f", "a, b=None, c='mean', d=-100, e=1e-05, g=[]").bind(1, [])).toEqual([1, null, "mean", -100, 1e-5, []]);
  });
});

describe("functional wrappers", () => {
  it("relu(inplace) writes into its input", () => {
    const x = torch.tensor([-1.5, 2.5]);
    const y = F.relu(x, { inplace: true });
    expect(y).toBe(x);
    expect(vals(x)).toEqual([0, 2.5]);
  });

  it("dropout checks p and passes training through", () => {
    expect(() => F.dropout(torch.ones(3), 1.5)).toThrow("dropout probability has to be between 0 and 1, but got 1.5");
    const x = torch.ones(3);
    expect(vals(F.dropout(x, 0.5, false))).toEqual([1, 1, 1]);
    expect(() => F.dropout(x, { q: 1 } as never)).toThrow("dropout() got an unexpected keyword argument 'q'");
  });

  it("softmax without dim warns and picks PyTorch's implicit dim", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const x = torch.tensor([[1.5, 2.5], [0.5, -1.5]]);
    expect(vals(F.softmax(x))).toEqual(vals(F.softmax(x, 1)));
    expect(F.log_softmax(x, { dim: 0, dtype: torch.float64 }).dtype).toBe(torch.float64);
    F.log_softmax(x);
    expect(warn.mock.calls.map((c) => String(c[0]))).toContain(
      "UserWarning: Implicit dimension choice for log_softmax has been deprecated. Change the call to include dim=X as an argument.",
    );
  });

  it("max_pool2d returns indices when asked", () => {
    const x = torch.arange(16, { dtype: torch.float32 }).reshape([1, 1, 4, 4]);
    const [out, idx] = F.max_pool2d_with_indices(x, 2);
    expect(vals(out)).toEqual([5, 7, 13, 15]);
    expect(vals(idx)).toEqual([5, 7, 13, 15]);
    const both = F.max_pool2d(x, 2, { return_indices: true }) as unknown as [Tensor, Tensor];
    expect(vals(both[1])).toEqual([5, 7, 13, 15]);
    expect(vals(F.max_pool2d(x, [2, 2], { stride: 2 }))).toEqual([5, 7, 13, 15]);
  });

  it("adaptive_avg_pool2d fills null sizes from the input and checks dims", () => {
    const x = torch.ones(1, 2, 4, 6);
    expect(F.adaptive_avg_pool2d(x, [null, 3]).shape).toEqual([1, 2, 4, 3]);
    expect(() => F.adaptive_avg_pool2d(torch.ones(4), [2, 2])).toThrow("Input dimension should be at least 3");
  });

  it("batch_norm in training needs more than one value per channel", () => {
    expect(() => F.batch_norm(torch.ones(1, 3), null, null, { training: true })).toThrow(
      "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])",
    );
  });

  it("losses validate the reduction and warn on legacy arguments", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const a = torch.tensor([1.5, 2.5]), b = torch.tensor([0.5, 0.5]);
    expect(() => F.mse_loss(a, b, { reduction: "avg" as "mean" })).toThrow("avg is not a valid value for reduction");
    expect(vals(F.mse_loss(a, b, { reduce: false }))).toEqual([1, 4]);
    expect(warn.mock.calls.map((c) => String(c[0]))).toContain(
      "UserWarning: size_average and reduce args will be deprecated, please use reduction='none' instead.",
    );
  });

  it("mse_loss and cross_entropy have correct float64 gradients", () => {
    const a = leaf([3, 4], 1), b = leaf([3, 4], 2);
    gradcheck((x, y) => F.mse_loss(x, y), [a, b]);
    const logits = leaf([3, 5], 3);
    const target = torch.tensor([1, 0, 4]);
    gradcheck((x) => F.cross_entropy(x, target, { label_smoothing: 0.1 }), [logits]);
    gradcheck((x) => F.nll_loss(F.log_softmax(x, 1), target, { reduction: "sum" }), [logits]);
  });

  it("linear, conv2d and layer_norm differentiate through the wrappers", () => {
    const x = leaf([2, 3], 4), w = leaf([4, 3], 5), b = leaf([4], 6);
    gradcheck((x_, w_, b_) => F.linear(x_, w_, b_), [x, w, b]);
    const img = leaf([1, 2, 4, 4], 7), k = leaf([3, 2, 3, 3], 8);
    gradcheck((i, kk) => F.conv2d(i, kk, null, { padding: 1, stride: 2 }), [img, k]);
    gradcheck((i) => F.layer_norm(i, 4), [leaf([2, 4], 9)]);
  });
});

describe.skipIf(!hasTorch)("functional against PyTorch", () => {
  it("gives PyTorch's values and grad_fn names", () => {
    const ref = runTorch<Record<string, { y: Flat; fn: string | null }> & { x: Flat; w: Flat; img: Flat; k: Flat; idx: Flat; ew: Flat; t: Flat }>(`
import torch.nn.functional as F
def flat(t): return {"shape": list(t.shape), "data": t.detach().flatten().tolist()}
torch.manual_seed(2)
x = torch.randn(2, 3, 4, requires_grad=True); w = torch.randn(5, 4, requires_grad=True)
img = torch.randn(1, 2, 5, 5, requires_grad=True); k = torch.randn(3, 2, 3, 3, requires_grad=True)
idx = torch.tensor([[0, 2], [3, 0]]); ew = torch.randn(4, 3); t = torch.tensor([1, 0])
out = {"x": flat(x), "w": flat(w), "img": flat(img), "k": flat(k), "idx": flat(idx), "ew": flat(ew), "t": flat(t)}
def rec(name, y): out[name] = {"y": flat(y), "fn": type(y.grad_fn).__name__ if y.grad_fn is not None else None}
rec("linear", F.linear(x, w)); rec("linear2d", F.linear(x[0], w, w[:, 0]))
rec("relu", F.relu(x)); rec("gelu", F.gelu(x, approximate='tanh')); rec("silu", F.silu(x)); rec("softplus", F.softplus(x, 2, 1))
rec("softmax", F.softmax(x, dim=-1)); rec("log_softmax", F.log_softmax(x, 1))
rec("conv1d", F.conv1d(x, w[:2, :3].unsqueeze(-1).contiguous(), stride=2))
rec("conv2d", F.conv2d(img, k, None, 1, 1)); rec("conv2d_same", F.conv2d(img, k, padding='same', dilation=1))
rec("max_pool2d", F.max_pool2d(img, 2, 1)); rec("avg_pool2d", F.avg_pool2d(img, 3, 2, 1, ceil_mode=True, count_include_pad=False))
rec("adaptive", F.adaptive_avg_pool2d(img, (2, 3)))
rec("layer_norm", F.layer_norm(x, [4], w[0], w[1]))
rec("batch_norm", F.batch_norm(x, None, None, training=True))
rec("embedding", F.embedding(idx, ew, padding_idx=-1, max_norm=0.5)); out["renormed"] = {"y": flat(ew), "fn": None}
rec("mse", F.mse_loss(x, torch.zeros(4)))
rec("cross_entropy", F.cross_entropy(x[:, :, 0], t, label_smoothing=0.3))
rec("nll", F.nll_loss(x[:, :, 1], t, ignore_index=0))
rec("normalize", F.normalize(x, p=1.5, dim=-1)); rec("leaky", F.leaky_relu(x, 0.3)); rec("elu", F.elu(x, 0.7)); rec("hardtanh", F.hardtanh(x, -0.2, 0.4))
rec("avg_pool1d", F.avg_pool1d(x, 2)); rec("max_pool1d", F.max_pool1d(x, 3, 1, 1))
print(json.dumps(out))
`);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const x = toTensor(ref.x).requires_grad_(), w = toTensor(ref.w).requires_grad_();
    const img = toTensor(ref.img).requires_grad_(), k = toTensor(ref.k).requires_grad_();
    const idx = toTensor(ref.idx, "int64"), ew = toTensor(ref.ew), t = toTensor(ref.t, "int64");
    const ours: Record<string, Tensor> = {
      linear: F.linear(x, w),
      linear2d: F.linear(x.select(0, 0), w, w.select(1, 0)),
      relu: F.relu(x),
      gelu: F.gelu(x, { approximate: "tanh" }),
      silu: F.silu(x),
      softplus: F.softplus(x, 2, 1),
      softmax: F.softmax(x, { dim: -1 }),
      log_softmax: F.log_softmax(x, 1),
      conv1d: F.conv1d(x, w.narrow(0, 0, 2).narrow(1, 0, 3).unsqueeze(-1).contiguous(), { stride: 2 }),
      conv2d: F.conv2d(img, k, null, 1, 1),
      conv2d_same: F.conv2d(img, k, { padding: "same", dilation: 1 }),
      max_pool2d: F.max_pool2d(img, 2, 1),
      avg_pool2d: F.avg_pool2d(img, 3, 2, 1, { ceil_mode: true, count_include_pad: false }),
      adaptive: F.adaptive_avg_pool2d(img, [2, 3]),
      layer_norm: F.layer_norm(x, [4], w.select(0, 0), w.select(0, 1)),
      batch_norm: F.batch_norm(x, null, null, { training: true }),
      embedding: F.embedding(idx, ew, { padding_idx: -1, max_norm: 0.5 }),
      renormed: ew,
      mse: F.mse_loss(x, torch.zeros(4)),
      cross_entropy: F.cross_entropy(x.select(2, 0), t, { label_smoothing: 0.3 }),
      nll: F.nll_loss(x.select(2, 1), t, { ignore_index: 0 }),
      normalize: F.normalize(x, { p: 1.5, dim: -1 }),
      leaky: F.leaky_relu(x, 0.3),
      elu: F.elu(x, 0.7),
      hardtanh: F.hardtanh(x, -0.2, 0.4),
      avg_pool1d: F.avg_pool1d(x, 2),
      max_pool1d: F.max_pool1d(x, 3, 1, 1),
    };
    for (const [name, y] of Object.entries(ours)) {
      expectClose(y, ref[name]!.y);
      expect(y.grad_fn?.name() ?? null, name).toBe(ref[name]!.fn);
    }
    expect(warn.mock.calls.some((c) => String(c[0]).includes("Using a target size (torch.Size([4])) that is different to the input size (torch.Size([2, 3, 4]))"))).toBe(true);
  });
});
