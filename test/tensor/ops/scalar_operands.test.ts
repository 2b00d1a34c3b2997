/**
 * Note [scalar operands] (src/tensor/kernels/apply.ts): a JS number operand of a float32 op is
 * read as float32, as PyTorch's CPU kernels read a Python scalar, so results agree bit for bit.
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";

const CASES = ["x * 0.37", "x + 0.37", "x - 0.37", "x / 0.37", "torch.add(x, x, alpha=0.37)", "torch.sub(x, 0.1, alpha=0.3)"];

function ours(x: torch.Tensor): torch.Tensor[] {
  return [x.mul(0.37), x.add(0.37), x.sub(0.37), x.div(0.37), torch.add(x, x, { alpha: 0.37 }), torch.sub(x, 0.1, { alpha: 0.3 })];
}

describe.skipIf(!hasTorch)("scalar operands of float32 ops are float32, as in PyTorch", () => {
  it("matches PyTorch bit for bit on 3000 values", () => {
    const ref = runTorch<number[][]>(`
x = torch.arange(1, 3001, dtype=torch.float32) * 0.013
print(json.dumps([(${CASES.map((c) => `lambda: ${c}`).join(", ")})[i]().tolist() for i in range(${CASES.length})]))
`);
    const x = torch.arange(1, 3001, { dtype: torch.float32 }).mul(0.013);
    ours(x).forEach((t, i) => expect(t.tolist(), CASES[i]).toEqual(ref[i]));
  });

  it("keeps double scalars for float64 tensors", () => {
    const x = torch.tensor([2960], { dtype: torch.float64 });
    expect(x.mul(0.37).item()).toBe(2960 * 0.37);
  });
});
