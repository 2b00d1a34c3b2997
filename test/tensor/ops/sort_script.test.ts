/**
 * The new ops under torch.jit.script: a scripted function that sorts, takes the top k and
 * flips runs in the interpreter and gives the eager results.
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { script } from "../../../src/jit/script.js";
import { defineCell } from "../../jit/script/support.js";

const { ordered } = defineCell(`
function ordered(x: Tensor, k: int): Tensor {
  const [values, indices] = x.sort(1, true);
  const [top, where] = torch.topk(x, k, 0);
  const flipped = values.flip([0, 1]).roll(1, 0);
  return flipped.add(top.sum()).add(indices).add(where.sum()).tril().cumprod(1);
}
`, { file: "<sort cell>" });

describe("sort, topk and flip under torch.jit.script", () => {
  it("run in the interpreter and equal eager", () => {
    const f = script(ordered) as unknown as ((x: torch.Tensor, k: number) => torch.Tensor) & { graph: unknown };
    const x = torch.tensor([[0.5, -1, 2], [3, 0.25, -2], [1, 1, 0]]);
    const eager = ordered(x, 2) as torch.Tensor;
    expect(f(x, 2).tolist()).toEqual(eager.tolist());
    const g = String(f.graph);
    for (const op of ["aten::sort", "aten::topk", "aten::flip", "aten::roll", "aten::tril", "aten::cumprod"]) expect(g).toContain(op);
  });
});
