/**
 * Binary elementwise math beyond arith.ts: atan2, fmod, remainder, hypot, logaddexp(2), xlogy,
 * copysign, heaviside, float_power, and nan_to_num. Schemas are PyTorch 1.13's
 * native_functions.yaml texts; gradients and grad_fn names follow its derivatives.yaml (the
 * number in FmodBackward1 is the entry's position among the op's overloads).
 */
import { Tensor, type TensorLike } from "../tensor.js";
import { bool, float16, float32, float64, bfloat16, type DType } from "../dtype.js";
import { defineOp, installMethods, type Op, type OverloadDef } from "../registry.js";
import { binaryOverloads, resultDType, type BinarySpec } from "./pointwise.js";
import { roundForDType } from "../kernels/math.js";
import { copyInto } from "../kernels/apply.js";
import { resultType2 } from "../promotion.js";
import { RuntimeError } from "../../util/errors.js";
import { add, div, mul, neg, sub } from "./arith.js";
import { exp, pow, pow_ } from "./unary.js";
import { eq, isfinite, le, logical_and, ne, where } from "./compare.js";

type Operand = Tensor | number | boolean;
type Binary = (input: TensorLike, other: TensorLike) => Tensor;
/** Checks the operands before the kernel runs (PyTorch's dtype errors). */
type Check = (a: Operand, b: Operand) => void;
const isT = (v: unknown): v is Tensor => v instanceof Tensor;

const zerosLike = (t: Tensor): Tensor => Tensor.empty(t.shape.slice(), t.dtype);

function notImplemented(kernel: string, d: DType): RuntimeError {
  return new RuntimeError(`"${kernel}" not implemented for '${d.scalarType}'`);
}

/** PyTorch 1.13 builds `kernel` for float32, float64 and bfloat16 only (no ints, bool or float16). */
const floatOnly = (kernel: string): Check => (a, b) => {
  const d = resultType2(a, b);
  if (!d.is_floating_point || d === float16) throw notImplemented(kernel, d);
};
/** The op computes in the float rule's dtype, which has no float16 kernel. */
const floatNoHalf = (kernel: string): Check => (a, b) => {
  const d = resultDType("float", resultType2(a, b));
  if (d === float16) throw notImplemented(kernel, d);
};

function withCheck(def: OverloadDef, check: Check | undefined): OverloadDef {
  if (check === undefined) return def;
  const f = def.forward;
  return { ...def, forward: (a: Operand, b: Operand, ...rest: unknown[]) => (check(a, b), f(a, b, ...rest)) };
}

/** The functional and in-place overloads of one binary spec, both checked. */
function binaryPair(spec: BinarySpec, check?: Check): [OverloadDef, OverloadDef] {
  const [f, i] = binaryOverloads(spec);
  return [withCheck(f, check), withCheck(i, check)];
}

/** The derivative PyTorch leaves unimplemented: a grad_fn named NotImplemented that throws. */
function notDifferentiable(op: string): Pick<OverloadDef, "gradName" | "backward"> {
  return {
    gradName: "NotImplemented",
    backward: () => {
      throw new RuntimeError(`derivative for aten::${op} is not implemented`);
    },
  };
}

// ---- atan2, hypot, logaddexp -------------------------------------------------------------

/** d atan2(y, x) = (x dy - y dx) / (x^2 + y^2). */
function atan2Grads(g: Tensor, a: Tensor | number, b: Tensor | number): [Tensor | null, Tensor | null] {
  const recip = div(g, add(mul(a, a), mul(b, b)));
  return [isT(a) ? mul(recip, b) : null, isT(b) ? mul(recip, neg(a as Tensor)) : null];
}
const atan2Spec: BinarySpec = {
  schema: "aten::atan2(Tensor self, Tensor other) -> Tensor", expr: "Math.atan2(a, b)", rule: "float",
  gradName: "Atan2Backward0", backward: (g, a, b) => atan2Grads(g, a, b),
};
const [atan2T, atan2T_] = binaryPair(atan2Spec, floatNoHalf("atan2_cpu"));
export const atan2 = defineOp<Binary>("atan2", [atan2T]);
export const atan2_ = defineOp<Binary>("atan2_", [atan2T_]);
export const arctan2 = defineOp<Binary>("arctan2", [{ schema: "aten::arctan2(Tensor self, Tensor other) -> Tensor", composite: true, forward: atan2 }]);
export const arctan2_ = defineOp<Binary>("arctan2_", [{ schema: "aten::arctan2_(Tensor(a!) self, Tensor other) -> Tensor(a!)", composite: true, forward: atan2_ }]);

const [hypotT, hypotT_] = binaryPair({
  schema: "aten::hypot(Tensor self, Tensor other) -> Tensor", expr: "Math.hypot(a, b)",
  gradName: "HypotBackward0",
  backward: (g, a, b, r) => [isT(a) ? div(mul(g, a), r) : null, isT(b) ? div(mul(g, b), r) : null],
}, floatOnly("hypot_cpu"));
export const hypot = defineOp<Binary>("hypot", [hypotT]);
export const hypot_ = defineOp<Binary>("hypot_", [hypotT_]);

// PyTorch's form: equal infinities give themselves (inf - inf would be NaN), otherwise
// max + log1p(exp(-|a - b|)), which cannot overflow.
const [logaddexpT] = binaryPair({
  schema: "aten::logaddexp(Tensor self, Tensor other) -> Tensor",
  expr: "a === b && (a === Infinity || a === -Infinity) ? a : Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)))",
  gradName: "LogaddexpBackward0",
  backward: (g, a, b) => [
    isT(a) ? div(g, add(exp(sub(b, a)), 1)) : null,
    isT(b) ? div(g, add(exp(sub(a, b)), 1)) : null,
  ],
}, floatOnly("logaddexp_cpu"));
export const logaddexp = defineOp<Binary>("logaddexp", [logaddexpT]);

const [logaddexp2T] = binaryPair({
  schema: "aten::logaddexp2(Tensor self, Tensor other) -> Tensor",
  expr: `a === b && (a === Infinity || a === -Infinity) ? a : Math.max(a, b) + Math.log1p(Math.pow(2, -Math.abs(a - b))) * ${1 / Math.LN2}`,
  gradName: "Logaddexp2Backward0",
  backward: (g, a, b) => [
    isT(a) ? div(g, add(pow(2, sub(b, a)), 1)) : null,
    isT(b) ? div(g, add(pow(2, sub(a, b)), 1)) : null,
  ],
}, floatOnly("logaddexp2_cpu"));
export const logaddexp2 = defineOp<Binary>("logaddexp2", [logaddexp2T]);

// ---- fmod, remainder ---------------------------------------------------------------------

/** Integer division by zero raises, as PyTorch's integer kernels do; floats give NaN. */
const intDivisorNonZero = (kernel: string): Check => (a, b) => {
  const d = resultType2(a, b);
  if (d === bool) throw notImplemented(kernel, d);
  if (!d.isIntegral) return;
  const zero = isT(b) ? b.contiguousData().some((v) => v === 0) : +b === 0;
  if (zero) throw new RuntimeError("ZeroDivisionError");
};

/** The gradient for other: -grad * (self / other rounded by `mode`), taken as a constant. */
function quotientGrad(g: Tensor, a: Tensor | number, b: Tensor, mode: "trunc" | "floor"): Tensor {
  return mul(neg(g), div(a as Tensor, b, { rounding_mode: mode }));
}

function modOverloads(name: "fmod" | "remainder", expr: string, mode: "trunc" | "floor", gradNames: [string, string]) {
  const check = intDivisorNonZero(`${name}_cpu`);
  const [tensor, tensor_] = binaryPair({
    schema: `aten::${name}.Tensor(Tensor self, Tensor other) -> Tensor`, expr, gradName: gradNames[1],
    backward: (g, a, b) => [isT(a) ? g : null, isT(b) ? quotientGrad(g, a, b, mode) : null],
  }, check);
  const [scalar, scalar_] = binaryPair({
    schema: `aten::${name}.Scalar(Tensor self, Scalar other) -> Tensor`, expr, gradName: gradNames[0],
    backward: (g) => [g, null],
  }, check);
  return { functional: [tensor, scalar], inplace: [tensor_, scalar_] };
}

// C's fmod keeps the dividend's sign (JS %); remainder takes the divisor's (Python's %).
const fmodDefs = modOverloads("fmod", "a % b", "trunc", ["FmodBackward0", "FmodBackward1"]);
const remainderDefs = modOverloads("remainder", "pyMod(a, b)", "floor", ["RemainderBackward0", "RemainderBackward1"]);
const [remainderScalarTensor] = binaryPair({
  schema: "aten::remainder.Scalar_Tensor(Scalar self, Tensor other) -> Tensor", expr: "pyMod(a, b)",
}, intDivisorNonZero("remainder_cpu"));
export const fmod = defineOp<Binary>("fmod", fmodDefs.functional);
export const fmod_ = defineOp<Binary>("fmod_", fmodDefs.inplace);
export const remainder = defineOp<Binary>("remainder", [
  ...remainderDefs.functional, { ...remainderScalarTensor, ...notDifferentiable("remainder") },
]);
export const remainder_ = defineOp<Binary>("remainder_", remainderDefs.inplace);

// ---- xlogy, copysign, heaviside ----------------------------------------------------------

// NaN in y wins over x == 0; x == 0 gives 0 even where log(y) is infinite.
const XLOGY = "b !== b ? NaN : a === 0 ? 0 : a * Math.log(b)";
/** d/dx x log(y) = log(y), taken as 0 where x == 0 and y <= 0 (where x log(y) is held at 0). */
function xlogySelfGrad(g: Tensor, a: Tensor, b: Tensor | number): Tensor {
  const held = isT(b) ? logical_and(eq(a, 0), le(b, 0)) : +b <= 0 ? eq(a, 0) : null;
  return held === null ? xlogy(g, b) : where(held, 0, xlogy(g, b));
}
const xlogyOtherGrad = (g: Tensor, a: Tensor | number, b: Tensor): Tensor => div(mul(g, a), b);
const [xlogyT, xlogyT_] = binaryPair({
  schema: "aten::xlogy.Tensor(Tensor self, Tensor other) -> Tensor", expr: XLOGY, rule: "float", gradName: "XlogyBackward0",
  backward: (g, a, b) => [isT(a) ? xlogySelfGrad(g, a, b) : null, isT(b) ? xlogyOtherGrad(g, a, b) : null],
});
const [xlogySelf] = binaryPair({
  schema: "aten::xlogy.Scalar_Self(Scalar self, Tensor other) -> Tensor", expr: XLOGY, rule: "float", gradName: "XlogyBackward1",
  backward: (g, a, b) => [null, xlogyOtherGrad(g, a, b as Tensor)],
});
const [xlogyOther, xlogyOther_] = binaryPair({
  schema: "aten::xlogy.Scalar_Other(Tensor self, Scalar other) -> Tensor", expr: XLOGY, rule: "float", gradName: "XlogyBackward2",
  backward: (g, a, b) => [xlogySelfGrad(g, a as Tensor, b), null],
});
export const xlogy: Op<Binary> = defineOp<Binary>("xlogy", [xlogyT, xlogySelf, xlogyOther]);
export const xlogy_ = defineOp<Binary>("xlogy_", [xlogyT_, xlogyOther_]);

// The sign of -0 counts, as C's copysign reads the sign bit.
const COPYSIGN = "b < 0 || (b === 0 && 1 / b < 0) ? -Math.abs(a) : Math.abs(a)";
/** copysign_tensor_self_backward: grad * result / self, 0 where self is 0. */
const copysignSelfGrad = (g: Tensor, a: Tensor, r: Tensor): Tensor => mul(g, where(ne(a, 0), div(r, a), 0));
const [copysignT, copysignT_] = binaryPair({
  schema: "aten::copysign.Tensor(Tensor self, Tensor other) -> Tensor", expr: COPYSIGN, rule: "float", gradName: "CopysignBackward0",
  backward: (g, a, b, r) => [isT(a) ? copysignSelfGrad(g, a, r) : null, isT(b) ? zerosLike(b) : null],
});
const [copysignS, copysignS_] = binaryPair({
  schema: "aten::copysign.Scalar(Tensor self, Scalar other) -> Tensor", expr: COPYSIGN, rule: "float", gradName: "CopysignBackward1",
  backward: (g, a, _b, r) => [copysignSelfGrad(g, a as Tensor, r), null],
});
export const copysign = defineOp<Binary>("copysign", [copysignT, copysignS]);
export const copysign_ = defineOp<Binary>("copysign_", [copysignT_, copysignS_]);

const sameDTypes: Check = (a, b) => {
  if (isT(a) && isT(b) && a.dtype !== b.dtype) throw new RuntimeError("heaviside is not yet implemented for tensors with different dtypes.");
};
const [heavisideT, heavisideT_] = binaryPair({
  schema: "aten::heaviside(Tensor self, Tensor values) -> Tensor", expr: "a === 0 ? b : a > 0 ? 1 : 0",
}, sameDTypes);
export const heaviside = defineOp<Binary>("heaviside", [{ ...heavisideT, ...notDifferentiable("heaviside") }]);
export const heaviside_ = defineOp<Binary>("heaviside_", [{ ...heavisideT_, ...notDifferentiable("heaviside") }]);

// ---- float_power -------------------------------------------------------------------------

// Composite, as in PyTorch: pow in double, so the grad_fn is pow's (PowBackward0/1/2).
const toDouble = (v: TensorLike): TensorLike => (isT(v) ? v.to(float64) : v);
export const float_power = defineOp<Binary>("float_power", [
  { schema: "aten::float_power.Tensor_Tensor(Tensor self, Tensor exponent) -> Tensor", composite: true, forward: (a: Tensor, b: Tensor) => pow(toDouble(a), toDouble(b)) },
  { schema: "aten::float_power.Tensor_Scalar(Tensor self, Scalar exponent) -> Tensor", composite: true, forward: (a: Tensor, b: number) => pow(toDouble(a), b) },
  { schema: "aten::float_power.Scalar(Scalar self, Tensor exponent) -> Tensor", composite: true, forward: (a: number, b: Tensor) => pow(a, toDouble(b)) },
]);
function floatPowerInplace(self: Tensor, exponent: TensorLike): Tensor {
  if (self.dtype !== float64) {
    throw new RuntimeError(`the base given to float_power_ has dtype ${self.dtype.scalarType} but the operation's result requires dtype Double`);
  }
  return pow_(self, toDouble(exponent));
}
export const float_power_ = defineOp<Binary>("float_power_", [
  { schema: "aten::float_power_.Tensor(Tensor(a!) self, Tensor exponent) -> Tensor(a!)", composite: true, forward: floatPowerInplace },
  { schema: "aten::float_power_.Scalar(Tensor(a!) self, Scalar exponent) -> Tensor(a!)", composite: true, forward: floatPowerInplace },
]);

// ---- nan_to_num --------------------------------------------------------------------------

/** torch.finfo(d).max for each float dtype (the default replacement of +inf). */
const FINFO_MAX = new Map<DType, number>([
  [float16, 65504], [bfloat16, 3.3895313892515355e38], [float32, 3.4028234663852886e38], [float64, Number.MAX_VALUE],
]);
type Replacement = number | null;
type NanToNum = {
  (input: Tensor, nan?: Replacement, posinf?: Replacement, neginf?: Replacement): Tensor;
  (input: Tensor, opts: { nan?: Replacement; posinf?: Replacement; neginf?: Replacement }): Tensor;
};

// Three parameters do not fit a kernel expression's p0 and p1, so this is a plain loop (and
// not fusible).
function nanToNum(self: Tensor, nan: number | null, posinf: number | null, neginf: number | null): Tensor {
  const src = self.contiguousData();
  const out = new self.dtype.ArrayType(src.length);
  const max = FINFO_MAX.get(self.dtype);
  if (max === undefined) {
    out.set(src); // integers and bool have no NaN or infinity: a copy
  } else {
    const [n, p, m] = [nan ?? 0, posinf ?? max, neginf ?? -max];
    for (let i = 0; i < src.length; i++) {
      const x = src[i]!;
      out[i] = x !== x ? n : x === Infinity ? p : x === -Infinity ? m : x;
    }
    roundForDType(out, self.dtype);
  }
  return Tensor.fromData(out, self.shape.slice(), self.dtype);
}
const nanToNumDef: OverloadDef = {
  schema: "aten::nan_to_num(Tensor self, float? nan=None, float? posinf=None, float? neginf=None) -> Tensor",
  gradName: "NanToNumBackward0", forward: nanToNum,
  backward: (g: Tensor, [x]: [Tensor]) => [mul(g, isfinite(x)), null, null, null],
};
export const nan_to_num = defineOp<NanToNum>("nan_to_num", [nanToNumDef]);
export const nan_to_num_ = defineOp<NanToNum>("nan_to_num_", [{
  ...nanToNumDef, schema: "aten::nan_to_num_(Tensor(a!) self, float? nan=None, float? posinf=None, float? neginf=None) -> Tensor(a!)",
  forward: (self: Tensor, n: number | null, p: number | null, m: number | null) => (copyInto(self, nanToNum(self, n, p, m)), self),
}]);

declare module "../tensor.js" {
  interface Tensor {
    atan2(other: Tensor): Tensor; atan2_(other: Tensor): Tensor; arctan2(other: Tensor): Tensor; arctan2_(other: Tensor): Tensor;
    hypot(other: Tensor): Tensor; hypot_(other: Tensor): Tensor;
    logaddexp(other: Tensor): Tensor; logaddexp2(other: Tensor): Tensor;
    fmod(other: TensorLike): Tensor; fmod_(other: TensorLike): Tensor;
    remainder(other: TensorLike): Tensor; remainder_(other: TensorLike): Tensor;
    xlogy(other: TensorLike): Tensor; xlogy_(other: TensorLike): Tensor;
    copysign(other: TensorLike): Tensor; copysign_(other: TensorLike): Tensor;
    heaviside(values: Tensor): Tensor; heaviside_(values: Tensor): Tensor;
    float_power(exponent: TensorLike): Tensor; float_power_(exponent: TensorLike): Tensor;
    nan_to_num(nan?: number | null, posinf?: number | null, neginf?: number | null): Tensor;
    nan_to_num(opts: { nan?: number | null; posinf?: number | null; neginf?: number | null }): Tensor;
    nan_to_num_(nan?: number | null, posinf?: number | null, neginf?: number | null): Tensor;
    nan_to_num_(opts: { nan?: number | null; posinf?: number | null; neginf?: number | null }): Tensor;
  }
}

installMethods({
  atan2, atan2_, arctan2, arctan2_, hypot, hypot_, logaddexp, logaddexp2, fmod, fmod_, remainder, remainder_,
  xlogy, xlogy_, copysign, copysign_, heaviside, heaviside_, float_power, float_power_, nan_to_num, nan_to_num_,
});
