import { describe, expect, test } from "vitest";
import { torch } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Record<string, unknown> = {}) => ({ shape, ...extra });
const idx = (shape: number[], values: number[], dtype = "int64") => f(shape, { dtype, values });

const CASES: TorchCase[] = [
  { name: "embedding 1-d indices", inputs: [f([5, 3]), idx([4], [1, 4, 1, 0])], py: "F.embedding(b, a)", ts: (a, b) => torch.embedding(a, b), grad: true },
  { name: "embedding 2-d indices, int32", inputs: [f([6, 2], { dtype: "float64" }), idx([2, 3], [5, 0, 2, 2, 2, 1], "int32")],
    py: "F.embedding(b, a)", ts: (a, b) => torch.embedding(a, b), grad: true },
  { name: "embedding 0-d index", inputs: [f([5, 3]), idx([], [2])], py: "torch.embedding(a, b)", ts: (a, b) => torch.embedding(a, b), grad: true },
  { name: "embedding padding_idx gets no gradient", inputs: [f([5, 3]), idx([5], [1, 2, 1, 0, 2])],
    py: "F.embedding(b, a, padding_idx=1)", ts: (a, b) => torch.embedding(a, b, 1), grad: true },
  { name: "embedding scale_grad_by_freq", inputs: [f([5, 3], { dtype: "float64" }), idx([6], [1, 2, 1, 0, 1, 4])],
    py: "F.embedding(b, a, scale_grad_by_freq=True)", ts: (a, b) => torch.embedding(a, b, -1, true), grad: true },
  { name: "embedding int64 weight", inputs: [f([3, 2], { dtype: "int64" }), idx([2], [2, 0])], py: "torch.embedding(a, b)", ts: (a, b) => torch.embedding(a, b) },
  { name: "embedding_renorm_", inputs: [f([5, 3], { dtype: "float64" }), idx([3], [1, 3, 1])],
    py: "torch.embedding_renorm_(a.detach().clone(), b, 1.0, 2.0)", ts: (a, b) => torch.embedding_renorm_(a.detach().clone(), b, 1.0, 2.0) },
  { name: "index out of range", inputs: [f([5, 3]), idx([2], [1, 5])], py: "F.embedding(b, a)", ts: (a, b) => torch.embedding(a, b) },
  { name: "negative index", inputs: [f([5, 3]), idx([2], [1, -1])], py: "F.embedding(b, a)", ts: (a, b) => torch.embedding(a, b) },
  { name: "float indices", inputs: [f([5, 3]), f([2], { values: [1, 2] })], py: "F.embedding(b, a)", ts: (a, b) => torch.embedding(a, b) },
  { name: "1-d weight", inputs: [f([5]), idx([2], [1, 2])], py: "torch.embedding(a, b)", ts: (a, b) => torch.embedding(a, b) },
];

describe.skipIf(!hasTorch)("embedding against PyTorch", () => {
  test("values, grad_fn names, gradients and errors", () => compareWithTorch(CASES));
});

describe("embedding", () => {
  test("gradcheck (float64), repeated indices", () => {
    // padding_idx and scale_grad_by_freq deliberately differ from the true gradient, so not here
    const ids = torch.tensor([[0, 2], [3, 2]]);
    gradcheck((w) => torch.embedding(w, ids), [leaf([4, 3], 1)]);
  });
  test("the padding row's gradient stays zero and grad_fn is EmbeddingBackward0", () => {
    const w = torch.ones([3, 2], { requires_grad: true });
    const y = torch.embedding(w, torch.tensor([0, 0, 1]), 0);
    expect(y.grad_fn!.name()).toBe("EmbeddingBackward0");
    y.sum().backward();
    expect(w.grad!.tolist()).toEqual([[0, 0], [1, 1], [0, 0]]);
  });
  test("sparse gradients are refused with a clear error", () => {
    const w = torch.ones([3, 2], { requires_grad: true });
    expect(() => torch.embedding(w, torch.tensor([0]), -1, false, true).sum().backward()).toThrow(/sparse/);
  });
});
