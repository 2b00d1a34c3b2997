import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { torch } from "../../src/index.js";

interface RngCase { seed: number; call: string; out: { shape?: number[]; dtype?: string; data?: number[]; weight?: number[]; bias?: number[] } }
const RNG = JSON.parse(
  readFileSync(new URL("../../../shared/reference/pytorch-1.13-rng.json", import.meta.url), "utf8"),
) as { cases: RngCase[] };

/** The tensor-level calls of the reference file, in TypeScript spelling. */
const CALLS: Record<string, () => torch.Tensor> = {
  "rand(3, 4)": () => torch.rand(3, 4),
  "rand(20)": () => torch.rand(20),
  "randn(3, 4)": () => torch.randn(3, 4),
  "randn(100, 3, 4)": () => torch.randn(100, 3, 4),
  "randn(7)": () => torch.randn(7),
  "randn(17)": () => torch.randn([17]),
  "randint(0, 10, (5,))": () => torch.randint(0, 10, [5]),
  "rand(2, 3, dtype=float64)": () => torch.rand(2, 3, { dtype: torch.float64 }),
  "randperm(8)": () => torch.randperm(8),
};

describe("random factories reproduce PyTorch 1.13's streams", () => {
  for (const c of RNG.cases.filter((k) => k.call in CALLS)) {
    it(`manual_seed(${c.seed}); ${c.call}`, () => {
      torch.manual_seed(c.seed);
      const t = CALLS[c.call]!();
      expect(t.shape).toEqual(c.out.shape);
      expect(t.dtype.name).toBe(c.out.dtype);
      const expected = c.out.dtype === "float32" ? c.out.data!.map(Math.fround) : c.out.data!;
      expect(Array.from(t.contiguousData())).toEqual(expected);
    });
  }

  it("the seed article's x and h print as PyTorch printed them", () => {
    torch.manual_seed(0);
    const x = torch.rand(3, 4);
    torch.rand(3, 4);
    expect(String(x)).toBe(
      "tensor([[0.4963, 0.7682, 0.0885, 0.1320],\n        [0.3074, 0.6341, 0.4901, 0.8964],\n        [0.4556, 0.6323, 0.3489, 0.4017]])",
    );
  });

  it("uniform_ and normal_ fill views in place through the same generator", () => {
    torch.manual_seed(0);
    const t = torch.zeros(3, 4);
    t.uniform_(0, 1);
    torch.manual_seed(0);
    expect(t.tolist()).toEqual(torch.rand(3, 4).tolist());
  });
});

describe("factories", () => {
  it("accept sizes as varargs or arrays, with options last", () => {
    expect(torch.zeros(2, 3).shape).toEqual([2, 3]);
    expect(torch.zeros([2, 3]).shape).toEqual([2, 3]);
    expect(torch.ones(2, { dtype: torch.int32 }).dtype).toBe(torch.int32);
    expect(torch.full([2], 7).dtype).toBe(torch.int64);
    expect(torch.full([2], 0.5).dtype).toBe(torch.float32);
    expect(torch.zeros(2, { requires_grad: true }).requires_grad).toBe(true);
  });

  it("infer dtypes from data as torch.tensor does", () => {
    expect(torch.tensor([1, 2]).dtype).toBe(torch.int64);
    expect(torch.tensor([1.5, 2]).dtype).toBe(torch.float32);
    expect(torch.tensor([true, false]).dtype).toBe(torch.bool);
    expect(torch.tensor([]).dtype).toBe(torch.float32);
    expect(torch.tensor(3.5).shape).toEqual([]);
    expect(() => torch.tensor([[1, 2], [3]])).toThrow("expected sequence of length 2 at dim 1 (got 1)");
    expect(() => torch.tensor([1, 2], { requires_grad: true })).toThrow(
      "Only Tensors of floating point and complex dtype can require gradients",
    );
  });

  it("arange, linspace and eye match PyTorch", () => {
    expect(torch.arange(5).tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(torch.arange(1, 2.5, 0.5).tolist()).toEqual([1, 1.5, 2]);
    expect(torch.arange(1, 2.5, 0.5).dtype).toBe(torch.float32);
    expect(torch.linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(torch.eye(2, 3).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(() => torch.arange(0, 5, 0)).toThrow("step must be nonzero");
  });

  it("rejects negative sizes with PyTorch's message", () => {
    expect(() => torch.zeros(2, -1)).toThrow("Trying to create tensor with negative dimension -1: [2, -1]");
  });
});
