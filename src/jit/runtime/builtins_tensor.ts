/**
 * Builtins that ask a tensor about itself or convert between tensors and numbers
 * (`x.size()`, `x.dim()`, `len(x)`, `bool(x)`, `int(x)`, `float("1.5")`, prim::NumToTensor),
 * plus identity tests (`x is None`). None of them records autograd (Note [builtins run
 * without autograd] in builtin_registry.ts); tensor data is read directly, as C++'s
 * `item()` does, so no tracer hook fires.
 */
import { is_grad_enabled } from "../../autograd/grad_mode.js";
import { bool as boolDType, float64, get_default_dtype, int64, type DType } from "../../tensor/dtype.js";
import { tensor as makeTensor, type NestedArray } from "../../tensor/ops/creation.js";
import { Tensor } from "../../tensor/tensor.js";
import { RuntimeError } from "../../util/errors.js";
import type { JitType } from "../ir/index.js";
import { defineBuiltins, type BuiltinDef } from "./builtin_registry.js";
import { truncToInt } from "./scalar_math.js";
import { dtypeCode, dtypeFromCode, isIntValue } from "./values.js";

/** The one element of a tensor (at::Tensor::item), as a number or a boolean. */
export function tensorItem(t: Tensor): number | boolean {
  const n = t.numel();
  if (n !== 1) throw new RuntimeError(`a Tensor with ${n} elements cannot be converted to Scalar`);
  const v = t.storage.data[t.offset]!;
  return t.dtype === boolDType ? v !== 0 : v;
}

/** at::Tensor::is_nonzero: Python's bool(tensor). */
export function tensorIsNonzero(t: Tensor): boolean {
  const n = t.numel();
  if (n === 0) throw new RuntimeError("Boolean value of Tensor with no values is ambiguous");
  if (n > 1) throw new RuntimeError("Boolean value of Tensor with more than one value is ambiguous");
  return t.storage.data[t.offset] !== 0;
}

/** checkImplicitTensorToNum: the rules for a tensor used where a number goes. */
export function implicitTensorToNum(t: Tensor, toInt: boolean): number | boolean {
  if (t.requires_grad) throw new RuntimeError("Cannot input a tensor that requires grad as a scalar argument");
  if (t.shape.length !== 0) throw new RuntimeError("Cannot input a tensor of dimension other than 0 as a scalar argument");
  if (toInt && t.dtype.category !== 1) {
    throw new RuntimeError(`Cannot input a tensor of type ${t.dtype.scalarType} as an integral argument`);
  }
  return tensorItem(t);
}

const toNumber = (v: number | boolean): number => (typeof v === "boolean" ? Number(v) : v);

function parseIntStrict(s: string): number {
  if (!/^\s*[+-]?\d+$/.test(s)) throw new RuntimeError(`invalid literal for int() with base 10: '${s}'`);
  return Number(s);
}

function parseFloatStrict(s: string): number {
  const t = s.trim();
  if (/^[+-]?(inf(inity)?)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new RuntimeError(`could not convert string to float: '${s}'`);
  return Number(t);
}

/** prim::NumToTensor: at::scalar_to_tensor, so ints become int64 and floats float64 tensors. */
function numToTensor(t: JitType | undefined): (v: number | boolean) => Tensor {
  return (v) => {
    if (typeof v === "boolean") return Tensor.fromData(new boolDType.ArrayType([v ? 1 : 0]), [], boolDType);
    const d = isIntValue(v, t) ? int64 : float64;
    return Tensor.fromData(new d.ArrayType([v]), [], d);
  };
}

/**
 * torch.tensor in TorchScript: without a dtype, the element type of the static list type
 * decides (Note [ints and floats]): float -> the default dtype, int -> int64, bool -> bool.
 */
function scriptTensor(t: JitType | undefined) {
  let el = t;
  while (el?.kind === "List") el = el.element;
  const inferred: DType | undefined =
    el?.kind === "float" ? get_default_dtype() : el?.kind === "int" ? int64 : el?.kind === "bool" ? boolDType : undefined;
  return (data: NestedArray, dtype: number | null, _device: unknown, requiresGrad: boolean): Tensor => {
    const d = dtype !== null ? dtypeFromCode(dtype) : inferred;
    return makeTensor(data, { dtype: d, requires_grad: requiresGrad });
  };
}

const tensorDefs = (["t[] data", "int t", "float t", "bool t"] as const).map((arg, i): BuiltinDef => ({
  schema: `aten::tensor${i === 0 ? "" : "." + arg.split(" ")[0]}(${arg}, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False) -> Tensor`,
  forward: scriptTensor(undefined),
  specialize: (ts) => scriptTensor(ts[0]),
}));

const isSame = (a: unknown, b: unknown): boolean => a === b || ((a === null || a === undefined) && (b === null || b === undefined));

const DEFS: readonly BuiltinDef[] = [
  { schema: "aten::size(Tensor self) -> int[]", forward: (t: Tensor) => t.shape.slice() },
  { schema: "aten::size.int(Tensor self, int dim) -> int", forward: (t: Tensor, d: number) => t.size(d) },
  { schema: "aten::dim(Tensor self) -> int", forward: (t: Tensor) => t.shape.length },
  { schema: "aten::numel(Tensor self) -> int", forward: (t: Tensor) => t.numel() },
  { schema: "aten::stride(Tensor self) -> int[]", forward: (t: Tensor) => t.stride() },
  { schema: "aten::element_size(Tensor self) -> int", forward: (t: Tensor) => t.element_size() },
  { schema: "aten::is_contiguous(Tensor self) -> bool", forward: (t: Tensor) => t.is_contiguous() },
  { schema: "aten::is_floating_point(Tensor self) -> bool", forward: (t: Tensor) => t.dtype.is_floating_point },
  {
    schema: "aten::len.Tensor(Tensor t) -> int",
    forward: (t: Tensor) => {
      if (t.shape.length === 0) throw new RuntimeError("len() of a 0-d tensor");
      return t.shape[0];
    },
  },
  { schema: "prim::device(Tensor a) -> Device", forward: (t: Tensor) => t.device },
  { schema: "prim::dtype(Tensor a) -> int", forward: (t: Tensor) => dtypeCode(t.dtype) },
  { schema: "prim::layout(Tensor a) -> int", forward: () => 0 },
  { schema: "prim::requires_grad(Tensor a) -> bool", forward: (t: Tensor) => t.requires_grad },
  { schema: "prim::is_cuda(Tensor a) -> bool", forward: () => false },
  { schema: "prim::is_cpu(Tensor a) -> bool", forward: () => true },
  ...["is_sparse", "is_sparse_csr", "is_mkldnn", "is_mps", "is_vulkan", "is_xpu", "is_ipu", "is_quantized", "is_meta", "is_ort", "is_nested"]
    .map((name): BuiltinDef => ({ schema: `prim::${name}(Tensor a) -> bool`, forward: () => false })),
  // ---- conversions
  { schema: "aten::Bool.Tensor(Tensor a) -> bool", forward: tensorIsNonzero },
  { schema: "aten::Bool.int(int a) -> bool", forward: (a: number) => a !== 0 },
  { schema: "aten::Bool.float(float a) -> bool", forward: (a: number) => a !== 0 },
  { schema: "aten::Int.Tensor(Tensor a) -> int", forward: (t: Tensor) => truncToInt(toNumber(tensorItem(t))) },
  { schema: "aten::Int.bool(bool a) -> int", forward: (a: boolean) => (a ? 1 : 0) },
  { schema: "aten::Int.float(float a) -> int", forward: truncToInt },
  { schema: "aten::Int.Scalar(Scalar a) -> int", forward: (a: number | boolean) => truncToInt(toNumber(a)) },
  { schema: "aten::Int.str(str a) -> int", forward: parseIntStrict },
  { schema: "aten::Float.Tensor(Tensor a) -> float", forward: (t: Tensor) => toNumber(tensorItem(t)) },
  { schema: "aten::Float.Scalar(Scalar a) -> float", forward: toNumber },
  { schema: "aten::Float.int(int a) -> float", forward: (a: number) => a },
  { schema: "aten::Float.bool(bool a) -> float", forward: (a: boolean) => (a ? 1 : 0) },
  { schema: "aten::Float.str(str a) -> float", forward: parseFloatStrict },
  { schema: "aten::IntImplicit(Tensor a) -> int", forward: (t: Tensor) => toNumber(implicitTensorToNum(t, true)) },
  { schema: "aten::FloatImplicit(Tensor a) -> float", forward: (t: Tensor) => toNumber(implicitTensorToNum(t, false)) },
  { schema: "aten::ScalarImplicit(Tensor a) -> Scalar", forward: (t: Tensor) => implicitTensorToNum(t, false) },
  {
    schema: "prim::NumToTensor.Scalar(Scalar a) -> Tensor",
    forward: numToTensor(undefined),
    specialize: (ts) => numToTensor(ts[0]),
  },
  { schema: "prim::NumToTensor.bool(bool a) -> Tensor", forward: numToTensor(undefined) },
  { schema: "aten::item(Tensor self) -> Scalar", forward: tensorItem },
  { schema: "aten::is_grad_enabled() -> bool", forward: is_grad_enabled },
  ...tensorDefs,
  // ---- identity
  { schema: "aten::__is__(t1 self, t2 obj) -> bool", forward: isSame },
  { schema: "aten::__isnot__(t1 self, t2 obj) -> bool", forward: (a: unknown, b: unknown) => !isSame(a, b) },
];

defineBuiltins(DEFS);
