/** Tensors as JSON between PyTorch reference scripts and the tests of torch.nn.utils. */
import { expect } from "vitest";
import { torch, Tensor } from "../../../src/index.js";

export interface J { shape: number[]; data: number[]; dtype: string }

/** The Python side: `T(t)` turns a tensor into a J (dtype as "float32", "int64", ...). */
export const PY_T = `
def T(t): return dict(shape=list(t.shape), data=t.detach().flatten().tolist(), dtype=str(t.dtype).replace("torch.", ""))
`;

export const fromJ = (j: J): Tensor => torch.tensor(j.data, { dtype: j.dtype as "float32" }).reshape(j.shape);

/** Same shape and dtype; values within atol + rtol * |want| (exactly equal for integer tensors). */
export function expectClose(got: Tensor, want: J, what: string, atol = 2e-6, rtol = 1e-5): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  expect(got.dtype.name, `${what} dtype`).toBe(want.dtype);
  const g = got.contiguousData();
  const bad: string[] = [];
  want.data.forEach((w, i) => {
    if (!(Math.abs(g[i]! - w) <= atol + rtol * Math.abs(w))) bad.push(`${what}[${i}] got ${g[i]} want ${w}`);
  });
  expect(bad.slice(0, 5)).toEqual([]);
}
