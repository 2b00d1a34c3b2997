/**
 * Running products and differences: cumprod, diff (composite: narrow and sub, so it shows
 * SubBackward0 as in PyTorch) and count_nonzero.
 */
import { RuntimeError } from "../../util/errors.js";
import { bool, int64, type DType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods } from "../registry.js";
import { normalizeDim } from "../shape.js";
import { callAten } from "../kernels/gather.js";
import { reduceToTensor } from "../kernels/reduce.js";
import type { GradOut } from "../../autograd/op_node.js";
import { castRaw, integralUpcast } from "./reduce_common.js";
import { readLines, writeLines } from "./lines.js";
import { distinctDims } from "./shape_extra.js";

// ---------------------------------------------------------------- cumprod

function cumprodForward(self: Tensor, dim: number, dtype: DType | null): Tensor {
  const outDType = integralUpcast(self, dtype);
  const lines = readLines(castRaw(self, outDType), dim);
  const { data, n, count } = lines;
  const out = new Float64Array(data.length);
  for (let o = 0; o < count; o++) {
    let p = 1;
    for (let i = 0; i < n; i++) out[o * n + i] = p *= data[o * n + i]!;
  }
  return writeLines(lines, out, n, outDType);
}

/**
 * d cumprod / d x_i = sum over j >= i of g_j times the product of x_0..x_j without x_i, formed
 * directly (quadratic in the line length) so that zeros in x need no special case, where
 * dividing the output by x would.
 */
function cumprodGrad(g: Tensor, self: Tensor, dim: number): Tensor {
  const x = readLines(self, dim);
  const gl = readLines(g, dim);
  const { n, count } = x;
  const out = new Float64Array(x.data.length);
  for (let o = 0; o < count; o++) {
    const base = o * n;
    let before = 1; // product of x_0..x_{i-1}
    for (let i = 0; i < n; i++) {
      let acc = 0;
      let prod = before;
      for (let j = i; j < n; j++) {
        if (j > i) prod *= x.data[base + j]!;
        acc += gl.data[base + j]! * prod;
      }
      out[base + i] = acc;
      before *= x.data[base + i]!;
    }
  }
  return writeLines(x, out, n, g.dtype);
}

type DTypeOpt = { dtype?: DType | string | null };

export const cumprod = defineOp<(input: Tensor, dim: number, opts?: DTypeOpt) => Tensor>("cumprod", [{
  schema: "aten::cumprod(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor",
  gradName: "CumprodBackward0",
  forward: cumprodForward,
  backward: (g: Tensor, [self, dim]: [Tensor, number]): GradOut[] => [cumprodGrad(g, self, dim)],
}]);

// ---------------------------------------------------------------- diff

function oneDiff(x: Tensor, d: number): Tensor {
  const len = x.shape[d]!;
  const later = callAten("aten::narrow", [x, d, 1, Math.max(len - 1, 0)]);
  const earlier = callAten("aten::narrow", [x, d, 0, Math.max(len - 1, 0)]);
  // bool has no subtraction: PyTorch takes logical_xor, which is "not equal"
  if (x.dtype === bool) return callAten("aten::ne.Tensor", [later, earlier]);
  return callAten("aten::sub.Tensor", [later, earlier, 1]);
}

function diffForward(self: Tensor, n: number, dim: number, prepend: Tensor | null, append: Tensor | null): Tensor {
  if (self.ndim === 0) throw new RuntimeError("diff expects input to be at least one-dimensional");
  const d = normalizeDim(dim, self.ndim);
  let x = self;
  if (prepend !== null || append !== null) {
    const parts = [prepend, self, append].filter((t): t is Tensor => t !== null);
    if (parts.some((t) => t.ndim !== self.ndim)) {
      throw new RuntimeError("diff expects prepend or append to be the same dimension as input");
    }
    x = callAten("aten::cat", [parts, d]);
  }
  // PyTorch 1.13 takes n <= 0 as no differencing, and stops once the dim is used up
  const times = Math.min(n, x.shape[d]!);
  for (let i = 0; i < times; i++) x = oneDiff(x, d);
  return x;
}

type DiffFn = (input: Tensor, n?: number, dim?: number, prepend?: Tensor | null, append?: Tensor | null) => Tensor;

export const diff = defineOp<DiffFn>("diff", [{
  schema: "aten::diff(Tensor self, int n=1, int dim=-1, Tensor? prepend=None, Tensor? append=None) -> Tensor",
  composite: true,
  forward: diffForward,
}]);

// ---------------------------------------------------------------- count_nonzero

function countNonzero(buf: Float64Array, n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (buf[i] !== 0) c++;
  return c;
}

function countForward(self: Tensor, dims: readonly number[]): Tensor {
  const ds = self.ndim === 0 ? [] : distinctDims(dims, self.ndim);
  if (self.ndim === 0) dims.forEach((d) => normalizeDim(d, 0));
  const all = dims.length === 0 ? self.shape.map((_, i) => i) : ds;
  return reduceToTensor(self, all, false, int64, countNonzero);
}

type CountFn = (input: Tensor, dim?: number | readonly number[] | null) => Tensor;

export const count_nonzero = defineOp<CountFn>("count_nonzero", [
  {
    schema: "aten::count_nonzero.dim_IntList(Tensor self, int[] dim) -> Tensor",
    forward: countForward,
  },
  {
    schema: "aten::count_nonzero(Tensor self, int? dim=None) -> Tensor",
    forward: (self: Tensor, dim: number | null) => countForward(self, dim === null ? [] : [dim]),
  },
]);

declare module "../tensor.js" {
  interface Tensor {
    cumprod(dim: number, opts?: DTypeOpt): Tensor;
    diff(n?: number, dim?: number, prepend?: Tensor | null, append?: Tensor | null): Tensor;
    count_nonzero(dim?: number | readonly number[] | null): Tensor;
  }
}

installMethods({ cumprod, diff, count_nonzero });
