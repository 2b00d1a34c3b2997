/**
 * trig.ts, pointwise_extra.ts, pointwise_ternary.ts against live PyTorch 1.13 (values, dtypes,
 * grad_fn names, gradients, errors in PyTorch's words) and by float64 numeric gradient checks.
 */
import { describe, expect, test } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";
import { script } from "../../../src/jit/script.js";
import { defineCell } from "../../jit/script/support.js";

type Spec = TorchCase["inputs"][0];
const f = (shape: number[], extra: Partial<Spec> = {}): Spec => ({ shape, ...extra });
const UNIT = { values: [-0.9, -0.5, -0.1, 0.2, 0.6, 0.95] };
const POS = { values: [0.25, 1.5, 3, 0.75, 2, 5.5] };
const ABOVE_ONE = { values: [1.1, 1.5, 2, 3, 5, 10] };
const EDGES = [-2.5, -1, -0.5, 0, 0.5, 1, 2.5, NaN, Infinity, -Infinity];

function methodCases(ops: string[], input: Spec, tag: string, grad = false, rtol?: number): TorchCase[] {
  return ops.map((op) => ({
    name: `${op} ${tag}`, inputs: [input], py: `a.${op}()`, grad, rtol,
    ts: (a: Tensor) => (a as unknown as Record<string, () => Tensor>)[op]!.call(a),
  }));
}

const ANYWHERE = ["expm1", "exp2", "tan", "atan", "sinh", "cosh", "asinh", "deg2rad", "rad2deg", "arctan", "arcsinh"];
const IN_UNIT = ["asin", "acos", "atanh", "erfinv", "arcsin", "arccos", "arctanh"];
const POSITIVE = ["log2", "log10"];
const ALL_UNARY = [...ANYWHERE, ...IN_UNIT, ...POSITIVE, "acosh", "arccosh"];
const NO_HALF = ["expm1", "log2", "log10", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "erfinv"];

const UNARY_CASES: TorchCase[] = [
  ...methodCases(ANYWHERE, f([2, 3]), "float32", true),
  ...methodCases(IN_UNIT, f([2, 3], UNIT), "float32", true),
  ...methodCases(POSITIVE, f([2, 3], POS), "float32", true),
  ...methodCases(["acosh", "arccosh"], f([2, 3], ABOVE_ONE), "float32", true),
  ...methodCases(ANYWHERE, f([3, 4], { dtype: "float64", transposed: true }), "float64 transposed", true, 1e-10),
  ...methodCases([...IN_UNIT, ...POSITIVE], f([6], { dtype: "float64", ...UNIT }), "float64", false, 1e-10),
  ...methodCases(["erfinv"], f([10], { dtype: "float64", values: [1e-9, -1e-5, 0.3, 0.69, 0.71, 0.97, -0.9999, -0.75, 0.5, 0.123456789] }), "float64", false, 1e-13),
  // near 1, erf(x) - y cancels in PyTorch's Newton steps as in ours: agreement to erf's last bit
  ...methodCases(["erfinv"], f([3], { dtype: "float64", values: [0.999999, 1 - 1e-9, 1 - 1e-12] }), "float64 tails", false, 1e-6),
  ...methodCases(ALL_UNARY, f([10], { values: EDGES }), "edge values"),
  ...methodCases(ALL_UNARY, f([2, 3], { dtype: "int64" }), "int64"),
  ...methodCases(["expm1", "exp2", "atan", "deg2rad", "erfinv", "log2"], f([4], { dtype: "bool" }), "bool"),
  ...methodCases(["sinh", "rad2deg", "log10"], f([4], { dtype: "uint8", values: [0, 3, 200, 7] }), "uint8"),
  ...methodCases(NO_HALF, f([3], { dtype: "float16" }), "float16 error"),
  ...methodCases(["exp2", "deg2rad", "rad2deg"], f([2, 3], { dtype: "float16" }), "float16", false, 1e-3),
  ...methodCases(["tan", "atan", "sinh", "expm1", "deg2rad"], f([2, 3], { dtype: "bfloat16" }), "bfloat16", false, 1e-2),
  ...["expm1_", "tan_", "erfinv_", "deg2rad_", "arcsin_"].map((op): TorchCase => ({
    name: `${op} on a clone`, inputs: [f([2, 3], UNIT)], py: `a.clone().${op}()`, grad: true,
    ts: (a) => {
      const c = a.clone();
      return (c as unknown as Record<string, () => Tensor>)[op]!.call(c);
    },
  })),
  { name: "acosh_ on a clone", inputs: [f([2, 3], ABOVE_ONE)], py: "torch.acosh_(a.clone())", ts: (a) => torch.acosh_(a.clone()) },
  { name: "atanh_", inputs: [f([2, 3], UNIT)], py: "a.atanh_()", ts: (a) => a.atanh_() },
  { name: "log2_ int error", inputs: [f([3], { dtype: "int64" })], py: "a.log2_()", ts: (a) => a.log2_() },
  { name: "sinh_ float64", inputs: [f([3], { dtype: "float64" })], py: "a.sinh_()", ts: (a) => a.sinh_(), rtol: 1e-12 },
];

const BINARY_CASES: TorchCase[] = [
  // atan2, hypot, logaddexp
  { name: "atan2", inputs: [f([2, 3]), f([3])], py: "torch.atan2(a, b)", ts: (a, b) => torch.atan2(a, b!), grad: true },
  { name: "arctan2", inputs: [f([2, 3]), f([2, 3])], py: "a.arctan2(b)", ts: (a, b) => a.arctan2(b!), grad: true },
  { name: "atan2 float64", inputs: [f([3, 4], { dtype: "float64" }), f([4], { dtype: "float64" })], py: "a.atan2(b)", ts: (a, b) => a.atan2(b!), grad: true, rtol: 1e-12 },
  { name: "atan2 signs and zeros", inputs: [f([8], { values: [0, 0, 1, -1, 1, -1, Infinity, NaN] }), f([8], { values: [1, -1, 0, 0, -1, -1, Infinity, 1] })], py: "torch.atan2(a, b)", ts: (a, b) => torch.atan2(a, b!) },
  { name: "atan2 int", inputs: [f([4], { dtype: "int64" }), f([4], { dtype: "int32" })], py: "torch.atan2(a, b)", ts: (a, b) => torch.atan2(a, b!) },
  { name: "atan2 int float", inputs: [f([4], { dtype: "int64" }), f([4])], py: "torch.atan2(a, b)", ts: (a, b) => torch.atan2(a, b!) },
  { name: "atan2 float16 error", inputs: [f([3], { dtype: "float16" }), f([3], { dtype: "float16" })], py: "torch.atan2(a, b)", ts: (a, b) => torch.atan2(a, b!) },
  { name: "atan2_", inputs: [f([2, 3]), f([3])], py: "a.clone().atan2_(b)", ts: (a, b) => a.clone().atan2_(b!), grad: true },
  { name: "atan2_ int error", inputs: [f([3], { dtype: "int64" }), f([3], { dtype: "int64" })], py: "a.atan2_(b)", ts: (a, b) => a.atan2_(b!) },
  { name: "hypot", inputs: [f([2, 3]), f([2, 1])], py: "torch.hypot(a, b)", ts: (a, b) => torch.hypot(a, b!), grad: true },
  { name: "hypot_", inputs: [f([2, 3]), f([3])], py: "a.clone().hypot_(b)", ts: (a, b) => a.clone().hypot_(b!), grad: true },
  { name: "hypot int error", inputs: [f([3], { dtype: "int64" }), f([3], { dtype: "int64" })], py: "torch.hypot(a, b)", ts: (a, b) => torch.hypot(a, b!) },
  { name: "hypot bfloat16", inputs: [f([3], { dtype: "bfloat16" }), f([3], { dtype: "bfloat16" })], py: "torch.hypot(a, b)", ts: (a, b) => torch.hypot(a, b!), rtol: 1e-2 },
  { name: "logaddexp", inputs: [f([2, 3]), f([3])], py: "torch.logaddexp(a, b)", ts: (a, b) => torch.logaddexp(a, b!), grad: true },
  { name: "logaddexp2", inputs: [f([2, 3]), f([2, 3])], py: "a.logaddexp2(b)", ts: (a, b) => a.logaddexp2(b!), grad: true },
  ...["logaddexp", "logaddexp2"].map((op): TorchCase => ({
    name: `${op} infinities`, inputs: [f([6], { values: [Infinity, -Infinity, Infinity, NaN, 100, -100] }), f([6], { values: [Infinity, -Infinity, -Infinity, 1, -100, -101] })],
    py: `torch.${op}(a, b)`, ts: (a, b) => (torch as unknown as Record<string, (x: Tensor, y: Tensor) => Tensor>)[op]!(a, b!),
  })),
  { name: "logaddexp float64", inputs: [f([4], { dtype: "float64" }), f([4], { dtype: "float64" })], py: "torch.logaddexp(a, b)", ts: (a, b) => torch.logaddexp(a, b!), grad: true, rtol: 1e-12 },
  { name: "logaddexp int error", inputs: [f([3], { dtype: "int32" }), f([3], { dtype: "int32" })], py: "torch.logaddexp(a, b)", ts: (a, b) => torch.logaddexp(a, b!) },
  // fmod, remainder
  { name: "fmod tensor", inputs: [f([2, 3]), f([3], { values: [0.7, -1.3, 2.1] })], py: "torch.fmod(a, b)", ts: (a, b) => torch.fmod(a, b!), grad: true },
  { name: "fmod scalar", inputs: [f([2, 3])], py: "a.fmod(0.75)", ts: (a) => a.fmod(0.75), grad: true },
  { name: "remainder tensor", inputs: [f([2, 3]), f([3], { values: [0.7, -1.3, 2.1] })], py: "torch.remainder(a, b)", ts: (a, b) => torch.remainder(a, b!), grad: true },
  { name: "remainder scalar", inputs: [f([2, 3])], py: "a.remainder(-0.75)", ts: (a) => a.remainder(-0.75), grad: true },
  { name: "fmod int", inputs: [f([6], { dtype: "int64", values: [-7, -3, 0, 3, 7, 9] }), f([6], { dtype: "int64", values: [2, -2, 3, 2, -3, 4] })], py: "torch.fmod(a, b)", ts: (a, b) => torch.fmod(a, b!) },
  { name: "remainder int", inputs: [f([6], { dtype: "int64", values: [-7, -3, 0, 3, 7, 9] }), f([6], { dtype: "int64", values: [2, -2, 3, 2, -3, 4] })], py: "torch.remainder(a, b)", ts: (a, b) => torch.remainder(a, b!) },
  { name: "remainder int32 scalar", inputs: [f([4], { dtype: "int32", values: [-5, -1, 4, 5] })], py: "a.remainder(3)", ts: (a) => a.remainder(3) },
  { name: "remainder scalar tensor", inputs: [f([4], { dtype: "int64", values: [3, -2, 5, 7] })], py: "torch.remainder(10, a)", ts: (a) => torch.remainder(10, a) },
  { name: "fmod int float", inputs: [f([4], { dtype: "int64" })], py: "torch.fmod(a, 2.5)", ts: (a) => torch.fmod(a, 2.5) },
  { name: "fmod float by zero", inputs: [f([3])], py: "torch.fmod(a, 0.)", ts: (a) => torch.fmod(a, 0) },
  { name: "fmod int by zero", inputs: [f([3], { dtype: "int64" }), f([3], { dtype: "int64", values: [1, 0, 2] })], py: "torch.fmod(a, b)", ts: (a, b) => torch.fmod(a, b!) },
  { name: "remainder int by zero scalar", inputs: [f([3], { dtype: "int64" })], py: "torch.remainder(a, 0)", ts: (a) => torch.remainder(a, 0) },
  { name: "fmod bool error", inputs: [f([3], { dtype: "bool" }), f([3], { dtype: "bool" })], py: "torch.fmod(a, b)", ts: (a, b) => torch.fmod(a, b!) },
  { name: "fmod float16", inputs: [f([3], { dtype: "float16" })], py: "torch.fmod(a, 0.75)", ts: (a) => torch.fmod(a, 0.75), rtol: 1e-3 },
  { name: "fmod_", inputs: [f([2, 3]), f([3], { values: [0.7, -1.3, 2.1] })], py: "a.clone().fmod_(b)", ts: (a, b) => a.clone().fmod_(b!), grad: true },
  { name: "remainder_ scalar", inputs: [f([2, 3])], py: "a.clone().remainder_(0.6)", ts: (a) => a.clone().remainder_(0.6), grad: true },
  // xlogy, copysign, heaviside
  { name: "xlogy", inputs: [f([2, 3]), f([3], { values: [0.5, 2, 3.5] })], py: "torch.xlogy(a, b)", ts: (a, b) => torch.xlogy(a, b!), grad: true },
  { name: "xlogy zeros and nan", inputs: [f([5], { values: [0, 0, 0, 2, 1] }), f([5], { values: [0, NaN, -1, 0, Infinity] })], py: "torch.xlogy(a, b)", ts: (a, b) => torch.xlogy(a, b!) },
  { name: "xlogy zero self grads", inputs: [f([3], { values: [0, 1, 2] }), f([3], { values: [0.5, 2, 3] })], py: "torch.xlogy(a, b)", ts: (a, b) => torch.xlogy(a, b!), grad: true },
  { name: "xlogy scalar self", inputs: [f([2, 3], POS)], py: "torch.xlogy(2.5, a)", ts: (a) => torch.xlogy(2.5, a), grad: true },
  { name: "xlogy scalar other", inputs: [f([2, 3])], py: "torch.xlogy(a, 3.5)", ts: (a) => torch.xlogy(a, 3.5), grad: true },
  { name: "xlogy int", inputs: [f([4], { dtype: "int64", values: [0, 1, 2, 3] }), f([4], { dtype: "int64", values: [5, 0, 2, 3] })], py: "a.xlogy(b)", ts: (a, b) => a.xlogy(b!) },
  { name: "xlogy_", inputs: [f([2, 3]), f([3], { values: [0.5, 2, 3.5] })], py: "a.clone().xlogy_(b)", ts: (a, b) => a.clone().xlogy_(b!), grad: true },
  { name: "xlogy_ scalar", inputs: [f([2, 3])], py: "a.clone().xlogy_(2.)", ts: (a) => a.clone().xlogy_(2) },
  { name: "copysign", inputs: [f([2, 3]), f([3])], py: "torch.copysign(a, b)", ts: (a, b) => torch.copysign(a, b!), grad: true },
  { name: "copysign zeros", inputs: [f([4], { values: [0, 1, -2, 0] }), f([4], { values: [-1, -1, 1, 1] })], py: "torch.copysign(a, b)", ts: (a, b) => torch.copysign(a, b!), grad: true },
  { name: "copysign scalar", inputs: [f([2, 3])], py: "a.copysign(-1.5)", ts: (a) => a.copysign(-1.5), grad: true },
  { name: "copysign int", inputs: [f([4], { dtype: "int64" }), f([4], { dtype: "int64" })], py: "torch.copysign(a, b)", ts: (a, b) => torch.copysign(a, b!) },
  { name: "copysign_", inputs: [f([2, 3]), f([3])], py: "a.clone().copysign_(b)", ts: (a, b) => a.clone().copysign_(b!), grad: true },
  { name: "heaviside", inputs: [f([6], { values: [-1, 0, 2, 0, NaN, -0.5] }), f([6], { values: [0.5, 0.5, 0.5, 7, 1, 1] })], py: "torch.heaviside(a, b)", ts: (a, b) => torch.heaviside(a, b!) },
  { name: "heaviside int broadcast", inputs: [f([2, 3], { dtype: "int64" }), f([1], { dtype: "int64", values: [9] })], py: "a.heaviside(b)", ts: (a, b) => a.heaviside(b!) },
  { name: "heaviside mixed error", inputs: [f([3], { dtype: "int64" }), f([3])], py: "torch.heaviside(a, b)", ts: (a, b) => torch.heaviside(a, b!) },
  { name: "heaviside_", inputs: [f([4], { values: [-1, 0, 2, 0] }), f([4], { values: [0.5, 0.5, 0.5, 7] })], py: "a.heaviside_(b)", ts: (a, b) => a.heaviside_(b!) },
  // float_power
  { name: "float_power tensor", inputs: [f([2, 3], POS), f([3])], py: "torch.float_power(a, b)", ts: (a, b) => torch.float_power(a, b!), grad: true, rtol: 1e-6 },
  { name: "float_power scalar", inputs: [f([2, 3])], py: "a.float_power(2)", ts: (a) => a.float_power(2), grad: true },
  { name: "float_power scalar base", inputs: [f([2, 3])], py: "torch.float_power(2.5, a)", ts: (a) => torch.float_power(2.5, a), grad: true, rtol: 1e-6 },
  { name: "float_power int", inputs: [f([4], { dtype: "int64" })], py: "torch.float_power(a, 3)", ts: (a) => torch.float_power(a, 3) },
  { name: "float_power_ float error", inputs: [f([3])], py: "a.float_power_(2)", ts: (a) => a.float_power_(2) },
  { name: "float_power_ double", inputs: [f([3], { dtype: "float64" }), f([3])], py: "a.clone().float_power_(b)", ts: (a, b) => a.clone().float_power_(b!), grad: true },
  // nan_to_num
  { name: "nan_to_num", inputs: [f([5], { values: [NaN, Infinity, -Infinity, 1.5, -2] })], py: "torch.nan_to_num(a)", ts: (a) => torch.nan_to_num(a), grad: true },
  { name: "nan_to_num values", inputs: [f([5], { values: [NaN, Infinity, -Infinity, 1.5, -2] })], py: "a.nan_to_num(0.5, 100., -100.)", ts: (a) => a.nan_to_num(0.5, 100, -100), grad: true },
  { name: "nan_to_num keyword", inputs: [f([3], { values: [NaN, Infinity, -Infinity] })], py: "torch.nan_to_num(a, posinf=1e50)", ts: (a) => torch.nan_to_num(a, { posinf: 1e50 }) },
  { name: "nan_to_num float64", inputs: [f([3], { dtype: "float64", values: [NaN, Infinity, -Infinity] })], py: "torch.nan_to_num(a)", ts: (a) => torch.nan_to_num(a), rtol: 0 },
  { name: "nan_to_num float16", inputs: [f([3], { dtype: "float16", values: [NaN, Infinity, -Infinity] })], py: "torch.nan_to_num(a)", ts: (a) => torch.nan_to_num(a) },
  { name: "nan_to_num int", inputs: [f([3], { dtype: "int64" })], py: "torch.nan_to_num(a)", ts: (a) => torch.nan_to_num(a) },
  { name: "nan_to_num_", inputs: [f([4], { values: [NaN, Infinity, -Infinity, 3] })], py: "a.clone().nan_to_num_(1.)", ts: (a) => a.clone().nan_to_num_(1), grad: true },
  // square (unary.ts), checked here against the same table
  { name: "square bool", inputs: [f([3], { dtype: "bool" })], py: "torch.square(a)", ts: (a) => torch.square(a) },
  { name: "square int", inputs: [f([3], { dtype: "int32" })], py: "a.square()", ts: (a) => a.square() },
];

const TERNARY_CASES: TorchCase[] = [
  { name: "lerp scalar", inputs: [f([2, 3]), f([3])], py: "torch.lerp(a, b, 0.3)", ts: (a, b) => torch.lerp(a, b!, 0.3), grad: true },
  { name: "lerp scalar high weight", inputs: [f([2, 3]), f([2, 3])], py: "a.lerp(b, 0.8)", ts: (a, b) => a.lerp(b!, 0.8), grad: true },
  { name: "lerp tensor", inputs: [f([2, 3]), f([2, 3]), f([3], { values: [0.1, 0.5, 0.9] })], py: "torch.lerp(a, b, c)", ts: (a, b, c) => torch.lerp(a, b!, c!), grad: true },
  { name: "lerp float64", inputs: [f([4], { dtype: "float64" }), f([4], { dtype: "float64" }), f([4], { dtype: "float64" })], py: "torch.lerp(a, b, c)", ts: (a, b, c) => torch.lerp(a, b!, c!), grad: true, rtol: 1e-12 },
  { name: "lerp_", inputs: [f([2, 3]), f([3])], py: "a.clone().lerp_(b, 0.25)", ts: (a, b) => a.clone().lerp_(b!, 0.25), grad: true },
  { name: "lerp_ tensor", inputs: [f([2, 3]), f([2, 3]), f([2, 3])], py: "a.clone().lerp_(b, c)", ts: (a, b, c) => a.clone().lerp_(b!, c!), grad: true },
  { name: "lerp int error", inputs: [f([3], { dtype: "int64" }), f([3], { dtype: "int64" })], py: "torch.lerp(a, b, 0.5)", ts: (a, b) => torch.lerp(a, b!, 0.5) },
  { name: "lerp tensor int error", inputs: [f([3], { dtype: "int64" }), f([3], { dtype: "int64" }), f([3], { dtype: "int64" })], py: "torch.lerp(a, b, c)", ts: (a, b, c) => torch.lerp(a, b!, c!) },
  { name: "lerp mixed error", inputs: [f([3]), f([3], { dtype: "float64" })], py: "torch.lerp(a, b, 0.5)", ts: (a, b) => torch.lerp(a, b!, 0.5) },
  { name: "lerp weight mixed error", inputs: [f([3]), f([3]), f([3], { dtype: "int64" })], py: "torch.lerp(a, b, c)", ts: (a, b, c) => torch.lerp(a, b!, c!) },
  { name: "lerp float16 error", inputs: [f([3], { dtype: "float16" }), f([3], { dtype: "float16" })], py: "torch.lerp(a, b, 0.5)", ts: (a, b) => torch.lerp(a, b!, 0.5) },
  { name: "addcmul", inputs: [f([2, 3]), f([3]), f([2, 1])], py: "torch.addcmul(a, b, c, value=0.5)", ts: (a, b, c) => torch.addcmul(a, b!, c!, { value: 0.5 }), grad: true },
  { name: "addcmul default value", inputs: [f([2, 3]), f([2, 3]), f([2, 3])], py: "a.addcmul(b, c)", ts: (a, b, c) => a.addcmul(b!, c!), grad: true },
  { name: "addcmul int", inputs: [f([3], { dtype: "int64" }), f([3], { dtype: "int64" }), f([3], { dtype: "int64" })], py: "torch.addcmul(a, b, c, value=2.5)", ts: (a, b, c) => torch.addcmul(a, b!, c!, { value: 2.5 }) },
  { name: "addcmul mixed", inputs: [f([3], { dtype: "int64" }), f([3]), f([3], { dtype: "float64" })], py: "torch.addcmul(a, b, c, value=2)", ts: (a, b, c) => torch.addcmul(a, b!, c!, { value: 2 }), rtol: 1e-12 },
  { name: "addcmul_", inputs: [f([2, 3]), f([3]), f([2, 3])], py: "a.clone().addcmul_(b, c, value=-1.5)", ts: (a, b, c) => a.clone().addcmul_(b!, c!, { value: -1.5 }), grad: true },
  { name: "addcmul bool error", inputs: [f([3], { dtype: "bool" }), f([3], { dtype: "bool" }), f([3], { dtype: "bool" })], py: "torch.addcmul(a, b, c)", ts: (a, b, c) => torch.addcmul(a, b!, c!) },
  { name: "addcdiv", inputs: [f([2, 3]), f([3]), f([2, 3], POS)], py: "torch.addcdiv(a, b, c, value=0.5)", ts: (a, b, c) => torch.addcdiv(a, b!, c!, { value: 0.5 }), grad: true },
  { name: "addcdiv float64", inputs: [f([4], { dtype: "float64" }), f([4], { dtype: "float64" }), f([4], { dtype: "float64", values: [0.5, 1, 2, -3] })], py: "a.addcdiv(b, c, value=-2)", ts: (a, b, c) => a.addcdiv(b!, c!, { value: -2 }), grad: true, rtol: 1e-12 },
  { name: "addcdiv int error", inputs: [f([3]), f([3], { dtype: "int64" }), f([3], { dtype: "int64" })], py: "torch.addcdiv(a, b, c)", ts: (a, b, c) => torch.addcdiv(a, b!, c!) },
  { name: "addcdiv mixed", inputs: [f([3], { dtype: "int64" }), f([3]), f([3], { dtype: "int64", values: [1, 2, 4] })], py: "torch.addcdiv(a, b, c)", ts: (a, b, c) => torch.addcdiv(a, b!, c!) },
  { name: "addcdiv_", inputs: [f([2, 3]), f([3]), f([2, 3], POS)], py: "a.clone().addcdiv_(b, c, value=2)", ts: (a, b, c) => a.clone().addcdiv_(b!, c!, { value: 2 }), grad: true },
  { name: "addcdiv float16 error", inputs: [f([3], { dtype: "float16" }), f([3], { dtype: "float16" }), f([3], { dtype: "float16" })], py: "torch.addcdiv(a, b, c)", ts: (a, b, c) => torch.addcdiv(a, b!, c!) },
];

describe.skipIf(!hasTorch)("extra elementwise math against PyTorch", () => {
  test("unary", () => compareWithTorch(UNARY_CASES));
  test("binary", () => compareWithTorch(BINARY_CASES));
  test("lerp, addcmul, addcdiv", () => compareWithTorch(TERNARY_CASES));

  test("results print as PyTorch prints them", () => {
    const x = torch.tensor([0.5, -0.25, 2], { requires_grad: true });
    const y = torch.tensor([1.5, 2, -3]);
    const printed = [
      torch.atan2(x, y), torch.erfinv(torch.tensor([0.5, -0.9, 0.999, 1])), torch.fmod(torch.tensor([-7, 5, 9]), 4),
      torch.nan_to_num(torch.tensor([NaN, Infinity, -Infinity, 1])), torch.lerp(x, y, 0.3), torch.heaviside(x, y),
      torch.float_power(torch.tensor([2, 3]), 0.5), torch.xlogy(torch.tensor([0, 1, 2]), 3.5), x.rad2deg(),
    ].map((t) => t.toString());
    const expected = runTorch<string[]>(`
x = torch.tensor([0.5, -0.25, 2], requires_grad=True)
y = torch.tensor([1.5, 2, -3])
print(json.dumps([str(t) for t in [
  torch.atan2(x, y), torch.erfinv(torch.tensor([0.5, -0.9, 0.999, 1])), torch.fmod(torch.tensor([-7, 5, 9]), 4),
  torch.nan_to_num(torch.tensor([float("nan"), float("inf"), float("-inf"), 1])), torch.lerp(x, y, 0.3), torch.heaviside(x, y),
  torch.float_power(torch.tensor([2, 3]), 0.5), torch.xlogy(torch.tensor([0, 1, 2]), 3.5), x.rad2deg()]]))
`);
    expect(printed).toEqual(expected);
  });
});

describe("extra elementwise math", () => {
  test("gradcheck of the unary ops in float64", () => {
    const x = leaf([2, 3]);
    const unit = leaf([2, 3], 2).mul(0.9).detach().requires_grad_();
    const pos = leaf([2, 3], 3, { positive: true });
    const aboveOne = leaf([2, 3], 4, { positive: true }).add(0.6).detach().requires_grad_();
    for (const fn of [(a: Tensor) => a.expm1(), (a: Tensor) => a.exp2(), (a: Tensor) => a.tan(), (a: Tensor) => a.atan(),
      (a: Tensor) => a.sinh(), (a: Tensor) => a.cosh(), (a: Tensor) => a.asinh(), (a: Tensor) => a.deg2rad(), (a: Tensor) => a.rad2deg()]) gradcheck(fn, [x]);
    for (const fn of [(a: Tensor) => a.asin(), (a: Tensor) => a.acos(), (a: Tensor) => a.atanh(), (a: Tensor) => a.erfinv()]) gradcheck(fn, [unit]);
    for (const fn of [(a: Tensor) => a.log2(), (a: Tensor) => a.log10()]) gradcheck(fn, [pos]);
    gradcheck((a) => a.acosh(), [aboveOne]);
  });

  test("gradcheck of the binary and ternary ops in float64", () => {
    const x = leaf([2, 3]);
    const y = leaf([3], 5);
    const pos = leaf([3], 6, { positive: true });
    const w = leaf([2, 3], 7);
    gradcheck((a, b) => torch.atan2(a, b!), [x, y]);
    gradcheck((a, b) => torch.hypot(a, b!), [x, y]);
    gradcheck((a, b) => torch.logaddexp(a, b!), [x, y]);
    gradcheck((a, b) => torch.logaddexp2(a, b!), [x, y]);
    gradcheck((a, b) => torch.fmod(a, b!), [x, pos]);
    gradcheck((a, b) => torch.remainder(a, b!), [x, pos]);
    gradcheck((a) => torch.remainder(a, 0.3), [x]);
    gradcheck((a, b) => torch.xlogy(a, b!), [x, pos]);
    gradcheck((a) => torch.xlogy(1.5, a), [pos]);
    gradcheck((a, b) => torch.copysign(a, b!), [x, y]);
    gradcheck((a, b) => torch.float_power(a, b!), [pos, y]);
    gradcheck((a, b) => torch.lerp(a, b!, 0.7), [x, y]);
    gradcheck((a, b, c) => torch.lerp(a, b!, c!), [x, y, w]);
    gradcheck((a, b, c) => torch.addcmul(a, b!, c!, { value: -0.5 }), [x, y, w]);
    gradcheck((a, b, c) => torch.addcdiv(a, b!, c!, { value: 1.5 }), [x, w, pos]);
    gradcheck((a) => torch.nan_to_num(a), [x]);
  });

  test("ops PyTorch does not differentiate have a NotImplemented grad_fn that throws", () => {
    const x = leaf([3]);
    const h = torch.heaviside(x, torch.tensor([0.5], { dtype: "float64" }));
    expect(h.grad_fn?.name()).toBe("NotImplemented");
    expect(() => h.sum().backward()).toThrow("derivative for aten::heaviside is not implemented");
    const r = torch.remainder(2, x);
    expect(r.grad_fn?.name()).toBe("NotImplemented");
    expect(() => r.sum().backward()).toThrow("derivative for aten::remainder is not implemented");
  });

  test("in-place inverse hyperbolic functions name their grad_fn but, as in PyTorch, have no derivative", () => {
    for (const op of ["asinh", "acosh", "atanh"]) {
      const y = (leaf([3], 1, { positive: true }).add(op === "acosh" ? 1 : 0).mul(op === "atanh" ? 0.5 : 1) as unknown as Record<string, () => Tensor>)[`${op}_`]!();
      expect(y.grad_fn?.name()).toBe(`${op[0]!.toUpperCase()}${op.slice(1)}Backward1`);
      expect(() => y.sum().backward()).toThrow(`the derivative for 'inplace version of ${op}' is not implemented.`);
    }
  });

  test("schemas are PyTorch 1.13's", () => {
    const schemas = (op: { overloads: readonly { schema: { text: string } }[] }) => op.overloads.map((o) => o.schema.text);
    expect(schemas(torch.lerp)).toEqual([
      "aten::lerp.Scalar(Tensor self, Tensor end, Scalar weight) -> Tensor",
      "aten::lerp.Tensor(Tensor self, Tensor end, Tensor weight) -> Tensor",
    ]);
    expect(schemas(torch.addcmul_)).toEqual(["aten::addcmul_(Tensor(a!) self, Tensor tensor1, Tensor tensor2, *, Scalar value=1) -> Tensor(a!)"]);
    expect(schemas(torch.xlogy_)).toEqual([
      "aten::xlogy_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)",
      "aten::xlogy_.Scalar_Other(Tensor(a!) self, Scalar other) -> Tensor(a!)",
    ]);
    expect(schemas(torch.remainder)).toContain("aten::remainder.Scalar_Tensor(Scalar self, Tensor other) -> Tensor");
    expect(schemas(torch.nan_to_num)).toEqual(["aten::nan_to_num(Tensor self, float? nan=None, float? posinf=None, float? neginf=None) -> Tensor"]);
  });

  test("elementwise ops carry a kernel expression for fusion", () => {
    for (const op of [torch.expm1, torch.tan, torch.atanh, torch.deg2rad, torch.atan2, torch.hypot, torch.logaddexp, torch.fmod, torch.remainder, torch.xlogy, torch.copysign, torch.heaviside, torch.lerp]) {
      expect(op.overloads[0]!.jsExpr, op.name).toBeTypeOf("string");
    }
  });

  test("a scripted function using them runs and equals eager", () => {
    const { mix } = defineCell(`
function mix(x: Tensor, y: Tensor, w: Tensor): Tensor {
  const a = torch.atan2(x, y).add(x.expm1()).mul(torch.hypot(x, y));
  const b = torch.lerp(x, y, 0.3).sub(x.remainder(0.7)).add(torch.fmod(y, x));
  const c = torch.addcmul(a, b, w, { value: 0.5 }).addcdiv(x, w.exp());
  return c.add(torch.xlogy(w.abs(), y.abs().add(1))).add(torch.lerp(x, y, w.sigmoid())).add(x.tanh().atanh().asinh());
}
`, { file: "<math_extra>" });
    const f = script(mix);
    for (const name of ["atan2", "hypot", "lerp", "remainder", "fmod", "addcmul", "addcdiv", "xlogy", "atanh", "asinh"]) {
      expect(f.code, name).toContain(`torch.${name}(`);
    }
    const [x, y, w] = [leaf([2, 3], 11), leaf([2, 3], 12), leaf([3], 13)];
    const eager = mix(x, y, w) as Tensor;
    const scripted = f(x, y, w) as Tensor;
    expect(scripted.dtype).toBe(eager.dtype);
    expect(Array.from(scripted.contiguousData())).toEqual(Array.from(eager.contiguousData()));
    const [ge] = torch.autograd.grad(eager.sum(), [w]);
    const [gs] = torch.autograd.grad(scripted.sum(), [w]);
    expect(Array.from(gs!.contiguousData())).toEqual(Array.from(ge!.contiguousData()));
  });
});
