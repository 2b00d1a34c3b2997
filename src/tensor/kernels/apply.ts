/**
 * Runs generated elementwise kernels over tensors: picks the contiguous, scalar or strided
 * loop, allocates the result, and applies half-precision rounding (Note [half storage]).
 */
import { RuntimeError } from "../../util/errors.js";
import { DType, roundToDType, float16, bfloat16, type TypedArray } from "../dtype.js";
import { broadcastShapes, broadcastStrides, numel, sameShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import type { BinaryKernel, UnaryKernel } from "./elementwise.js";

function roundHalfInPlace(out: TypedArray, d: DType): void {
  if (d.itemsize !== 2 || (d !== float16 && d !== bfloat16)) return;
  for (let i = 0; i < out.length; i++) out[i] = roundToDType(out[i]!, d);
}

export function applyUnary(x: Tensor, k: UnaryKernel, outDType: DType, p0 = 0, p1 = 0): Tensor {
  const shape = x.shape;
  const n = numel(shape);
  const out = new outDType.ArrayType(n);
  if (x.is_contiguous()) {
    k.contiguous(x.storage.data, x.offset, out, n, p0, p1);
    roundHalfInPlace(out, outDType);
    return Tensor.fromData(out, shape, outDType, x._strides); // Note [shared shape arrays]
  }
  k.strided(x.storage.data, x.offset, shape, x._strides, out, p0, p1);
  roundHalfInPlace(out, outDType);
  return Tensor.fromData(out, shape.slice(), outDType);
}

/**
 * Note [scalar operands]: PyTorch's CPU kernels read a Python scalar operand (and alpha) as the
 * op's math type, which is float32 for float32, float16 and bfloat16 results, so `x * 0.37` on
 * float32 multiplies by float32(0.37). The product of two float32 values is exact in a double,
 * so rounding it once gives float32 arithmetic's result.
 */
function opmathScalar(v: number | boolean, outDType: DType): number {
  return outDType.is_floating_point && outDType.itemsize <= 4 ? Math.fround(+v) : +v;
}

export function applyBinary(
  a: Tensor | number | boolean, b: Tensor | number | boolean, k: BinaryKernel, outDType: DType, p0 = 0,
): Tensor {
  p0 = opmathScalar(p0, outDType);
  if (a instanceof Tensor) {
    if (b instanceof Tensor) return binaryTT(a, b, k, outDType, p0);
    const shape = a.shape;
    const n = numel(shape);
    const out = new outDType.ArrayType(n);
    if (a.is_contiguous()) {
      k.tensorScalar(a.storage.data, a.offset, opmathScalar(b, outDType), out, n, p0);
      roundHalfInPlace(out, outDType);
      return Tensor.fromData(out, shape, outDType, a._strides); // Note [shared shape arrays]
    }
    k.tensorScalar(a.contiguousData(), 0, opmathScalar(b, outDType), out, n, p0);
    roundHalfInPlace(out, outDType);
    return Tensor.fromData(out, shape.slice(), outDType);
  }
  if (b instanceof Tensor) {
    const shape = b.shape;
    const n = numel(shape);
    const out = new outDType.ArrayType(n);
    const src = b.is_contiguous() ? b.storage.data : b.contiguousData();
    k.scalarTensor(src, b.is_contiguous() ? b.offset : 0, opmathScalar(a, outDType), out, n, p0);
    roundHalfInPlace(out, outDType);
    return Tensor.fromData(out, shape.slice(), outDType);
  }
  throw new RuntimeError("expected at least one tensor operand");
}

function binaryTT(a: Tensor, b: Tensor, k: BinaryKernel, outDType: DType, p0: number): Tensor {
  if (sameShape(a.shape, b.shape) && a.is_contiguous() && b.is_contiguous()) {
    const n = numel(a.shape);
    const out = new outDType.ArrayType(n);
    k.contiguous(a.storage.data, a.offset, b.storage.data, b.offset, out, n, p0);
    roundHalfInPlace(out, outDType);
    return Tensor.fromData(out, a.shape, outDType, a._strides); // Note [shared shape arrays]
  }
  const shape = broadcastShapes(a.shape, b.shape);
  const out = new outDType.ArrayType(numel(shape));
  k.strided(
    a.storage.data, a.offset, broadcastStrides(a.shape, a._strides, shape),
    b.storage.data, b.offset, broadcastStrides(b.shape, b._strides, shape),
    shape, out, p0,
  );
  roundHalfInPlace(out, outDType);
  return Tensor.fromData(out, shape, outDType);
}

/** Checks PyTorch's in-place casting rule: the result dtype must fit the destination. */
export function checkInplaceCast(result: DType, self: Tensor): void {
  if (result.category > self.dtype.category) {
    throw new RuntimeError(`result type ${result.scalarType} can't be cast to the desired output type ${self.dtype.scalarType}`);
  }
}

/** Writes `src` (broadcastable to dst's shape) into the view `dst`, converting dtype. */
export function copyInto(dst: Tensor, src: Tensor | number | boolean): void {
  const shape = dst.shape;
  const n = numel(shape);
  if (n === 0) return;
  const d = dst.storage.data;
  const round = dst.dtype === float16 || dst.dtype === bfloat16;
  const isBool = dst.dtype.category === 0;
  // int64 lives in a Float64Array, which would keep fractions: truncate as a C cast does.
  const truncate = dst.dtype.category === 1 && dst.storage.data instanceof Float64Array;
  const conv = (v: number): number =>
    isBool ? (v !== 0 ? 1 : 0) : round ? roundToDType(v, dst.dtype) : truncate ? Math.trunc(v) : v;
  let values: TypedArray | null = null;
  let scalar = 0;
  if (src instanceof Tensor) {
    const bs = broadcastShapes(shape, src.shape);
    if (!sameShape(bs, shape)) {
      throw new RuntimeError(`output with shape [${shape.join(", ")}] doesn't match the broadcast shape [${bs.join(", ")}]`);
    }
    const expanded = new Tensor(src.storage, shape.slice(), broadcastStrides(src.shape, src._strides, shape), src.offset, src.dtype);
    values = expanded.contiguousData();
  } else scalar = +src;
  // walk dst's strided positions in row-major order
  const nd = shape.length;
  const strides = dst._strides;
  const idx = new Array<number>(nd).fill(0);
  let p = dst.offset;
  for (let i = 0; i < n; i++) {
    d[p] = conv(values ? values[i]! : scalar);
    for (let k = nd - 1; k >= 0; k--) {
      idx[k]!++;
      p += strides[k]!;
      if (idx[k]! < shape[k]!) break;
      p -= strides[k]! * shape[k]!;
      idx[k] = 0;
    }
  }
}
