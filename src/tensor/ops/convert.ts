/**
 * Conversions and copies: Tensor.to (dtype, device, another tensor), float()/long()/..., type_as,
 * clone, copy_, fill_, zero_, and the dtype queries torch.result_type / promote_types / can_cast.
 * Conversion follows PyTorch's casts (Note [float to int casts] in kernels/math.ts).
 */
import { Tensor, type TensorLike } from "../tensor.js";
import {
  DType, bfloat16, bool, float16, float32, float64, int16, int32, int64, int8, promoteTypes, toDType as parseDType, uint8,
} from "../dtype.js";
import { defineOp, installMethods, runOverload, type Op, type OverloadDef } from "../registry.js";
import { copyInto } from "../kernels/apply.js";
import { castScalar, castTensor } from "../kernels/math.js";
import { resultType } from "../promotion.js";
import { contiguousStrides } from "../shape.js";
import { RuntimeError, TorchError } from "../../util/errors.js";

const isT = (v: unknown): v is Tensor => v instanceof Tensor;

// ---- devices -----------------------------------------------------------------------------

const DEVICE_TYPES = [
  "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "ort", "xla", "lazy",
  "vulkan", "mps", "meta", "hpu", "privateuseone",
];
const DEVICE_RE = new RegExp(`^(${DEVICE_TYPES.join("|")})(:\\d+)?$`);

function isDeviceString(v: unknown): v is string {
  return typeof v === "string" && DEVICE_RE.test(v);
}

/** Accepts "cpu" (or {type: "cpu"}); other devices fail with PyTorch's CPU-build messages. */
function checkDevice(device: unknown): void {
  if (device === null || device === undefined) return;
  const text = typeof device === "object" && "type" in device ? String((device as { type: unknown }).type) : String(device);
  const m = DEVICE_RE.exec(text);
  if (!m) {
    throw new RuntimeError(`Expected one of ${DEVICE_TYPES.join(", ")} device type at start of device string: ${text}`);
  }
  if (m[1] === "cpu") return;
  if (m[1] === "cuda") throw new TorchError("AssertionError", "Torch not compiled with CUDA enabled");
  throw new RuntimeError(`tsjit runs on the CPU only; device '${text}' is not available`);
}

// ---- _to_copy and to ---------------------------------------------------------------------

/**
 * Dense strides in `t`'s own dimension order (PyTorch's preserve_format): a transposed tensor
 * copies to a transposed layout. Null when `t` has gaps or overlaps (then the copy is contiguous).
 */
function denseStridesLike(t: Tensor): number[] | null {
  if (t.is_contiguous()) return null;
  const order = t.shape.map((_, i) => i).sort((a, b) => t._strides[b]! - t._strides[a]! || a - b);
  const strides = new Array<number>(t.ndim);
  let expected = 1;
  for (let k = order.length - 1; k >= 0; k--) {
    const d = order[k]!;
    if (t.shape[d] !== 1 && t._strides[d] !== expected) return null;
    strides[d] = expected;
    expected *= t.shape[d]!;
  }
  return strides;
}

/** A copy of `t` converted to `dtype`, keeping a dense non-contiguous layout as PyTorch does. */
function copyAs(t: Tensor, dtype: DType): Tensor {
  const strides = denseStridesLike(t);
  if (strides === null) return castTensor(t, dtype);
  const order = t.shape.map((_, i) => i).sort((a, b) => strides[b]! - strides[a]!);
  const permuted = new Tensor(t.storage, order.map((d) => t.shape[d]!), order.map((d) => t._strides[d]!), t.offset, t.dtype);
  const flat = castTensor(permuted, dtype);
  return new Tensor(flat.storage, t.shape.slice(), strides, 0, dtype);
}

type ToCopyOpts = { dtype?: DType | string | null; device?: unknown };
type ToCopy = (self: Tensor, opts?: ToCopyOpts) => Tensor;
const _to_copy: Op<ToCopy> = defineOp<ToCopy>("_to_copy", [{
  schema: "aten::_to_copy(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, bool non_blocking=False, MemoryFormat? memory_format=None) -> Tensor",
  gradName: "ToCopyBackward0",
  forward: (self: Tensor, dtype: DType | null, _layout: unknown, device: unknown) => {
    checkDevice(device);
    return copyAs(self, dtype ?? self.dtype);
  },
  backward: (g: Tensor, [self]: [Tensor]) => [_to_copy(g, { dtype: self.dtype })],
}]);

/** Tensor.to: `self` itself when nothing changes (as PyTorch returns the same tensor), else a copy. */
function toImpl(self: Tensor, device: unknown, dtype: DType | null, copy: boolean): Tensor {
  checkDevice(device);
  const target = dtype ?? self.dtype;
  if (!copy && target === self.dtype) return self;
  // Bound arguments straight to the overload: conversions are frequent and binding keyword
  // arguments would cost more than a small copy.
  return runOverload(_to_copy.overloads[0]!, [self, target, null, null, null, false, null]) as Tensor;
}

const TO_TAIL = "bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)";
// to.device comes first: a dtype given alone must not bind as a device (the Device type
// accepts any value), and the other overloads would read "cpu" as a dtype name.
const toDefs: OverloadDef[] = [
  {
    schema: `aten::to.device(Tensor(a) self, Device device, ScalarType dtype, ${TO_TAIL}`, composite: true,
    forward: (self: Tensor, device: unknown, dtype: DType, _nb: boolean, copy: boolean) => toImpl(self, device, dtype, copy),
  },
  {
    schema: `aten::to.dtype(Tensor(a) self, ScalarType dtype, ${TO_TAIL}`, composite: true,
    forward: (self: Tensor, dtype: DType, _nb: boolean, copy: boolean) => toImpl(self, null, dtype, copy),
  },
  {
    schema: `aten::to.other(Tensor(a) self, Tensor other, ${TO_TAIL}`, composite: true,
    forward: (self: Tensor, other: Tensor, _nb: boolean, copy: boolean) => toImpl(self, other.device, other.dtype, copy),
  },
  {
    schema: "aten::to.dtype_layout(Tensor(a) self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) -> Tensor(a)",
    composite: true,
    forward: (self: Tensor, dtype: DType | null, _l: unknown, device: unknown, _p: unknown, _nb: boolean, copy: boolean) =>
      toImpl(self, device, dtype, copy),
  },
];
const toOp = defineOp<(self: Tensor, ...args: unknown[]) => Tensor>("to", toDefs);
const TO_DTYPE = toOp.overloads.find((o) => o.schema.overload === "dtype")!;

type ToOpts = { dtype?: DType | string | null; device?: string | null; non_blocking?: boolean; copy?: boolean };
function isDTypeName(s: string): boolean {
  try {
    parseDType(s);
    return true;
  } catch {
    return false;
  }
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** x.to(dtype) / x.to("cpu") / x.to("cpu", dtype) / x.to(other) / x.to({dtype, device, copy}). */
function to(self: Tensor, ...args: unknown[]): Tensor {
  const [first, second] = args;
  if (first instanceof DType && args.length === 1) return toDType(self, first);
  // A device string alone goes to dtype_layout, as Python's Tensor.to sends it; with a dtype
  // after it, to.device binds it directly.
  if (isDeviceString(first) && !(second instanceof DType) && typeof second !== "string") {
    return toOp(self, { ...(isPlain(second) ? second : {}), device: first });
  }
  if (typeof first === "string" && !isDTypeName(first)) checkDevice(first); // PyTorch's message for a bad device
  return toOp(self, ...args);
}

const typeAs = defineOp<(self: Tensor, other: Tensor) => Tensor>("type_as", [{
  schema: "aten::type_as(Tensor self, Tensor other) -> Tensor", composite: true,
  forward: (self: Tensor, other: Tensor) => toOp(self, other),
}]);

// ---- clone, copy_, fill_, zero_ ----------------------------------------------------------

export const clone = defineOp<(input: Tensor, opts?: { memory_format?: unknown }) => Tensor>("clone", [{
  schema: "aten::clone(Tensor self, *, MemoryFormat? memory_format=None) -> Tensor",
  gradName: "CloneBackward0",
  forward: (self: Tensor) => copyAs(self, self.dtype),
  backward: (g: Tensor) => [g],
}]);

function zerosLike(t: Tensor): Tensor {
  return Tensor.empty(t.shape.slice(), t.dtype);
}

// grad_fn.name() is "torch::autograd::CopyBackwards" in PyTorch; its repr shows CopyBackwards.
const copyDef = defineOp<(self: Tensor, src: TensorLike, non_blocking?: boolean) => Tensor>("copy_", [{
  schema: "aten::copy_(Tensor(a!) self, Tensor src, bool non_blocking=False) -> Tensor(a!)",
  gradName: "CopyBackwards",
  forward: (self: Tensor, src: TensorLike) => {
    if (!isT(src)) {
      copyInto(self, castScalar(src, self.dtype));
      return self;
    }
    // A fresh converted copy also protects against src overlapping self.
    const converted = src.dtype !== self.dtype || src.storage === self.storage ? castTensor(src, self.dtype) : src;
    copyInto(self, converted);
    return self;
  },
  backward: (g: Tensor) => [zerosLike(g), g, null],
}]);

function fillValue(value: number | boolean | Tensor): number | boolean {
  if (!isT(value)) return value;
  if (value.ndim !== 0) {
    throw new RuntimeError(`fill_ only supports 0-dimension value tensor but got tensor with ${value.ndim} dimensions.`);
  }
  return value.item();
}

export const fill_ = defineOp<(self: Tensor, value: number | boolean | Tensor) => Tensor>("fill_", [
  {
    schema: "aten::fill_.Scalar(Tensor(a!) self, Scalar value) -> Tensor(a!)", gradName: "FillBackward2",
    forward: (self: Tensor, v: number | boolean) => (copyInto(self, castScalar(v, self.dtype)), self),
    backward: (g: Tensor) => [zerosLike(g), null],
  },
  {
    schema: "aten::fill_.Tensor(Tensor(a!) self, Tensor value) -> Tensor(a!)", gradName: "FillBackward3",
    forward: (self: Tensor, v: Tensor) => (copyInto(self, castScalar(fillValue(v), self.dtype)), self),
    // value's gradient is the sum of grad; the 0-dim reduction happens in OpNode.
    backward: (g: Tensor) => [zerosLike(g), g],
  },
]);

export const zero_ = defineOp<(self: Tensor) => Tensor>("zero_", [{
  schema: "aten::zero_(Tensor(a!) self) -> Tensor(a!)", gradName: "ZeroBackward0",
  forward: (self: Tensor) => (copyInto(self, 0), self),
  backward: (g: Tensor) => [zerosLike(g)],
}]);

// ---- dtype queries -----------------------------------------------------------------------

type DTypeArg = DType | string;
export const result_type = defineOp<(tensor: TensorLike, other: TensorLike) => DType>("result_type", [
  "Tensor(Tensor tensor, Tensor other)", "Scalar(Tensor tensor, Scalar other)",
  "Scalar_Tensor(Scalar scalar, Tensor tensor)", "Scalar_Scalar(Scalar scalar1, Scalar scalar2)",
].map((sig) => ({ schema: `aten::result_type.${sig} -> ScalarType`, forward: (a: TensorLike, b: TensorLike) => resultType(a, b) })));

export const promote_types = defineOp<(type1: DTypeArg, type2: DTypeArg) => DType>("promote_types", [{
  schema: "aten::promote_types(ScalarType type1, ScalarType type2) -> ScalarType",
  forward: (a: DType, b: DType) => promoteTypes(a, b),
}]);

/** torch.can_cast: casting may not lower the kind (float to integer, or anything but bool to bool). */
export const can_cast = defineOp<(from: DTypeArg, to: DTypeArg) => boolean>("can_cast", [{
  schema: "aten::can_cast(ScalarType from, ScalarType to) -> bool",
  forward: (from: DType, to: DType) => from.category <= to.category,
}]);

// ---- methods -----------------------------------------------------------------------------

declare module "../tensor.js" {
  interface Tensor {
    to(dtype: DTypeArg, opts?: { non_blocking?: boolean; copy?: boolean }): Tensor;
    to(device: string, dtype?: DTypeArg, opts?: { non_blocking?: boolean; copy?: boolean }): Tensor;
    to(other: Tensor, opts?: { non_blocking?: boolean; copy?: boolean }): Tensor;
    to(opts: ToOpts): Tensor;
    type_as(other: Tensor): Tensor;
    float(): Tensor; double(): Tensor; half(): Tensor; bfloat16(): Tensor;
    long(): Tensor; int(): Tensor; short(): Tensor; char(): Tensor; byte(): Tensor; bool(): Tensor;
    clone(opts?: { memory_format?: unknown }): Tensor;
    copy_(src: TensorLike, non_blocking?: boolean): Tensor;
    fill_(value: number | boolean | Tensor): Tensor;
    zero_(): Tensor;
  }
}

/** x.to(dtype) with its arguments bound (the common case, and what float() ... bool() call). */
function toDType(self: Tensor, dtype: DType): Tensor {
  return runOverload(TO_DTYPE, [self, dtype, false, false, null]) as Tensor;
}

const castMethod = (d: DType) => (self: Tensor) => toDType(self, d);
installMethods({
  to, type_as: typeAs, clone, copy_: copyDef, fill_, zero_,
  float: castMethod(float32), double: castMethod(float64), half: castMethod(float16), bfloat16: castMethod(bfloat16),
  long: castMethod(int64), int: castMethod(int32), short: castMethod(int16), char: castMethod(int8),
  byte: castMethod(uint8), bool: castMethod(bool),
});
