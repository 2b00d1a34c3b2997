import { describe, expect, test } from "vitest";
import { torch } from "../../../src/index.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";

const SCRIPT = `
x = torch.tensor([1, 2], dtype=torch.int32)
f = torch.tensor([1.5], dtype=torch.float64)
def d(t): return {"shape": list(t.shape), "dtype": str(t.dtype)[6:], "values": t.reshape(-1).tolist()}
print(json.dumps([d(x.new_zeros(2, 3)), d(f.new_ones((2,))), d(x.new_full((2, 2), 2.7)), d(f.new_full([1], 3, dtype=torch.int64)),
                  d(x.new_empty(0)), d(x.new_tensor([1.9, 2.2])), d(f.new_tensor([[1, 2]])), d(x.new_zeros((), dtype=torch.float32))]))
`;

describe.skipIf(!hasTorch)("new_* against PyTorch", () => {
  test("shapes, dtypes and values", () => {
    const expected = runTorch<{ shape: number[]; dtype: string; values: number[] }[]>(SCRIPT);
    const x = torch.tensor([1, 2], { dtype: "int32" });
    const f = torch.tensor([1.5], { dtype: "float64" });
    const ours = [x.new_zeros(2, 3), f.new_ones([2]), x.new_full([2, 2], 2.7), f.new_full([1], 3, { dtype: torch.int64 }),
      x.new_empty(0), x.new_tensor([1.9, 2.2]), f.new_tensor([[1, 2]]), x.new_zeros([], { dtype: torch.float32 })];
    expect(ours.map((t) => ({ shape: t.shape, dtype: t.dtype.name, values: Array.from(t.contiguousData()) }))).toEqual(expected);
  });
});

describe("new_* methods", () => {
  test("new_tensor copies a tensor and can require grad", () => {
    const src = torch.tensor([1, 2], { dtype: "float64" });
    const t = torch.zeros(1).new_tensor(src, { requires_grad: true });
    src.fill_(0);
    expect(t.tolist()).toEqual([1, 2]);
    expect(t.dtype).toBe(torch.float32);
    expect(t.requires_grad).toBe(true);
  });

  test("negative sizes fail as in PyTorch", () => {
    expect(() => torch.zeros(1).new_zeros(-1)).toThrow("Trying to create tensor with negative dimension -1: [-1]");
  });
});
