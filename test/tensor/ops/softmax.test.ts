import { describe, expect, test } from "vitest";
import { torch } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Partial<TorchCase["inputs"][0]> = {}) => ({ shape, ...extra });

const CASES: TorchCase[] = [
  { name: "softmax last", inputs: [f([3, 4])], py: "torch.softmax(a, 1)", ts: (a) => torch.softmax(a, 1), grad: true },
  { name: "softmax dim0", inputs: [f([3, 4])], py: "a.softmax(0)", ts: (a) => a.softmax(0), grad: true },
  { name: "softmax negative dim 3-d", inputs: [f([2, 3, 4])], py: "a.softmax(-2)", ts: (a) => a.softmax(-2), grad: true },
  { name: "softmax transposed", inputs: [f([3, 4], { transposed: true })], py: "a.softmax(1)", ts: (a) => a.softmax(1), grad: true },
  { name: "softmax large", inputs: [f([3], { values: [1000, 1001, 1002] })], py: "a.softmax(0)", ts: (a) => a.softmax(0), grad: true },
  { name: "softmax -inf", inputs: [f([3], { values: [-Infinity, 0, 1] })], py: "a.softmax(0)", ts: (a) => a.softmax(0) },
  { name: "softmax 0-d", inputs: [f([])], py: "a.softmax(0)", ts: (a) => a.softmax(0), grad: true },
  { name: "softmax dtype", inputs: [f([2, 3])], py: "a.softmax(1, dtype=torch.float64)", ts: (a) => a.softmax(1, torch.float64), grad: true },
  { name: "softmax int dtype", inputs: [f([2, 3], { dtype: "int64" })], py: "torch.softmax(a, 0, torch.float32)", ts: (a) => torch.softmax(a, 0, "float32") },
  { name: "softmax int error", inputs: [f([2, 3], { dtype: "int64" })], py: "a.softmax(1)", ts: (a) => a.softmax(1) },
  { name: "softmax int error dim0", inputs: [f([2, 3], { dtype: "int64" })], py: "a.softmax(0)", ts: (a) => a.softmax(0) },
  { name: "softmax bad dim", inputs: [f([2, 3])], py: "a.softmax(2)", ts: (a) => a.softmax(2) },
  { name: "softmax empty", inputs: [f([0, 3])], py: "a.softmax(0)", ts: (a) => a.softmax(0) },
  { name: "softmax float64", inputs: [f([4, 5], { dtype: "float64" })], py: "a.softmax(1)", ts: (a) => a.softmax(1), grad: true, rtol: 1e-12 },
  { name: "log_softmax", inputs: [f([3, 4])], py: "torch.log_softmax(a, 1)", ts: (a) => torch.log_softmax(a, 1), grad: true },
  { name: "log_softmax dim0", inputs: [f([2, 3, 4])], py: "a.log_softmax(0)", ts: (a) => a.log_softmax(0), grad: true },
  { name: "log_softmax large", inputs: [f([3], { values: [-1000, 0, 1000] })], py: "a.log_softmax(0)", ts: (a) => a.log_softmax(0), grad: true },
  { name: "log_softmax int error", inputs: [f([2, 3], { dtype: "int64" })], py: "a.log_softmax(1)", ts: (a) => a.log_softmax(1) },
  { name: "_softmax", inputs: [f([2, 3])], py: "torch._softmax(a, 1, False)", ts: (a) => torch._softmax(a, 1, false), grad: true },
];

describe.skipIf(!hasTorch)("softmax and log_softmax against PyTorch", () => {
  test("cases", () => compareWithTorch(CASES));
});

describe("softmax", () => {
  test("grad_fn names come from the primitive _softmax", () => {
    const x = leaf([2, 3]);
    expect(String(x.softmax(1).grad_fn?.name())).toBe("SoftmaxBackward0");
    expect(String(torch.log_softmax(x, 0).grad_fn?.name())).toBe("LogSoftmaxBackward0");
  });

  test("rows sum to one and are stable for large inputs", () => {
    const y = torch.tensor([[1000, 1001], [-1000, -1001]], { dtype: torch.float32 }).softmax(1);
    expect((y.sum(1).tolist() as number[]).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([1, 1]);
  });

  test("error messages", () => {
    expect(() => torch.tensor([[1, 2]]).softmax(1)).toThrow(`"softmax_lastdim_kernel_impl" not implemented for 'Long'`);
  });

  test("gradcheck", () => {
    const x = leaf([3, 4]);
    gradcheck((a) => a.softmax(1), [x]);
    gradcheck((a) => a.softmax(0), [x]);
    gradcheck((a) => a.log_softmax(1), [x]);
    gradcheck((a) => a.log_softmax(-2), [leaf([2, 3, 2])]);
  });
});
