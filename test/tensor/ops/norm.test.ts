import { describe, expect, test } from "vitest";
import { torch } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Record<string, unknown> = {}) => ({ shape, ...extra });
const d64 = { dtype: "float64" };
const pos = (n: number) => ({ values: Array.from({ length: n }, (_, i) => 0.5 + ((i * 7) % 5) / 4) });

const CASES: TorchCase[] = [
  // batch norm
  { name: "batch_norm training updates running stats", inputs: [f([4, 3, 5]), f([3]), f([3], pos(3))],
    py: "(torch.batch_norm(a, None, None, b, c, True, 0.1, 1e-5, False), b, c)",
    ts: (a, b, c) => [torch.batch_norm(a, null, null, b, c, true, 0.1, 1e-5, false), b, c] },
  { name: "batch_norm training with affine updates running stats", inputs: [f([4, 3], d64), f([3], d64), f([3], d64), f([3], d64)],
    py: "(torch.batch_norm(a, b, c, d, None, True, 0.3, 1e-3, False), d)",
    ts: (a, b, c, d) => [torch.batch_norm(a, b, c, d, null, true, 0.3, 1e-3, false), d], rtol: 1e-9 },
  { name: "batch_norm training grads", inputs: [f([4, 3, 2, 2], d64), f([3], d64), f([3], d64)],
    py: "torch.batch_norm(a, b, c, None, None, True, 0.1, 1e-5, False)",
    ts: (a, b, c) => torch.batch_norm(a, b, c, null, null, true, 0.1, 1e-5, false), grad: true, rtol: 1e-9 },
  { name: "batch_norm training float32", inputs: [f([8, 4]), f([4]), f([4])],
    py: "torch.batch_norm(a, b, c, None, None, True, 0.1, 1e-5, False)",
    ts: (a, b, c) => torch.batch_norm(a, b, c, null, null, true, 0.1, 1e-5, false), grad: true, rtol: 1e-4, atol: 1e-5 },
  { name: "batch_norm eval", inputs: [f([2, 3, 4], d64), f([3], d64), f([3], d64)],
    py: "torch.batch_norm(a, b, c, torch.tensor([0.1, -0.3, 0.7], dtype=torch.float64), torch.tensor([0.5, 1.5, 2.0], dtype=torch.float64), False, 0.1, 1e-5, False)",
    ts: (a, b, c) => torch.batch_norm(a, b, c, torch.tensor([0.1, -0.3, 0.7], { dtype: torch.float64 }), torch.tensor([0.5, 1.5, 2.0], { dtype: torch.float64 }), false, 0.1, 1e-5, false),
    grad: true, rtol: 1e-9 },
  { name: "native_batch_norm outputs (training)", inputs: [f([5, 2], d64)],
    py: "torch.native_batch_norm(a, None, None, None, None, True, 0.1, 1e-5)", ts: (a) => torch.native_batch_norm(a, null, null, null, null, true, 0.1, 1e-5), rtol: 1e-9 },
  { name: "native_batch_norm outputs (eval)", inputs: [f([5, 2], d64), f([2], d64), f([2], { ...d64, ...pos(2) })],
    py: "torch.native_batch_norm(a, None, None, b, c, False, 0.1, 1e-5)", ts: (a, b, c) => torch.native_batch_norm(a, null, null, b, c, false, 0.1, 1e-5), rtol: 1e-9 },
  { name: "bn running_mean size", inputs: [f([2, 3, 4]), f([4]), f([4])], py: "torch.batch_norm(a, None, None, b, c, True, 0.1, 1e-5, True)",
    ts: (a, b, c) => torch.batch_norm(a, null, null, b, c, true, 0.1, 1e-5, true) },
  { name: "bn weight size", inputs: [f([2, 3, 4]), f([4])], py: "torch.batch_norm(a, b, None, None, None, True, 0.1, 1e-5, True)",
    ts: (a, b) => torch.batch_norm(a, b, null, null, null, true, 0.1, 1e-5, true) },
  { name: "bn eval needs running_mean", inputs: [f([2, 3, 4])], py: "torch.batch_norm(a, None, None, None, None, False, 0.1, 1e-5, True)",
    ts: (a) => torch.batch_norm(a, null, null, null, null, false, 0.1, 1e-5, true) },
  { name: "bn int64", inputs: [f([2, 3], { dtype: "int64" })], py: "torch.batch_norm(a, None, None, None, None, True, 0.1, 1e-5, True)",
    ts: (a) => torch.batch_norm(a, null, null, null, null, true, 0.1, 1e-5, true) },
  { name: "bn 1-d input", inputs: [f([3])], py: "torch.batch_norm(a, None, None, None, None, True, 0.1, 1e-5, True)",
    ts: (a) => torch.batch_norm(a, null, null, null, null, true, 0.1, 1e-5, true) },
  // layer norm
  { name: "layer_norm", inputs: [f([2, 3, 4], d64), f([4], d64), f([4], d64)], py: "torch.layer_norm(a, [4], b, c)",
    ts: (a, b, c) => torch.layer_norm(a, [4], b, c), grad: true, rtol: 1e-9 },
  { name: "layer_norm two dims no affine", inputs: [f([2, 3, 4], d64)], py: "torch.layer_norm(a, [3, 4], eps=1e-3)",
    ts: (a) => torch.layer_norm(a, [3, 4], null, null, 1e-3), grad: true, rtol: 1e-9 },
  { name: "layer_norm float32", inputs: [f([5, 8]), f([8]), f([8])], py: "torch.layer_norm(a, [8], b, c)",
    ts: (a, b, c) => torch.layer_norm(a, [8], b, c), grad: true, rtol: 1e-4, atol: 1e-5 },
  { name: "native_layer_norm mean/rstd shapes", inputs: [f([2, 3, 4], d64)], py: "torch.native_layer_norm(a, [4], None, None, 1e-5)",
    ts: (a) => torch.native_layer_norm(a, [4], null, null, 1e-5), rtol: 1e-9 },
  { name: "ln shape mismatch", inputs: [f([2, 3, 4])], py: "torch.layer_norm(a, [5])", ts: (a) => torch.layer_norm(a, [5]) },
  { name: "ln weight shape", inputs: [f([2, 3, 4]), f([5])], py: "torch.layer_norm(a, [4], b)", ts: (a, b) => torch.layer_norm(a, [4], b) },
  { name: "ln bias shape", inputs: [f([2, 3, 4]), f([5])], py: "torch.layer_norm(a, [4], None, b)", ts: (a, b) => torch.layer_norm(a, [4], null, b) },
  { name: "ln empty shape", inputs: [f([2, 3, 4])], py: "torch.layer_norm(a, [])", ts: (a) => torch.layer_norm(a, []) },
  { name: "ln int64", inputs: [f([2, 4], { dtype: "int64" })], py: "torch.layer_norm(a, [4])", ts: (a) => torch.layer_norm(a, [4]) },
  // group norm
  { name: "group_norm", inputs: [f([2, 4, 3, 2], d64), f([4], d64), f([4], d64)], py: "torch.group_norm(a, 2, b, c)",
    ts: (a, b, c) => torch.group_norm(a, 2, b, c), grad: true, rtol: 1e-9 },
  { name: "group_norm no affine 3-d", inputs: [f([3, 6, 5], d64)], py: "torch.group_norm(a, 3)", ts: (a) => torch.group_norm(a, 3), grad: true, rtol: 1e-9 },
  { name: "native_group_norm", inputs: [f([2, 3, 4], d64)], py: "torch.native_group_norm(a, None, None, 2, 3, 4, 3, 1e-5)",
    ts: (a) => torch.native_group_norm(a, null, null, 2, 3, 4, 3, 1e-5), rtol: 1e-9 },
  { name: "gn groups divisible", inputs: [f([2, 3, 4])], py: "torch.group_norm(a, 2)", ts: (a) => torch.group_norm(a, 2) },
  { name: "gn weight size", inputs: [f([2, 3, 4]), f([4])], py: "torch.group_norm(a, 3, b)", ts: (a, b) => torch.group_norm(a, 3, b) },
];

describe.skipIf(!hasTorch)("normalization against PyTorch", () => {
  test("values, grad_fn names, gradients, running stats and errors", () => compareWithTorch(CASES));
});

describe("normalization gradients (gradcheck, float64)", () => {
  test("batch_norm training", () => {
    gradcheck((x, w, b) => torch.batch_norm(x, w, b, null, null, true, 0.1, 1e-5, false), [leaf([3, 2, 4], 1), leaf([2], 2), leaf([2], 3)]);
  });
  test("batch_norm eval", () => {
    const rm = torch.tensor([0.1, -0.2], { dtype: torch.float64 });
    const rv = torch.tensor([0.5, 2.0], { dtype: torch.float64 });
    gradcheck((x, w, b) => torch.batch_norm(x, w, b, rm, rv, false, 0.1, 1e-5, false), [leaf([3, 2, 4], 4), leaf([2], 5), leaf([2], 6)]);
  });
  test("layer_norm", () => gradcheck((x, w, b) => torch.layer_norm(x, [3, 2], w, b), [leaf([2, 3, 2], 7), leaf([3, 2], 8), leaf([3, 2], 9)]));
  test("group_norm", () => gradcheck((x, w, b) => torch.group_norm(x, 2, w, b), [leaf([2, 4, 3], 10), leaf([4], 11), leaf([4], 12)]));
});

describe("batch norm running statistics", () => {
  test("updated in place with the unbiased variance, bumping the version", () => {
    const x = torch.tensor([[1, 2], [3, 6], [5, 10]], { dtype: torch.float64 });
    const rm = torch.zeros(2, { dtype: torch.float64 });
    const rv = torch.ones(2, { dtype: torch.float64 });
    const v0 = rm.storage.version;
    torch.batch_norm(x, null, null, rm, rv, true, 0.5, 1e-5, false);
    expect(Array.from(rm.contiguousData())).toEqual([1.5, 3]);
    // unbiased variance of [1, 3, 5] is 4, of [2, 6, 10] is 16
    expect(Array.from(rv.contiguousData())).toEqual([2.5, 8.5]);
    expect(rm.storage.version).toBeGreaterThan(v0);
  });
  test("running statistics must not require grad", () => {
    const rm = torch.zeros(2, { requires_grad: true });
    expect(() => torch.batch_norm(torch.ones([3, 2]), null, null, rm, torch.ones(2), true, 0.1, 1e-5, false)).toThrow(
      "The function 'native_batch_norm' is not differentiable with respect to argument 'running_mean'. This input cannot have requires_grad True.",
    );
  });
  test("batch_norm is composite over native_batch_norm (NativeBatchNormBackward0)", () => {
    const x = torch.ones([2, 3], { requires_grad: true });
    expect(torch.batch_norm(x, null, null, null, null, true, 0.1, 1e-5, false).grad_fn!.name()).toBe("NativeBatchNormBackward0");
    expect(torch.layer_norm(x, [3]).grad_fn!.name()).toBe("NativeLayerNormBackward0");
    expect(torch.group_norm(x, 3).grad_fn!.name()).toBe("NativeGroupNormBackward0");
  });
});
