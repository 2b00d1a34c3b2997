/**
 * Helpers shared by the neural-network op files (conv, pool, norm, loss, embedding): result
 * tensors from float64 (or conv's float32) scratch, PyTorch's spellings of sizes and C++ type names, the loss
 * reduction enum, and calls to ops of other files by their qualified name.
 */
import { RuntimeError } from "../../util/errors.js";
import { bfloat16, float16, float32, roundToDType, type DType } from "../dtype.js";
import { lookupOverloads, runOverload } from "../registry.js";
import { Tensor } from "../tensor.js";

/** A fresh contiguous tensor of `dtype` holding `data` (float64 scratch), rounded once. */
export function fromF64(data: Float64Array, shape: number[], dtype: DType): Tensor {
  if (dtype.ArrayType === Float64Array) return Tensor.fromData(data, shape, dtype);
  const out = new dtype.ArrayType(data.length);
  if (dtype === float16 || dtype === bfloat16) {
    for (let i = 0; i < data.length; i++) out[i] = roundToDType(data[i]!, dtype);
  } else out.set(data);
  return Tensor.fromData(out, shape, dtype);
}

/**
 * A tensor of `dtype` from a convolution's result array: a float32 array is float32 storage
 * already and is adopted as it is (Note [conv accumulation dtype] in conv_im2col.ts); float64
 * scratch is rounded once, as by fromF64.
 */
export function fromScratch(data: Float64Array | Float32Array, shape: number[], dtype: DType): Tensor {
  if (data instanceof Float64Array) return fromF64(data, shape, dtype);
  if (dtype !== float32) throw new Error(`a float32 result array cannot hold a ${dtype.name} tensor`);
  return Tensor.fromData(data, shape, dtype);
}

/** "[2, 3]" as PyTorch prints an IntArrayRef. */
export function sizeStr(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** caffe2::TypeMeta names, which some of PyTorch's messages print ("Input type (float)"). */
const TYPE_META_NAMES: Readonly<Record<string, string>> = {
  float32: "float", float64: "double", float16: "c10::Half", bfloat16: "c10::BFloat16", int64: "long int",
  int32: "int", int16: "short int", int8: "signed char", uint8: "unsigned char", bool: "bool",
};

export function typeMetaName(d: DType): string {
  return TYPE_META_NAMES[d.name] ?? d.name;
}

/** `"kernel" not implemented for 'Long'`, PyTorch's dispatch failure message. */
export function notImplementedFor(kernel: string, d: DType): RuntimeError {
  return new RuntimeError(`"${kernel}" not implemented for '${d.scalarType}'`);
}

/** at::Reduction: the schema default `Mean` arrives as a string; callers pass the enum value. */
export const Reduction = { None: 0, Mean: 1, Sum: 2 } as const;
export type Reduction = 0 | 1 | 2;

export function reductionOf(r: unknown): Reduction {
  if (r === "Mean" || r === 1) return Reduction.Mean;
  if (r === 0) return Reduction.None;
  if (r === 2) return Reduction.Sum;
  throw new RuntimeError(`${String(r)} is not a valid value for reduction`);
}

/**
 * Calls the op registered as `name` (e.g. "aten::squeeze", overload "dim") with all its
 * schema arguments, through the dispatcher so autograd records it. Used for ops that live in
 * other files, looked up when called so no module cycle or load order matters.
 */
export function callOp(name: string, overload: string, ...args: unknown[]): Tensor {
  const ov = lookupOverloads(name).find((o) => o.schema.overload === overload);
  if (ov === undefined) throw new Error(`no overload '${overload}' of operator '${name}' is registered`);
  return runOverload(ov, args) as Tensor;
}
