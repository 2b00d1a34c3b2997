/**
 * Sorting and order statistics: sort, argsort, topk, kthvalue, median, mode. Each works on
 * lines along one dim (lines.ts) and returns (values, indices) pairs like max(dim), with int64
 * indices. NaN sorts as the largest value, as in PyTorch; a NaN in a line makes median NaN.
 *
 * Note [value-selecting gradient]: every op here picks elements of its input, so its gradient
 * scatters the output gradient back to the picked positions (PyTorch's
 * value_selecting_reduction_backward); whole-tensor median shares it among equal elements.
 */
import { IndexError, RuntimeError } from "../../util/errors.js";
import { int64 } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods } from "../registry.js";
import { normalizeDim } from "../shape.js";
import { callAten } from "../kernels/gather.js";
import type { GradOut } from "../../autograd/op_node.js";
import { compareNanLast, readLines, sortedPositions, writeLines, type Lines } from "./lines.js";
import type { ValuesIndices } from "./reduce_minmax.js";

function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices], { values, indices }) as unknown as ValuesIndices;
}

/** Picks `k` positions from each line; values and int64 indices keep `dim` (or drop it). */
function selectFromLines(
  x: Tensor, lines: Lines, k: number, keepdim: boolean, pick: (base: number, n: number) => readonly number[],
): ValuesIndices {
  const { data, n, count } = lines;
  const vals = new Float64Array(count * k);
  const idx = new Float64Array(count * k);
  for (let o = 0; o < count; o++) {
    const chosen = pick(o * n, n);
    for (let j = 0; j < k; j++) {
      idx[o * k + j] = chosen[j]!;
      vals[o * k + j] = data[o * n + chosen[j]!]!;
    }
  }
  return valuesIndices(writeLines(lines, vals, k, x.dtype, keepdim), writeLines(lines, idx, k, int64, keepdim));
}

/** Note [value-selecting gradient]. */
function selectedGrad(g: Tensor, self: Tensor, dim: number, indices: Tensor, keepdim: boolean): Tensor {
  const d = normalizeDim(dim, self.ndim);
  let gg = g;
  let ix = indices;
  if (!keepdim && self.ndim > 0) {
    gg = callAten("aten::unsqueeze", [g, d]);
    ix = callAten("aten::unsqueeze", [indices, d]);
  }
  return callAten("aten::scatter.src", [Tensor.empty(self.shape.slice(), g.dtype), d, ix, gg]);
}

// ---------------------------------------------------------------- sort, argsort

function sortForward(self: Tensor, dim: number, descending: boolean): ValuesIndices {
  const lines = readLines(self, dim);
  return selectFromLines(self, lines, lines.n, true, (base, n) => sortedPositions(lines.data, base, n, descending));
}

const sortBackward = (grads: (Tensor | null)[], self: Tensor, dim: number, out: ValuesIndices): GradOut[] =>
  [grads[0] ? selectedGrad(grads[0], self, dim, out.indices, true) : null];

type SortFn = {
  (input: Tensor, dim?: number, descending?: boolean): ValuesIndices;
  (input: Tensor, opts: { stable?: boolean | null; dim?: number; descending?: boolean }): ValuesIndices;
};

/** Always stable: PyTorch's unstable sort may order ties either way, and stable is one such way. */
export const sort = defineOp<SortFn>("sort", [
  {
    schema: "aten::sort(Tensor self, int dim=-1, bool descending=False) -> (Tensor values, Tensor indices)",
    gradName: "SortBackward0",
    forward: sortForward,
    backward: (grads: (Tensor | null)[], [self, dim]: [Tensor, number], out: ValuesIndices) => sortBackward(grads, self, dim, out),
  },
  {
    schema: "aten::sort.stable(Tensor self, *, bool? stable, int dim=-1, bool descending=False) -> (Tensor values, Tensor indices)",
    gradName: "SortBackward1",
    forward: (self: Tensor, _stable: boolean | null, dim: number, descending: boolean) => sortForward(self, dim, descending),
    backward: (grads: (Tensor | null)[], [self, , dim]: [Tensor, unknown, number], out: ValuesIndices) => sortBackward(grads, self, dim, out),
  },
]);

type ArgsortFn = {
  (input: Tensor, dim?: number, descending?: boolean): Tensor;
  (input: Tensor, opts: { stable?: boolean; dim?: number; descending?: boolean }): Tensor;
};

export const argsort = defineOp<ArgsortFn>("argsort", [
  {
    schema: "aten::argsort(Tensor self, int dim=-1, bool descending=False) -> Tensor",
    composite: true,
    forward: (self: Tensor, dim: number, descending: boolean) => callAten<ValuesIndices>("aten::sort", [self, dim, descending])[1],
  },
  {
    schema: "aten::argsort.stable(Tensor self, *, bool stable, int dim=-1, bool descending=False) -> Tensor",
    composite: true,
    forward: (self: Tensor, stable: boolean, dim: number, descending: boolean) =>
      callAten<ValuesIndices>("aten::sort.stable", [self, stable, dim, descending])[1],
  },
]);

// ---------------------------------------------------------------- topk

type TopkFn = (input: Tensor, k: number, dim?: number, largest?: boolean, sorted?: boolean) => ValuesIndices;

export const topk = defineOp<TopkFn>("topk", [{
  schema: "aten::topk(Tensor self, int k, int dim=-1, bool largest=True, bool sorted=True) -> (Tensor values, Tensor indices)",
  gradName: "TopkBackward0",
  // the k chosen come out sorted whether or not `sorted` asks for it (PyTorch leaves that order unspecified)
  forward: (self: Tensor, k: number, dim: number, largest: boolean) => {
    const lines = readLines(self, dim);
    if (k < 0 || k > lines.n) throw new RuntimeError("selected index k out of range");
    return selectFromLines(self, lines, k, true, (base, n) => sortedPositions(lines.data, base, n, largest));
  },
  backward: (grads: (Tensor | null)[], [self, , dim]: [Tensor, number, number], out: ValuesIndices): GradOut[] =>
    [grads[0] ? selectedGrad(grads[0], self, dim, out.indices, true) : null],
}]);

// ---------------------------------------------------------------- kthvalue, median, mode

function checkReducible(name: string, lines: Lines, self: Tensor): void {
  if (lines.n === 0 && self.ndim > 0) throw new IndexError(`${name}(): Expected reduction dim ${lines.dim} to have non-zero size.`);
}

/** The position of the k-th smallest (0-based) in a line, NaN counted as largest. */
function kthPosition(data: Float64Array, base: number, n: number, k: number): number {
  return sortedPositions(data, base, n, false)[k]!;
}

/** The first NaN of a line, or -1: median propagates NaN and reports where it was. */
function firstNan(data: Float64Array, base: number, n: number): number {
  for (let i = 0; i < n; i++) if (data[base + i] !== data[base + i]) return i;
  return -1;
}

type KthvalueFn = (input: Tensor, k: number, dim?: number, keepdim?: boolean) => ValuesIndices;

export const kthvalue = defineOp<KthvalueFn>("kthvalue", [{
  schema: "aten::kthvalue(Tensor self, int k, int dim=-1, bool keepdim=False) -> (Tensor values, Tensor indices)",
  gradName: "KthvalueBackward0",
  forward: (self: Tensor, k: number, dim: number, keepdim: boolean) => {
    const lines = readLines(self, dim);
    checkReducible("kthvalue", lines, self);
    if (k < 1 || k > lines.n) throw new RuntimeError(`kthvalue(): selected number k out of range for dimension ${lines.dim}`);
    return selectFromLines(self, lines, 1, keepdim, (base, n) => [kthPosition(lines.data, base, n, k - 1)]);
  },
  backward: (grads: (Tensor | null)[], [self, , dim, keepdim]: [Tensor, number, number, boolean], out: ValuesIndices): GradOut[] =>
    [grads[0] ? selectedGrad(grads[0], self, dim, out.indices, keepdim) : null],
}]);

/** The lower median of a line, or its first NaN. */
function medianPosition(data: Float64Array, base: number, n: number): number {
  const nan = firstNan(data, base, n);
  return nan >= 0 ? nan : kthPosition(data, base, n, (n - 1) >> 1);
}

/** d median / d x for the whole tensor: shared evenly among the elements equal to it. */
function evenlyDistributed(g: Tensor, self: Tensor, result: Tensor): Tensor {
  const m = result.item() as number;
  const x = self.contiguousData();
  const hit = (v: number) => (m !== m ? v !== v : v === m);
  let count = 0;
  for (let i = 0; i < x.length; i++) if (hit(x[i]!)) count++;
  const mask = new self.dtype.ArrayType(x.length);
  for (let i = 0; i < x.length; i++) mask[i] = hit(x[i]!) ? 1 / count : 0;
  return callAten("aten::mul.Tensor", [g, Tensor.fromData(mask, self.shape.slice(), self.dtype)]);
}

type MedianFn = {
  (input: Tensor): Tensor;
  (input: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
  (input: Tensor, opts: { dim: number; keepdim?: boolean }): ValuesIndices;
};

export const median = defineOp<MedianFn>("median", [
  {
    schema: "aten::median(Tensor self) -> Tensor",
    gradName: "MedianBackward0",
    forward: (self: Tensor) => {
      if (self.numel() === 0) return Tensor.fromData(new self.dtype.ArrayType([NaN]), [], self.dtype);
      const flat = readLines(Tensor.fromData(self.contiguousData(), [self.numel()], self.dtype), 0);
      return Tensor.fromData(new self.dtype.ArrayType([flat.data[medianPosition(flat.data, 0, flat.n)]!]), [], self.dtype);
    },
    backward: (g: Tensor, [self]: [Tensor], out: Tensor): GradOut[] => [evenlyDistributed(g, self, out)],
  },
  {
    schema: "aten::median.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
    gradName: "MedianBackward1",
    forward: (self: Tensor, dim: number, keepdim: boolean) => {
      const lines = readLines(self, dim);
      checkReducible("median", lines, self);
      return selectFromLines(self, lines, 1, keepdim, (base, n) => [medianPosition(lines.data, base, n)]);
    },
    backward: (grads: (Tensor | null)[], [self, dim, keepdim]: [Tensor, number, boolean], out: ValuesIndices): GradOut[] =>
      [grads[0] ? selectedGrad(grads[0], self, dim, out.indices, keepdim) : null],
  },
]);

/** The most frequent value of a line (the smallest among equally frequent ones) and its last position. */
function modePosition(data: Float64Array, base: number, n: number): number {
  const order = sortedPositions(data, base, n, false);
  let best = order[0]!;
  let bestCount = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && compareNanLast(data[base + order[j + 1]!]!, data[base + order[i]!]!) === 0) j++;
    if (j - i + 1 > bestCount) {
      bestCount = j - i + 1;
      best = order[j]!;
    }
    i = j + 1;
  }
  return best;
}

type ModeFn = (input: Tensor, dim?: number, keepdim?: boolean) => ValuesIndices;

export const mode = defineOp<ModeFn>("mode", [{
  schema: "aten::mode(Tensor self, int dim=-1, bool keepdim=False) -> (Tensor values, Tensor indices)",
  gradName: "ModeBackward0",
  forward: (self: Tensor, dim: number, keepdim: boolean) => {
    const lines = readLines(self, dim);
    if (lines.n === 0) return selectFromLines(self, lines, 0, keepdim, () => []);
    return selectFromLines(self, lines, 1, keepdim, (base, n) => [modePosition(lines.data, base, n)]);
  },
  backward: (grads: (Tensor | null)[], [self, dim, keepdim]: [Tensor, number, boolean], out: ValuesIndices): GradOut[] =>
    [grads[0] ? selectedGrad(grads[0], self, dim, out.indices, keepdim) : null],
}]);

declare module "../tensor.js" {
  interface Tensor {
    sort(dim?: number, descending?: boolean): ValuesIndices;
    sort(opts: { stable?: boolean | null; dim?: number; descending?: boolean }): ValuesIndices;
    argsort(dim?: number, descending?: boolean): Tensor;
    argsort(opts: { stable?: boolean; dim?: number; descending?: boolean }): Tensor;
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): ValuesIndices;
    kthvalue(k: number, dim?: number, keepdim?: boolean): ValuesIndices;
    median(): Tensor;
    median(dim: number, keepdim?: boolean): ValuesIndices;
    median(opts: { dim: number; keepdim?: boolean }): ValuesIndices;
    mode(dim?: number, keepdim?: boolean): ValuesIndices;
  }
}

installMethods({ sort, argsort, topk, kthvalue, median, mode });
