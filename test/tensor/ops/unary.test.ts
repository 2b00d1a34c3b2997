import { describe, expect, test } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

type Spec = TorchCase["inputs"][0];
const f = (shape: number[], extra: Partial<Spec> = {}): Spec => ({ shape, ...extra });
const POS = { values: [0.25, 1.5, 3, 0.75, 2, 5.5] };
const EDGES = [-2.5, -1.5, -0.5, 0, 0.5, 1.5, 2.5, NaN, Infinity, -Infinity];

/** One case per (op, input): the same method call in Python and TS. */
function methodCases(ops: string[], input: Spec, tag: string, grad = false, rtol?: number): TorchCase[] {
  return ops.map((op) => ({
    name: `${op} ${tag}`, inputs: [input], py: `a.${op}()`, grad, rtol,
    ts: (a: Tensor) => (a as unknown as Record<string, () => Tensor>)[op]!.call(a),
  }));
}

const MATH = ["abs", "exp", "sin", "cos", "tanh", "sigmoid", "erf", "floor", "ceil", "trunc", "frac", "sign", "round", "square", "relu"];
const POSITIVE = ["log", "log1p", "sqrt", "rsqrt", "reciprocal"];

const CASES: TorchCase[] = [
  ...methodCases(MATH, f([2, 3]), "float32", true),
  ...methodCases(POSITIVE, f([2, 3], POS), "float32", true),
  ...methodCases([...MATH, ...POSITIVE], f([3, 4], { dtype: "float64", transposed: true }), "float64 transposed", true, 1e-10),
  ...methodCases([...MATH, ...POSITIVE], f([10], { values: EDGES }), "edge values"),
  ...methodCases(["exp", "sqrt", "sigmoid", "abs", "floor", "round", "sign", "square", "reciprocal", "relu", "erf"], f([2, 3], { dtype: "int64" }), "int64"),
  ...methodCases(["exp", "sigmoid", "sign", "square", "reciprocal", "abs", "floor", "relu"], f([4], { dtype: "bool" }), "bool"),
  ...methodCases(["abs", "sign", "relu", "sqrt", "floor"], f([4], { dtype: "uint8", values: [0, 3, 200, 7] }), "uint8"),
  ...methodCases(["abs", "exp", "sqrt", "sign", "round", "sigmoid", "relu", "frac"], f([2, 3], { dtype: "float16" }), "float16", false, 1e-3),
  ...methodCases(["abs", "exp", "sqrt", "tanh", "round", "sigmoid", "relu", "floor"], f([2, 3], { dtype: "bfloat16" }), "bfloat16", false, 1e-2),
  // in place
  { name: "exp_ on a clone", inputs: [f([2, 3])], py: "a.clone().exp_()", ts: (a) => a.clone().exp_(), grad: true },
  { name: "sqrt_ on a clone", inputs: [f([2, 3], POS)], py: "a.clone().sqrt_()", ts: (a) => a.clone().sqrt_(), grad: true },
  { name: "relu_ on a clone", inputs: [f([2, 3])], py: "torch.relu_(a.clone())", ts: (a) => torch.relu_(a.clone()), grad: true },
  { name: "round_ int", inputs: [f([3], { dtype: "int32" })], py: "a.round_()", ts: (a) => a.round_() },
  { name: "exp_ int error", inputs: [f([3], { dtype: "int64" })], py: "a.exp_()", ts: (a) => a.exp_() },
  { name: "sigmoid_ int error", inputs: [f([3], { dtype: "int32" })], py: "a.sigmoid_()", ts: (a) => a.sigmoid_() },
  // round with decimals (float32 scaling)
  { name: "round decimals", inputs: [f([6], { values: [1.005, 2.675, 0.125, 0.375, -1.25, 1234.5678] })], py: "a.round(decimals=2)", ts: (a) => a.round({ decimals: 2 }), grad: true },
  { name: "round decimals float64", inputs: [f([4], { dtype: "float64", values: [1.005, 2.675, 0.125, 0.375] })], py: "torch.round(a, decimals=2)", ts: (a) => torch.round(a, { decimals: 2 }), rtol: 0 },
  { name: "round negative decimals", inputs: [f([3], { values: [250, 350, 1234] })], py: "a.round(decimals=-2)", ts: (a) => a.round({ decimals: -2 }) },
  { name: "round_ decimals", inputs: [f([3], { values: [0.25, 0.35, 0.45] })], py: "a.round_(decimals=1)", ts: (a) => a.round_({ decimals: 1 }) },
  // pow
  ...[2, 3, 0.5, -0.5, -1, -2, 1.5, 0, 1].map((e): TorchCase => ({
    name: `pow ${e}`, inputs: [f([2, 3], POS)], py: `a.pow(${e})`, ts: (a) => a.pow(e), grad: true,
  })),
  { name: "pow negative base", inputs: [f([2, 3])], py: "a.pow(3)", ts: (a) => a.pow(3), grad: true },
  { name: "pow tensor", inputs: [f([2, 3], POS), f([3])], py: "a.pow(b)", ts: (a, b) => a.pow(b!), grad: true },
  { name: "pow tensor zeros", inputs: [f([4], { values: [0, 0, 2, -1] }), f([4], { values: [-1, 0, 1, 2] })], py: "torch.pow(a, b)", ts: (a, b) => torch.pow(a, b!), grad: true },
  { name: "pow scalar base", inputs: [f([2, 3])], py: "torch.pow(2.5, a)", ts: (a) => torch.pow(2.5, a), grad: true },
  { name: "pow zero base", inputs: [f([4], { values: [-1, 0, 1, 2] })], py: "torch.pow(0, a)", ts: (a) => torch.pow(0, a), grad: true },
  { name: "pow int", inputs: [f([2, 3], { dtype: "int64" })], py: "a.pow(2)", ts: (a) => a.pow(2) },
  { name: "pow int float exponent", inputs: [f([2, 3], { dtype: "int64" })], py: "a.pow(0.5)", ts: (a) => a.pow(0.5) },
  { name: "pow int negative error", inputs: [f([3], { dtype: "int64" })], py: "a.pow(-2)", ts: (a) => a.pow(-2) },
  { name: "pow int tensor negative", inputs: [f([5], { dtype: "int64", values: [1, -1, -1, 2, 0] }), f([5], { dtype: "int64", values: [-2, -3, -2, -1, 3] })], py: "a.pow(b)", ts: (a, b) => a.pow(b!) },
  { name: "pow int base tensor", inputs: [f([3], { dtype: "int64", values: [-1, 2, 3] })], py: "torch.pow(2, a)", ts: (a) => torch.pow(2, a) },
  { name: "pow int32 wraps", inputs: [f([2], { dtype: "int32", values: [46341, 3] })], py: "a.pow(2)", ts: (a) => a.pow(2) },
  { name: "pow bool", inputs: [f([3], { dtype: "bool" })], py: "a.pow(2)", ts: (a) => a.pow(2) },
  { name: "pow bool bool error", inputs: [f([3], { dtype: "bool" }), f([3], { dtype: "bool" })], py: "a.pow(b)", ts: (a, b) => a.pow(b!) },
  { name: "pow mixed dtypes", inputs: [f([3], { dtype: "int64" }), f([3], { dtype: "float64" })], py: "a.pow(b)", ts: (a, b) => a.pow(b!), rtol: 1e-12 },
  { name: "pow_", inputs: [f([2, 3], POS)], py: "a.clone().pow_(2)", ts: (a) => a.clone().pow_(2), grad: true },
  { name: "pow_ tensor", inputs: [f([2, 3], POS), f([3])], py: "a.clone().pow_(b)", ts: (a, b) => a.clone().pow_(b!), grad: true },
  { name: "pow_ int by float error", inputs: [f([3], { dtype: "int64" })], py: "a.pow_(1.5)", ts: (a) => a.pow_(1.5) },
  { name: "square_", inputs: [f([2, 3])], py: "a.clone().square_()", ts: (a) => a.clone().square_(), grad: true },
  // clamp
  { name: "clamp", inputs: [f([3, 4])], py: "a.clamp(-0.5, 0.5)", ts: (a) => a.clamp(-0.5, 0.5), grad: true },
  { name: "clamp min only", inputs: [f([3, 4])], py: "torch.clamp(a, min=0.1)", ts: (a) => torch.clamp(a, { min: 0.1 }), grad: true },
  { name: "clamp max only", inputs: [f([3, 4])], py: "a.clamp(max=0.1)", ts: (a) => a.clamp({ max: 0.1 }), grad: true },
  { name: "clamp min > max", inputs: [f([4])], py: "a.clamp(1, 0)", ts: (a) => a.clamp(1, 0), grad: true },
  { name: "clamp boundary grads", inputs: [f([4], { values: [-1, 0, 1, 2] })], py: "a.clamp(0, 1)", ts: (a) => a.clamp(0, 1), grad: true },
  { name: "clamp nan", inputs: [f([3], { values: [NaN, -3, 3] })], py: "a.clamp(-1, 1)", ts: (a) => a.clamp(-1, 1) },
  { name: "clamp int by float", inputs: [f([2, 3], { dtype: "int64" })], py: "a.clamp(0.5, 2.5)", ts: (a) => a.clamp(0.5, 2.5) },
  { name: "clamp bool", inputs: [f([3], { dtype: "bool" })], py: "a.clamp(0, 1)", ts: (a) => a.clamp(0, 1) },
  { name: "clamp none error", inputs: [f([3])], py: "a.clamp()", ts: (a) => a.clamp() },
  { name: "clamp tensors", inputs: [f([3, 4]), f([4]), f([3, 1])], py: "torch.clamp(a, b, c)", ts: (a, b, c) => torch.clamp(a, b!, c!), grad: true },
  { name: "clamp tensor min", inputs: [f([3, 4]), f([4])], py: "a.clamp(min=b)", ts: (a, b) => a.clamp({ min: b! }), grad: true },
  { name: "clamp tensor max", inputs: [f([3, 4]), f([3, 4])], py: "a.clamp(max=b)", ts: (a, b) => a.clamp({ max: b! }), grad: true },
  { name: "clamp tensor min > max", inputs: [f([4]), f([4], { values: [1, 1, 1, 1] }), f([4], { values: [0, 0, 0, 0] })], py: "a.clamp(b, c)", ts: (a, b, c) => a.clamp(b!, c!), grad: true },
  { name: "clamp tensor bad shape", inputs: [f([3]), f([2])], py: "a.clamp(min=b)", ts: (a, b) => a.clamp({ min: b! }) },
  { name: "clamp_", inputs: [f([3, 4])], py: "a.clone().clamp_(-0.5, 0.5)", ts: (a) => a.clone().clamp_(-0.5, 0.5), grad: true },
  { name: "clip", inputs: [f([3, 4])], py: "a.clip(-0.5, 0.5)", ts: (a) => a.clip(-0.5, 0.5), grad: true },
  { name: "clamp_min", inputs: [f([3, 4])], py: "a.clamp_min(0.2)", ts: (a) => a.clamp_min(0.2), grad: true },
  { name: "clamp_max", inputs: [f([3, 4])], py: "torch.clamp_max(a, 0.2)", ts: (a) => torch.clamp_max(a, 0.2), grad: true },
  { name: "clamp_min tensor", inputs: [f([3, 4]), f([4])], py: "a.clamp_min(b)", ts: (a, b) => a.clamp_min(b!), grad: true },
  { name: "clamp_max tensor", inputs: [f([3, 4]), f([3, 1])], py: "a.clamp_max(b)", ts: (a, b) => a.clamp_max(b!), grad: true },
  { name: "clamp_min int by float", inputs: [f([3], { dtype: "int64" })], py: "a.clamp_min(1.5)", ts: (a) => a.clamp_min(1.5) },
  { name: "clamp_min_", inputs: [f([3, 4])], py: "a.clone().clamp_min_(0)", ts: (a) => a.clone().clamp_min_(0), grad: true },
  // activations
  { name: "relu", inputs: [f([3, 4])], py: "torch.relu(a)", ts: (a) => torch.relu(a), grad: true },
  { name: "relu zeros", inputs: [f([3], { values: [0, -0, 1] })], py: "a.relu()", ts: (a) => a.relu(), grad: true },
  { name: "relu6", inputs: [f([3, 4], { values: [-1, 0, 1, 5, 6, 7, 3, -3, 6.5, 0.5, 2, 8] })], py: "F.relu6(a)", ts: (a) => torch.relu6(a), grad: true },
  { name: "threshold", inputs: [f([3, 4])], py: "F.threshold(a, 0.1, 20.)", ts: (a) => torch.threshold(a, 0.1, 20), grad: true },
  { name: "threshold_", inputs: [f([3, 4])], py: "F.threshold(a.clone(), 0.1, 20., inplace=True)", ts: (a) => torch.threshold_(a.clone(), 0.1, 20), grad: true },
  { name: "relu6_", inputs: [f([3, 4])], py: "F.relu6(a.clone(), inplace=True)", ts: (a) => torch.relu6_(a.clone()), grad: true },
  { name: "silu_", inputs: [f([3, 4])], py: "F.silu(a.clone(), inplace=True)", ts: (a) => torch.silu_(a.clone()), grad: true },
  { name: "gelu", inputs: [f([3, 4])], py: "F.gelu(a)", ts: (a) => torch.gelu(a), grad: true },
  { name: "gelu tanh", inputs: [f([3, 4])], py: "F.gelu(a, approximate='tanh')", ts: (a) => torch.gelu(a, { approximate: "tanh" }), grad: true },
  { name: "gelu float64", inputs: [f([3, 4], { dtype: "float64" })], py: "F.gelu(a)", ts: (a) => torch.gelu(a), grad: true, rtol: 1e-10 },
  { name: "gelu bad approximate", inputs: [f([3])], py: "F.gelu(a, approximate='foo')", ts: (a) => torch.gelu(a, { approximate: "foo" as "tanh" }) },
  { name: "silu", inputs: [f([3, 4])], py: "F.silu(a)", ts: (a) => torch.silu(a), grad: true },
  { name: "softplus", inputs: [f([3, 4])], py: "F.softplus(a)", ts: (a) => torch.softplus(a), grad: true },
  { name: "softplus beta threshold", inputs: [f([4], { values: [-1, 0.5, 3, 6] })], py: "F.softplus(a, beta=2, threshold=5)", ts: (a) => torch.softplus(a, 2, 5), grad: true },
  { name: "hardtanh", inputs: [f([3, 4])], py: "F.hardtanh(a)", ts: (a) => torch.hardtanh(a), grad: true },
  { name: "hardtanh bounds", inputs: [f([4], { values: [-1, 0, 1, 2] })], py: "F.hardtanh(a, 0., 1.)", ts: (a) => torch.hardtanh(a, 0, 1), grad: true },
  { name: "hardtanh int", inputs: [f([4], { dtype: "int64" })], py: "F.hardtanh(a)", ts: (a) => torch.hardtanh(a) },
  { name: "leaky_relu", inputs: [f([3, 4])], py: "F.leaky_relu(a, 0.2)", ts: (a) => torch.leaky_relu(a, 0.2), grad: true },
  { name: "leaky_relu default", inputs: [f([4], { values: [-1, 0, 1, 2] })], py: "F.leaky_relu(a)", ts: (a) => torch.leaky_relu(a), grad: true },
  { name: "elu", inputs: [f([3, 4])], py: "F.elu(a)", ts: (a) => torch.elu(a), grad: true },
  { name: "elu alpha", inputs: [f([4], { values: [-1, 0, 1, 2] })], py: "F.elu(a, 0.5)", ts: (a) => torch.elu(a, 0.5), grad: true },
  { name: "elu scales", inputs: [f([3, 4])], py: "torch.ops.aten.elu(a, 1.5, 2.0, 0.5)", ts: (a) => torch.elu(a, 1.5, 2, 0.5), grad: true },
  { name: "elu_", inputs: [f([3, 4])], py: "F.elu(a.clone(), inplace=True)", ts: (a) => torch.elu_(a.clone()), grad: true },
  { name: "leaky_relu_", inputs: [f([3, 4])], py: "F.leaky_relu(a.clone(), 0.1, inplace=True)", ts: (a) => torch.leaky_relu_(a.clone(), 0.1), grad: true },
  { name: "hardtanh_", inputs: [f([3, 4])], py: "F.hardtanh(a.clone(), inplace=True)", ts: (a) => torch.hardtanh_(a.clone()), grad: true },
  // dtype errors, in PyTorch's words
  { name: "abs bool error", inputs: [f([3], { dtype: "bool" })], py: "a.abs()", ts: (a) => a.abs() },
  { name: "frac int error", inputs: [f([3], { dtype: "int64" })], py: "a.frac()", ts: (a) => a.frac() },
  { name: "round decimals int error", inputs: [f([3], { dtype: "int64" })], py: "a.round(decimals=1)", ts: (a) => a.round({ decimals: 1 }) },
  { name: "relu bool error", inputs: [f([3], { dtype: "bool" })], py: "a.relu()", ts: (a) => a.relu() },
  { name: "hardtanh bool error", inputs: [f([3], { dtype: "bool" })], py: "F.hardtanh(a)", ts: (a) => torch.hardtanh(a) },
  { name: "gelu int error", inputs: [f([3], { dtype: "int64" })], py: "F.gelu(a)", ts: (a) => torch.gelu(a) },
  { name: "silu int error", inputs: [f([3], { dtype: "int64" })], py: "F.silu(a)", ts: (a) => torch.silu(a) },
  { name: "softplus int error", inputs: [f([3], { dtype: "int64" })], py: "F.softplus(a)", ts: (a) => torch.softplus(a) },
  { name: "elu int error", inputs: [f([3], { dtype: "int64" })], py: "F.elu(a)", ts: (a) => torch.elu(a) },
  { name: "leaky_relu int error", inputs: [f([3], { dtype: "int64" })], py: "F.leaky_relu(a)", ts: (a) => torch.leaky_relu(a) },
  ...methodCases(["exp", "log", "sqrt", "tanh", "sigmoid", "floor", "round", "relu", "erf", "sin"], f([3], { dtype: "float16" }), "float16 error"),
  { name: "gelu float16 error", inputs: [f([3], { dtype: "float16" })], py: "F.gelu(a)", ts: (a) => torch.gelu(a) },
  { name: "clamp float16 error", inputs: [f([3], { dtype: "float16" })], py: "a.clamp(0, 1)", ts: (a) => a.clamp(0, 1) },
];

describe.skipIf(!hasTorch)("unary math and activations against PyTorch", () => {
  test("cases", () => compareWithTorch(CASES));
});

describe("unary ops", () => {
  test("grad_fn names", () => {
    const x = leaf([2, 3]);
    const y = leaf([3], 2, { positive: true });
    const name = (t: Tensor) => t.grad_fn?.name();
    expect(name(x.abs())).toBe("AbsBackward0");
    expect(name(x.pow(2))).toBe("PowBackward0");
    expect(name(x.pow(y))).toBe("PowBackward1");
    expect(name(torch.pow(2, x))).toBe("PowBackward2");
    expect(name(x.square())).toBe("PowBackward0");
    expect(name(x.clamp(0, 1))).toBe("ClampBackward1");
    expect(name(x.clamp(y, null))).toBe("ClampBackward0");
    expect(name(x.clamp_min(0))).toBe("ClampMinBackward0");
    expect(name(x.clamp_max(y))).toBe("ClampMaxBackward1");
    expect(name(x.clip(0, 1))).toBe("ClampBackward1");
    expect(name(x.round({ decimals: 2 }))).toBe("RoundBackward1");
    expect(name(torch.relu6(x))).toBe("HardtanhBackward0");
    expect(name(torch.gelu(x))).toBe("GeluBackward0");
    expect(name(x.log1p())).toBe("Log1PBackward0");
  });

  test("double backward uses the *_backward ops", () => {
    const x = leaf([5]);
    const names: Record<string, (t: Tensor) => Tensor> = {
      ThresholdBackwardBackward0: (t) => t.relu(),
      SigmoidBackwardBackward0: (t) => t.sigmoid(),
      TanhBackwardBackward0: (t) => t.tanh(),
      GeluBackwardBackward0: (t) => torch.gelu(t),
      SoftplusBackwardBackward0: (t) => torch.softplus(t),
      HardtanhBackwardBackward0: (t) => torch.hardtanh(t),
      LeakyReluBackwardBackward0: (t) => torch.leaky_relu(t),
      EluBackwardBackward0: (t) => torch.elu(t),
      MulBackward0: (t) => torch.silu(t),
    };
    for (const [expected, fn] of Object.entries(names)) {
      const [g] = torch.autograd.grad(fn(x).sum(), x, null, { create_graph: true });
      expect(g!.grad_fn?.name(), expected).toBe(expected);
    }
  });

  test("gradcheck", () => {
    const x = leaf([2, 3]);
    const p = leaf([2, 3], 3, { positive: true });
    for (const fn of [
      (a: Tensor) => a.abs(), (a: Tensor) => a.exp(), (a: Tensor) => a.sin(), (a: Tensor) => a.cos(),
      (a: Tensor) => a.tanh(), (a: Tensor) => a.sigmoid(), (a: Tensor) => a.erf(), (a: Tensor) => a.frac(),
      (a: Tensor) => a.pow(3), (a: Tensor) => a.square(), (a: Tensor) => a.clamp(-0.5, 0.5),
      (a: Tensor) => a.relu(), (a: Tensor) => torch.gelu(a), (a: Tensor) => torch.gelu(a, { approximate: "tanh" }),
      (a: Tensor) => torch.silu(a), (a: Tensor) => torch.softplus(a, 2, 1), (a: Tensor) => torch.hardtanh(a, -0.5, 0.5),
      (a: Tensor) => torch.leaky_relu(a, 0.3), (a: Tensor) => torch.elu(a, 0.7, 1.5, 2),
      (a: Tensor) => torch.threshold(a, 0.2, -1),
    ]) gradcheck(fn, [x]);
    for (const fn of [
      (a: Tensor) => a.log(), (a: Tensor) => a.log1p(), (a: Tensor) => a.sqrt(), (a: Tensor) => a.rsqrt(),
      (a: Tensor) => a.reciprocal(), (a: Tensor) => a.pow(1.5), (a: Tensor) => a.pow(-2), (a: Tensor) => torch.pow(1.7, a),
    ]) gradcheck(fn, [p]);
    gradcheck((a, b) => a.pow(b!), [p, leaf([3], 4)]);
    gradcheck((a, lo, hi) => a.clamp(lo!, hi!), [x, leaf([3], 5).mul(0.3).detach().requires_grad_(), leaf([2, 1], 6).add(1).detach().requires_grad_()]);
    gradcheck((a, b) => a.clamp_min(b!), [x, leaf([3], 7)]);
  });

  test("second derivatives match numeric differences of the first", () => {
    const x = leaf([6], 9);
    const fns: ((t: Tensor) => Tensor)[] = [
      (t) => torch.gelu(t), (t) => torch.gelu(t, { approximate: "tanh" }), (t) => torch.softplus(t, 1.5, 1),
      (t) => torch.elu(t, 0.5, 1.2, 0.8), (t) => t.sigmoid(), (t) => t.tanh(), (t) => torch.silu(t),
    ];
    for (const fn of fns) {
      // enable_grad: gradcheck evaluates fn under no_grad for its numeric differences
      gradcheck((a) => torch.enable_grad(() => torch.autograd.grad(fn(a).sum(), a, null, { create_graph: true, retain_graph: true })[0]!), [x]);
    }
  });

  test("int inputs give float results for float functions", () => {
    const i = torch.tensor([1, 2, 3]);
    expect(i.exp().dtype).toBe(torch.float32);
    expect(i.sqrt().dtype).toBe(torch.float32);
    expect(i.abs().dtype).toBe(torch.int64);
    expect(torch.tensor([true, false]).square().dtype).toBe(torch.int64);
  });

  test("in-place into a leaf that requires grad fails", () => {
    expect(() => leaf([3]).exp_()).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
  });
});
