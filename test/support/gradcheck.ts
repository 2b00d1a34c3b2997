/**
 * Numeric gradient check in float64: compares the gradients backward computes with central
 * differences of L = sum(f(inputs) * w) for a fixed pseudo-random w.
 */
import { expect } from "vitest";
import { torch, Tensor } from "../../src/index.js";

function weights(n: number, seed: number): Float64Array {
  const w = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    w[i] = (s / 2 ** 32) * 2 - 1;
  }
  return w;
}

function outputsOf(r: Tensor | readonly Tensor[]): Tensor[] {
  return r instanceof Tensor ? [r] : r.filter((t): t is Tensor => t instanceof Tensor && t.dtype.is_floating_point);
}

function loss(outs: Tensor[], ws: Float64Array[]): number {
  let l = 0;
  outs.forEach((o, k) => {
    const d = o.contiguousData();
    for (let i = 0; i < d.length; i++) l += d[i]! * ws[k]![i]!;
  });
  return l;
}

/**
 * `inputs` are float64 tensors; those with requires_grad are checked. `fn` may return a tensor
 * or an array of tensors (non-float outputs are ignored).
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor | readonly Tensor[],
  inputs: Tensor[],
  { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = {},
): void {
  for (const t of inputs) t.grad = null;
  const outs = outputsOf(fn(...inputs));
  const ws = outs.map((o, k) => weights(o.numel(), 17 + k));
  torch.autograd.backward(outs, outs.map((o, k) => torch.tensor(Array.from(ws[k]!), { dtype: "float64" }).reshape(o.shape)));
  for (const t of inputs) {
    if (!t.requires_grad) continue;
    const analytic = t.grad ? Array.from(t.grad.contiguousData()) : new Array<number>(t.numel()).fill(0);
    const data = t.storage.data;
    expect(t.is_contiguous() && t.dtype === torch.float64, "gradcheck inputs must be contiguous float64").toBe(true);
    for (let i = 0; i < t.numel(); i++) {
      const p = t.offset + i;
      const orig = data[p]!;
      data[p] = orig + eps;
      const up = torch.no_grad(() => loss(outputsOf(fn(...inputs)), ws));
      data[p] = orig - eps;
      const down = torch.no_grad(() => loss(outputsOf(fn(...inputs)), ws));
      data[p] = orig;
      const numeric = (up - down) / (2 * eps);
      const a = analytic[i]!;
      if (Math.abs(a - numeric) > atol + rtol * Math.abs(numeric)) {
        throw new Error(`gradcheck: element ${i} analytic ${a} numeric ${numeric}`);
      }
    }
  }
}

/** A float64 leaf tensor that requires grad, with values from a fixed stream in [-1, 1). */
export function leaf(shape: number[], seed = 1, { positive = false } = {}): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const w = weights(n, seed);
  const vals = Array.from(w, (v) => (positive ? Math.abs(v) + 0.5 : v));
  return torch.tensor(vals, { dtype: "float64" }).reshape(shape).detach().requires_grad_();
}
