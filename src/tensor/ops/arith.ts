/** Arithmetic: add, sub, mul, div and their in-place forms, with PyTorch's gradients. */
import { Tensor, type TensorLike } from "../tensor.js";
import { defineOp, installMethods, overload, type OverloadDef } from "../registry.js";
import type { GradOut } from "../../autograd/op_node.js";
import { binaryOverloads, unaryOverloads } from "./pointwise.js";
import { makeBinaryKernel } from "../kernels/elementwise.js";
import { applyBinary } from "../kernels/apply.js";
import { resultType2 } from "../promotion.js";
import { RuntimeError } from "../../util/errors.js";

type Alpha = { alpha?: number };
type BinaryFn = (input: TensorLike, other: TensorLike, opts?: Alpha) => Tensor;

const isT = (v: unknown): v is Tensor => v instanceof Tensor;

const [addT, addT_] = binaryOverloads({
  schema: "aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
  expr: "a + p0 * b",
  gradName: "AddBackward0",
  param: (alpha) => (alpha === undefined || alpha === null ? 1 : Number(alpha)),
  backward: (g, a, b, _r, alpha) => [isT(a) ? g : null, isT(b) ? (alpha === 1 ? g : mul(g, alpha)) : null],
});
export const add = defineOp<BinaryFn>("add", [addT]);
export const add_ = defineOp<(self: Tensor, other: TensorLike, opts?: Alpha) => Tensor>("add_", [addT_]);

const [subT, subT_] = binaryOverloads({
  schema: "aten::sub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
  expr: "a - p0 * b",
  gradName: "SubBackward0",
  param: (alpha) => (alpha === undefined || alpha === null ? 1 : Number(alpha)),
  backward: (g, a, b, _r, alpha) => [isT(a) ? g : null, isT(b) ? mul(g, -alpha) : null],
});
export const sub = defineOp<BinaryFn>("sub", [subT]);
export const sub_ = defineOp<(self: Tensor, other: TensorLike, opts?: Alpha) => Tensor>("sub_", [subT_]);

const [rsubT] = binaryOverloads({
  schema: "aten::rsub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
  expr: "b - p0 * a",
  gradName: "RsubBackward0",
  param: (alpha) => (alpha === undefined || alpha === null ? 1 : Number(alpha)),
  backward: (g, a, b, _r, alpha) => [isT(a) ? mul(g, -alpha) : null, isT(b) ? g : null],
});
export const rsub = defineOp<BinaryFn>("rsub", [rsubT]);

const [mulT, mulT_] = binaryOverloads({
  schema: "aten::mul.Tensor(Tensor self, Tensor other) -> Tensor",
  expr: "a * b",
  gradName: "MulBackward0",
  backward: (g, a, b) => [isT(a) ? mul(g, b) : null, isT(b) ? mul(g, a) : null],
});
export const mul = defineOp<(input: TensorLike, other: TensorLike) => Tensor>("mul", [mulT]);
export const mul_ = defineOp<(self: Tensor, other: TensorLike) => Tensor>("mul_", [mulT_]);

const [divT, divT_] = binaryOverloads({
  schema: "aten::div.Tensor(Tensor self, Tensor other) -> Tensor",
  expr: "a / b",
  rule: "float",
  gradName: "DivBackward0",
  backward: (g, a, b) => [
    isT(a) ? div(g, b) : null,
    isT(b) ? neg(div(mul(g, a), mul(b, b))) : null,
  ],
});

const floorDivK = makeBinaryKernel("floorDiv(a, b)");
const truncDivK = makeBinaryKernel("truncDiv(a, b)");
const trueDivK = makeBinaryKernel("a / b");
function divMode(a: TensorLike, b: TensorLike, mode: string | null): Tensor {
  const promoted = resultType2(a, b);
  if (mode === null) return applyBinary(a, b, trueDivK, promoted.is_floating_point ? promoted : resultType2(1.5, a));
  if (mode === "floor") return applyBinary(a, b, floorDivK, promoted);
  if (mode === "trunc") return applyBinary(a, b, truncDivK, promoted);
  throw new RuntimeError(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${mode}'`);
}
const divScalar: OverloadDef = overload({
  schema: "aten::div.Scalar(Tensor self, Scalar other) -> Tensor",
  gradName: "DivBackward1",
  forward: (a: Tensor, b: number) => divMode(a, b, null),
  backward: (g: Tensor, args: [Tensor, number]): GradOut[] => [div(g, args[1]), null],
});

const divMode_: OverloadDef = overload({
  schema: "aten::div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor",
  gradName: "DivBackward2",
  forward: (a: TensorLike, b: TensorLike, mode: string | null) => divMode(a, b, mode),
  backward: (g: Tensor, args: [TensorLike, TensorLike, string | null]): GradOut[] => {
    if (args[2] !== null) return [isT(args[0]) ? mul(g, 0) : null, isT(args[1]) ? mul(g, 0) : null];
    const [a, b] = args;
    return [isT(a) ? div(g, b) : null, isT(b) ? neg(div(mul(g, a), mul(b, b))) : null];
  },
});
export const div = defineOp<(input: TensorLike, other: TensorLike, opts?: { rounding_mode?: "floor" | "trunc" | null }) => Tensor>(
  "div", [divT, divMode_],
);
/**
 * aten::div.Scalar, registered for the script compiler and loader, and callable for composite
 * ops that PyTorch writes with it (its grad_fn is DivBackward1). Eager `torch.div(x, 2)` wraps
 * the number as PyTorch's argument parser does and stays DivBackward0.
 */
export const _div_scalar = defineOp<(input: Tensor, other: number) => Tensor>("div", [divScalar]);
export const div_ = defineOp<(self: Tensor, other: TensorLike) => Tensor>("div_", [divT_]);

export const true_divide = div;
export const multiply = mul;
export const subtract = sub;
export const divide = div;

// neg lives here because the gradient rules above use it.
const [negU, negU_] = unaryOverloads({
  schema: "aten::neg(Tensor self) -> Tensor",
  expr: "-x",
  gradName: "NegBackward0",
  backward: (g) => neg(g),
});
export const neg = defineOp<(input: Tensor) => Tensor>("neg", [negU]);
export const neg_ = defineOp<(self: Tensor) => Tensor>("neg_", [negU_]);
export const negative = neg;

declare module "../tensor.js" {
  interface Tensor {
    add(other: TensorLike, opts?: Alpha): Tensor;
    add_(other: TensorLike, opts?: Alpha): Tensor;
    sub(other: TensorLike, opts?: Alpha): Tensor;
    sub_(other: TensorLike, opts?: Alpha): Tensor;
    mul(other: TensorLike): Tensor;
    mul_(other: TensorLike): Tensor;
    div(other: TensorLike, opts?: { rounding_mode?: "floor" | "trunc" | null }): Tensor;
    div_(other: TensorLike): Tensor;
    neg(): Tensor;
    neg_(): Tensor;
    multiply(other: TensorLike): Tensor;
    subtract(other: TensorLike, opts?: Alpha): Tensor;
    divide(other: TensorLike): Tensor;
    true_divide(other: TensorLike): Tensor;
    negative(): Tensor;
  }
}

installMethods({
  add, add_, sub, sub_, mul, mul_, div, div_, neg, neg_,
  multiply: mul, subtract: sub, divide: div, true_divide: div, negative: neg,
});
