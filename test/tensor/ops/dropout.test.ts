import { describe, expect, test } from "vitest";
import { torch } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Record<string, unknown> = {}) => ({ shape, ...extra });
const seeded = (py: string) => `(torch.manual_seed(7), ${py})[1]`;

const CASES: TorchCase[] = [
  { name: "dropout training, float32 (same mask as torch)", inputs: [f([5, 7])], py: seeded("torch.dropout(a, 0.3, True)"),
    ts: (a) => (torch.manual_seed(7), torch.dropout(a, 0.3, true)), grad: true, rtol: 0, atol: 0 },
  { name: "dropout training, float64", inputs: [f([40], { dtype: "float64" })], py: seeded("torch.dropout(a, 0.5, True)"),
    ts: (a) => (torch.manual_seed(7), torch.dropout(a, 0.5, true)), grad: true, rtol: 0, atol: 0 },
  { name: "dropout p=1", inputs: [f([3, 4])], py: "torch.dropout(a, 1.0, True)", ts: (a) => torch.dropout(a, 1, true), grad: true },
  { name: "feature dropout", inputs: [f([3, 4, 2, 2])], py: seeded("torch.feature_dropout(a, 0.4, True)"),
    ts: (a) => (torch.manual_seed(7), torch.feature_dropout(a, 0.4, true)), grad: true, rtol: 0, atol: 0 },
  { name: "p out of range", inputs: [f([3])], py: "torch.dropout(a, 1.5, True)", ts: (a) => torch.dropout(a, 1.5, true) },
  { name: "negative p in eval", inputs: [f([3])], py: "torch.dropout(a, -0.5, False)", ts: (a) => torch.dropout(a, -0.5, false) },
  { name: "integer input in training", inputs: [f([3], { dtype: "int64" })], py: "torch.dropout(a, 0.5, True)", ts: (a) => torch.dropout(a, 0.5, true) },
];

describe.skipIf(!hasTorch)("dropout against PyTorch", () => {
  test("masks, scaling, grad_fn names, gradients and errors", () => compareWithTorch(CASES));
});

describe("dropout", () => {
  test("evaluation and p = 0 return the input itself", () => {
    const x = torch.ones([2, 2], { requires_grad: true });
    expect(torch.dropout(x, 0.5, false)).toBe(x);
    expect(torch.dropout(x, 0, true)).toBe(x);
  });
  test("training scales kept values by 1 / (1 - p); grad_fn is MulBackward0", () => {
    torch.manual_seed(0);
    const x = torch.ones([1000], { dtype: torch.float64, requires_grad: true });
    const y = torch.dropout(x, 0.25, true);
    expect(y.grad_fn!.name()).toBe("MulBackward0");
    const vals = Array.from(y.contiguousData());
    expect(vals.every((v) => v === 0 || v === 1 / 0.75)).toBe(true);
    const kept = vals.filter((v) => v !== 0).length;
    expect(kept).toBeGreaterThan(700);
    expect(kept).toBeLessThan(800);
    y.sum().backward();
    expect(Array.from(x.grad!.contiguousData())).toEqual(vals);
  });
  test("dropout_ writes in place", () => {
    torch.manual_seed(1);
    const x = torch.ones([50]);
    const y = torch.dropout_(x, 0.5, true);
    expect(y).toBe(x);
    expect(Array.from(x.contiguousData()).every((v) => v === 0 || v === 2)).toBe(true);
  });
});
