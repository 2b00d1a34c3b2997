/**
 * Reductions: sum, mean, prod, any, all, cumsum here; max/min/argmax/amax in reduce_minmax.ts;
 * var/std/norm/logsumexp in reduce_stats.ts. Everything is exported from this file.
 *
 * Dims are an int or a list of ints (negative wrap; null or [] reduce every dim), `keepdim`
 * keeps reduced dims as size 1, and `dtype=` converts the input inside the kernel (no autograd
 * node, as in PyTorch). Integral and bool inputs of sum/prod/cumsum accumulate in int64.
 */
import { DType, bool, uint8 } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods, type Op, type OpOverload, type OverloadDef } from "../registry.js";
import { RuntimeError } from "../../util/errors.js";
import { normalizeDim } from "../shape.js";
import {
  allOf, anyOf, mapSlices, meanOf, prodOf, reduceToTensor, reductionDims, sumOf,
} from "../kernels/reduce.js";
import {
  castRaw, dimsOf, expandGrad, integralUpcast, isDimArg, keepdimGrad, numelOver, withFastPath, type DimArg,
} from "./reduce_common.js";
import { div, mul, sub, add } from "./arith.js";
import type { GradOut } from "../../autograd/op_node.js";

export * from "./reduce_minmax.js";
export * from "./reduce_stats.js";

type DTypeOpt = { dtype?: DType | string | null };
type DimOpts = { dim?: DimArg; keepdim?: boolean; dtype?: DType | string | null };

// ---- sum ----

function sumForward(self: Tensor, dim: DimArg, keepdim: boolean, dtype: DType | null): Tensor {
  const outDType = integralUpcast(self, dtype);
  const x = castRaw(self, outDType);
  return reduceToTensor(x, reductionDims(dim, self.ndim), keepdim, outDType, sumOf);
}

const sumAll: OverloadDef = {
  schema: "aten::sum(Tensor self, *, ScalarType? dtype=None) -> Tensor",
  gradName: "SumBackward0",
  forward: (self: Tensor, dtype: DType | null) => sumForward(self, null, false, dtype),
  backward: (g: Tensor, [self]: [Tensor]) => [g.expand(self.shape.slice())],
};

const sumDim: OverloadDef = {
  schema: "aten::sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
  gradName: "SumBackward1",
  forward: sumForward,
  backward: (g: Tensor, [self, dim, keepdim]: [Tensor, DimArg, boolean]) => [expandGrad(g, self, dimsOf(self, dim), keepdim)],
};

type SumLike = {
  (input: Tensor, opts?: DTypeOpt): Tensor;
  (input: Tensor, dim: DimArg, keepdim?: boolean, opts?: DTypeOpt): Tensor;
  (input: Tensor, dim: DimArg, opts: DimOpts): Tensor;
  (input: Tensor, opts: DimOpts): Tensor;
};

/** x.sum(), x.sum(dim), x.sum(dim, keepdim) skip argument binding (withFastPath). */
function reductionFastPath(all: OverloadDef, byDim: OverloadDef, name: string): Op<SumLike> {
  const op = defineOp<SumLike>(name, [all, byDim]);
  const [allOv, dimOv] = op.overloads as [OpOverload, OpOverload];
  return withFastPath(op, (raw) => {
    const x = raw[0];
    if (!(x instanceof Tensor)) return null;
    if (raw.length === 1) return [allOv, [x, null]];
    const dim = raw[1];
    const keepdim = raw.length === 2 ? false : raw[2];
    if (raw.length > 3 || !isDimArg(dim) || typeof keepdim !== "boolean") return null;
    return [dimOv, [x, typeof dim === "number" ? [dim] : dim, keepdim, null]];
  });
}

export const sum = reductionFastPath(sumAll, sumDim, "sum");

// ---- mean ----

function meanDType(self: Tensor, dtype: DType | null): DType {
  if (dtype !== null) {
    if (!dtype.is_floating_point) {
      throw new RuntimeError(`mean(): could not infer output dtype. Optional dtype must be either a floating point or complex dtype. Got: ${dtype.scalarType}`);
    }
    return dtype;
  }
  if (!self.dtype.is_floating_point) {
    throw new RuntimeError(`mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${self.dtype.scalarType}`);
  }
  return self.dtype;
}

function meanForward(self: Tensor, dim: DimArg, keepdim: boolean, dtype: DType | null): Tensor {
  const outDType = meanDType(self, dtype);
  return reduceToTensor(castRaw(self, outDType), reductionDims(dim, self.ndim), keepdim, outDType, meanOf);
}

function meanBackward(g: Tensor, self: Tensor, dims: number[], keepdim: boolean): Tensor {
  return div(expandGrad(g, self, dims, keepdim), numelOver(self.shape, dims));
}

const meanAll: OverloadDef = {
  schema: "aten::mean(Tensor self, *, ScalarType? dtype=None) -> Tensor",
  gradName: "MeanBackward0",
  forward: (self: Tensor, dtype: DType | null) => meanForward(self, null, false, dtype),
  backward: (g: Tensor, [self]: [Tensor]) => [meanBackward(g, self, dimsOf(self, null), false)],
};

const meanDim: OverloadDef = {
  schema: "aten::mean.dim(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
  gradName: "MeanBackward1",
  forward: meanForward,
  backward: (g: Tensor, [self, dim, keepdim]: [Tensor, DimArg, boolean]) => [meanBackward(g, self, dimsOf(self, dim), keepdim)],
};

export const mean = reductionFastPath(meanAll, meanDim, "mean");

// ---- prod ----

function prodForward(self: Tensor, dim: DimArg, keepdim: boolean, dtype: DType | null): Tensor {
  const outDType = integralUpcast(self, dtype);
  return reduceToTensor(castRaw(self, outDType), reductionDims(dim, self.ndim), keepdim, outDType, prodOf);
}

/**
 * d prod / d x_i is the product of the other elements: result / x_i when no element is zero
 * (written with ops, so it is differentiable again); with zeros, the products of the others
 * are computed directly (exact, but a constant for double backward).
 */
function prodBackward(g: Tensor, self: Tensor, result: Tensor, dims: number[], keepdim: boolean): Tensor {
  const gk = keepdimGrad(g, self.shape, dims, keepdim);
  const data = self.contiguousData();
  if (!data.includes(0)) return mul(gk, div(keepdimGrad(result, self.shape, dims, keepdim), self));
  return mul(gk, productOfOthers(self, dims));
}

/** For each element, the product of the other elements of its slice (zeros allowed). */
function productOfOthers(self: Tensor, dims: number[]): Tensor {
  // prefix products times suffix products: no division, so zeros are exact
  return mapSlices(self, dims, self.dtype, (src, n, dst) => {
    let p = 1;
    for (let i = 0; i < n; i++) {
      dst[i] = p;
      p *= src[i]!;
    }
    let s = 1;
    for (let i = n - 1; i >= 0; i--) {
      dst[i] = dst[i]! * s;
      s *= src[i]!;
    }
  });
}

const prodAll: OverloadDef = {
  schema: "aten::prod(Tensor self, *, ScalarType? dtype=None) -> Tensor",
  gradName: "ProdBackward0",
  forward: (self: Tensor, dtype: DType | null) => prodForward(self, null, false, dtype),
  backward: (g: Tensor, [self]: [Tensor], result: Tensor) => [prodBackward(g, self, result, dimsOf(self, null), false)],
};

const prodDim: OverloadDef = {
  schema: "aten::prod.dim_int(Tensor self, int dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
  gradName: "ProdBackward1",
  forward: prodForward,
  backward: (g: Tensor, [self, dim, keepdim]: [Tensor, number, boolean], result: Tensor) =>
    [prodBackward(g, self, result, dimsOf(self, dim), keepdim)],
};

export const prod = defineOp<{
  (input: Tensor, opts?: DTypeOpt): Tensor;
  (input: Tensor, dim: number, keepdim?: boolean, opts?: DTypeOpt): Tensor;
  (input: Tensor, dim: number, opts: DimOpts): Tensor;
}>("prod", [prodAll, prodDim]);

// ---- any / all ----

/** uint8 inputs give uint8 results in PyTorch 1.13; everything else gives bool. */
function logicalForward(reducer: typeof anyOf) {
  return (self: Tensor, dim: number | null, keepdim = false): Tensor => {
    const out = self.dtype === uint8 ? uint8 : bool;
    return reduceToTensor(self, reductionDims(dim, self.ndim), keepdim, out, reducer);
  };
}

export const any = defineOp<(input: Tensor, dim?: number, keepdim?: boolean) => Tensor>("any", [
  { schema: "aten::any(Tensor self) -> Tensor", forward: (self: Tensor) => logicalForward(anyOf)(self, null) },
  { schema: "aten::any.dim(Tensor self, int dim, bool keepdim=False) -> Tensor", forward: logicalForward(anyOf) },
]);

export const all = defineOp<(input: Tensor, dim?: number, keepdim?: boolean) => Tensor>("all", [
  { schema: "aten::all(Tensor self) -> Tensor", forward: (self: Tensor) => logicalForward(allOf)(self, null) },
  { schema: "aten::all.dim(Tensor self, int dim, bool keepdim=False) -> Tensor", forward: logicalForward(allOf) },
]);

// ---- cumsum ----

function cumsumForward(self: Tensor, dim: number, dtype: DType | null): Tensor {
  const d = normalizeDim(dim, self.ndim);
  const outDType = integralUpcast(self, dtype);
  return mapSlices(castRaw(self, outDType), self.ndim === 0 ? [] : [d], outDType, (src, n, dst) => {
    let s = 0;
    for (let i = 0; i < n; i++) dst[i] = s += src[i]!;
  });
}

export const cumsum = defineOp<(input: Tensor, dim: number, opts?: DTypeOpt) => Tensor>("cumsum", [{
  schema: "aten::cumsum(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor",
  gradName: "CumsumBackward0",
  forward: cumsumForward,
  // the gradient is the reversed cumulative sum: total - cumsum(g) + g along dim
  backward: (g: Tensor, [self, dim]: [Tensor, number]): GradOut[] => {
    if (self.ndim === 0) return [g];
    return [add(sub(sum(g, [dim], true), cumsum(g, dim)), g)];
  },
}]);

declare module "../tensor.js" {
  interface Tensor {
    sum(opts?: DTypeOpt): Tensor;
    sum(dim: DimArg, keepdim?: boolean, opts?: DTypeOpt): Tensor;
    sum(dim: DimArg, opts: DimOpts): Tensor;
    sum(opts: DimOpts): Tensor;
    mean(opts?: DTypeOpt): Tensor;
    mean(dim: DimArg, keepdim?: boolean, opts?: DTypeOpt): Tensor;
    mean(dim: DimArg, opts: DimOpts): Tensor;
    mean(opts: DimOpts): Tensor;
    prod(opts?: DTypeOpt): Tensor;
    prod(dim: number, keepdim?: boolean, opts?: DTypeOpt): Tensor;
    prod(dim: number, opts: DimOpts): Tensor;
    any(dim?: number, keepdim?: boolean): Tensor;
    all(dim?: number, keepdim?: boolean): Tensor;
    cumsum(dim: number, opts?: DTypeOpt): Tensor;
  }
}

installMethods({ sum, mean, prod, any, all, cumsum });
