/**
 * PyTorch's result_type: tensors with dimensions outrank zero-dim tensors, which outrank
 * wrapped JS numbers; a lower-priority operand changes the result only when its category
 * (bool < integer < float) is higher.
 *
 * JS has one number type, so a number is an integer scalar when Number.isInteger holds:
 * `int_tensor * 2.0` is int64 here where PyTorch gives float32 (write `2.5` or use a tensor).
 */
import { DType, bool, float32, get_default_dtype, int64, promoteTypes } from "./dtype.js";
import { Tensor } from "./tensor.js";

export function scalarDType(v: number | boolean): DType {
  if (typeof v === "boolean") return bool;
  return Number.isInteger(v) ? int64 : get_default_dtype();
}

export function resultType(...operands: readonly (Tensor | number | boolean | null | undefined)[]): DType {
  let dimmed: DType | null = null;
  let zeroDim: DType | null = null;
  let scalar: DType | null = null;
  for (const v of operands) {
    if (v === null || v === undefined) continue;
    if (v instanceof Tensor) {
      if (v.shape.length > 0) dimmed = dimmed ? promoteTypes(dimmed, v.dtype) : v.dtype;
      else zeroDim = zeroDim ? promoteTypes(zeroDim, v.dtype) : v.dtype;
    } else {
      const d = scalarDType(v);
      scalar = scalar ? promoteTypes(scalar, d) : d;
    }
  }
  let result = dimmed;
  for (const lower of [zeroDim, scalar]) {
    if (lower === null) continue;
    if (result === null) result = lower;
    else if (lower.category > result.category) {
      // A float scalar promotes an integer tensor to the default float dtype, not to float64.
      result = lower === scalar && lower.category === 2 ? get_default_dtype() : lower;
    }
  }
  return result ?? float32;
}

/** Fast path of resultType for two operands, the common case of binary ops. */
export function resultType2(a: Tensor | number | boolean, b: Tensor | number | boolean): DType {
  if (a instanceof Tensor && b instanceof Tensor) {
    if (a.dtype === b.dtype) return a.dtype;
  } else if (a instanceof Tensor && typeof b === "number") {
    if (a.dtype.category === 2) return a.dtype;
  } else if (b instanceof Tensor && typeof a === "number") {
    if (b.dtype.category === 2) return b.dtype;
  }
  return resultType(a, b);
}
