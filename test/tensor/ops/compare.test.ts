import { describe, expect, test } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

type Spec = TorchCase["inputs"][0];
const f = (shape: number[], extra: Partial<Spec> = {}): Spec => ({ shape, ...extra });
const mask = (values: number[], shape = [values.length]): Spec => ({ shape, dtype: "bool", values });
type Cmp = "eq" | "ne" | "lt" | "le" | "gt" | "ge";
const call = (t: Tensor, op: string, ...args: unknown[]) =>
  (t as unknown as Record<string, (...a: unknown[]) => Tensor>)[op]!.call(t, ...args);

const comparisons = (["eq", "ne", "lt", "le", "gt", "ge"] as Cmp[]).flatMap((op): TorchCase[] => [
  { name: `${op} broadcast`, inputs: [f([2, 3], { values: [1, 2, 3, 3, 2, 1] }), f([3], { values: [1, 2, NaN] })], py: `a.${op}(b)`, ts: (a, b) => call(a, op, b) },
  { name: `${op} scalar`, inputs: [f([2, 3])], py: `torch.${op}(a, 0.5)`, ts: (a) => torch[op](a, 0.5) },
  { name: `${op} int vs float`, inputs: [f([4], { dtype: "int64" }), f([4])], py: `a.${op}(b)`, ts: (a, b) => call(a, op, b) },
  { name: `${op} int vs 1.5`, inputs: [f([4], { dtype: "int64" })], py: `a.${op}(1.5)`, ts: (a) => call(a, op, 1.5) },
  { name: `${op} bool`, inputs: [mask([1, 0, 1]), mask([1, 1, 0])], py: `a.${op}(b)`, ts: (a, b) => call(a, op, b) },
]);

const CASES: TorchCase[] = [
  ...comparisons,
  { name: "float32 == 0.1", inputs: [f([2], { values: [0.1, 0.2] })], py: "a == 0.1", ts: (a) => a.eq(0.1) },
  { name: "float16 == 0.1", inputs: [f([2], { dtype: "float16", values: [0.1, 0.2] })], py: "a == 0.1", ts: (a) => a.eq(0.1) },
  { name: "int8 == 300 wraps", inputs: [f([2], { dtype: "int8", values: [44, 1] })], py: "a == 300", ts: (a) => a.eq(300) },
  { name: "int64 vs float32 compares in float32", inputs: [f([1], { dtype: "int64", values: [16777217] }), f([1], { values: [16777216] })], py: "a == b", ts: (a, b) => a.eq(b!) },
  { name: "bool < 1", inputs: [mask([1, 0])], py: "a < 1", ts: (a) => a.lt(1) },
  { name: "compare shape error", inputs: [f([3]), f([2])], py: "a.eq(b)", ts: (a, b) => a.eq(b!) },
  { name: "aliases", inputs: [f([3]), f([3])], py: "[torch.greater(a, b), torch.greater_equal(a, b), torch.less(a, b), torch.less_equal(a, b), torch.not_equal(a, b)]",
    ts: (a, b) => [torch.greater(a, b!), torch.greater_equal(a, b!), torch.less(a, b!), torch.less_equal(a, b!), torch.not_equal(a, b!)] },
  // logical
  { name: "logical_and", inputs: [f([2, 3]), f([3], { values: [0, 1, NaN] })], py: "torch.logical_and(a, b)", ts: (a, b) => torch.logical_and(a, b!) },
  { name: "logical_or int", inputs: [f([4], { dtype: "int64", values: [0, 1, 0, 2] }), mask([0, 0, 1, 1])], py: "a.logical_or(b)", ts: (a, b) => a.logical_or(b!) },
  { name: "logical_xor", inputs: [mask([0, 1, 0, 1]), mask([0, 0, 1, 1])], py: "a.logical_xor(b)", ts: (a, b) => a.logical_xor(b!) },
  { name: "logical_not float", inputs: [f([4], { values: [0, 1, NaN, -0] })], py: "torch.logical_not(a)", ts: (a) => torch.logical_not(a) },
  { name: "logical_and_ float", inputs: [f([3], { values: [0, 2, 3] }), f([3], { values: [1, 1, 0] })], py: "a.logical_and_(b)", ts: (a, b) => a.logical_and_(b!) },
  { name: "logical_not_ int", inputs: [f([3], { dtype: "int64", values: [0, 2, 3] })], py: "a.logical_not_()", ts: (a) => a.logical_not_() },
  { name: "bitwise_not bool", inputs: [mask([1, 0, 1])], py: "torch.bitwise_not(a)", ts: (a) => torch.bitwise_not(a) },
  { name: "bitwise_not int64", inputs: [f([3], { dtype: "int64", values: [0, 5, -7] })], py: "a.bitwise_not()", ts: (a) => a.bitwise_not() },
  { name: "bitwise_not uint8", inputs: [f([3], { dtype: "uint8", values: [0, 3, 255] })], py: "a.bitwise_not()", ts: (a) => a.bitwise_not() },
  { name: "bitwise_not float error", inputs: [f([3])], py: "a.bitwise_not()", ts: (a) => a.bitwise_not() },
  { name: "bitwise_not_", inputs: [mask([1, 0])], py: "a.bitwise_not_()", ts: (a) => a.bitwise_not_() },
  // isnan / isinf / isfinite
  { name: "isnan", inputs: [f([5], { values: [1, NaN, Infinity, -Infinity, 0] })], py: "[a.isnan(), a.isinf(), a.isfinite()]", ts: (a) => [a.isnan(), a.isinf(), a.isfinite()] },
  { name: "isnan int", inputs: [f([3], { dtype: "int64" })], py: "[torch.isnan(a), torch.isinf(a), torch.isfinite(a)]", ts: (a) => [torch.isnan(a), torch.isinf(a), torch.isfinite(a)] },
  // where
  { name: "where", inputs: [mask([1, 0, 1]), f([2, 3]), f([2, 3])], py: "torch.where(a, b, c)", ts: (c, x, y) => torch.where(c, x!, y!), grad: true },
  { name: "where broadcast", inputs: [mask([1, 0], [2, 1]), f([3]), f([2, 3])], py: "torch.where(a, b, c)", ts: (c, x, y) => torch.where(c, x!, y!), grad: true },
  { name: "where scalar other", inputs: [mask([1, 0, 1]), f([2, 3])], py: "torch.where(a, b, 0.)", ts: (c, x) => torch.where(c, x!, 0), grad: true },
  { name: "where scalar self", inputs: [mask([1, 0, 1]), f([3])], py: "torch.where(a, 2.5, b)", ts: (c, x) => torch.where(c, 2.5, x!), grad: true },
  { name: "where scalars", inputs: [mask([1, 0, 1])], py: "torch.where(a, 2, 3)", ts: (c) => torch.where(c, 2, 3) },
  { name: "where promotes", inputs: [mask([1, 0, 1]), f([3], { dtype: "int64" }), f([3], { dtype: "float64" })], py: "torch.where(a, b, c)", ts: (c, x, y) => torch.where(c, x!, y!) },
  { name: "where int and 2.5", inputs: [mask([1, 0, 1]), f([3], { dtype: "int64" })], py: "torch.where(a, b, 2.5)", ts: (c, x) => torch.where(c, x!, 2.5) },
  { name: "where 0-dim other", inputs: [mask([1, 0, 1]), f([3]), f([], { dtype: "float64", values: [0.1] })], py: "torch.where(a, b, c)", ts: (c, x, y) => torch.where(c, x!, y!) },
  { name: "where method", inputs: [mask([1, 0, 1]), f([3]), f([3])], py: "b.where(a, c)", ts: (c, x, y) => x!.where(c, y!), grad: true },
  { name: "where bad condition", inputs: [f([3], { dtype: "int64" }), f([3]), f([3])], py: "torch.where(a, b, c)", ts: (c, x, y) => torch.where(c, x!, y!) },
  { name: "where shape error", inputs: [mask([1, 0, 1]), f([3]), f([2])], py: "torch.where(a, b, c)", ts: (c, x, y) => torch.where(c, x!, y!) },
  { name: "where(cond)", inputs: [mask([1, 0, 1, 1, 0, 1], [2, 3])], py: "torch.where(a)", ts: (c) => torch.where(c) },
  { name: "where(cond) float", inputs: [f([4], { values: [0, 1.5, 0, -2] })], py: "torch.where(a)", ts: (c) => torch.where(c) },
  { name: "where(cond) 0-d", inputs: [mask([1], [])], py: "torch.where(a)", ts: (c) => torch.where(c) },
  // maximum / minimum
  { name: "maximum", inputs: [f([2, 3]), f([3])], py: "torch.maximum(a, b)", ts: (a, b) => torch.maximum(a, b!), grad: true },
  { name: "minimum", inputs: [f([2, 3]), f([2, 3])], py: "a.minimum(b)", ts: (a, b) => a.minimum(b!), grad: true },
  { name: "maximum ties", inputs: [f([4], { values: [-1, 0, 1, 2] }), f([4], { values: [0, 0, 1, 3] })], py: "torch.maximum(a, b)", ts: (a, b) => torch.maximum(a, b!), grad: true },
  { name: "minimum ties", inputs: [f([4], { values: [-1, 0, 1, 2] }), f([4], { values: [0, 0, 1, 3] })], py: "torch.minimum(a, b)", ts: (a, b) => torch.minimum(a, b!), grad: true },
  { name: "maximum nan", inputs: [f([3], { values: [NaN, 1, 2] }), f([3], { values: [0, NaN, 1] })], py: "torch.maximum(a, b)", ts: (a, b) => torch.maximum(a, b!) },
  { name: "maximum int float", inputs: [f([3], { dtype: "int64" }), f([3])], py: "torch.maximum(a, b)", ts: (a, b) => torch.maximum(a, b!) },
  { name: "maximum uint8 int8", inputs: [f([2], { dtype: "uint8", values: [1, 2] }), f([1], { dtype: "int8", values: [-1] })], py: "torch.maximum(a, b)", ts: (a, b) => torch.maximum(a, b!) },
  { name: "maximum bool", inputs: [mask([1, 0]), mask([0, 0])], py: "torch.maximum(a, b)", ts: (a, b) => torch.maximum(a, b!) },
  // masked_fill
  { name: "masked_fill", inputs: [f([2, 3]), mask([1, 0, 1])], py: "a.masked_fill(b, 0.5)", ts: (a, m) => a.masked_fill(m!, 0.5), grad: true },
  { name: "masked_fill tensor value", inputs: [f([2, 3]), mask([1, 0, 1]), f([], { values: [2.5] })], py: "a.masked_fill(b, c)", ts: (a, m, v) => a.masked_fill(m!, v!), grad: true },
  { name: "masked_fill broadcasts self", inputs: [f([3]), mask([1, 0], [2, 1])], py: "torch.masked_fill(a, b, -1.)", ts: (a, m) => torch.masked_fill(a, m!, -1), grad: true },
  { name: "masked_fill int by float", inputs: [f([3], { dtype: "int64" }), mask([1, 0, 1])], py: "a.masked_fill(b, 2.5)", ts: (a, m) => a.masked_fill(m!, 2.5) },
  { name: "masked_fill bool", inputs: [mask([1, 0, 0]), mask([1, 1, 0])], py: "a.masked_fill(b, 5)", ts: (a, m) => a.masked_fill(m!, 5) },
  { name: "masked_fill nan", inputs: [f([2]), mask([1, 0])], py: "a.masked_fill(b, float('nan'))", ts: (a, m) => a.masked_fill(m!, NaN) },
  { name: "masked_fill uint8 mask", inputs: [f([3]), f([3], { dtype: "uint8", values: [1, 0, 1] })], py: "a.masked_fill(b, 2.)", ts: (a, m) => a.masked_fill(m!, 2) },
  { name: "masked_fill uint8 mask error", inputs: [f([3]), f([3], { dtype: "uint8", values: [2, 0, 1] })], py: "a.masked_fill(b, 2.)", ts: (a, m) => a.masked_fill(m!, 2) },
  { name: "masked_fill value dim error", inputs: [f([3]), mask([1, 0, 1]), f([2])], py: "a.masked_fill(b, c)", ts: (a, m, v) => a.masked_fill(m!, v!) },
  { name: "masked_fill_", inputs: [f([2, 3]), mask([0, 1, 1])], py: "a.clone().masked_fill_(b, 1.5)", ts: (a, m) => a.clone().masked_fill_(m!, 1.5), grad: true },
  { name: "masked_fill_ shape error", inputs: [f([3]), mask([1, 0], [2, 1])], py: "a.masked_fill_(b, 0.)", ts: (a, m) => a.masked_fill_(m!, 0) },
  // closeness
  { name: "isclose", inputs: [f([4], { values: [1, 2, NaN, 100] }), f([4], { values: [1.000001, 2.1, NaN, 100.0001] })], py: "[torch.isclose(a, b), a.isclose(b, equal_nan=True), torch.isclose(a, b, rtol=0.1, atol=0.)]",
    ts: (a, b) => [torch.isclose(a, b!), a.isclose(b!, { equal_nan: true }), torch.isclose(a, b!, { rtol: 0.1, atol: 0 })] },
  { name: "isclose int", inputs: [f([2], { dtype: "int64", values: [100, 5] }), f([2], { dtype: "int64", values: [101, 7] })], py: "torch.isclose(a, b, rtol=0.1)", ts: (a, b) => torch.isclose(a, b!, { rtol: 0.1 }) },
  { name: "isclose dtype error", inputs: [f([2], { dtype: "int64" }), f([2])], py: "torch.isclose(a, b)", ts: (a, b) => torch.isclose(a, b!) },
  { name: "isclose rtol error", inputs: [f([2]), f([2])], py: "torch.isclose(a, b, rtol=-1.)", ts: (a, b) => torch.isclose(a, b!, { rtol: -1 }) },
];

describe.skipIf(!hasTorch)("comparisons, where, maximum, masked_fill against PyTorch", () => {
  test("cases", () => compareWithTorch(CASES));
});

describe("compare ops", () => {
  test("comparisons return bool and record no gradient", () => {
    const x = leaf([3]);
    const r = x.gt(0);
    expect(r.dtype).toBe(torch.bool);
    expect(r.requires_grad).toBe(false);
    expect(r.grad_fn).toBeNull();
  });

  test("grad_fn names", () => {
    const x = leaf([3]);
    const y = leaf([3], 2);
    const m = torch.tensor([true, false, true]);
    expect(torch.where(m, x, y).grad_fn?.name()).toBe("WhereBackward0");
    expect(torch.maximum(x, y).grad_fn?.name()).toBe("MaximumBackward0");
    expect(torch.minimum(x, y).grad_fn?.name()).toBe("MinimumBackward0");
    expect(x.masked_fill(m, 1).grad_fn?.name()).toBe("MaskedFillBackward0");
    expect(x.masked_fill(m, torch.tensor(1.5)).grad_fn?.name()).toBe("MaskedFillBackward1");
  });

  test("allclose and equal return JS booleans", () => {
    const a = torch.tensor([1, 2, NaN]);
    expect(torch.allclose(a, a)).toBe(false);
    expect(torch.allclose(a, a, { equal_nan: true })).toBe(true);
    expect(a.allclose(torch.tensor([1.000001, 2, NaN]), { equal_nan: true })).toBe(true);
    expect(torch.equal(torch.tensor([1, 2]), torch.tensor([1, 2], { dtype: torch.float32 }))).toBe(true);
    expect(torch.equal(torch.tensor([1, 2]), torch.tensor([1, 2, 3]))).toBe(false);
    expect(torch.equal(a, a)).toBe(false);
    expect(() => torch.allclose(torch.tensor([1]), torch.tensor([1.5]))).toThrow("Long did not match Float");
  });

  test("where(condition) gives one index tensor per dim", () => {
    const idx = torch.where(torch.tensor([[true, false], [true, true]]));
    expect(idx.map((t) => t.tolist())).toEqual([[0, 1, 1], [0, 0, 1]]);
    expect(idx[0]!.dtype).toBe(torch.int64);
  });

  test("gradcheck", () => {
    const m = torch.tensor([[true, false, true], [false, false, true]]);
    gradcheck((a, b) => torch.where(m, a!, b!), [leaf([2, 3]), leaf([3], 2)]);
    gradcheck((a, b) => torch.maximum(a!, b!), [leaf([2, 3]), leaf([3], 3)]);
    gradcheck((a, b) => torch.minimum(a!, b!), [leaf([2, 3]), leaf([2, 1], 4)]);
    gradcheck((a) => a.masked_fill(m, 0.25), [leaf([2, 3])]);
    gradcheck((a, v) => a.masked_fill(m, v!), [leaf([3]), torch.tensor(0.5, { dtype: torch.float64 }).requires_grad_()]);
  });
});
