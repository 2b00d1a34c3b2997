/**
 * Elementwise float math beyond unary.ts: expm1, log2, log10, exp2, the trigonometric and
 * hyperbolic functions and their inverses, erfinv, deg2rad and rad2deg, with the arc* aliases.
 * One table row per op (house style: vocabularies are data): its expression, its gradient
 * (PyTorch 1.13's tools/autograd/derivatives.yaml) and, where PyTorch 1.13 has no float16 CPU
 * kernel, the kernel name its error shows. Integer and bool inputs give the default float dtype.
 */
import { Tensor } from "../tensor.js";
import { float16, type DType } from "../dtype.js";
import { defineOp, installMethods, type Op, type OverloadDef } from "../registry.js";
import { resultDType, unaryOverloads, type UnarySpec } from "./pointwise.js";
import { checkInplaceCast, copyInto } from "../kernels/apply.js";
import { erf } from "../kernels/elementwise.js";
import { roundForDType } from "../kernels/math.js";
import { NotImplementedError, RuntimeError } from "../../util/errors.js";
import { add, div, mul, neg, rsub } from "./arith.js";
import { exp, pow, rsqrt } from "./unary.js";

type Unary = (input: Tensor) => Tensor;

interface FloatSpec extends Omit<UnarySpec, "schema" | "rule"> {
  gradName: string;
  /** PyTorch 1.13's CPU kernel, named in its error for float16 inputs; absent where float16 works. */
  noHalf?: string;
  /** The in-place form's grad_fn where PyTorch has one without a derivative (AsinhBackward1). */
  inplaceGradName?: string;
}

function rejectHalf(kernel: string | undefined, d: DType): void {
  if (kernel !== undefined && resultDType("float", d) === float16) {
    throw new RuntimeError(`"${kernel}" not implemented for 'Half'`);
  }
}

/** Wraps an overload's forward with the float16 check (on self's dtype). */
function halfChecked(def: OverloadDef, kernel: string | undefined): OverloadDef {
  if (kernel === undefined) return def;
  const f = def.forward;
  return { ...def, forward: (self: Tensor, ...rest: unknown[]) => (rejectHalf(kernel, self.dtype), f(self, ...rest)) };
}

/**
 * PyTorch 1.13's derivatives.yaml gives asinh_, acosh_ and atanh_ their own grad_fn
 * (AsinhBackward1) with no formula: a graph through them cannot be differentiated.
 */
function notImplementedInplace(name: string, gradName: string): Pick<OverloadDef, "gradName" | "backward"> {
  return {
    gradName,
    backward: () => {
      throw new NotImplementedError(`the derivative for 'inplace version of ${name}' is not implemented.`);
    },
  };
}

/** Declares `name` and `name_`: a float op (ints promote to the default dtype). */
function floatUnary(name: string, spec: FloatSpec): [Op<Unary>, Op<Unary>] {
  const [functional, inplace] = unaryOverloads({ ...spec, rule: "float", schema: `aten::${name}(Tensor self) -> Tensor` });
  const inplaceDef = spec.inplaceGradName === undefined ? inplace : { ...inplace, ...notImplementedInplace(name, spec.inplaceGradName) };
  return [defineOp<Unary>(name, [halfChecked(functional, spec.noHalf)]), defineOp<Unary>(`${name}_`, [halfChecked(inplaceDef, spec.noHalf)])];
}

/** An alias as PyTorch registers it: its own schema, running the op it names (arcsin is asin). */
function alias(name: string, target: Unary, targetInplace: Unary): [Op<Unary>, Op<Unary>] {
  return [
    defineOp<Unary>(name, [{ schema: `aten::${name}(Tensor self) -> Tensor`, composite: true, forward: target }]),
    defineOp<Unary>(`${name}_`, [{ schema: `aten::${name}_(Tensor(a!) self) -> Tensor(a!)`, composite: true, forward: targetInplace }]),
  ];
}

const square = (t: Tensor): Tensor => mul(t, t);

export const [expm1, expm1_] = floatUnary("expm1", {
  expr: "Math.expm1(x)", gradName: "Expm1Backward0", noHalf: "expm1_vml_cpu", backward: (g, _x, y) => mul(g, add(y, 1)),
});
export const [exp2, exp2_] = floatUnary("exp2", {
  expr: "Math.pow(2, x)", gradName: "Exp2Backward0", backward: (g, _x, y) => mul(g, mul(y, Math.LN2)),
});
export const [log2, log2_] = floatUnary("log2", {
  expr: "Math.log2(x)", gradName: "Log2Backward0", noHalf: "log2_vml_cpu", backward: (g, x) => div(g, mul(x, Math.LN2)),
});
export const [log10, log10_] = floatUnary("log10", {
  expr: "Math.log10(x)", gradName: "Log10Backward0", noHalf: "log10_vml_cpu", backward: (g, x) => div(g, mul(x, Math.LN10)),
});
export const [tan, tan_] = floatUnary("tan", {
  expr: "Math.tan(x)", gradName: "TanBackward0", noHalf: "tan_vml_cpu", backward: (g, _x, y) => mul(g, add(square(y), 1)),
});
export const [asin, asin_] = floatUnary("asin", {
  expr: "Math.asin(x)", gradName: "AsinBackward0", noHalf: "asin_vml_cpu", backward: (g, x) => mul(g, rsqrt(rsub(square(x), 1))),
});
export const [acos, acos_] = floatUnary("acos", {
  expr: "Math.acos(x)", gradName: "AcosBackward0", noHalf: "acos_vml_cpu", backward: (g, x) => mul(neg(g), rsqrt(rsub(square(x), 1))),
});
export const [atan, atan_] = floatUnary("atan", {
  expr: "Math.atan(x)", gradName: "AtanBackward0", noHalf: "atan_vml_cpu", backward: (g, x) => div(g, add(square(x), 1)),
});
export const [sinh, sinh_] = floatUnary("sinh", {
  expr: "Math.sinh(x)", gradName: "SinhBackward0", noHalf: "sinh_cpu", backward: (g, x): Tensor => mul(g, cosh(x)),
});
export const [cosh, cosh_] = floatUnary("cosh", {
  expr: "Math.cosh(x)", gradName: "CoshBackward0", noHalf: "cosh_cpu", backward: (g, x): Tensor => mul(g, sinh(x)),
});
export const [asinh, asinh_] = floatUnary("asinh", {
  expr: "Math.asinh(x)", gradName: "AsinhBackward0", inplaceGradName: "AsinhBackward1", noHalf: "asinh_cpu",
  backward: (g, x) => mul(g, rsqrt(add(pow(x, 2), 1))),
});
export const [acosh, acosh_] = floatUnary("acosh", {
  expr: "Math.acosh(x)", gradName: "AcoshBackward0", inplaceGradName: "AcoshBackward1", noHalf: "acosh_cpu",
  backward: (g, x) => mul(g, rsqrt(add(pow(x, 2), -1))),
});
export const [atanh, atanh_] = floatUnary("atanh", {
  expr: "Math.atanh(x)", gradName: "AtanhBackward0", inplaceGradName: "AtanhBackward1", noHalf: "atanh_cpu",
  backward: (g, x) => div(g, rsub(pow(x, 2), 1)),
});

// PyTorch multiplies by the constant as a wrapped scalar: in float32 the constant is rounded to
// float32 first, and the float32 product of two float32 values is exact in a double.
const PI_180 = Math.PI / 180;
const R180_PI = 180 / Math.PI;
export const [deg2rad, deg2rad_] = floatUnary("deg2rad", {
  expr: `x * ${PI_180}`, exprF32: `x * ${Math.fround(PI_180)}`, gradName: "Deg2RadBackward0", backward: (g) => mul(g, PI_180),
});
export const [rad2deg, rad2deg_] = floatUnary("rad2deg", {
  expr: `x * ${R180_PI}`, exprF32: `x * ${Math.fround(R180_PI)}`, gradName: "Rad2DegBackward0", backward: (g) => mul(g, R180_PI),
});

export const [arcsin, arcsin_] = alias("arcsin", asin, asin_);
export const [arccos, arccos_] = alias("arccos", acos, acos_);
export const [arctan, arctan_] = alias("arctan", atan, atan_);
export const [arcsinh, arcsinh_] = alias("arcsinh", asinh, asinh_);
export const [arccosh, arccosh_] = alias("arccosh", acosh, acosh_);
export const [arctanh, arctanh_] = alias("arctanh", atanh, atanh_);

// ---- erfinv ------------------------------------------------------------------------------

/**
 * erfinv in double: Giles' single-precision approximation ("Approximating the erfinv function",
 * GPU Computing Gems, 2011) refined by three Newton steps on erf, as PyTorch refines its own
 * first guess. Within |y| <= 0.9999 it agrees with PyTorch to ~1e-15; nearer 1, erf(x) - y
 * cancels and both are only as good as erf's last bit (1e-6 relative at 1 - 1e-12). There is
 * no kernel helper for it, so erfinv has no jsExpr and is not fusible.
 */
function erfinvScalar(y: number): number {
  if (!(Math.abs(y) <= 1)) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  if (y === 0) return y;
  let w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    w -= 2.5;
    let p = 2.81022636e-8;
    for (const c of [3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]) p = c + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    for (const c of [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]) p = c + p * w;
    x = p * y;
  }
  for (let i = 0; i < 3; i++) x -= (erf(x) - y) / (Math.exp(-x * x) * (2 / Math.sqrt(Math.PI)));
  return x;
}

function erfinvForward(self: Tensor): Tensor {
  rejectHalf("erfinv_vml_cpu", self.dtype);
  const dtype = resultDType("float", self.dtype);
  const src = self.contiguousData();
  const out = new dtype.ArrayType(src.length);
  for (let i = 0; i < src.length; i++) out[i] = erfinvScalar(src[i]!);
  roundForDType(out, dtype);
  return Tensor.fromData(out, self.shape.slice(), dtype);
}

const erfinvDef: OverloadDef = {
  schema: "aten::erfinv(Tensor self) -> Tensor", gradName: "ErfinvBackward0", forward: erfinvForward,
  // d/dx erfinv(x) = sqrt(pi)/2 * exp(erfinv(x)^2)
  backward: (g: Tensor, _args: unknown[], y: Tensor) => [mul(g, mul(exp(square(y)), Math.sqrt(Math.PI) / 2))],
};
export const erfinv = defineOp<Unary>("erfinv", [erfinvDef]);
export const erfinv_ = defineOp<Unary>("erfinv_", [{
  ...erfinvDef, schema: "aten::erfinv_(Tensor(a!) self) -> Tensor(a!)",
  forward: (self: Tensor) => {
    const r = erfinvForward(self);
    checkInplaceCast(r.dtype, self);
    copyInto(self, r);
    return self;
  },
  // the in-place node's result is self after the write: erfinv of the original input
  backward: (g: Tensor, _args: unknown[], y: Tensor) => [mul(g, mul(exp(square(y)), Math.sqrt(Math.PI) / 2))],
}]);

declare module "../tensor.js" {
  interface Tensor {
    expm1(): Tensor; expm1_(): Tensor; exp2(): Tensor; exp2_(): Tensor;
    log2(): Tensor; log2_(): Tensor; log10(): Tensor; log10_(): Tensor;
    tan(): Tensor; tan_(): Tensor; asin(): Tensor; asin_(): Tensor; acos(): Tensor; acos_(): Tensor;
    atan(): Tensor; atan_(): Tensor; sinh(): Tensor; sinh_(): Tensor; cosh(): Tensor; cosh_(): Tensor;
    asinh(): Tensor; asinh_(): Tensor; acosh(): Tensor; acosh_(): Tensor; atanh(): Tensor; atanh_(): Tensor;
    arcsin(): Tensor; arcsin_(): Tensor; arccos(): Tensor; arccos_(): Tensor; arctan(): Tensor; arctan_(): Tensor;
    arcsinh(): Tensor; arcsinh_(): Tensor; arccosh(): Tensor; arccosh_(): Tensor; arctanh(): Tensor; arctanh_(): Tensor;
    erfinv(): Tensor; erfinv_(): Tensor; deg2rad(): Tensor; deg2rad_(): Tensor; rad2deg(): Tensor; rad2deg_(): Tensor;
  }
}

installMethods({
  expm1, expm1_, exp2, exp2_, log2, log2_, log10, log10_, tan, tan_, asin, asin_, acos, acos_, atan, atan_,
  sinh, sinh_, cosh, cosh_, asinh, asinh_, acosh, acosh_, atanh, atanh_,
  arcsin, arcsin_, arccos, arccos_, arctan, arctan_, arcsinh, arcsinh_, arccosh, arccosh_, arctanh, arctanh_,
  erfinv, erfinv_, deg2rad, deg2rad_, rad2deg, rad2deg_,
});
