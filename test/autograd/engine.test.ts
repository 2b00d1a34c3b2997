import { describe, expect, it } from "vitest";
import { torch } from "../../src/index.js";

const f64 = (v: number[], rg = true) => torch.tensor(v, { dtype: torch.float64, requires_grad: rg });

describe("autograd engine", () => {
  it("accumulates gradients over uses and over backward calls", () => {
    const x = f64([1, 2, 3]);
    const y = x.mul(x).add(x); // dy/dx = 2x + 1
    y.backward(torch.ones(3, { dtype: torch.float64 }));
    expect(x.grad!.tolist()).toEqual([3, 5, 7]);
    x.mul(2).backward(torch.ones(3, { dtype: torch.float64 }));
    expect(x.grad!.tolist()).toEqual([5, 7, 9]);
  });

  it("reduces gradients over broadcast dimensions", () => {
    const a = torch.ones(2, 3, { dtype: torch.float64, requires_grad: true });
    const b = f64([1, 2, 3]);
    a.mul(b).backward(torch.ones(2, 3, { dtype: torch.float64 }));
    expect(b.grad!.tolist()).toEqual([2, 2, 2]);
    expect(a.grad!.tolist()).toEqual([[1, 2, 3], [1, 2, 3]]);
  });

  it("names grad_fn as PyTorch does and exposes next_functions", () => {
    const x = f64([1, 2]);
    const y = torch.tanh(x.add(1));
    expect(y.grad_fn!.name()).toBe("TanhBackward0");
    const [first] = y.grad_fn!.next_functions;
    expect(first![0]!.name()).toBe("AddBackward0");
  });

  it("refuses a second backward through freed buffers unless retain_graph", () => {
    const x = f64([0.5]);
    const y = torch.tanh(x);
    y.backward(undefined, { retain_graph: true });
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(2 * (1 - Math.tanh(0.5) ** 2), 12);
    expect(() => y.backward()).toThrow(/Trying to backward through the graph a second time/);
  });

  it("requires an explicit gradient for non-scalar outputs", () => {
    const x = f64([1, 2]);
    expect(() => x.mul(2).backward()).toThrow("grad can be implicitly created only for scalar outputs");
    expect(() => torch.ones(1).backward()).toThrow("element 0 of tensors does not require grad and does not have a grad_fn");
  });

  it("records nothing under no_grad and restores the mode afterwards, even on error", () => {
    const x = f64([1]);
    const y = torch.no_grad(() => x.mul(2));
    expect(y.requires_grad).toBe(false);
    expect(y.grad_fn).toBeNull();
    expect(() => torch.no_grad(() => { throw new Error("boom"); })).toThrow("boom");
    expect(torch.is_grad_enabled()).toBe(true);
    const z = torch.no_grad(() => torch.enable_grad(() => x.mul(2)));
    expect(z.grad_fn!.name()).toBe("MulBackward0");
  });

  it("detach shares storage and cuts the graph", () => {
    const x = f64([1, 2]);
    const d = x.mul(2).detach();
    expect(d.requires_grad).toBe(false);
    expect(d.is_leaf).toBe(true);
  });

  it("guards in-place ops on leaves and keeps gradients exact through in-place ops", () => {
    const x = f64([1, 2]);
    expect(() => x.add_(1)).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    const y = x.mul(3);
    y.mul_(y); // y = (3x)^2, dy/dx = 18x
    y.backward(torch.ones(2, { dtype: torch.float64 }));
    expect(x.grad!.tolist()).toEqual([18, 36]);
    expect(y.grad_fn!.name()).toBe("MulBackward0");
  });

  it("computes gradients with autograd.grad without touching .grad", () => {
    const x = f64([2]);
    const [g] = torch.autograd.grad(x.mul(x), x, torch.ones(1, { dtype: torch.float64 }));
    expect(g!.item()).toBe(4);
    expect(x.grad).toBeNull();
  });

  it("runs tensor hooks and retain_grad on intermediate tensors", () => {
    const x = f64([1, 2]);
    const y = x.mul(2);
    y.retain_grad();
    const seen: number[][] = [];
    y.register_hook((g) => void seen.push(g.tolist() as number[]));
    y.mul(3).backward(torch.ones(2, { dtype: torch.float64 }));
    expect(y.grad!.tolist()).toEqual([3, 3]);
    expect(seen).toEqual([[3, 3]]);
    expect(x.grad!.tolist()).toEqual([6, 6]);
  });
});
