/**
 * max/min (whole tensor, along a dim with indices, or elementwise against another tensor),
 * amax/amin and argmax/argmin. NaN propagates (it compares as the extreme), and among equal
 * extremes the first index wins, as on PyTorch's CPU.
 */
import { IndexError, RuntimeError } from "../../util/errors.js";
import { int64 } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods, type OverloadDef } from "../registry.js";
import { normalizeDim } from "../shape.js";
import {
  argmaxOf, argminOf, mapSlices, maxOf, minOf, planReduce, forEachReduced, reduceToTensor, reductionDims,
} from "../kernels/reduce.js";
import { dimsOf, keepdimGrad, type DimArg } from "./reduce_common.js";
import { mul } from "./arith.js";
import { maximum, minimum } from "./compare.js";

/** torch.return_types.max: a [values, indices] pair that also has named fields. */
// The field shadows Array.prototype.values() on these pairs; destructuring still works (it
// uses Symbol.iterator).
export type ValuesIndices = Omit<[Tensor, Tensor], "values"> & { values: Tensor; indices: Tensor };

function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  const r = [values, indices];
  return Object.assign(r, { values, indices }) as unknown as ValuesIndices;
}

type Pick = typeof argmaxOf;

function checkNonEmpty(name: string, self: Tensor, dims: readonly number[], wholeTensor: boolean, hint: boolean): void {
  if (self.numel() !== 0) return;
  if (wholeTensor) {
    const msg = `${name}(): Expected reduction dim to be specified for input.numel() == 0.`;
    if (hint) throw new RuntimeError(`${msg} Specify the reduction dim with the 'dim' argument.`);
    throw new IndexError(msg);
  }
  for (const d of dims) {
    if (self.shape[d] === 0) throw new IndexError(`${name}(): Expected reduction dim ${d} to have non-zero size.`);
  }
}

/**
 * d extreme / d x for the whole-tensor and amax forms: the gradient is shared evenly among the
 * elements equal to the extreme (NaN counts as equal to a NaN result).
 */
function evenlySpreadMask(self: Tensor, dims: readonly number[], pick: Pick): Tensor {
  return mapSlices(self, dims, self.dtype, (src, n, dst) => {
    const m = src[pick(src, n)]!;
    let count = 0;
    for (let i = 0; i < n; i++) if (src[i] === m || (m !== m && src[i] !== src[i])) count++;
    for (let i = 0; i < n; i++) dst[i] = src[i] === m || (m !== m && src[i] !== src[i]) ? 1 / count : 0;
  });
}

/** d extreme / d x along a dim: one at the selected index of each slice. */
function oneHotMask(self: Tensor, dim: number, pick: Pick): Tensor {
  return mapSlices(self, self.ndim === 0 ? [] : [dim], self.dtype, (src, n, dst) => {
    dst.fill(0, 0, n);
    dst[pick(src, n)] = 1;
  });
}

function extremeOverloads(name: "max" | "min", pick: Pick, value: typeof maxOf): OverloadDef[] {
  const Name = name === "max" ? "Max" : "Min";
  const whole: OverloadDef = {
    schema: `aten::${name}(Tensor self) -> Tensor`,
    gradName: `${Name}Backward1`,
    forward: (self: Tensor) => {
      const dims = reductionDims(null, self.ndim);
      checkNonEmpty(name, self, dims, true, true);
      return reduceToTensor(self, dims, false, self.dtype, value);
    },
    backward: (g: Tensor, [self]: [Tensor]) => [mul(g, evenlySpreadMask(self, reductionDims(null, self.ndim), pick))],
  };
  const alongDim: OverloadDef = {
    schema: `aten::${name}.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)`,
    gradName: `${Name}Backward0`,
    forward: (self: Tensor, dim: number, keepdim: boolean) => {
      const d = normalizeDim(dim, self.ndim);
      const dims = self.ndim === 0 ? [] : [d];
      checkNonEmpty(name, self, dims, false, false);
      return selectAlongDim(self, dims, keepdim, pick);
    },
    backward: (grads: (Tensor | null)[], [self, dim, keepdim]: [Tensor, number, boolean]) => {
      const g = grads[0];
      if (!g) return [null];
      const d = normalizeDim(dim, self.ndim);
      return [mul(keepdimGrad(g, self.shape, dimsOf(self, d), keepdim), oneHotMask(self, d, pick))];
    },
  };
  const other: OverloadDef = {
    schema: `aten::${name}.other(Tensor self, Tensor other) -> Tensor`,
    composite: true,
    // max(a, b) is maximum(a, b) (MaximumBackward0 in autograd), as in PyTorch
    forward: (self: Tensor, o: Tensor) => (name === "max" ? maximum(self, o) : minimum(self, o)),
  };
  return [whole, alongDim, other];
}

function selectAlongDim(self: Tensor, dims: readonly number[], keepdim: boolean, pick: Pick): ValuesIndices {
  const plan = planReduce(self, dims, keepdim);
  const values = new self.dtype.ArrayType(plan.outer);
  const indices = new Float64Array(plan.outer);
  forEachReduced(self, plan, (buf, n, o) => {
    const i = pick(buf, n);
    values[o] = buf[i]!;
    indices[o] = i;
  });
  return valuesIndices(
    Tensor.fromData(values, plan.outShape.slice(), self.dtype),
    Tensor.fromData(indices, plan.outShape.slice(), int64),
  );
}

type Extreme = {
  (input: Tensor): Tensor;
  (input: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
  (input: Tensor, opts: { dim: number; keepdim?: boolean }): ValuesIndices;
  (input: Tensor, other: Tensor): Tensor;
};

export const max = defineOp<Extreme>("max", extremeOverloads("max", argmaxOf, maxOf));
export const min = defineOp<Extreme>("min", extremeOverloads("min", argminOf, minOf));

// ---- amax / amin ----

function amaxOverload(name: "amax" | "amin", pick: Pick, value: typeof maxOf): OverloadDef {
  return {
    schema: `aten::${name}(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor`,
    gradName: name === "amax" ? "AmaxBackward0" : "AminBackward0",
    forward: (self: Tensor, dim: DimArg, keepdim: boolean) => {
      const dims = reductionDims(dim, self.ndim);
      const whole = dim === null || dim === undefined || (Array.isArray(dim) && dim.length === 0);
      checkNonEmpty(name, self, dims, whole, true);
      return reduceToTensor(self, dims, keepdim, self.dtype, value);
    },
    backward: (g: Tensor, [self, dim, keepdim]: [Tensor, DimArg, boolean]) => {
      const dims = dimsOf(self, dim);
      return [mul(keepdimGrad(g, self.shape, dims, keepdim), evenlySpreadMask(self, dims, pick))];
    },
  };
}

type AReduce = (input: Tensor, dim?: DimArg, keepdim?: boolean) => Tensor;
export const amax = defineOp<AReduce>("amax", [amaxOverload("amax", argmaxOf, maxOf)]);
export const amin = defineOp<AReduce>("amin", [amaxOverload("amin", argminOf, minOf)]);

// ---- argmax / argmin ----

function argOverload(name: "argmax" | "argmin", pick: Pick): OverloadDef {
  return {
    schema: `aten::${name}(Tensor self, int? dim=None, bool keepdim=False) -> Tensor`,
    forward: (self: Tensor, dim: number | null, keepdim: boolean) => {
      if (dim === null) {
        // the flattened tensor's index; keepdim keeps every dim as size 1
        const dims = reductionDims(null, self.ndim);
        checkNonEmpty(name, self, dims, true, false);
        return reduceToTensor(self, dims, keepdim, int64, pick);
      }
      const d = normalizeDim(dim, self.ndim);
      const dims = self.ndim === 0 ? [] : [d];
      checkNonEmpty(name, self, dims, false, false);
      return reduceToTensor(self, dims, keepdim, int64, pick);
    },
  };
}

type ArgReduce = (input: Tensor, dim?: number | null, keepdim?: boolean) => Tensor;
export const argmax = defineOp<ArgReduce>("argmax", [argOverload("argmax", argmaxOf)]);
export const argmin = defineOp<ArgReduce>("argmin", [argOverload("argmin", argminOf)]);

declare module "../tensor.js" {
  interface Tensor {
    max(): Tensor;
    max(dim: number, keepdim?: boolean): ValuesIndices;
    max(opts: { dim: number; keepdim?: boolean }): ValuesIndices;
    max(other: Tensor): Tensor;
    min(): Tensor;
    min(dim: number, keepdim?: boolean): ValuesIndices;
    min(opts: { dim: number; keepdim?: boolean }): ValuesIndices;
    min(other: Tensor): Tensor;
    amax(dim?: DimArg, keepdim?: boolean): Tensor;
    amin(dim?: DimArg, keepdim?: boolean): Tensor;
    argmax(dim?: number | null, keepdim?: boolean): Tensor;
    argmin(dim?: number | null, keepdim?: boolean): Tensor;
  }
}

installMethods({ max, min, amax, amin, argmax, argmin });
