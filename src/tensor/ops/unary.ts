/**
 * Elementwise math and activations, one table row per op: schema, JS expression, dtype rule,
 * gradient. Activation gradients are the `*_backward` ops PyTorch uses (threshold_backward,
 * gelu_backward, ...), each a primitive with its own gradient rule, so double backward works and
 * shows PyTorch's names (ThresholdBackwardBackward0).
 */
import { Tensor, type TensorLike } from "../tensor.js";
import { DType, bool, float16, type TypedArray } from "../dtype.js";
import { defineOp, installMethods, type Op, type OverloadDef } from "../registry.js";
import { resultDType, unaryOverloads, type DTypeRule, type UnarySpec } from "./pointwise.js";
import { makeBinaryKernel, makeUnaryKernel, type UnaryKernel } from "../kernels/elementwise.js";
import { applyBinary, applyUnary, checkInplaceCast, copyInto } from "../kernels/apply.js";
import {
  GELU_BETA, GELU_KAPPA, INV_SQRT_2PI, eluBackwardLoop, eluLoop, expandedData, geluBackwardLoop,
  hardtanhBackwardLoop, roundForDType, softplusBackwardLoop,
} from "../kernels/math.js";
import { resultType, resultType2 } from "../promotion.js";
import { broadcastShapes, numel } from "../shape.js";
import { RuntimeError } from "../../util/errors.js";
import { gradState } from "../../autograd/grad_mode.js";
import { add, div, mul, neg, rsub, sub } from "./arith.js";
import { eq, ge, gt, le, logical_and, logical_or, lt, maximum, minimum, where } from "./compare.js";

type Unary = (input: Tensor) => Tensor;
type Scalar = number | boolean;
type Check = (d: DType) => void;
const isT = (v: unknown): v is Tensor => v instanceof Tensor;

function notImplemented(kernel: string, d: DType): RuntimeError {
  return new RuntimeError(`"${kernel}" not implemented for '${d.scalarType}'`);
}

type DTypeClass = "bool" | "int" | "half";
const classOf = (d: DType): DTypeClass | "float" => (d === bool ? "bool" : d.isIntegral ? "int" : d === float16 ? "half" : "float");
/**
 * PyTorch 1.13's CPU kernels are not built for some dtypes (most float16 math, integer
 * activations): `rejects` raises PyTorch's error, naming its kernel, for the computation dtype.
 */
const rejects = (kernel: string, ...classes: DTypeClass[]): Check => (d) => {
  if ((classes as string[]).includes(classOf(d))) throw notImplemented(kernel, d);
};
const boolMessage = (message: string): Check => (d) => { if (d === bool) throw new RuntimeError(message); };
const both = (a: Check, b: Check): Check => (d) => (a(d), b(d));

function zerosLike(t: Tensor): Tensor {
  return Tensor.empty(t.shape.slice(), t.dtype);
}

function inplaceSchema(schema: string): string {
  return schema.replace(/^aten::(\w+)/, "aten::$1_").replace("Tensor self", "Tensor(a!) self").replace(/-> Tensor$/, "-> Tensor(a!)");
}

/** The in-place form of an out-of-place overload: compute, check the cast, write into self. */
function inplaceOf(def: OverloadDef, gradName = def.gradName): OverloadDef {
  const f = def.forward;
  return {
    schema: inplaceSchema(def.schema), gradName, backward: def.backward,
    forward: (self: Tensor, ...rest: unknown[]) => {
      const r = f(self, ...rest) as Tensor;
      checkInplaceCast(r.dtype, self);
      copyInto(self, r);
      return self;
    },
  };
}

function guarded(def: OverloadDef, check: Check | undefined, rule: DTypeRule): OverloadDef {
  if (!check) return def;
  const f = def.forward;
  return { ...def, forward: (self: Tensor, ...rest: unknown[]) => (check(resultDType(rule, self.dtype)), f(self, ...rest)) };
}

interface Spec extends Omit<UnarySpec, "schema"> {
  schema?: string;
  check?: Check;
  /** PyTorch names some in-place gradients differently (they read the result): EluBackward1. */
  inplaceGradName?: string;
}

function unaryDef(name: string, spec: Spec): OverloadDef {
  const [f] = unaryOverloads({ ...spec, schema: spec.schema ?? `aten::${name}(Tensor self) -> Tensor` });
  return guarded(f, spec.check, spec.rule ?? "same");
}

/** Declares `name` and its in-place `name_` from one spec. */
function unary<F extends (...args: any[]) => any = Unary>(name: string, spec: Spec): [Op<F>, Op<F>] {
  const def = unaryDef(name, spec);
  return [defineOp<F>(name, [def]), defineOp<F>(`${name}_`, [inplaceOf(def, spec.inplaceGradName)])];
}

// ---- math --------------------------------------------------------------------------------

export const [abs, abs_] = unary("abs", {
  expr: "Math.abs(x)", gradName: "AbsBackward0", check: rejects("abs_cpu", "bool"),
  backward: (g, x) => mul(g, sign(x)),
});
export { abs as absolute, abs_ as absolute_ };
export const [exp, exp_] = unary("exp", {
  check: rejects("exp_vml_cpu", "half"),
  expr: "Math.exp(x)", rule: "float", gradName: "ExpBackward0", backward: (g, _x, y) => mul(g, y),
});
export const [log, log_] = unary("log", {
  check: rejects("log_vml_cpu", "half"),
  expr: "Math.log(x)", rule: "float", gradName: "LogBackward0", backward: (g, x) => div(g, x),
});
export const [log1p, log1p_] = unary("log1p", {
  check: rejects("log1p_vml_cpu", "half"),
  expr: "Math.log1p(x)", rule: "float", gradName: "Log1PBackward0", backward: (g, x) => div(g, add(x, 1)),
});
export const [sqrt, sqrt_] = unary("sqrt", {
  check: rejects("sqrt_vml_cpu", "half"),
  expr: "Math.sqrt(x)", rule: "float", gradName: "SqrtBackward0", backward: (g, _x, y) => div(g, mul(y, 2)),
});
export const [rsqrt, rsqrt_] = unary("rsqrt", {
  check: rejects("rsqrt_cpu", "half"),
  expr: "1 / Math.sqrt(x)", rule: "float", gradName: "RsqrtBackward0",
  backward: (g, _x, y) => mul(mul(g, pow(y, 3)), -0.5),
});
export const [sin, sin_] = unary("sin", {
  check: rejects("sin_vml_cpu", "half"),
  expr: "Math.sin(x)", rule: "float", gradName: "SinBackward0", backward: (g, x): Tensor => mul(g, cos(x)),
});
export const [cos, cos_] = unary("cos", {
  check: rejects("cos_vml_cpu", "half"),
  expr: "Math.cos(x)", rule: "float", gradName: "CosBackward0", backward: (g, x): Tensor => mul(g, neg(sin(x))),
});
export const [tanh, tanh_] = unary("tanh", {
  check: rejects("tanh_vml_cpu", "half"),
  expr: "Math.tanh(x)", exprF32: "tanhF32(x)", rule: "float", gradName: "TanhBackward0", backward: (g, _x, y) => tanh_backward(g, y),
});
export const [sigmoid, sigmoid_] = unary("sigmoid", {
  check: rejects("sigmoid_cpu", "half"),
  expr: "1 / (1 + Math.exp(-x))", rule: "float", gradName: "SigmoidBackward0",
  backward: (g, _x, y) => sigmoid_backward(g, y),
});
export const [erf, erf_] = unary("erf", {
  check: rejects("erf_vml_cpu", "half"),
  expr: "erf(x)", rule: "float", gradName: "ErfBackward0",
  backward: (g, x) => mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))),
});
export const [reciprocal, reciprocal_] = unary("reciprocal", {
  expr: "1 / x", rule: "float", gradName: "ReciprocalBackward0", backward: (g, _x, y) => neg(mul(g, mul(y, y))),
});
export const [floor, floor_] = unary("floor", {
  expr: "Math.floor(x)", gradName: "FloorBackward0", check: rejects("floor_vml_cpu", "bool", "half"), backward: zerosLike,
});
export const [ceil, ceil_] = unary("ceil", {
  expr: "Math.ceil(x)", gradName: "CeilBackward0", check: rejects("ceil_vml_cpu", "bool", "half"), backward: zerosLike,
});
export const [trunc, trunc_] = unary("trunc", {
  expr: "Math.trunc(x)", gradName: "TruncBackward0", check: rejects("trunc_vml_cpu", "bool", "half"), backward: zerosLike,
});
export const [frac, frac_] = unary("frac", {
  expr: "x - Math.trunc(x)", gradName: "FracBackward0", check: rejects("frac_cpu", "bool", "int"), backward: (g) => g,
});
// NaN and -0 give 0, as PyTorch's sign does.
export const [sign, sign_] = unary("sign", {
  expr: "x > 0 ? 1 : x < 0 ? -1 : 0", gradName: "SignBackward0", backward: zerosLike,
});

// round: half to even; with decimals, scaled in the op's own precision as PyTorch does (float32
// products are rounded to float32 before rounding to an integer).
const roundDefault = unaryDef("round", { expr: "roundEven(x)", gradName: "RoundBackward0", check: rejects("round_vml_cpu", "bool", "half"), backward: zerosLike });
const roundDecK = makeUnaryKernel("p1 ? roundEven(x / p0) * p0 : roundEven(x * p0) / p0");
const roundDecF32K = makeUnaryKernel("p1 ? roundEven(Math.fround(x / p0)) * p0 : roundEven(Math.fround(x * p0)) / p0");
const roundDecimals: OverloadDef = {
  schema: "aten::round.decimals(Tensor self, *, int decimals) -> Tensor",
  gradName: "RoundBackward1",
  forward: (self: Tensor, decimals: number) => {
    rejects("round_cpu", "bool", "int", "half")(self.dtype);
    const double = self.dtype.ArrayType === Float64Array;
    const p = 10 ** Math.abs(decimals);
    return applyUnary(self, double ? roundDecK : roundDecF32K, self.dtype, double ? p : Math.fround(p), decimals < 0 ? 1 : 0);
  },
  backward: (g: Tensor) => [zerosLike(g), null],
};
type Round = (input: Tensor, opts?: { decimals?: number }) => Tensor;
export const round = defineOp<Round>("round", [roundDefault, roundDecimals]);
export const round_ = defineOp<Round>("round_", [inplaceOf(roundDefault), inplaceOf(roundDecimals)]);

// ---- pow ---------------------------------------------------------------------------------

// PyTorch special-cases these exponents (x * x rather than pow), and the results differ in the
// last bit, so the same kernels are used here.
const POW_SPECIAL = new Map<number, UnaryKernel>(
  ([[2, "x * x"], [3, "x * x * x"], [0.5, "Math.sqrt(x)"], [-0.5, "1 / Math.sqrt(x)"], [-1, "1 / x"], [-2, "1 / (x * x)"]] as const)
    .map(([e, s]) => [e, makeUnaryKernel(s)]),
);
const powK = makeUnaryKernel("Math.pow(x, p0)");
// Integer powers with negative exponents: 1 and -1 stay (up to sign), everything else is 0.
const powIntK = makeBinaryKernel("b < 0 ? (a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0) : Math.pow(a, b)");
const powFloatK = makeBinaryKernel("Math.pow(a, b)");

function powDType(a: TensorLike, b: TensorLike): DType {
  const d = resultType(a, b);
  if (d === bool) throw notImplemented("pow", bool);
  return d;
}

function powTensorScalar(self: Tensor, exponent: Scalar): Tensor {
  const dtype = powDType(self, exponent);
  const e = +exponent;
  if (dtype.isIntegral && e < 0) throw new RuntimeError("Integers to negative integer powers are not allowed.");
  return applyUnary(self, POW_SPECIAL.get(e) ?? powK, dtype, e);
}

function powBinary(a: TensorLike, b: TensorLike): Tensor {
  const dtype = powDType(a, b);
  return applyBinary(a, b, dtype.isIntegral ? powIntK : powFloatK, dtype);
}

/** d/dexponent of base^exponent is result * log(base), taken as 0 where base == 0 and exponent >= 0. */
function powExponentGrad(g: Tensor, base: TensorLike, exponent: Tensor, result: Tensor): Tensor {
  const r = mul(result, isT(base) ? log(base) : Math.log(+base));
  const zeroBase = isT(base) ? logical_and(eq(base, 0), ge(exponent, 0)) : +base === 0 ? ge(exponent, 0) : null;
  return mul(g, zeroBase ? where(zeroBase, 0, r) : r);
}

const powTS: OverloadDef = {
  schema: "aten::pow.Tensor_Scalar(Tensor self, Scalar exponent) -> Tensor",
  jsExpr: "Math.pow(x, p0)", gradName: "PowBackward0", forward: powTensorScalar,
  backward: (g: Tensor, [x, e]: [Tensor, Scalar]) => [+e === 0 ? zerosLike(g) : mul(g, mul(pow(x, +e - 1), +e))],
};
const powTT: OverloadDef = {
  schema: "aten::pow.Tensor_Tensor(Tensor self, Tensor exponent) -> Tensor",
  jsExpr: "Math.pow(a, b)", gradName: "PowBackward1", forward: powBinary,
  backward: (g: Tensor, [x, e]: [Tensor, Tensor], r: Tensor) => [
    isT(x) ? where(eq(e, 0), 0, mul(g, mul(e, pow(x, sub(e, 1))))) : null,
    isT(e) ? powExponentGrad(g, x, e, r) : null,
  ],
};
const powS: OverloadDef = {
  schema: "aten::pow.Scalar(Scalar self, Tensor exponent) -> Tensor",
  jsExpr: "Math.pow(a, b)", gradName: "PowBackward2", forward: powBinary,
  backward: (g: Tensor, [s, e]: [Scalar, Tensor], r: Tensor) => [null, powExponentGrad(g, s, e, r)],
};
export const pow = defineOp<(input: TensorLike, exponent: TensorLike) => Tensor>("pow", [powTS, powTT, powS]);
export const pow_ = defineOp<(self: Tensor, exponent: TensorLike) => Tensor>("pow_", [
  {
    ...powTS, schema: inplaceSchema(powTS.schema).replace("pow_.Tensor_Scalar", "pow_.Scalar"),
    forward: (self: Tensor, e: Scalar) => {
      const r = powTensorScalar(self, e);
      if (r.dtype.category > self.dtype.category) {
        throw new RuntimeError(`Found dtype ${self.dtype.scalarType} but expected ${r.dtype.scalarType}`);
      }
      copyInto(self, r);
      return self;
    },
  },
  { ...inplaceOf(powTT), schema: "aten::pow_.Tensor(Tensor(a!) self, Tensor exponent) -> Tensor(a!)" },
]);

export const square = defineOp<Unary>("square", [{
  schema: "aten::square(Tensor self) -> Tensor", composite: true, forward: (self: Tensor) => pow(self, 2),
}]);
export const square_ = defineOp<Unary>("square_", [{
  schema: "aten::square_(Tensor(a!) self) -> Tensor(a!)", composite: true, forward: (self: Tensor) => pow_(self, 2),
}]);

// ---- clamp -------------------------------------------------------------------------------

type Bound = Scalar | null;
type TBound = Tensor | null;
const CLAMP_NONE = "torch.clamp: At least one of 'min' or 'max' must not be None";
// Math.max/min propagate NaN from x and from the bounds, as PyTorch's clamp does.
const clampK = makeUnaryKernel("Math.min(Math.max(x, p0), p1)");

function clampScalar(self: Tensor, min: Bound, max: Bound): Tensor {
  if (min === null && max === null) throw new RuntimeError(CLAMP_NONE);
  const dtype = resultType(self, min, max);
  rejects(max === null ? "clamp_min_cpu" : min === null ? "clamp_max_scalar_cpu" : "clamp_scalar_cpu", "half")(dtype);
  return applyUnary(self, clampK, dtype, min === null ? -Infinity : +min, max === null ? Infinity : +max);
}

function clampTensor(self: Tensor, min: TBound, max: TBound): Tensor {
  if (min === null && max === null) throw new RuntimeError(CLAMP_NONE);
  if (min !== null && max !== null) rejects("clamp_cpu", "half")(resultType(self, min, max));
  const lower = min === null ? self : maximum(self, min);
  return max === null ? lower : minimum(lower, max);
}

/** clamp_backward: the gradient passes where min <= x <= max (bounds inclusive). */
function clampSelfGrad(g: Tensor, x: Tensor, min: Bound | TBound, max: Bound | TBound): Tensor {
  if (min !== null && max !== null) return where(logical_and(ge(x, min), le(x, max)), g, 0);
  return min !== null ? where(ge(x, min), g, 0) : where(le(x, max!), g, 0);
}

/** clamp_backward_min_max: a bound gets the gradient where it is the one that clamped x. */
function clampBoundGrads(g: Tensor, x: Tensor, min: TBound, max: TBound): [Tensor | null, Tensor | null] {
  if (min !== null && max !== null) {
    return [
      isT(min) ? where(logical_and(lt(x, min), lt(min, max)), g, 0) : null,
      isT(max) ? where(logical_or(gt(x, max), lt(max, min)), g, 0) : null,
    ];
  }
  if (min !== null) return [isT(min) ? where(lt(x, min), g, 0) : null, null];
  return [null, isT(max) ? where(gt(x, max!), g, 0) : null];
}

const clampS: OverloadDef = {
  schema: "aten::clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor",
  jsExpr: "Math.min(Math.max(x, p0), p1)", gradName: "ClampBackward1", forward: clampScalar,
  backward: (g: Tensor, [x, min, max]: [Tensor, Bound, Bound]) => [clampSelfGrad(g, x, min, max)],
};
const clampT: OverloadDef = {
  schema: "aten::clamp.Tensor(Tensor self, Tensor? min=None, Tensor? max=None) -> Tensor",
  gradName: "ClampBackward0", forward: clampTensor,
  backward: (g: Tensor, [x, min, max]: [Tensor, TBound, TBound]) => [clampSelfGrad(g, x, min, max), ...clampBoundGrads(g, x, min, max)],
};
type ClampBounds = { min?: TensorLike | null; max?: TensorLike | null };
type ClampFn = {
  (input: Tensor, min?: TensorLike | null, max?: TensorLike | null): Tensor;
  (input: Tensor, bounds: ClampBounds): Tensor;
};
export const clamp = defineOp<ClampFn>("clamp", [clampS, clampT]);
export const clamp_ = defineOp<ClampFn>("clamp_", [inplaceOf(clampS), inplaceOf(clampT)]);
const clipDefs = (inplace: boolean): OverloadDef[] => [clampS, clampT].map((d) => {
  const schema = d.schema.replace("aten::clamp", "aten::clip");
  return { schema: inplace ? inplaceSchema(schema) : schema, composite: true, forward: inplace ? clamp_ : clamp };
});
export const clip = defineOp<ClampFn>("clip", clipDefs(false));
export const clip_ = defineOp<ClampFn>("clip_", clipDefs(true));

function oneSided(name: "clamp_min" | "clamp_max", gradNames: [string, string]): OverloadDef[] {
  const isMin = name === "clamp_min";
  const keep = isMin ? ge : le;
  const clamped = isMin ? lt : gt;
  return [
    {
      schema: `aten::${name}(Tensor self, Scalar ${name.slice(6)}) -> Tensor`, gradName: gradNames[0],
      forward: (x: Tensor, b: Scalar) => (isMin ? clampScalar(x, b, null) : clampScalar(x, null, b)),
      backward: (g: Tensor, [x, b]: [Tensor, Scalar]) => [where(keep(x, b), g, 0)],
    },
    {
      schema: `aten::${name}.Tensor(Tensor self, Tensor ${name.slice(6)}) -> Tensor`, gradName: gradNames[1],
      forward: (x: Tensor, b: Tensor) => (isMin ? maximum(x, b) : minimum(x, b)),
      backward: (g: Tensor, [x, b]: [Tensor, Tensor]) => [where(keep(x, b), g, 0), isT(b) ? where(clamped(x, b), g, 0) : null],
    },
  ];
}
const clampMinDefs = oneSided("clamp_min", ["ClampMinBackward0", "ClampMinBackward1"]);
const clampMaxDefs = oneSided("clamp_max", ["ClampMaxBackward0", "ClampMaxBackward1"]);
type OneSided = (input: Tensor, bound: TensorLike) => Tensor;
export const clamp_min = defineOp<OneSided>("clamp_min", clampMinDefs);
export const clamp_min_ = defineOp<OneSided>("clamp_min_", clampMinDefs.map((d) => inplaceOf(d)));
export const clamp_max = defineOp<OneSided>("clamp_max", clampMaxDefs);
export const clamp_max_ = defineOp<OneSided>("clamp_max_", clampMaxDefs.map((d) => inplaceOf(d)));

// ---- activation gradients (PyTorch's *_backward ops) -------------------------------------

type GradLoop = (g: TypedArray, x: TypedArray, out: TypedArray) => void;

/** Runs a hand-written gradient loop over (grad, input) broadcast together. */
function gradLoop(g: Tensor, x: Tensor, loop: GradLoop): Tensor {
  const shape = broadcastShapes(g.shape, x.shape);
  const dtype = resultType2(g, x);
  const out = new dtype.ArrayType(numel(shape));
  loop(expandedData(g, shape), expandedData(x, shape), out);
  roundForDType(out, dtype);
  return Tensor.fromData(out, shape, dtype);
}

/** A gradient op with a generated kernel over (a = grad, b = input or output, p0 = scalar). */
function gradKernelOp<F extends (...args: any[]) => Tensor>(def: Omit<OverloadDef, "forward"> & { jsExpr: string }): Op<F> {
  const k = makeBinaryKernel(def.jsExpr);
  const name = /^aten::(\w+)/.exec(def.schema)![1]!;
  return defineOp<F>(name, [{
    ...def, forward: (g: Tensor, x: Tensor, p?: Scalar) => applyBinary(g, x, k, resultType2(g, x), +(p ?? 0)),
  }]);
}

const threshold_backward: Op<(g: Tensor, self: Tensor, threshold: Scalar) => Tensor> = gradKernelOp<(g: Tensor, self: Tensor, threshold: Scalar) => Tensor>({
  schema: "aten::threshold_backward(Tensor grad_output, Tensor self, Scalar threshold) -> Tensor",
  jsExpr: "b <= p0 ? 0 : a", gradName: "ThresholdBackwardBackward0",
  backward: (gg: Tensor, [, x, t]: [Tensor, Tensor, Scalar]) => [threshold_backward(gg, x, t), zerosLike(gg), null],
});
const sigmoid_backward: Op<(g: Tensor, output: Tensor) => Tensor> = gradKernelOp<(g: Tensor, output: Tensor) => Tensor>({
  schema: "aten::sigmoid_backward(Tensor grad_output, Tensor output) -> Tensor",
  jsExpr: "a * (1 - b) * b", gradName: "SigmoidBackwardBackward0",
  backward: (gg: Tensor, [go, y]: [Tensor, Tensor]) => [sigmoid_backward(gg, y), mul(mul(gg, go), add(mul(y, -2), 1))],
});
const tanh_backward: Op<(g: Tensor, output: Tensor) => Tensor> = gradKernelOp<(g: Tensor, output: Tensor) => Tensor>({
  schema: "aten::tanh_backward(Tensor grad_output, Tensor output) -> Tensor",
  jsExpr: "a * (1 - b * b)", gradName: "TanhBackwardBackward0",
  backward: (gg: Tensor, [go, y]: [Tensor, Tensor]) => [tanh_backward(gg, y), mul(mul(mul(y, -2), gg), go)],
});
const leaky_relu_backward: Op<(g: Tensor, self: Tensor, slope: Scalar, selfIsResult: boolean) => Tensor> = gradKernelOp<(g: Tensor, self: Tensor, slope: Scalar, selfIsResult: boolean) => Tensor>({
  schema: "aten::leaky_relu_backward(Tensor grad_output, Tensor self, Scalar negative_slope, bool self_is_result) -> Tensor",
  jsExpr: "b > 0 ? a : a * p0", gradName: "LeakyReluBackwardBackward0",
  backward: (gg: Tensor, [, x, s]: [Tensor, Tensor, Scalar]) => [leaky_relu_backward(gg, x, s, false), zerosLike(gg), null, null],
});
// Used only when no graph is being built; with create_graph, silu's gradient is made of ops.
const silu_backward: Op<(g: Tensor, self: Tensor) => Tensor> = gradKernelOp<(g: Tensor, self: Tensor) => Tensor>({
  schema: "aten::silu_backward(Tensor grad_output, Tensor self) -> Tensor",
  jsExpr: "a / (1 + Math.exp(-b)) * (1 + b * (1 - 1 / (1 + Math.exp(-b))))",
});

const hardtanh_backward: Op<(g: Tensor, self: Tensor, min: Scalar, max: Scalar) => Tensor> = defineOp<(g: Tensor, self: Tensor, min: Scalar, max: Scalar) => Tensor>("hardtanh_backward", [{
  schema: "aten::hardtanh_backward(Tensor grad_output, Tensor self, Scalar min_val, Scalar max_val) -> Tensor",
  gradName: "HardtanhBackwardBackward0",
  forward: (g: Tensor, x: Tensor, lo: Scalar, hi: Scalar) => gradLoop(g, x, (G, X, o) => hardtanhBackwardLoop(G, X, o, +lo, +hi)),
  backward: (gg: Tensor, [, x, lo, hi]: [Tensor, Tensor, Scalar, Scalar]) => [hardtanh_backward(gg, x, lo, hi), zerosLike(gg), null, null],
}]);

const softplus_backward: Op<(g: Tensor, self: Tensor, beta: Scalar, threshold: Scalar) => Tensor> = defineOp<(g: Tensor, self: Tensor, beta: Scalar, threshold: Scalar) => Tensor>("softplus_backward", [{
  schema: "aten::softplus_backward(Tensor grad_output, Tensor self, Scalar beta, Scalar threshold) -> Tensor",
  gradName: "SoftplusBackwardBackward0",
  forward: (g: Tensor, x: Tensor, b: Scalar, t: Scalar) => gradLoop(g, x, (G, X, o) => softplusBackwardLoop(G, X, o, +b, +t)),
  backward: (gg: Tensor, [go, x, b, t]: [Tensor, Tensor, Scalar, Scalar]) => {
    const bx = mul(x, b);
    const second = mul(mul(sigmoid_backward(mul(gg, go), sigmoid(bx)), lt(bx, t)), b);
    return [softplus_backward(gg, x, b, t), second, null, null];
  },
}]);

function approximateFlag(approximate: string): number {
  if (approximate === "none") return 0;
  if (approximate === "tanh") return 1;
  throw new RuntimeError("approximate argument must be either none or tanh.");
}

/** gelu''(x): phi(x) (2 - x^2) exactly; (1 - t^2)(u' - x t u'^2 + x u''/2) for the tanh form. */
function geluSecondDerivative(x: Tensor, tanhForm: boolean): Tensor {
  const x2 = mul(x, x);
  if (!tanhForm) return mul(mul(exp(mul(x2, -0.5)), INV_SQRT_2PI), rsub(x2, 2));
  const t = tanh(mul(add(x, mul(mul(x2, x), GELU_KAPPA)), GELU_BETA));
  const du = mul(add(mul(x2, 3 * GELU_KAPPA), 1), GELU_BETA);
  const inner = add(sub(du, mul(mul(x, t), mul(du, du))), mul(x2, 3 * GELU_KAPPA * GELU_BETA));
  return mul(rsub(mul(t, t), 1), inner);
}

const gelu_backward: Op<(g: Tensor, self: Tensor, opts?: { approximate?: string }) => Tensor> = defineOp<(g: Tensor, self: Tensor, opts?: { approximate?: string }) => Tensor>("gelu_backward", [{
  schema: "aten::gelu_backward(Tensor grad_output, Tensor self, *, str approximate='none') -> Tensor",
  gradName: "GeluBackwardBackward0",
  forward: (g: Tensor, x: Tensor, approximate: string) => {
    const tanhForm = approximateFlag(approximate) === 1;
    return gradLoop(g, x, (G, X, o) => geluBackwardLoop(G, X, o, tanhForm));
  },
  backward: (gg: Tensor, [go, x, approximate]: [Tensor, Tensor, string]) => [
    gelu_backward(gg, x, { approximate }), mul(mul(gg, go), geluSecondDerivative(x, approximate === "tanh")), null,
  ],
}]);

type EluBackward = (g: Tensor, alpha: Scalar, scale: Scalar, inputScale: Scalar, isResult: boolean, selfOrResult: Tensor) => Tensor;
const elu_backward: Op<EluBackward> = defineOp<EluBackward>("elu_backward", [{
  schema: "aten::elu_backward(Tensor grad_output, Scalar alpha, Scalar scale, Scalar input_scale, bool is_result, Tensor self_or_result) -> Tensor",
  gradName: "EluBackwardBackward0",
  forward: (g: Tensor, a: Scalar, s: Scalar, i: Scalar, isResult: boolean, v: Tensor) =>
    gradLoop(g, v, (G, X, o) => eluBackwardLoop(G, X, o, +a, +s, +i, isResult)),
  backward: (gg: Tensor, [go, a, s, i, isResult, v]: [Tensor, Scalar, Scalar, Scalar, boolean, Tensor]) => {
    const scaled = mul(mul(gg, go), i);
    const second = mul(isResult ? scaled : elu_backward(scaled, a, s, i, isResult, v), lt(v, 0));
    return [elu_backward(gg, a, s, i, isResult, v), null, null, null, null, second];
  },
}]);

// ---- activations -------------------------------------------------------------------------

export const [relu, relu_] = unary("relu", {
  expr: "x < 0 ? 0 : x", gradName: "ReluBackward0", check: both(boolMessage("Boolean inputs not supported for relu"), rejects("clamp_min_cpu", "half")),
  backward: (g, _x, y) => threshold_backward(g, y, 0),
});
export const relu6 = defineOp<Unary>("relu6", [{
  schema: "aten::relu6(Tensor self) -> Tensor", composite: true, forward: (self: Tensor) => hardtanh(self, 0, 6),
}]);
export const relu6_ = defineOp<Unary>("relu6_", [{
  schema: "aten::relu6_(Tensor(a!) self) -> Tensor(a!)", composite: true, forward: (self: Tensor) => hardtanh_(self, 0, 6),
}]);
export const [threshold, threshold_] = unary<(input: Tensor, threshold: Scalar, value: Scalar) => Tensor>("threshold", {
  check: rejects("threshold_cpu", "half"),
  schema: "aten::threshold(Tensor self, Scalar threshold, Scalar value) -> Tensor",
  expr: "x <= p0 ? p1 : x", gradName: "ThresholdBackward0", inplaceGradName: "ThresholdBackward1", params: (a) => [+a[1]!, +a[2]!],
  backward: (g, x, _y, t) => threshold_backward(g, x, t),
});
export const [hardtanh, hardtanh_] = unary<(input: Tensor, min_val?: Scalar, max_val?: Scalar) => Tensor>("hardtanh", {
  schema: "aten::hardtanh(Tensor self, Scalar min_val=-1, Scalar max_val=1) -> Tensor",
  expr: "Math.min(Math.max(x, p0), p1)", gradName: "HardtanhBackward0", params: (a) => [+a[1]!, +a[2]!],
  check: both(boolMessage("Bool inputs not supported for hardtanh"), rejects("clamp_scalar_cpu", "half")),
  backward: (g, x, _y, lo, hi) => hardtanh_backward(g, x, lo, hi),
});
export const [leaky_relu, leaky_relu_] = unary<(input: Tensor, negative_slope?: Scalar) => Tensor>("leaky_relu", {
  schema: "aten::leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor",
  expr: "x > 0 ? x : x * p0", gradName: "LeakyReluBackward0", inplaceGradName: "LeakyReluBackward1", params: (a) => [+a[1]!, 0],
  check: rejects("leaky_relu_cpu", "bool", "int", "half"),
  backward: (g, x, _y, s) => leaky_relu_backward(g, x, s, false),
});
type Gelu = (input: Tensor, opts?: { approximate?: "none" | "tanh" }) => Tensor;
export const [gelu, gelu_] = unary<Gelu>("gelu", {
  schema: "aten::gelu(Tensor self, *, str approximate='none') -> Tensor",
  expr: `p0 ? 0.5 * x * (1 + Math.tanh(${GELU_BETA} * (x + ${GELU_KAPPA} * x * x * x))) : 0.5 * x * (1 + erf(x * Math.SQRT1_2))`,
  gradName: "GeluBackward0", params: (a) => [approximateFlag(a[1] as string), 0], check: rejects("GeluKernelImpl", "bool", "int", "half"),
  backward: (g, x, _y, tanhForm) => gelu_backward(g, x, { approximate: tanhForm ? "tanh" : "none" }),
});
export const [silu, silu_] = unary("silu", {
  expr: "x / (1 + Math.exp(-x))", gradName: "SiluBackward0", check: rejects("silu_cpu", "bool", "int", "half"),
  backward: (g, x) => {
    if (!gradState.enabled) return silu_backward(g, x);
    const s = sigmoid(x);
    return mul(mul(g, s), add(mul(x, rsub(s, 1)), 1));
  },
});
type Softplus = (input: Tensor, beta?: Scalar, threshold?: Scalar) => Tensor;
export const softplus = defineOp<Softplus>("softplus", [unaryDef("softplus", {
  schema: "aten::softplus(Tensor self, Scalar beta=1, Scalar threshold=20) -> Tensor",
  expr: "softplus(x, p0, p1)", gradName: "SoftplusBackward0", params: (a) => [+a[1]!, +a[2]!],
  check: rejects("softplus_cpu", "bool", "int", "half"),
  backward: (g, x, _y, b, t) => softplus_backward(g, x, b, t),
})]);

const eluDef: OverloadDef = {
  schema: "aten::elu(Tensor self, Scalar alpha=1, Scalar scale=1, Scalar input_scale=1) -> Tensor",
  gradName: "EluBackward0",
  forward: (self: Tensor, a: Scalar, s: Scalar, i: Scalar) => {
    rejects("elu_cpu", "bool", "int", "half")(self.dtype);
    const out = new self.dtype.ArrayType(self.numel());
    eluLoop(self.contiguousData(), out, +a, +s, +i);
    roundForDType(out, self.dtype);
    return Tensor.fromData(out, self.shape.slice(), self.dtype);
  },
  backward: (g: Tensor, [x, a, s, i]: [Tensor, Scalar, Scalar, Scalar]) => [elu_backward(g, a, s, i, false, x)],
};
type Elu = (input: Tensor, alpha?: Scalar, scale?: Scalar, input_scale?: Scalar) => Tensor;
export const elu = defineOp<Elu>("elu", [eluDef]);
export const elu_ = defineOp<Elu>("elu_", [inplaceOf(eluDef, "EluBackward1")]);

declare module "../tensor.js" {
  interface Tensor {
    abs(): Tensor; abs_(): Tensor; absolute(): Tensor; absolute_(): Tensor;
    exp(): Tensor; exp_(): Tensor; log(): Tensor; log_(): Tensor; log1p(): Tensor; log1p_(): Tensor;
    sqrt(): Tensor; sqrt_(): Tensor; rsqrt(): Tensor; rsqrt_(): Tensor;
    sin(): Tensor; sin_(): Tensor; cos(): Tensor; cos_(): Tensor; tanh(): Tensor; tanh_(): Tensor;
    sigmoid(): Tensor; sigmoid_(): Tensor; erf(): Tensor; erf_(): Tensor; reciprocal(): Tensor; reciprocal_(): Tensor;
    floor(): Tensor; floor_(): Tensor; ceil(): Tensor; ceil_(): Tensor; trunc(): Tensor; trunc_(): Tensor;
    frac(): Tensor; frac_(): Tensor; sign(): Tensor; sign_(): Tensor;
    round(opts?: { decimals?: number }): Tensor; round_(opts?: { decimals?: number }): Tensor;
    pow(exponent: TensorLike): Tensor; pow_(exponent: TensorLike): Tensor; square(): Tensor; square_(): Tensor;
    clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor; clamp(bounds: ClampBounds): Tensor;
    clamp_(min?: TensorLike | null, max?: TensorLike | null): Tensor; clamp_(bounds: ClampBounds): Tensor;
    clip(min?: TensorLike | null, max?: TensorLike | null): Tensor; clip(bounds: ClampBounds): Tensor;
    clip_(min?: TensorLike | null, max?: TensorLike | null): Tensor; clip_(bounds: ClampBounds): Tensor;
    clamp_min(min: TensorLike): Tensor; clamp_min_(min: TensorLike): Tensor;
    clamp_max(max: TensorLike): Tensor; clamp_max_(max: TensorLike): Tensor;
    relu(): Tensor; relu_(): Tensor;
  }
}

installMethods({
  abs, abs_, absolute: abs, absolute_: abs_, exp, exp_, log, log_, log1p, log1p_, sqrt, sqrt_, rsqrt, rsqrt_,
  sin, sin_, cos, cos_, tanh, tanh_, sigmoid, sigmoid_, erf, erf_, reciprocal, reciprocal_,
  floor, floor_, ceil, ceil_, trunc, trunc_, frac, frac_, sign, sign_, round, round_,
  pow, pow_, square, square_, clamp, clamp_, clip, clip_, clamp_min, clamp_min_, clamp_max, clamp_max_, relu, relu_,
});
