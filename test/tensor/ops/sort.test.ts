import { describe, expect, test } from "vitest";
import { torch } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Partial<TorchCase["inputs"][0]> = {}) => ({ shape, ...extra });
const TIES = [3, 1, 2, 1, NaN, 3, 0, 2, NaN, 1, 5, 2];

const CASES: TorchCase[] = [
  { name: "sort last dim", inputs: [f([3, 4])], py: "a.sort()", ts: (a) => a.sort(), grad: true },
  { name: "sort dim 0 descending", inputs: [f([3, 4])], py: "torch.sort(a, 0, True)", ts: (a) => torch.sort(a, 0, true), grad: true },
  { name: "sort transposed", inputs: [f([3, 4], { transposed: true })], py: "a.sort(1)", ts: (a) => a.sort(1), grad: true },
  { name: "sort stable ties nan", inputs: [f([12], { values: TIES })], py: "torch.sort(a, stable=True)", ts: (a) => torch.sort(a, { stable: true }), grad: true },
  { name: "sort stable descending ties nan", inputs: [f([3, 4], { values: TIES })], py: "a.sort(stable=True, dim=0, descending=True)", ts: (a) => a.sort({ stable: true, dim: 0, descending: true }), grad: true },
  { name: "sort int", inputs: [f([2, 5], { dtype: "int64" })], py: "a.sort(stable=True)", ts: (a) => a.sort({ stable: true }) },
  { name: "sort 0-d", inputs: [f([], { values: [2] })], py: "a.sort()", ts: (a) => a.sort(), grad: true },
  { name: "sort empty", inputs: [f([0])], py: "a.sort()", ts: (a) => a.sort() },
  { name: "sort bad dim", inputs: [f([3])], py: "a.sort(2)", ts: (a) => a.sort(2) },
  { name: "argsort", inputs: [f([3, 4])], py: "a.argsort(0)", ts: (a) => a.argsort(0) },
  { name: "argsort stable descending", inputs: [f([12], { values: TIES })], py: "torch.argsort(a, stable=True, descending=True)", ts: (a) => torch.argsort(a, { stable: true, descending: true }) },
  { name: "topk", inputs: [f([3, 5])], py: "a.topk(2)", ts: (a) => a.topk(2), grad: true },
  { name: "topk smallest dim 0", inputs: [f([4, 3])], py: "torch.topk(a, 3, 0, False)", ts: (a) => torch.topk(a, 3, 0, false), grad: true },
  { name: "topk nan is largest", inputs: [f([5], { values: [1, NaN, 3, -1, 2] })], py: "a.topk(2)", ts: (a) => a.topk(2) },
  { name: "topk k too big", inputs: [f([3])], py: "a.topk(4)", ts: (a) => a.topk(4) },
  { name: "topk k 0", inputs: [f([3])], py: "a.topk(0)", ts: (a) => a.topk(0) },
  { name: "kthvalue", inputs: [f([3, 5])], py: "a.kthvalue(2)", ts: (a) => a.kthvalue(2), grad: true },
  { name: "kthvalue dim 0 keepdim", inputs: [f([4, 3])], py: "torch.kthvalue(a, 3, 0, True)", ts: (a) => torch.kthvalue(a, 3, 0, true), grad: true },
  { name: "kthvalue out of range", inputs: [f([3])], py: "a.kthvalue(4)", ts: (a) => a.kthvalue(4) },
  { name: "kthvalue k 0", inputs: [f([3])], py: "a.kthvalue(0)", ts: (a) => a.kthvalue(0) },
  { name: "kthvalue empty dim", inputs: [f([3, 0])], py: "a.kthvalue(1, 1)", ts: (a) => a.kthvalue(1, 1) },
  { name: "median all", inputs: [f([3, 4])], py: "a.median()", ts: (a) => a.median(), grad: true },
  { name: "median all ties", inputs: [f([5], { values: [1, 2, 2, 3, 0] })], py: "a.median()", ts: (a) => a.median(), grad: true },
  { name: "median all nan", inputs: [f([4], { values: [1, NaN, 2, 3] })], py: "a.median()", ts: (a) => a.median() },
  { name: "median all empty", inputs: [f([3, 0])], py: "a.median()", ts: (a) => a.median() },
  { name: "median dim even count", inputs: [f([3, 4])], py: "a.median(1)", ts: (a) => a.median(1), grad: true },
  { name: "median dim keepdim", inputs: [f([3, 5])], py: "torch.median(a, 0, True)", ts: (a) => torch.median(a, 0, true), grad: true },
  { name: "median dim nan", inputs: [f([2, 3], { values: [1, NaN, NaN, 4, 5, 6] })], py: "a.median(1)", ts: (a) => a.median(1) },
  { name: "median empty dim", inputs: [f([3, 0])], py: "a.median(1)", ts: (a) => a.median(1) },
  { name: "median int", inputs: [f([2, 5], { dtype: "int64" })], py: "a.median(1)", ts: (a) => a.median(1) },
  { name: "mode", inputs: [f([2, 6], { values: [1, 2, 2, 3, 3, 0, 5, 5, 4, 4, 4, 1] })], py: "a.mode()", ts: (a) => a.mode(), grad: true },
  { name: "mode dim 0 keepdim", inputs: [f([3, 2], { values: [1, 2, 1, 3, 0, 3] })], py: "torch.mode(a, 0, True)", ts: (a) => torch.mode(a, 0, true), grad: true },
  { name: "mode int", inputs: [f([3, 4], { dtype: "int64" })], py: "a.mode(0)", ts: (a) => a.mode(0) },
  { name: "mode empty", inputs: [f([3, 0])], py: "a.mode(0)", ts: (a) => a.mode(0) },
  { name: "mode bad dim", inputs: [f([3])], py: "a.mode(1)", ts: (a) => a.mode(1) },
];

describe.skipIf(!hasTorch)("sort, topk, kthvalue, median, mode against PyTorch", () => {
  test("cases", () => compareWithTorch(CASES));
});

describe("sort family", () => {
  test("named (values, indices) pairs with int64 indices", () => {
    const r = torch.tensor([3, 1, 2]).sort();
    expect(r.values.tolist()).toEqual([1, 2, 3]);
    expect(r.indices.tolist()).toEqual([1, 2, 0]);
    expect(r.indices.dtype).toBe(torch.int64);
    const [v, i] = torch.tensor([3, 1, 2]).topk(1);
    expect([v!.tolist(), i!.tolist()]).toEqual([[3], [0]]);
  });

  test("grad_fn names", () => {
    const x = leaf([3, 4]);
    expect(x.sort().values.grad_fn?.name()).toBe("SortBackward0");
    expect(x.sort({ stable: true }).values.grad_fn?.name()).toBe("SortBackward1");
    expect(x.topk(2).values.grad_fn?.name()).toBe("TopkBackward0");
    expect(x.kthvalue(2).values.grad_fn?.name()).toBe("KthvalueBackward0");
    expect(x.median().grad_fn?.name()).toBe("MedianBackward0");
    expect(x.median(0).values.grad_fn?.name()).toBe("MedianBackward1");
    expect(x.mode(0).values.grad_fn?.name()).toBe("ModeBackward0");
  });

  test("gradcheck", () => {
    const x = leaf([3, 4]);
    gradcheck((a) => a.sort(0).values, [x]);
    gradcheck((a) => a.sort({ dim: 1, descending: true, stable: true }).values, [x]);
    gradcheck((a) => a.topk(2, 1).values, [x]);
    gradcheck((a) => a.topk(2, 0, false).values, [x]);
    gradcheck((a) => a.kthvalue(2, 0).values, [x]);
    gradcheck((a) => a.kthvalue(3, 1, true).values, [x]);
    gradcheck((a) => a.median(), [x]);
    gradcheck((a) => a.median(1).values, [x]);
    gradcheck((a) => a.median(0, true).values, [x]);
    gradcheck((a) => a.mode(1).values, [x]);
  });
});
