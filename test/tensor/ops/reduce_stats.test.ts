import { describe, expect, test } from "vitest";
import { torch } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Partial<TorchCase["inputs"][0]> = {}) => ({ shape, ...extra });

const CASES: TorchCase[] = [
  // var / std
  { name: "var all", inputs: [f([3, 4])], py: "a.var()", ts: (a) => a.var(), grad: true },
  { name: "var biased", inputs: [f([3, 4])], py: "a.var(False)", ts: (a) => a.var(false), grad: true },
  { name: "var dim", inputs: [f([3, 4])], py: "a.var(1)", ts: (a) => a.var(1), grad: true },
  { name: "var dims keepdim", inputs: [f([2, 3, 4])], py: "torch.var(a, (0, 2), False, True)", ts: (a) => torch.var(a, [0, 2], false, true), grad: true },
  { name: "var correction", inputs: [f([3, 4])], py: "a.var(0, correction=2)", ts: (a) => a.var(0, { correction: 2 }), grad: true },
  { name: "var correction too big", inputs: [f([3, 4])], py: "a.var(0, correction=5)", ts: (a) => a.var(0, { correction: 5 }) },
  { name: "var one element", inputs: [f([1])], py: "a.var()", ts: (a) => a.var() },
  { name: "var int error", inputs: [f([3], { dtype: "int64" })], py: "a.var()", ts: (a) => a.var() },
  { name: "std all", inputs: [f([3, 4])], py: "a.std()", ts: (a) => a.std(), grad: true },
  { name: "std dim keepdim", inputs: [f([3, 4], { transposed: true })], py: "a.std(1, keepdim=True)", ts: (a) => a.std(1, true, true), grad: true },
  { name: "std correction 0", inputs: [f([2, 3])], py: "torch.std(a, dim=1, correction=0)", ts: (a) => torch.std(a, { dim: 1, correction: 0 }), grad: true },
  { name: "std constant", inputs: [f([2], { values: [1, 1] })], py: "a.std()", ts: (a) => a.std(), grad: true },
  { name: "std float64", inputs: [f([5, 2], { dtype: "float64" })], py: "a.std(0)", ts: (a) => a.std(0), grad: true, rtol: 1e-12 },
  // norm
  { name: "norm default", inputs: [f([3, 4])], py: "a.norm()", ts: (a) => a.norm(), grad: true },
  { name: "torch.norm fro", inputs: [f([3, 4])], py: "torch.norm(a, p='fro')", ts: (a) => torch.norm(a, "fro"), grad: true },
  { name: "norm dim", inputs: [f([3, 4])], py: "a.norm(dim=1)", ts: (a) => a.norm({ dim: 1 }), grad: true },
  { name: "norm p1 dim keepdim", inputs: [f([3, 4])], py: "torch.norm(a, 1, 0, True)", ts: (a) => torch.norm(a, 1, 0, true), grad: true },
  { name: "norm p3", inputs: [f([3, 4])], py: "a.norm(3)", ts: (a) => a.norm(3), grad: true },
  { name: "norm p0.5", inputs: [f([4], { values: [2, 0, -2, 1] })], py: "a.norm(0.5)", ts: (a) => a.norm(0.5), grad: true },
  { name: "norm inf ties", inputs: [f([3], { values: [2, 0, -2] })], py: "a.norm(float('inf'))", ts: (a) => a.norm(Infinity), grad: true },
  { name: "norm -inf", inputs: [f([3], { values: [1, -2, 3] })], py: "a.norm(float('-inf'))", ts: (a) => a.norm(-Infinity), grad: true },
  { name: "norm p0", inputs: [f([3], { values: [2, 0, -2] })], py: "a.norm(0)", ts: (a) => a.norm(0), grad: true },
  { name: "norm of zeros", inputs: [f([3], { values: [0, 0, 0] })], py: "a.norm()", ts: (a) => a.norm(), grad: true },
  { name: "norm dtype", inputs: [f([2, 3])], py: "torch.norm(a, 2, 1, dtype=torch.float64)", ts: (a) => torch.norm(a, 2, 1, false, { dtype: torch.float64 }), grad: true },
  { name: "norm int error", inputs: [f([3], { dtype: "int64" })], py: "a.norm(2)", ts: (a) => a.norm(2) },
  { name: "norm bad string", inputs: [f([3])], py: "a.norm('abc')", ts: (a) => a.norm("abc" as "fro") },
  { name: "norm two dims (frobenius)", inputs: [f([2, 3, 4])], py: "a.norm(dim=(0, 2))", ts: (a) => a.norm({ dim: [0, 2] }), grad: true },
  { name: "norm three fro dims", inputs: [f([2, 2, 2])], py: "a.norm(dim=(0, 1, 2))", ts: (a) => a.norm({ dim: [0, 1, 2] }) },
  // logsumexp
  { name: "logsumexp", inputs: [f([3, 4])], py: "a.logsumexp(1)", ts: (a) => a.logsumexp(1), grad: true },
  { name: "logsumexp dims keepdim", inputs: [f([2, 3, 4])], py: "torch.logsumexp(a, (0, 2), keepdim=True)", ts: (a) => torch.logsumexp(a, [0, 2], true), grad: true },
  { name: "logsumexp large", inputs: [f([3], { values: [1000, 1001, 999] })], py: "a.logsumexp(0)", ts: (a) => a.logsumexp(0), grad: true },
  { name: "logsumexp -inf", inputs: [f([2], { values: [-Infinity, -Infinity] })], py: "a.logsumexp(0)", ts: (a) => a.logsumexp(0) },
  { name: "logsumexp int", inputs: [f([2], { dtype: "int64", values: [1, 2] })], py: "a.logsumexp(0)", ts: (a) => a.logsumexp(0) },
  { name: "logsumexp empty", inputs: [f([3, 0])], py: "a.logsumexp(1)", ts: (a) => a.logsumexp(1) },
];

describe.skipIf(!hasTorch)("var, std, norm, logsumexp against PyTorch", () => {
  test("cases", () => compareWithTorch(CASES));
});

describe("statistics reductions", () => {
  test("grad_fn names", () => {
    const x = leaf([2, 3]);
    expect(String(x.var().grad_fn?.name())).toBe("VarBackward0");
    expect(String(x.var(1).grad_fn?.name())).toBe("VarBackward0");
    expect(String(x.std(0).grad_fn?.name())).toBe("StdBackward0");
    expect(String(x.norm().grad_fn?.name())).toBe("NormBackward1");
    expect(String(torch.norm(x, 2, 1, false, { dtype: torch.float32 }).grad_fn?.name())).toBe("NormBackward3");
    expect(String(x.logsumexp(1).grad_fn?.name())).toBe("LogsumexpBackward0");
  });

  test("error messages", () => {
    expect(() => torch.tensor([1, 2]).var()).toThrow("std and var only support floating point and complex dtypes");
    expect(() => torch.tensor([1, 2]).norm()).toThrow("norm(): input dtype should be either floating point or complex. Got Long instead.");
  });

  test("gradcheck", () => {
    const x = leaf([3, 4]);
    gradcheck((a) => a.var(), [x]);
    gradcheck((a) => a.var(1, false, true), [x]);
    gradcheck((a) => a.var([0, 1], { correction: 0 }), [x]);
    gradcheck((a) => a.std(0), [x]);
    gradcheck((a) => a.std(), [x]);
    gradcheck((a) => a.norm(), [x]);
    gradcheck((a) => a.norm(1, 1), [x]);
    gradcheck((a) => a.norm(3, [0], true), [x]);
    gradcheck((a) => torch.norm(a, Infinity, 1), [x]);
    gradcheck((a) => a.logsumexp([0, 1]), [x]);
    gradcheck((a) => a.logsumexp(1, true), [x]);
  });
});
