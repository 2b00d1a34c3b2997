/**
 * Statistics reductions: var and std (with `unbiased` or `correction`), the vector p-norm
 * (torch.norm's Python logic included: 'fro', dims, dtype) and logsumexp.
 */
import { RuntimeError, ValueError } from "../../util/errors.js";
import { DType, get_default_dtype, toDType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods, type OverloadDef } from "../registry.js";
import {
  logsumexpOf, mapSlices, normOf, reduceToTensor, reductionDims, varOf,
} from "../kernels/reduce.js";
import { castRaw, constTensor, dimsOf, keepdimGrad, numelOver, requireFloating, type DimArg } from "./reduce_common.js";
import { mul, sub } from "./arith.js";
import { exp } from "./unary.js";
import { mean, sum } from "./reduce.js";

// ---- var / std ----

function varForward(self: Tensor, dim: DimArg, correction: number, keepdim: boolean, root: boolean): Tensor {
  requireFloating(self, () => "std and var only support floating point and complex dtypes");
  const dims = reductionDims(dim, self.ndim);
  return reduceToTensor(self, dims, keepdim, self.dtype, root
    ? (buf, n) => Math.sqrt(varOf(buf, n, correction))
    : (buf, n) => varOf(buf, n, correction));
}

/**
 * var: g * 2 (x - mean) / (N - c). std: g * (x - mean) / ((N - c) std), zero where std is 0
 * (PyTorch masks that case rather than returning NaN).
 */
function varBackward(g: Tensor, self: Tensor, result: Tensor, dim: DimArg, correction: number, keepdim: boolean, root: boolean): Tensor {
  const dims = dimsOf(self, dim);
  const denom = Math.max(0, numelOver(self.shape, dims) - correction);
  const centered = sub(self, mean(self, dims, true));
  const gk = keepdimGrad(g, self.shape, dims, keepdim);
  if (!root) return mul(mul(gk, centered), 2 / denom);
  const r = result.contiguousData();
  const scale = new Float64Array(r.length);
  for (let i = 0; i < r.length; i++) scale[i] = r[i] === 0 ? 0 : 1 / (denom * r[i]!);
  const keepShape = keepdimGrad(result, self.shape, dims, keepdim).shape;
  return mul(mul(gk, centered), constTensor(scale, keepShape, self.dtype));
}

function varOverloads(name: "var" | "std"): OverloadDef[] {
  const root = name === "std";
  const gradName = root ? "StdBackward0" : "VarBackward0";
  const bw = (dimIdx: number | null, corr: (args: unknown[]) => number, keepIdx: number | null) =>
    (g: Tensor, args: unknown[], result: Tensor) => [varBackward(
      g, args[0] as Tensor, result, dimIdx === null ? null : (args[dimIdx] as DimArg), corr(args),
      keepIdx === null ? false : (args[keepIdx] as boolean), root,
    )];
  const unbiasedCorr = (i: number) => (args: unknown[]) => (args[i] ? 1 : 0);
  const corrArg = (args: unknown[]) => (args[2] === null || args[2] === undefined ? 1 : (args[2] as number));
  return [
    {
      schema: `aten::${name}(Tensor self, bool unbiased=True) -> Tensor`,
      gradName,
      forward: (self: Tensor, unbiased: boolean) => varForward(self, null, unbiased ? 1 : 0, false, root),
      backward: bw(null, unbiasedCorr(1), null),
    },
    {
      schema: `aten::${name}.dim(Tensor self, int[1]? dim, bool unbiased=True, bool keepdim=False) -> Tensor`,
      gradName,
      forward: (self: Tensor, dim: DimArg, unbiased: boolean, keepdim: boolean) => varForward(self, dim, unbiased ? 1 : 0, keepdim, root),
      backward: bw(1, unbiasedCorr(2), 3),
    },
    {
      schema: `aten::${name}.correction(Tensor self, int[1]? dim, *, int? correction, bool keepdim=False) -> Tensor`,
      gradName,
      forward: (self: Tensor, dim: DimArg, correction: number | null, keepdim: boolean) =>
        varForward(self, dim, correction ?? 1, keepdim, root),
      backward: bw(1, corrArg, 3),
    },
  ];
}

type VarOpts = { dim?: DimArg; unbiased?: boolean; correction?: number | null; keepdim?: boolean };
type VarFn = {
  (input: Tensor, unbiased?: boolean): Tensor;
  (input: Tensor, dim: DimArg, unbiased?: boolean, keepdim?: boolean): Tensor;
  (input: Tensor, dim: DimArg, opts: VarOpts): Tensor;
  (input: Tensor, opts: VarOpts): Tensor;
};

export const var_ = defineOp<VarFn>("var", varOverloads("var"));
export const std = defineOp<VarFn>("std", varOverloads("std"));
export { var_ as var };

// ---- norm ----

function normForward(self: Tensor, p: number | null, dim: DimArg, keepdim: boolean, dtype: DType | null): Tensor {
  if (!self.dtype.is_floating_point) {
    throw new RuntimeError(`norm(): input dtype should be either floating point or complex. Got ${self.dtype.scalarType} instead.`);
  }
  const pp = p ?? 2;
  const outDType = dtype ?? self.dtype;
  return reduceToTensor(castRaw(self, outDType), reductionDims(dim, self.ndim), keepdim, outDType, (buf, n) => normOf(buf, n, pp));
}

/**
 * d ||x||_p / d x = x |x|^(p-2) / ||x||^(p-1) (zero where x or the norm is zero); p = 1 gives
 * sign(x); p = +-inf spreads the gradient evenly over the extreme |x| with x's sign; p = 0 has
 * no gradient. The factor is computed directly (a constant for double backward).
 */
function normBackward(g: Tensor, self: Tensor, p: number | null, dim: DimArg, keepdim: boolean): Tensor | null {
  const pp = p ?? 2;
  if (pp === 0) return null;
  const dims = dimsOf(self, dim);
  const factor = mapSlices(self, dims, self.dtype, (src, n, dst) => normGradSlice(src, n, dst, pp));
  return mul(keepdimGrad(g, self.shape, dims, keepdim), factor);
}

function normGradSlice(src: Float64Array, n: number, dst: Float64Array, p: number): void {
  const norm = normOf(src, n, p);
  if (p === Infinity || p === -Infinity) {
    let count = 0;
    for (let i = 0; i < n; i++) if (Math.abs(src[i]!) === norm) count++;
    for (let i = 0; i < n; i++) dst[i] = Math.abs(src[i]!) === norm ? Math.sign(src[i]!) / count : 0;
    return;
  }
  for (let i = 0; i < n; i++) {
    const x = src[i]!;
    if (p === 1) dst[i] = Math.sign(x);
    else if (x === 0 || norm === 0) dst[i] = 0;
    else if (p === 2) dst[i] = x / norm;
    else dst[i] = (Math.sign(x) * Math.abs(x) ** (p - 1)) / norm ** (p - 1);
  }
}

const normScalar: OverloadDef = {
  schema: "aten::norm.Scalar(Tensor self, Scalar p=2) -> Tensor",
  gradName: "NormBackward0",
  forward: (self: Tensor, p: number) => normForward(self, p, null, false, null),
  backward: (g: Tensor, [self, p]: [Tensor, number]) => [normBackward(g, self, p, null, false)],
};
const normDim: OverloadDef = {
  schema: "aten::norm.ScalarOpt_dim(Tensor self, Scalar? p, int[1] dim, bool keepdim=False) -> Tensor",
  gradName: "NormBackward1",
  forward: (self: Tensor, p: number | null, dim: number[], keepdim: boolean) => normForward(self, p, dim, keepdim, null),
  backward: (g: Tensor, [self, p, dim, keepdim]: [Tensor, number | null, number[], boolean]) =>
    [normBackward(g, self, p, dim, keepdim)],
};
const normDimDType: OverloadDef = {
  schema: "aten::norm.ScalarOpt_dim_dtype(Tensor self, Scalar? p, int[1] dim, bool keepdim, *, ScalarType dtype) -> Tensor",
  gradName: "NormBackward3",
  forward: (self: Tensor, p: number | null, dim: number[], keepdim: boolean, dtype: DType) => normForward(self, p, dim, keepdim, dtype),
  backward: (g: Tensor, [self, p, dim, keepdim]: [Tensor, number | null, number[], boolean]) =>
    [normBackward(g, self, p, dim, keepdim)],
};

/** The registered aten::norm overloads (torch.norm below is Python's function over them). */
export const _norm = defineOp<(input: Tensor, p: number | null, dim?: number[], keepdim?: boolean, opts?: { dtype?: DType | string }) => Tensor>(
  "norm", [normScalar, normDim, normDimDType],
);

/**
 * aten::frobenius_norm.dim: one dim or none is the 2-norm; two dims are sqrt(sum(x * x)), so
 * autograd shows SqrtBackward0 there, as in PyTorch 1.13.
 */
export const frobenius_norm = defineOp<(input: Tensor, dim: number[], keepdim?: boolean) => Tensor>("frobenius_norm", [{
  schema: "aten::frobenius_norm.dim(Tensor self, int[1] dim, bool keepdim=False) -> Tensor",
  composite: true,
  forward: (self: Tensor, dim: number[], keepdim: boolean) => {
    if (dim.length > 2) throw new RuntimeError(`Expected at most 2 dimensions, but got ${dim.length} dimensions instead.`);
    if (dim.length < 2) return _norm(self, 2, dim, keepdim);
    const dims = reductionDims(dim, self.ndim);
    if (dims.length < 2) throw new RuntimeError(`Expected dims to be different, got [${dim.join(", ")}] instead`);
    return sum(mul(self, self), dims, keepdim).sqrt();
  },
}]);

type NormP = number | "fro" | "nuc" | null;
type NormOpts = { p?: NormP; dim?: DimArg; keepdim?: boolean; dtype?: DType | string | null };

function isOpts(v: unknown): v is NormOpts {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * torch.norm(input, p='fro', dim=None, keepdim=False, dtype=None), following PyTorch 1.13's
 * Python function: 'fro' goes to frobenius_norm, a number to aten::norm over the given (or
 * every) dim. Arguments may be positional or a trailing options object.
 */
export function norm(input: Tensor, ...rest: (NormP | DimArg | boolean | NormOpts | DType | string)[]): Tensor {
  const last = rest[rest.length - 1];
  const opts: NormOpts = isOpts(last) ? last : {};
  const pos = isOpts(last) ? rest.slice(0, -1) : rest;
  const p = (pos[0] !== undefined ? pos[0] : opts.p !== undefined ? opts.p : "fro") as NormP;
  const dim = (pos[1] !== undefined ? pos[1] : opts.dim ?? null) as DimArg;
  const keepdim = (pos[2] ?? opts.keepdim ?? false) as boolean;
  const dtypeArg = (pos[3] ?? opts.dtype ?? null) as DType | string | null;
  const dtype = dtypeArg === null ? null : toDType(dtypeArg);
  const allDims = Array.from({ length: input.ndim }, (_, i) => i);
  const dimList = dim === null || dim === undefined ? null : typeof dim === "number" ? [dim] : dim.slice();
  if (typeof p === "string") {
    if (p === "fro") {
      if (dtype !== null) throw new ValueError("dtype argument is not supported in frobenius norm");
      return frobenius_norm(input, dimList ?? [], keepdim);
    }
    if (p === "nuc") throw new RuntimeError("norm(): the nuclear norm ('nuc') needs an SVD, which tsjit does not implement");
    throw new RuntimeError(`only valid string values are 'fro' and 'nuc', found ${String(p)}`);
  }
  const d = dimList ?? allDims;
  return dtype === null ? _norm(input, p, d, keepdim) : _norm(input, p, d, keepdim, { dtype });
}

// ---- logsumexp ----

export const logsumexp = defineOp<(input: Tensor, dim: DimArg, keepdim?: boolean) => Tensor>("logsumexp", [{
  schema: "aten::logsumexp(Tensor self, int[1] dim, bool keepdim=False) -> Tensor",
  gradName: "LogsumexpBackward0",
  forward: (self: Tensor, dim: number[], keepdim: boolean) => {
    // integral inputs are computed in the default float dtype, as PyTorch 1.13 does
    const dtype = self.dtype.is_floating_point ? self.dtype : get_default_dtype();
    return reduceToTensor(castRaw(self, dtype), reductionDims(dim, self.ndim), keepdim, dtype, logsumexpOf);
  },
  backward: (g: Tensor, [self, dim, keepdim]: [Tensor, number[], boolean], result: Tensor) => {
    const dims = dimsOf(self, dim);
    const r = keepdimGrad(result, self.shape, dims, keepdim);
    return [mul(keepdimGrad(g, self.shape, dims, keepdim), exp(sub(self, r)))];
  },
}]);

declare module "../tensor.js" {
  interface Tensor {
    var(unbiased?: boolean): Tensor;
    var(dim: DimArg, unbiased?: boolean, keepdim?: boolean): Tensor;
    var(dim: DimArg, opts: VarOpts): Tensor;
    var(opts: VarOpts): Tensor;
    std(unbiased?: boolean): Tensor;
    std(dim: DimArg, unbiased?: boolean, keepdim?: boolean): Tensor;
    std(dim: DimArg, opts: VarOpts): Tensor;
    std(opts: VarOpts): Tensor;
    norm(p?: NormP | NormOpts, dim?: DimArg | NormOpts, keepdim?: boolean | NormOpts, opts?: NormOpts): Tensor;
    logsumexp(dim: DimArg, keepdim?: boolean): Tensor;
  }
}

installMethods({ var: var_, std, norm, logsumexp });
