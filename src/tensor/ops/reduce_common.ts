/**
 * Helpers shared by the reduction op files: dtype casts done inside a kernel (a `dtype=` kwarg
 * converts before reducing, with no autograd node, as PyTorch does), and the gradient shape
 * bookkeeping every reduction's backward needs.
 */
import { RuntimeError } from "../../util/errors.js";
import { DType, bool, int64 } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { invokerOf, runOverload, type Op, type OpOverload } from "../registry.js";
import { reducedShape, reductionDims } from "../kernels/reduce.js";

export type DimArg = number | readonly number[] | null | undefined;

/** The elements of `x` converted to `dtype` (float to int truncates, as a C cast does). */
export function castRaw(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const src = x.contiguousData();
  const out = new dtype.ArrayType(src.length);
  if (dtype === bool) for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
  else if (dtype.category === 1 && x.dtype.category === 2) for (let i = 0; i < src.length; i++) out[i] = Math.trunc(src[i]!);
  else out.set(src);
  return Tensor.fromData(out, x.shape.slice(), dtype);
}

/** sum/prod/cumsum: integral and bool inputs accumulate in int64 unless a dtype is given. */
export function integralUpcast(x: Tensor, dtype: DType | null): DType {
  if (dtype !== null) return dtype;
  return x.dtype.category === 2 ? x.dtype : int64;
}

/**
 * The gradient of a reduction reshaped so it broadcasts against the input: the reduced dims
 * come back as size 1 (PyTorch's unsqueeze_multiple).
 */
export function keepdimGrad(g: Tensor, inputShape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  if (keepdim || dims.length === 0 || inputShape.length === 0) return g;
  return g.reshape(reducedShape(inputShape, dims, true));
}

/** A reduction's gradient expanded back to the input shape (sum's backward). */
export function expandGrad(g: Tensor, input: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  return keepdimGrad(g, input.shape, dims, keepdim).expand(input.shape.slice());
}

/** Normalized dims of a reduction call, for backward rules that get the raw arguments. */
export function dimsOf(self: Tensor, dim: DimArg): number[] {
  return reductionDims(dim, self.ndim);
}

export function numelOver(shape: readonly number[], dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= shape[d]!;
  return n;
}

/** A raw (not recorded) tensor of `shape` from float64 values, in `dtype`. */
export function constTensor(values: Float64Array, shape: readonly number[], dtype: DType): Tensor {
  const out = new dtype.ArrayType(values.length);
  out.set(values);
  return Tensor.fromData(out, shape.slice(), dtype);
}

export function requireFloating(x: Tensor, message: () => string): void {
  if (!x.dtype.is_floating_point) throw new RuntimeError(message());
}

/**
 * An op's eager function with a fast path for its commonest call shapes: `pick` returns the
 * overload and its fully bound arguments, or null to fall back to the registry's general
 * binding (which costs more than a small kernel). The overloads, which the tracer and the
 * compiler read, are the op's own.
 */
export function withFastPath<F extends (...args: any[]) => any>(
  op: Op<F>, pick: (raw: unknown[]) => [OpOverload, unknown[]] | null,
): Op<F> {
  const overloads = op.overloads;
  const invokers = overloads.map(invokerOf);
  const fn = (...raw: unknown[]): unknown => {
    const hit = pick(raw);
    if (hit === null) return op(...raw);
    const k = overloads.indexOf(hit[0]);
    return k < 0 ? runOverload(hit[0], hit[1]) : invokers[k]!(hit[1]);
  };
  Object.defineProperty(fn, "name", { value: op.name });
  Object.defineProperty(fn, "overloads", { value: op.overloads });
  return fn as unknown as Op<F>;
}

/** For fast paths: a dim argument as the binder would pass it (int[1] broadcasts an int). */
export function isDimArg(v: unknown): v is number | number[] {
  return typeof v === "number" || (Array.isArray(v) && v.every((d) => typeof d === "number"));
}
