import { describe, expect, test } from "vitest";
import { torch } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Record<string, unknown> = {}) => ({ shape, ...extra });
const d64 = { dtype: "float64" };
// distinct values, so max pooling has no ties and its gradient is well defined
const distinct = (n: number) => Array.from({ length: n }, (_, i) => ((i * 37) % n) / 7 - 1);

const CASES: TorchCase[] = [
  // max pool
  { name: "max_pool2d k2", inputs: [f([2, 3, 6, 6])], py: "F.max_pool2d(a, 2)", ts: (a) => torch.max_pool2d(a, 2), grad: true },
  { name: "max_pool2d stride/pad/dil", inputs: [f([1, 2, 7, 6], { values: distinct(84) })],
    py: "F.max_pool2d(a, (3, 2), stride=(2, 1), padding=(1, 1), dilation=(2, 1))",
    ts: (a) => torch.max_pool2d(a, [3, 2], [2, 1], [1, 1], [2, 1]), grad: true },
  { name: "max_pool2d ceil_mode", inputs: [f([1, 2, 5, 7], { values: distinct(70) })], py: "F.max_pool2d(a, 2, ceil_mode=True)",
    ts: (a) => torch.max_pool2d(a, 2, [], 0, 1, true), grad: true },
  { name: "max_pool2d ceil_mode stride 3 pad 1", inputs: [f([1, 1, 8, 8], { values: distinct(64) })], py: "F.max_pool2d(a, 3, 3, 1, ceil_mode=True)",
    ts: (a) => torch.max_pool2d(a, 3, 3, 1, 1, true), grad: true },
  { name: "max_pool2d unbatched", inputs: [f([2, 4, 4])], py: "F.max_pool2d(a, 2, 1)", ts: (a) => torch.max_pool2d(a, 2, 1) },
  { name: "max_pool2d kwargs", inputs: [f([1, 2, 5, 5])], py: "F.max_pool2d(a, 3, padding=1, ceil_mode=True)", ts: (a) => torch.max_pool2d(a, 3, { padding: 1, ceil_mode: true }) },
  { name: "avg_pool2d kwargs", inputs: [f([1, 2, 5, 5])], py: "F.avg_pool2d(a, 3, stride=2, count_include_pad=False)", ts: (a) => torch.avg_pool2d(a, 3, { stride: 2, count_include_pad: false }) },
  { name: "max_pool2d with indices", inputs: [f([1, 2, 5, 5], { values: distinct(50) })], py: "F.max_pool2d(a, 2, 2, 1, return_indices=True)",
    ts: (a) => torch.max_pool2d_with_indices(a, 2, 2, 1), grad: true },
  { name: "max_pool2d nan wins", inputs: [f([1, 1, 2, 2], { values: [1, NaN, 3, 2] })], py: "F.max_pool2d(a, 2)", ts: (a) => torch.max_pool2d(a, 2) },
  { name: "max_pool2d float64", inputs: [f([1, 1, 4, 4], d64)], py: "F.max_pool2d(a, 2)", ts: (a) => torch.max_pool2d(a, 2), grad: true },
  { name: "max_pool1d", inputs: [f([2, 3, 9], { values: distinct(54) })], py: "F.max_pool1d(a, 3, 2, 1, ceil_mode=True)",
    ts: (a) => torch.max_pool1d(a, 3, 2, 1, 1, true), grad: true },
  { name: "max_pool1d with indices", inputs: [f([3, 8], { values: distinct(24) })], py: "torch.max_pool1d_with_indices(a, 2)", ts: (a) => torch.max_pool1d_with_indices(a, 2), grad: true },
  // avg pool
  { name: "avg_pool2d", inputs: [f([2, 3, 6, 6])], py: "F.avg_pool2d(a, 2)", ts: (a) => torch.avg_pool2d(a, 2), grad: true, rtol: 0, atol: 0 },
  { name: "avg_pool2d pad count_include_pad", inputs: [f([1, 2, 5, 5])], py: "F.avg_pool2d(a, 3, 2, 1)", ts: (a) => torch.avg_pool2d(a, 3, 2, 1), grad: true, rtol: 0, atol: 0 },
  { name: "avg_pool2d exclude pad ceil", inputs: [f([1, 2, 5, 6])], py: "F.avg_pool2d(a, 3, 2, 1, ceil_mode=True, count_include_pad=False)",
    ts: (a) => torch.avg_pool2d(a, 3, 2, 1, true, false), grad: true, rtol: 0, atol: 0 },
  { name: "avg_pool2d ceil include pad", inputs: [f([1, 1, 6, 6])], py: "F.avg_pool2d(a, 3, 2, 1, ceil_mode=True)",
    ts: (a) => torch.avg_pool2d(a, 3, 2, 1, true), grad: true, rtol: 0, atol: 0 },
  { name: "avg_pool2d divisor_override", inputs: [f([1, 2, 4, 4])], py: "F.avg_pool2d(a, 2, divisor_override=3)",
    ts: (a) => torch.avg_pool2d(a, 2, [], 0, false, true, 3), grad: true, rtol: 0, atol: 0 },
  { name: "avg_pool2d int64", inputs: [f([1, 4, 4], { dtype: "int64" })], py: "F.avg_pool2d(a, 2)", ts: (a) => torch.avg_pool2d(a, 2) },
  { name: "avg_pool2d float64 rect", inputs: [f([2, 1, 5, 7], d64)], py: "F.avg_pool2d(a, (2, 3), (1, 2))", ts: (a) => torch.avg_pool2d(a, [2, 3], [1, 2]), grad: true, rtol: 1e-12 },
  { name: "avg_pool1d", inputs: [f([2, 2, 7])], py: "F.avg_pool1d(a, 3, 2, 1)", ts: (a) => torch.avg_pool1d(a, 3, 2, 1), grad: true },
  // adaptive
  { name: "adaptive_avg_pool2d 3x2 from 7x5", inputs: [f([2, 3, 7, 5])], py: "F.adaptive_avg_pool2d(a, (3, 2))", ts: (a) => torch.adaptive_avg_pool2d(a, [3, 2]), grad: true, rtol: 0, atol: 0 },
  { name: "adaptive_avg_pool2d upsample", inputs: [f([1, 2, 3, 3])], py: "F.adaptive_avg_pool2d(a, 5)", ts: (a) => torch.adaptive_avg_pool2d(a, 5), grad: true, rtol: 0, atol: 0 },
  { name: "adaptive_avg_pool2d 1x1 is a mean", inputs: [f([2, 3, 4, 4])], py: "F.adaptive_avg_pool2d(a, 1)", ts: (a) => torch.adaptive_avg_pool2d(a, 1), grad: true },
  { name: "adaptive_avg_pool2d unbatched", inputs: [f([3, 6, 6], d64)], py: "F.adaptive_avg_pool2d(a, (2, 3))", ts: (a) => torch.adaptive_avg_pool2d(a, [2, 3]), grad: true },
  { name: "adaptive_avg_pool1d", inputs: [f([2, 3, 10])], py: "F.adaptive_avg_pool1d(a, 4)", ts: (a) => torch.adaptive_avg_pool1d(a, 4), grad: true },
  // errors
  { name: "pad more than half", inputs: [f([1, 1, 4, 4])], py: "F.max_pool2d(a, 2, padding=2)", ts: (a) => torch.max_pool2d(a, 2, [], 2) },
  { name: "zero kernel", inputs: [f([1, 1, 4, 4])], py: "F.max_pool2d(a, 0)", ts: (a) => torch.max_pool2d(a, 0) },
  { name: "zero kernel stride 1", inputs: [f([1, 1, 4, 4])], py: "F.max_pool2d(a, 0, 1)", ts: (a) => torch.max_pool2d(a, 0, 1) },
  { name: "zero dilation", inputs: [f([1, 1, 4, 4])], py: "F.max_pool2d(a, 2, dilation=0)", ts: (a) => torch.max_pool2d(a, 2, [], 0, 0) },
  { name: "output too small", inputs: [f([1, 1, 4, 4])], py: "F.max_pool2d(a, 5)", ts: (a) => torch.max_pool2d(a, 5) },
  { name: "max_pool2d 2-d input", inputs: [f([4, 4])], py: "F.max_pool2d(a, 2)", ts: (a) => torch.max_pool2d(a, 2) },
  { name: "max_pool2d int64", inputs: [f([1, 4, 4], { dtype: "int64" })], py: "F.max_pool2d(a, 2)", ts: (a) => torch.max_pool2d(a, 2) },
  { name: "max_pool2d kernel list", inputs: [f([1, 4, 4])], py: "torch.max_pool2d(a, [2, 2, 2])", ts: (a) => torch.max_pool2d(a, [2, 2, 2]) },
  { name: "max_pool2d stride list", inputs: [f([1, 4, 4])], py: "torch.max_pool2d(a, [2, 2], [1, 1, 1])", ts: (a) => torch.max_pool2d(a, [2, 2], [1, 1, 1]) },
  { name: "avg pad more than half", inputs: [f([1, 1, 4, 4])], py: "F.avg_pool2d(a, 2, padding=2)", ts: (a) => torch.avg_pool2d(a, 2, [], 2) },
  { name: "avg divisor zero", inputs: [f([1, 1, 4, 4])], py: "F.avg_pool2d(a, 2, divisor_override=0)", ts: (a) => torch.avg_pool2d(a, 2, [], 0, false, true, 0) },
  { name: "avg 2-d input", inputs: [f([4, 4])], py: "F.avg_pool2d(a, 2)", ts: (a) => torch.avg_pool2d(a, 2) },
  { name: "adaptive 2-d input", inputs: [f([4, 4])], py: "F.adaptive_avg_pool2d(a, 2)", ts: (a) => torch.adaptive_avg_pool2d(a, 2) },
  { name: "adaptive empty dim", inputs: [f([1, 0, 4])], py: "F.adaptive_avg_pool2d(a, 2)", ts: (a) => torch.adaptive_avg_pool2d(a, 2) },
  { name: "adaptive output_size length", inputs: [f([1, 1, 4, 4])], py: "torch._C._nn.adaptive_avg_pool2d(a, [2, 2, 2])", ts: (a) => torch.adaptive_avg_pool2d(a, [2, 2, 2]) },
  { name: "adaptive int64", inputs: [f([1, 4, 4], { dtype: "int64" })], py: "F.adaptive_avg_pool2d(a, 2)", ts: (a) => torch.adaptive_avg_pool2d(a, 2) },
];

describe.skipIf(!hasTorch)("pooling against PyTorch", () => {
  test("values, grad_fn names, gradients and errors", () => compareWithTorch(CASES));
});

describe("pooling gradients (gradcheck, float64)", () => {
  const distinctLeaf = (shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return torch.tensor(distinct(n), { dtype: torch.float64 }).reshape(shape).requires_grad_();
  };
  test("max_pool2d", () => gradcheck((x) => torch.max_pool2d(x, 3, 2, 1, 1, true), [distinctLeaf([1, 2, 6, 5])]));
  test("avg_pool2d", () => gradcheck((x) => torch.avg_pool2d(x, 3, 2, 1, true, false), [leaf([2, 1, 5, 6])]));
  test("adaptive_avg_pool2d", () => gradcheck((x) => torch.adaptive_avg_pool2d(x, [3, 4]), [leaf([1, 2, 7, 5])]));
  test("avg_pool2d double backward", () => {
    // avg_pool2d_backward is linear in grad_output; its own gradient is the forward pool
    gradcheck((g) => torch.avg_pool2d_backward(g, torch.zeros([1, 1, 4, 4], { dtype: torch.float64 }), [2, 2], [2, 2], [0, 0], false, true, null),
      [leaf([1, 1, 2, 2])]);
  });
});

describe("pooling structure", () => {
  test("max_pool2d is composite over max_pool2d_with_indices; indices are int64 plane offsets", () => {
    const x = torch.tensor([[[[1, 5], [3, 2]]]], { dtype: torch.float32 });
    const [out, idx] = torch.max_pool2d_with_indices(x, 2);
    expect(out.item()).toBe(5);
    expect(idx.dtype).toBe(torch.int64);
    expect(idx.item()).toBe(1);
    expect(torch.max_pool2d.overloads[0]!.composite).toBe(true);
  });
});
