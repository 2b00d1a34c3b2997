/**
 * Elementwise ops of three tensors: lerp, addcmul and addcdiv (the optimizers' update steps),
 * with PyTorch 1.13's schemas, dtype rules, errors and grad_fn names (LerpBackward0/1,
 * AddcmulBackward0, AddcdivBackward0). Forwards are made of other ops: a primitive op's forward
 * runs with grad recording off (Note [primitive and composite ops]), and its own rule is recorded.
 */
import { Tensor } from "../tensor.js";
import { bool, float16, type DType } from "../dtype.js";
import { defineOp, installMethods, type OverloadDef } from "../registry.js";
import { makeBinaryKernel } from "../kernels/elementwise.js";
import { applyBinary, checkInplaceCast, copyInto } from "../kernels/apply.js";
import { resultType } from "../promotion.js";
import { RuntimeError } from "../../util/errors.js";
import { add, div, mul, neg, rsub, sub } from "./arith.js";
import { abs } from "./unary.js";
import { lt, where } from "./compare.js";

type Scalar = number | boolean;
const isT = (v: unknown): v is Tensor => v instanceof Tensor;

function notImplemented(kernel: string, d: DType): RuntimeError {
  return new RuntimeError(`"${kernel}" not implemented for '${d.scalarType}'`);
}

/** The in-place form of an out-of-place overload: compute, check the cast, write into self. */
function inplaceOf(def: OverloadDef, schema: string): OverloadDef {
  const f = def.forward;
  return {
    ...def, schema, jsExpr: undefined,
    forward: (self: Tensor, ...rest: unknown[]) => {
      const r = f(self, ...rest) as Tensor;
      checkInplaceCast(r.dtype, self);
      copyInto(self, r);
      return self;
    },
  };
}

// ---- lerp --------------------------------------------------------------------------------

/** The C++ type names PyTorch's messages print for a dtype (caffe2::TypeMeta). */
const CPP_NAMES: Readonly<Record<string, string>> = {
  float32: "float", float64: "double", float16: "c10::Half", bfloat16: "c10::BFloat16", int64: "long int",
  int32: "int", int16: "short int", int8: "signed char", uint8: "unsigned char", bool: "bool",
};

/** lerp needs one dtype for all tensors (no promotion) and a float kernel, as PyTorch 1.13 checks. */
function checkLerp(kernel: string, self: Tensor, end: Tensor, weight?: Tensor): void {
  for (const [name, t] of [["end", end], ["weight", weight]] as const) {
    if (t !== undefined && t.dtype !== self.dtype) {
      throw new RuntimeError(`expected dtype ${CPP_NAMES[self.dtype.name]} for \`${name}\` but got dtype ${CPP_NAMES[t.dtype.name]}`);
    }
  }
  if (!self.dtype.is_floating_point || self.dtype === float16) throw notImplemented(kernel, self.dtype);
}

// PyTorch's two-sided form: exact at weight 0 and at weight 1.
const LERP = "Math.abs(p0) < 0.5 ? a + p0 * (b - a) : b - (b - a) * (1 - p0)";
const lerpK = makeBinaryKernel(LERP);

const lerpScalar: OverloadDef = {
  schema: "aten::lerp.Scalar(Tensor self, Tensor end, Scalar weight) -> Tensor",
  jsExpr: LERP, gradName: "LerpBackward0",
  forward: (self: Tensor, end: Tensor, w: Scalar) => {
    checkLerp("lerp_kernel_scalar", self, end);
    return applyBinary(self, end, lerpK, self.dtype, +w);
  },
  backward: (g: Tensor, [, , w]: [Tensor, Tensor, Scalar]) => [mul(g, 1 - +w), mul(g, +w), null],
};
const lerpTensor: OverloadDef = {
  schema: "aten::lerp.Tensor(Tensor self, Tensor end, Tensor weight) -> Tensor",
  gradName: "LerpBackward1",
  forward: (self: Tensor, end: Tensor, w: Tensor) => {
    checkLerp("lerp_kernel_tensor", self, end, w);
    const diff = sub(end, self);
    return where(lt(abs(w), 0.5), add(self, mul(w, diff)), sub(end, mul(diff, rsub(w, 1))));
  },
  backward: (g: Tensor, [self, end, w]: [Tensor, Tensor, Tensor]) => [
    mul(g, rsub(w, 1)), mul(g, w), isT(w) ? mul(g, sub(end, self)) : null,
  ],
};
type Lerp = (input: Tensor, end: Tensor, weight: Tensor | number) => Tensor;
export const lerp = defineOp<Lerp>("lerp", [lerpScalar, lerpTensor]);
export const lerp_ = defineOp<Lerp>("lerp_", [
  inplaceOf(lerpScalar, "aten::lerp_.Scalar(Tensor(a!) self, Tensor end, Scalar weight) -> Tensor(a!)"),
  inplaceOf(lerpTensor, "aten::lerp_.Tensor(Tensor(a!) self, Tensor end, Tensor weight) -> Tensor(a!)"),
]);

// ---- addcmul, addcdiv --------------------------------------------------------------------

type Addc = (input: Tensor, tensor1: Tensor, tensor2: Tensor, opts?: { value?: Scalar }) => Tensor;

const ADDCDIV_INT = "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.";

/**
 * The three tensors in their common dtype, and `value` as that dtype reads it (an integer op
 * truncates 2.5 to 2, as value.to<scalar_t>() does).
 */
function commonOperands(kernel: string, self: Tensor, t1: Tensor, t2: Tensor, value: Scalar): [Tensor, Tensor, Tensor, number] {
  const d = resultType(self, t1, t2);
  if (d === bool || d === float16) throw notImplemented(kernel, d);
  const as = (t: Tensor) => (t.dtype === d ? t : t.to(d));
  return [as(self), as(t1), as(t2), d.isIntegral ? Math.trunc(+value) : +value];
}

// Evaluated as PyTorch's kernel writes it: self + value * t1 * t2, left to right, each step
// rounded in the op's dtype.
const addcmulDef: OverloadDef = {
  schema: "aten::addcmul(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor",
  gradName: "AddcmulBackward0",
  forward: (self: Tensor, t1: Tensor, t2: Tensor, value: Scalar) => {
    const [s, a, b, v] = commonOperands("addcmul_cpu_out", self, t1, t2, value);
    return add(s, mul(mul(a, v), b));
  },
  backward: (g: Tensor, [, t1, t2, value]: [Tensor, Tensor, Tensor, Scalar]) => [
    g, mul(mul(g, t2), +value), mul(mul(g, t1), +value), null,
  ],
};
const addcdivDef: OverloadDef = {
  schema: "aten::addcdiv(Tensor self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor",
  gradName: "AddcdivBackward0",
  forward: (self: Tensor, t1: Tensor, t2: Tensor, value: Scalar) => {
    if (!t1.dtype.is_floating_point && !t2.dtype.is_floating_point) throw new RuntimeError(ADDCDIV_INT);
    const [s, a, b, v] = commonOperands("addcdiv_cpu_out", self, t1, t2, value);
    return add(s, div(mul(a, v), b));
  },
  backward: (g: Tensor, [, t1, t2, value]: [Tensor, Tensor, Tensor, Scalar]) => [
    g, div(mul(g, +value), t2), neg(div(mul(mul(g, +value), t1), mul(t2, t2))), null,
  ],
};
export const addcmul = defineOp<Addc>("addcmul", [addcmulDef]);
export const addcmul_ = defineOp<Addc>("addcmul_", [
  inplaceOf(addcmulDef, "aten::addcmul_(Tensor(a!) self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor(a!)"),
]);
export const addcdiv = defineOp<Addc>("addcdiv", [addcdivDef]);
export const addcdiv_ = defineOp<Addc>("addcdiv_", [
  inplaceOf(addcdivDef, "aten::addcdiv_(Tensor(a!) self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor(a!)"),
]);

declare module "../tensor.js" {
  interface Tensor {
    lerp(end: Tensor, weight: Tensor | number): Tensor; lerp_(end: Tensor, weight: Tensor | number): Tensor;
    addcmul(tensor1: Tensor, tensor2: Tensor, opts?: { value?: Scalar }): Tensor;
    addcmul_(tensor1: Tensor, tensor2: Tensor, opts?: { value?: Scalar }): Tensor;
    addcdiv(tensor1: Tensor, tensor2: Tensor, opts?: { value?: Scalar }): Tensor;
    addcdiv_(tensor1: Tensor, tensor2: Tensor, opts?: { value?: Scalar }): Tensor;
  }
}

installMethods({ lerp, lerp_, addcmul, addcmul_, addcdiv, addcdiv_ });
