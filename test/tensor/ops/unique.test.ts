import { describe, expect, test } from "vitest";
import { torch, type Tensor } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Partial<TorchCase["inputs"][0]> = {}) => ({ shape, ...extra });
const VALS = [3, 1, 2, 1, 3, 0, 2, 2, 5, 1, 0, 3];
const ROWS = [1, 2, 0, 1, 1, 2, 1, 2, 0, 0, 0, 0];

const CASES: TorchCase[] = [
  { name: "unique", inputs: [f([3, 4], { values: VALS })], py: "torch.unique(a)", ts: (a) => torch.unique(a) },
  { name: "unique inverse", inputs: [f([3, 4], { values: VALS })], py: "a.unique(return_inverse=True)", ts: (a) => a.unique({ return_inverse: true }) },
  { name: "unique counts", inputs: [f([12], { values: VALS, dtype: "int64" })], py: "torch.unique(a, return_counts=True)", ts: (a) => torch.unique(a, { return_counts: true }) },
  { name: "unique both transposed", inputs: [f([4, 3], { values: VALS, transposed: true })], py: "torch.unique(a, return_inverse=True, return_counts=True)", ts: (a) => torch.unique(a, { return_inverse: true, return_counts: true }) },
  { name: "unique bool", inputs: [f([4], { values: [1, 0, 1, 1], dtype: "bool" })], py: "a.unique(return_counts=True)", ts: (a) => a.unique({ return_counts: true }) },
  { name: "unique empty", inputs: [f([0])], py: "a.unique(return_inverse=True, return_counts=True)", ts: (a) => a.unique({ return_inverse: true, return_counts: true }) },
  { name: "unique dim 0", inputs: [f([4, 3], { values: ROWS })], py: "torch.unique(a, dim=0, return_inverse=True, return_counts=True)", ts: (a) => torch.unique(a, { dim: 0, return_inverse: true, return_counts: true }) },
  { name: "unique dim 1", inputs: [f([2, 6], { values: ROWS, dtype: "int64" })], py: "a.unique(dim=1, return_counts=True)", ts: (a) => a.unique({ dim: 1, return_counts: true }) },
  { name: "unique dim bad", inputs: [f([2, 6])], py: "a.unique(dim=2)", ts: (a) => a.unique({ dim: 2 }) },
];

describe.skipIf(!hasTorch)("unique against PyTorch", () => {
  test("cases", () => compareWithTorch(CASES));
});

describe("unique", () => {
  test("returns just the outputs asked for", () => {
    const x = torch.tensor([2, 1, 2]);
    expect((torch.unique(x) as Tensor).tolist()).toEqual([1, 2]);
    const [v, inv] = torch.unique(x, { return_inverse: true }) as Tensor[];
    expect([v!.tolist(), inv!.tolist()]).toEqual([[1, 2], [1, 0, 1]]);
  });

  test("sorted=False still gives every distinct value once", () => {
    expect((torch.unique(torch.tensor([3, 1, 3]), { sorted: false }) as Tensor).tolist()).toEqual([1, 3]);
  });
});
