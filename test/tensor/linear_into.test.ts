/**
 * linearTransposedInto (Note [buffer reuse]): writes linear's result into a dead tensor only
 * where that is what linear_t would compute and nothing observes it; otherwise linear_t itself.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../src/index.js";
import { linearTransposedInto } from "../../src/tensor/ops/linalg.js";

describe("linearTransposedInto", () => {
  torch.manual_seed(11);
  const x = torch.randn(3, 4);
  const w = torch.randn(5, 4);
  const b = torch.randn(5);
  const wt = w.t();
  const want = torch.nn.functional.linear(x, w, b);

  it("writes into a fitting dead tensor the exact values linear gives, bumping its version", () => {
    const reuse = torch.full([3, 5], 7.5);
    const version = reuse.storage.version;
    const out = linearTransposedInto(reuse, x, wt, w, b);
    expect(out).toBe(reuse);
    expect(torch.equal(out, want)).toBe(true);
    expect(reuse.storage.version).toBe(version + 1);
  });

  it("makes a new tensor for a misfit: shape, dtype, a view, shared storage, no bias, nothing to reuse", () => {
    const misfits: (Tensor | null)[] = [
      torch.zeros(5, 3), torch.zeros(3, 5, { dtype: torch.float64 }), torch.zeros(5, 3).t(), torch.zeros(4, 5).narrow(0, 1, 3),
      null,
    ];
    for (const reuse of misfits) {
      const out = linearTransposedInto(reuse, x, wt, w, b);
      expect(out).not.toBe(reuse);
      expect(torch.equal(out, want)).toBe(true);
    }
    const aliased = x.clone();
    expect(linearTransposedInto(aliased, aliased, torch.eye(4), torch.eye(4), torch.zeros(4))).not.toBe(aliased);
    expect(torch.equal(linearTransposedInto(torch.zeros(3, 5), x, wt, w, null), torch.nn.functional.linear(x, w))).toBe(true);
  });

  it("records what linear records when a gradient is needed, writing nothing", () => {
    const wg = w.clone().requires_grad_();
    const reuse = torch.zeros(3, 5);
    const out = linearTransposedInto(reuse, x, wg.t(), wg, b);
    expect(out).not.toBe(reuse);
    expect(out.grad_fn?.name()).toBe("AddmmBackward0");
    expect(torch.equal(reuse, torch.zeros(3, 5))).toBe(true);
  });

  it("raises linear's own error for operands that do not multiply", () => {
    expect(() => linearTransposedInto(torch.zeros(3, 5), torch.randn(3, 2), wt, w, b)).toThrow(/cannot be multiplied/);
  });
});
