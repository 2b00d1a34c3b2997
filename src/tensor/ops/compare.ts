/**
 * Comparisons, logical ops, where, maximum/minimum, masked_fill and closeness tests, with
 * PyTorch's type promotion (comparisons happen in the promoted dtype; results are bool).
 */
import { Tensor, type TensorLike } from "../tensor.js";
import { DType, bool, int64, uint8 } from "../dtype.js";
import { defineOp, installMethods, type OverloadDef } from "../registry.js";
import { makeBinaryKernel, makeUnaryKernel } from "../kernels/elementwise.js";
import { applyBinary, applyUnary, checkInplaceCast, copyInto } from "../kernels/apply.js";
import { castScalar, castTensor, expandedData, roundForDType, selectLoop } from "../kernels/math.js";
import { resultType, resultType2 } from "../promotion.js";
import { broadcastShapes, numel } from "../shape.js";
import { RuntimeError } from "../../util/errors.js";
import { div } from "./arith.js";

const isT = (v: unknown): v is Tensor => v instanceof Tensor;
type Operand = TensorLike;
type Binary = (input: Tensor, other: TensorLike) => Tensor;

/**
 * Note [comparison precision]: PyTorch converts both operands to the promoted dtype before
 * comparing, so `float32_tensor == 0.1` is true and `int8_tensor == 300` compares with 300
 * wrapped to int8. Integer tensors meeting a narrower float type are converted for the same
 * reason (2^24 + 1 equals 2^24 in float32).
 */
function inPromoted(v: Operand, promoted: DType): Operand {
  if (!(v instanceof Tensor)) return castScalar(v, promoted);
  if (promoted.is_floating_point && promoted.itemsize < 8 && !v.dtype.is_floating_point) return castTensor(v, promoted);
  return v;
}

function comparison(name: string, expr: string): [OverloadDef, OverloadDef] {
  const k = makeBinaryKernel(`(${expr}) ? 1 : 0`);
  const forward = (a: Tensor, b: Operand): Tensor => {
    const promoted = resultType2(a, b);
    return applyBinary(inPromoted(a, promoted), inPromoted(b, promoted), k, bool);
  };
  return [
    { schema: `aten::${name}.Tensor(Tensor self, Tensor other) -> Tensor`, jsExpr: expr, forward },
    { schema: `aten::${name}.Scalar(Tensor self, Scalar other) -> Tensor`, jsExpr: expr, forward },
  ];
}

export const eq = defineOp<Binary>("eq", comparison("eq", "a === b"));
export const ne = defineOp<Binary>("ne", comparison("ne", "a !== b"));
export const lt = defineOp<Binary>("lt", comparison("lt", "a < b"));
export const le = defineOp<Binary>("le", comparison("le", "a <= b"));
export const gt = defineOp<Binary>("gt", comparison("gt", "a > b"));
export const ge = defineOp<Binary>("ge", comparison("ge", "a >= b"));
export { gt as greater, ge as greater_equal, lt as less, le as less_equal, ne as not_equal };

/** Writes a bool result into `self`, converted to self's dtype (logical_and_ on floats gives 0/1). */
function intoSelf(self: Tensor, result: Tensor): Tensor {
  checkInplaceCast(result.dtype, self);
  copyInto(self, result);
  return self;
}

function logical(name: string, expr: string): [Binary, Binary] {
  const k = makeBinaryKernel(`(${expr}) ? 1 : 0`);
  const run = (a: Tensor, b: Operand): Tensor => applyBinary(a, b, k, bool);
  return [
    defineOp<Binary>(`logical_${name}`, [{ schema: `aten::logical_${name}(Tensor self, Tensor other) -> Tensor`, jsExpr: expr, forward: run }]),
    defineOp<Binary>(`logical_${name}_`, [{
      schema: `aten::logical_${name}_(Tensor(a!) self, Tensor other) -> Tensor(a!)`,
      forward: (a: Tensor, b: Operand) => intoSelf(a, run(a, b)),
    }]),
  ];
}

export const [logical_and, logical_and_] = logical("and", "a !== 0 && b !== 0");
export const [logical_or, logical_or_] = logical("or", "a !== 0 || b !== 0");
export const [logical_xor, logical_xor_] = logical("xor", "(a !== 0) !== (b !== 0)");

const notK = makeUnaryKernel("x !== 0 ? 0 : 1");
export const logical_not = defineOp<(input: Tensor) => Tensor>("logical_not", [{
  schema: "aten::logical_not(Tensor self) -> Tensor", jsExpr: "x !== 0 ? 0 : 1",
  forward: (self: Tensor) => applyUnary(self, notK, bool),
}]);
export const logical_not_ = defineOp<(self: Tensor) => Tensor>("logical_not_", [{
  schema: "aten::logical_not_(Tensor(a!) self) -> Tensor(a!)",
  forward: (self: Tensor) => intoSelf(self, applyUnary(self, notK, bool)),
}]);

// ~x is -x - 1 for every integer (exact for int64 in its double storage); wrapping to the
// unsigned and narrow types happens on store.
const bitNotIntK = makeUnaryKernel("-x - 1");
function bitwiseNot(self: Tensor): Tensor {
  if (self.dtype === bool) return applyUnary(self, notK, bool);
  if (!self.dtype.isIntegral) throw new RuntimeError(`"bitwise_not_cpu" not implemented for '${self.dtype.scalarType}'`);
  return applyUnary(self, bitNotIntK, self.dtype);
}
export const bitwise_not = defineOp<(input: Tensor) => Tensor>("bitwise_not", [{
  schema: "aten::bitwise_not(Tensor self) -> Tensor", forward: bitwiseNot,
}]);
export const bitwise_not_ = defineOp<(self: Tensor) => Tensor>("bitwise_not_", [{
  schema: "aten::bitwise_not_(Tensor(a!) self) -> Tensor(a!)",
  forward: (self: Tensor) => intoSelf(self, bitwiseNot(self)),
}]);

function boolUnary(name: string, expr: string): (input: Tensor) => Tensor {
  const k = makeUnaryKernel(`(${expr}) ? 1 : 0`);
  return defineOp<(input: Tensor) => Tensor>(name, [{
    schema: `aten::${name}(Tensor self) -> Tensor`, jsExpr: expr,
    forward: (self: Tensor) => applyUnary(self, k, bool),
  }]);
}
export const isnan = boolUnary("isnan", "x !== x");
export const isinf = boolUnary("isinf", "x === Infinity || x === -Infinity");
export const isfinite = boolUnary("isfinite", "x - x === 0");

// ---- where -------------------------------------------------------------------------------

function checkCondition(cond: Tensor): void {
  if (cond.dtype !== bool && cond.dtype !== uint8) {
    throw new RuntimeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${cond.dtype.scalarType}`);
  }
}

function whereForward(cond: Tensor, a: Operand, b: Operand): Tensor {
  checkCondition(cond);
  const dtype = resultType(a, b);
  let shape = cond.shape;
  if (isT(a)) shape = broadcastShapes(shape, a.shape);
  if (isT(b)) shape = broadcastShapes(shape, b.shape);
  const out = new dtype.ArrayType(numel(shape));
  const av = isT(a) ? expandedData(a, shape) : castScalar(a, dtype);
  const bv = isT(b) ? expandedData(b, shape) : castScalar(b, dtype);
  selectLoop(expandedData(cond, shape), av, bv, out);
  roundForDType(out, dtype);
  return Tensor.fromData(out, shape.slice(), dtype);
}

function whereBackward(g: Tensor, [cond, a, b]: [Tensor, Operand, Operand]): (Tensor | null)[] {
  return [null, isT(a) ? where(cond, g, 0) : null, isT(b) ? where(cond, 0, g) : null];
}

/** where(condition): the indices of true elements, one int64 tensor per dimension. */
function nonzeroTuple(cond: Tensor): Tensor[] {
  const shape = cond.ndim === 0 ? [1] : cond.shape;
  const data = cond.contiguousData();
  const hits: number[] = [];
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) hits.push(i);
  return shape.map((_, d) => {
    let inner = 1;
    for (let j = d + 1; j < shape.length; j++) inner *= shape[j]!;
    const idx = new Float64Array(hits.length);
    for (let i = 0; i < hits.length; i++) idx[i] = Math.floor(hits[i]! / inner) % shape[d]!;
    return Tensor.fromData(idx, [hits.length], int64);
  });
}

const whereDefs = (["self(Tensor condition, Tensor self, Tensor other)", "ScalarSelf(Tensor condition, Scalar self, Tensor other)",
  "ScalarOther(Tensor condition, Tensor self, Scalar other)", "Scalar(Tensor condition, Scalar self, Scalar other)"] as const)
  .map((sig): OverloadDef => ({
    schema: `aten::where.${sig} -> Tensor`, gradName: "WhereBackward0",
    forward: whereForward, backward: whereBackward,
  }));

export const where = defineOp<{
  (condition: Tensor, input: TensorLike, other: TensorLike): Tensor;
  (condition: Tensor): Tensor[];
}>("where", [...whereDefs, {
  schema: "aten::where(Tensor condition) -> Tensor[]",
  forward: (cond: Tensor) => nonzeroTuple(cond),
}]);

// ---- maximum / minimum -------------------------------------------------------------------

// NaN propagates; otherwise std::max / std::min (which keep `a` on ties, so -0 vs 0 matches).
const maxK = makeBinaryKernel("(a !== a || b !== b) ? a + b : (a < b ? b : a)");
const minK = makeBinaryKernel("(a !== a || b !== b) ? a + b : (b < a ? b : a)");

/** MaximumBackward0: ties split the gradient in half between both inputs. */
function splitGrad(g: Tensor, self: Tensor, other: Tensor, loses: (a: Tensor, b: Tensor) => Tensor): Tensor {
  return where(eq(self, other), div(g, 2), g).masked_fill(loses(self, other), 0);
}

export const maximum = defineOp<Binary>("maximum", [{
  schema: "aten::maximum(Tensor self, Tensor other) -> Tensor", jsExpr: maxK.expr, gradName: "MaximumBackward0",
  forward: (a: Operand, b: Operand) => applyBinary(a, b, maxK, resultType2(a, b)),
  backward: (g: Tensor, [a, b]: [Tensor, Tensor]) => [splitGrad(g, a, b, lt), splitGrad(g, a, b, gt)],
}]);
export const minimum = defineOp<Binary>("minimum", [{
  schema: "aten::minimum(Tensor self, Tensor other) -> Tensor", jsExpr: minK.expr, gradName: "MinimumBackward0",
  forward: (a: Operand, b: Operand) => applyBinary(a, b, minK, resultType2(a, b)),
  backward: (g: Tensor, [a, b]: [Tensor, Tensor]) => [splitGrad(g, a, b, gt), splitGrad(g, a, b, lt)],
}]);

// ---- masked_fill -------------------------------------------------------------------------

function checkMask(mask: Tensor): void {
  if (mask.dtype === bool) return;
  if (mask.dtype === uint8) {
    // PyTorch 1.13 still accepts a 0/1 uint8 mask (with a deprecation warning).
    for (const v of mask.contiguousData()) if (v > 1) throw new RuntimeError("Mask tensor can take 0 and 1 values only");
    return;
  }
  throw new RuntimeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype.name}`);
}

function maskedFill(self: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  checkMask(mask);
  let v: number | boolean;
  if (isT(value)) {
    if (value.ndim !== 0) {
      throw new RuntimeError(`masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`);
    }
    v = value.item();
  } else v = value;
  const shape = broadcastShapes(self.shape, mask.shape);
  const out = new self.dtype.ArrayType(numel(shape));
  selectLoop(expandedData(mask, shape), castScalar(v, self.dtype), expandedData(self, shape), out);
  return Tensor.fromData(out, shape, self.dtype);
}

type MaskedArgs = [Tensor, Tensor, number | Tensor];
const maskedBackward = (g: Tensor, [, mask, value]: MaskedArgs) =>
  [g.masked_fill(mask, 0), null, isT(value) ? where(mask, g, 0) : null];

function maskedDefs(inplace: boolean): OverloadDef[] {
  const self = inplace ? "Tensor(a!) self" : "Tensor self";
  const name = inplace ? "masked_fill_" : "masked_fill";
  const ret = inplace ? "Tensor(a!)" : "Tensor";
  const forward = inplace
    ? (s: Tensor, m: Tensor, v: number | Tensor) => { copyInto(s, maskedFill(s, m, v)); return s; }
    : maskedFill;
  return [
    { schema: `aten::${name}.Scalar(${self}, Tensor mask, Scalar value) -> ${ret}`, gradName: "MaskedFillBackward0", forward, backward: maskedBackward },
    { schema: `aten::${name}.Tensor(${self}, Tensor mask, Tensor value) -> ${ret}`, gradName: "MaskedFillBackward1", forward, backward: maskedBackward },
  ];
}

type MaskedFill = (input: Tensor, mask: Tensor, value: number | boolean | Tensor) => Tensor;
export const masked_fill = defineOp<MaskedFill>("masked_fill", maskedDefs(false));
export const masked_fill_ = defineOp<MaskedFill>("masked_fill_", maskedDefs(true));

// ---- closeness ---------------------------------------------------------------------------

/** isclose: |a - b| <= atol + rtol * |b|, or equal (NaNs equal with equal_nan). */
function isCloseForward(a: Tensor, b: Tensor, rtol: number, atol: number, equalNan: boolean): Tensor {
  if (a.dtype !== b.dtype) throw new RuntimeError(`${a.dtype.scalarType} did not match ${b.dtype.scalarType}`);
  if (rtol < 0) throw new RuntimeError(`rtol must be greater than or equal to zero, but got ${rtol}`);
  if (atol < 0) throw new RuntimeError(`atol must be greater than or equal to zero, but got ${atol}`);
  const shape = broadcastShapes(a.shape, b.shape);
  const x = expandedData(a, shape);
  const y = expandedData(b, shape);
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const p = x[i]!;
    const q = y[i]!;
    const err = Math.abs(p - q);
    const close = p === q || (equalNan && p !== p && q !== q) || (err - err === 0 && err <= atol + Math.abs(rtol * q));
    out[i] = close ? 1 : 0;
  }
  return Tensor.fromData(out, shape, bool);
}

type CloseOpts = { rtol?: number; atol?: number; equal_nan?: boolean };
export const isclose = defineOp<(input: Tensor, other: Tensor, opts?: CloseOpts) => Tensor>("isclose", [{
  schema: "aten::isclose(Tensor self, Tensor other, float rtol=1e-05, float atol=1e-08, bool equal_nan=False) -> Tensor",
  forward: isCloseForward,
}]);

export const allclose = defineOp<(input: Tensor, other: Tensor, opts?: CloseOpts) => boolean>("allclose", [{
  schema: "aten::allclose(Tensor self, Tensor other, float rtol=1e-05, float atol=1e-08, bool equal_nan=False) -> bool",
  forward: (a: Tensor, b: Tensor, rtol: number, atol: number, equalNan: boolean) =>
    isCloseForward(a, b, rtol, atol, equalNan).contiguousData().every((v) => v !== 0),
}]);

/** torch.equal: same shape and equal values (NaN is never equal). */
export const equal = defineOp<(input: Tensor, other: Tensor) => boolean>("equal", [{
  schema: "aten::equal(Tensor self, Tensor other) -> bool",
  forward: (a: Tensor, b: Tensor) => {
    if (a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) return false;
    const x = a.contiguousData();
    const y = b.contiguousData();
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  },
}]);

declare module "../tensor.js" {
  interface Tensor {
    eq(other: TensorLike): Tensor;
    ne(other: TensorLike): Tensor;
    lt(other: TensorLike): Tensor;
    le(other: TensorLike): Tensor;
    gt(other: TensorLike): Tensor;
    ge(other: TensorLike): Tensor;
    greater(other: TensorLike): Tensor;
    greater_equal(other: TensorLike): Tensor;
    less(other: TensorLike): Tensor;
    less_equal(other: TensorLike): Tensor;
    not_equal(other: TensorLike): Tensor;
    logical_and(other: TensorLike): Tensor;
    logical_and_(other: TensorLike): Tensor;
    logical_or(other: TensorLike): Tensor;
    logical_or_(other: TensorLike): Tensor;
    logical_xor(other: TensorLike): Tensor;
    logical_xor_(other: TensorLike): Tensor;
    logical_not(): Tensor;
    logical_not_(): Tensor;
    bitwise_not(): Tensor;
    bitwise_not_(): Tensor;
    isnan(): Tensor;
    isinf(): Tensor;
    isfinite(): Tensor;
    where(condition: Tensor, other: TensorLike): Tensor;
    maximum(other: Tensor): Tensor;
    minimum(other: Tensor): Tensor;
    masked_fill(mask: Tensor, value: number | boolean | Tensor): Tensor;
    masked_fill_(mask: Tensor, value: number | boolean | Tensor): Tensor;
    isclose(other: Tensor, opts?: CloseOpts): Tensor;
    allclose(other: Tensor, opts?: CloseOpts): boolean;
    equal(other: Tensor): boolean;
  }
}

installMethods({
  eq, ne, lt, le, gt, ge, greater: gt, greater_equal: ge, less: lt, less_equal: le, not_equal: ne,
  logical_and, logical_and_, logical_or, logical_or_, logical_xor, logical_xor_, logical_not, logical_not_,
  bitwise_not, bitwise_not_, isnan, isinf, isfinite,
  where: (self: Tensor, condition: Tensor, other: TensorLike) => where(condition, self, other),
  maximum, minimum, masked_fill, masked_fill_, isclose, allclose, equal,
});
