import { describe, expect, test } from "vitest";
import { torch } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Partial<TorchCase["inputs"][0]> = {}) => ({ shape, ...extra });

const CASES: TorchCase[] = [
  // cumprod
  { name: "cumprod", inputs: [f([3, 4])], py: "a.cumprod(1)", ts: (a) => a.cumprod(1), grad: true },
  { name: "cumprod dim 0 transposed", inputs: [f([3, 4], { transposed: true })], py: "torch.cumprod(a, 0)", ts: (a) => torch.cumprod(a, 0), grad: true },
  { name: "cumprod with a zero", inputs: [f([5], { values: [2, 0, 3, -1, 0.5] })], py: "a.cumprod(0)", ts: (a) => a.cumprod(0), grad: true },
  { name: "cumprod with two zeros", inputs: [f([5], { values: [2, 0, 3, 0, 0.5] })], py: "a.cumprod(0)", ts: (a) => a.cumprod(0), grad: true },
  { name: "cumprod int upcasts", inputs: [f([2, 3], { dtype: "int32" })], py: "a.cumprod(1)", ts: (a) => a.cumprod(1) },
  { name: "cumprod dtype", inputs: [f([2, 3])], py: "a.cumprod(1, dtype=torch.float64)", ts: (a) => a.cumprod(1, { dtype: torch.float64 }), grad: true },
  { name: "cumprod 0-d", inputs: [f([], { values: [3] })], py: "a.cumprod(0)", ts: (a) => a.cumprod(0), grad: true },
  { name: "cumprod bad dim", inputs: [f([3])], py: "a.cumprod(1)", ts: (a) => a.cumprod(1) },
  // diff
  { name: "diff", inputs: [f([3, 4])], py: "a.diff()", ts: (a) => a.diff(), grad: true },
  { name: "diff n=2 dim 0", inputs: [f([4, 3])], py: "torch.diff(a, 2, 0)", ts: (a) => torch.diff(a, 2, 0), grad: true },
  { name: "diff n past the size", inputs: [f([3])], py: "a.diff(5)", ts: (a) => a.diff(5), grad: true },
  { name: "diff prepend append", inputs: [f([2, 3]), f([2, 1]), f([2, 2])], py: "a.diff(1, 1, b, c)", ts: (a, b, c) => a.diff(1, 1, b, c), grad: true },
  { name: "diff prepend of another rank", inputs: [f([2, 2]), f([3])], py: "a.diff(1, 0, b)", ts: (a, b) => a.diff(1, 0, b) },
  { name: "diff int", inputs: [f([5], { dtype: "int64" })], py: "a.diff()", ts: (a) => a.diff() },
  { name: "diff bool", inputs: [f([5], { dtype: "bool", values: [1, 1, 0, 1, 0] })], py: "a.diff()", ts: (a) => a.diff() },
  { name: "diff 0-d", inputs: [f([], { values: [1] })], py: "a.diff()", ts: (a) => a.diff() },
  { name: "diff negative n", inputs: [f([3])], py: "a.diff(-1)", ts: (a) => a.diff(-1) },
  { name: "diff n 0", inputs: [f([3])], py: "a.diff(0)", ts: (a) => a.diff(0) },
  // count_nonzero
  { name: "count_nonzero all", inputs: [f([3, 4], { values: [0, 1, 0, 2, 3, 0, 0, 0, 1, 1, 1, 0] })], py: "a.count_nonzero()", ts: (a) => a.count_nonzero() },
  { name: "count_nonzero dim", inputs: [f([3, 4], { values: [0, 1, 0, 2, 3, 0, 0, 0, 1, 1, 1, 0] })], py: "torch.count_nonzero(a, 0)", ts: (a) => torch.count_nonzero(a, 0) },
  { name: "count_nonzero dims", inputs: [f([2, 2, 3], { dtype: "int64" })], py: "a.count_nonzero((0, 2))", ts: (a) => a.count_nonzero([0, 2]) },
  { name: "count_nonzero repeated dims", inputs: [f([2, 3])], py: "a.count_nonzero([0, 0])", ts: (a) => a.count_nonzero([0, 0]) },
  { name: "count_nonzero nan", inputs: [f([3], { values: [NaN, 0, 1] })], py: "a.count_nonzero()", ts: (a) => a.count_nonzero() },
];

describe.skipIf(!hasTorch)("cumprod, diff, count_nonzero against PyTorch", () => {
  test("cases", () => compareWithTorch(CASES));
});

describe("cumulative ops", () => {
  test("grad_fn names", () => {
    const x = leaf([3, 4]);
    expect(x.cumprod(0).grad_fn?.name()).toBe("CumprodBackward0");
    expect(x.diff().grad_fn?.name()).toBe("SubBackward0");
  });

  test("gradcheck", () => {
    const x = leaf([3, 4]);
    gradcheck((a) => a.cumprod(1), [x]);
    gradcheck((a) => a.cumprod(0), [x]);
    gradcheck((a) => a.cumprod(0), [torch.tensor([1.5, 0, 2, 0, -1], { dtype: "float64" }).requires_grad_()]);
    gradcheck((a) => a.diff(2, 0), [x]);
    gradcheck((a, b) => a.diff(1, 1, b), [x, leaf([3, 2], 4)]);
  });
});
