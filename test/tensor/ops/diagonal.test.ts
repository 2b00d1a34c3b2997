import { describe, expect, test } from "vitest";
import { torch } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Partial<TorchCase["inputs"][0]> = {}) => ({ shape, ...extra });

const CASES: TorchCase[] = [
  // diagonal
  { name: "diagonal", inputs: [f([3, 4])], py: "a.diagonal()", ts: (a) => a.diagonal(), grad: true },
  { name: "diagonal offset", inputs: [f([3, 4])], py: "a.diagonal(2)", ts: (a) => a.diagonal(2), grad: true },
  { name: "diagonal negative offset", inputs: [f([3, 4], { transposed: true })], py: "torch.diagonal(a, -1)", ts: (a) => torch.diagonal(a, -1), grad: true },
  { name: "diagonal offset past the end", inputs: [f([3, 4])], py: "a.diagonal(5)", ts: (a) => a.diagonal(5), grad: true },
  { name: "diagonal batched dims", inputs: [f([2, 3, 4])], py: "a.diagonal(0, 2, 0)", ts: (a) => a.diagonal(0, 2, 0), grad: true },
  { name: "diagonal same dims", inputs: [f([3, 3])], py: "a.diagonal(0, 1, 1)", ts: (a) => a.diagonal(0, 1, 1) },
  { name: "diagonal of a vector", inputs: [f([3])], py: "a.diagonal()", ts: (a) => a.diagonal() },
  // diag
  { name: "diag of a matrix", inputs: [f([3, 4])], py: "a.diag(1)", ts: (a) => a.diag(1), grad: true },
  { name: "diag of a vector", inputs: [f([3])], py: "torch.diag(a)", ts: (a) => torch.diag(a), grad: true },
  { name: "diag of a vector offset", inputs: [f([3])], py: "a.diag(-2)", ts: (a) => a.diag(-2), grad: true },
  { name: "diag int", inputs: [f([3], { dtype: "int64" })], py: "a.diag(1)", ts: (a) => a.diag(1) },
  { name: "diag 3-d", inputs: [f([2, 2, 2])], py: "a.diag()", ts: (a) => a.diag() },
  // trace
  { name: "trace", inputs: [f([3, 4])], py: "a.trace()", ts: (a) => a.trace(), grad: true },
  { name: "trace transposed", inputs: [f([4, 3], { transposed: true })], py: "torch.trace(a)", ts: (a) => torch.trace(a), grad: true },
  { name: "trace int", inputs: [f([3, 3], { dtype: "int32" })], py: "a.trace()", ts: (a) => a.trace() },
  { name: "trace vector", inputs: [f([3])], py: "a.trace()", ts: (a) => a.trace() },
  // tril, triu
  { name: "tril", inputs: [f([3, 4])], py: "a.tril()", ts: (a) => a.tril(), grad: true },
  { name: "tril offset batched", inputs: [f([2, 3, 4])], py: "torch.tril(a, -1)", ts: (a) => torch.tril(a, -1), grad: true },
  { name: "triu", inputs: [f([4, 3], { transposed: true })], py: "a.triu(1)", ts: (a) => a.triu(1), grad: true },
  { name: "triu_ in place", inputs: [f([3, 3])], py: "(a * 1).triu_(-1)", ts: (a) => a.mul(1).triu_(-1), grad: true },
  { name: "tril_ in place", inputs: [f([3, 3])], py: "(a * 1).tril_()", ts: (a) => a.mul(1).tril_(), grad: true },
  { name: "tril int", inputs: [f([3, 3], { dtype: "int64" })], py: "a.tril(1)", ts: (a) => a.tril(1) },
  { name: "tril of a vector", inputs: [f([3])], py: "a.tril()", ts: (a) => a.tril() },
];

describe.skipIf(!hasTorch)("diagonal, diag, trace, tril, triu against PyTorch", () => {
  test("cases", () => compareWithTorch(CASES));
});

describe("diagonal ops", () => {
  test("diagonal is a view", () => {
    const x = torch.zeros(3, 3);
    const d = x.diagonal(1);
    d.fill_(5);
    expect(x.tolist()).toEqual([[0, 5, 0], [0, 0, 5], [0, 0, 0]]);
    expect(d._base).toBe(x);
  });

  test("tril_ writes through a non-contiguous view", () => {
    const x = torch.ones(3, 3);
    x.t().tril_();
    expect(x.tolist()).toEqual([[1, 1, 1], [0, 1, 1], [0, 0, 1]]);
  });

  test("grad_fn names", () => {
    const x = leaf([3, 4]);
    expect(x.diagonal().grad_fn?.name()).toBe("DiagonalBackward0");
    expect(x.diag().grad_fn?.name()).toBe("DiagBackward0");
    expect(x.trace().grad_fn?.name()).toBe("TraceBackward0");
    expect(x.tril().grad_fn?.name()).toBe("TrilBackward0");
    expect(x.triu().grad_fn?.name()).toBe("TriuBackward0");
    expect(x.mul(1).tril_().grad_fn?.name()).toBe("TrilBackward0");
  });

  test("gradcheck", () => {
    const x = leaf([3, 4]);
    gradcheck((a) => a.diagonal(1), [x]);
    gradcheck((a) => a.diagonal(-1, 1, 0), [x]);
    gradcheck((a) => a.diag(), [x]);
    gradcheck((a) => a.diag(2), [leaf([3])]);
    gradcheck((a) => a.trace(), [x]);
    gradcheck((a) => a.tril(1), [x]);
    gradcheck((a) => a.triu(-1), [x]);
    gradcheck((a) => a.mul(2).triu_(), [x]);
  });

  test("double backward through diagonal", () => {
    const x = leaf([3, 3]);
    const [g] = torch.autograd.grad(x.diagonal().pow(2).sum(), [x], null, { create_graph: true });
    const [gg] = torch.autograd.grad(g!.sum(), [x]);
    expect(gg!.tolist()).toEqual([[2, 0, 0], [0, 2, 0], [0, 0, 2]]);
  });
});
