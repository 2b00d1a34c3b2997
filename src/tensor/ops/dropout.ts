/**
 * Dropout, composite as on PyTorch 1.13's CPU (_dropout_impl): in training a Bernoulli(1 - p)
 * mask drawn with bernoulli_ from the default generator, scaled by 1 / (1 - p), multiplies the
 * input, so the result's grad_fn is MulBackward0; in evaluation (or for p = 0) the input itself
 * is returned. feature_dropout (nn.Dropout2d) draws one mask value per (sample, channel).
 */
import { RuntimeError } from "../../util/errors.js";
import { float32, roundToDType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, overload } from "../registry.js";
import { callOp } from "../kernels/conv_common.js";
import { mul } from "./arith.js";

/** Bernoulli(1 - p) noise of `shape` in the input's dtype, divided by 1 - p (noise.div_(1 - p)). */
function noise(input: Tensor, p: number, shape: number[]): Tensor {
  const dt = input.dtype;
  const n = Tensor.empty(shape, dt);
  callOp("aten::bernoulli_", "float", n, 1 - p, null);
  // the divisor is converted to the tensor's dtype before dividing, as TensorIterator does
  const scale = roundToDType(dt === float32 ? Math.fround(1 / Math.fround(1 - p)) : 1 / roundToDType(1 - p, dt), dt);
  const d = n.storage.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] !== 0 ? scale : 0;
  return n;
}

function dropoutImpl(input: Tensor, p: number, train: boolean, inplace: boolean, feature: boolean): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RuntimeError(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (p === 0 || !train || input.numel() === 0) return input;
  if (!input.dtype.is_floating_point) {
    throw new RuntimeError(`result type Float can't be cast to the desired output type ${input.dtype.scalarType}`);
  }
  const times = (other: Tensor): Tensor => (inplace ? callOp("aten::mul_", "Tensor", input, other) : mul(input, other));
  if (p === 1) return times(Tensor.empty([], input.dtype));
  if (feature && input.ndim < 2) {
    throw new RuntimeError("Feature dropout requires at least 2 dimensions in the input");
  }
  const shape = feature ? input.shape.map((d, i) => (i < 2 ? d : 1)) : input.shape.slice();
  return times(noise(input, p, shape));
}

type DropoutFn = (input: Tensor, p: number, train: boolean) => Tensor;

export const dropout = defineOp<DropoutFn>("dropout", [overload({
  schema: "aten::dropout(Tensor input, float p, bool train) -> Tensor",
  composite: true,
  forward: (input: Tensor, p: number, train: boolean) => dropoutImpl(input, p, train, false, false),
})]);

export const dropout_ = defineOp<DropoutFn>("dropout_", [overload({
  schema: "aten::dropout_(Tensor(a!) self, float p, bool train) -> Tensor(a!)",
  composite: true,
  forward: (self: Tensor, p: number, train: boolean) => dropoutImpl(self, p, train, true, false),
})]);

export const feature_dropout = defineOp<DropoutFn>("feature_dropout", [overload({
  schema: "aten::feature_dropout(Tensor input, float p, bool train) -> Tensor",
  composite: true,
  forward: (input: Tensor, p: number, train: boolean) => dropoutImpl(input, p, train, false, true),
})]);

export const feature_dropout_ = defineOp<DropoutFn>("feature_dropout_", [overload({
  schema: "aten::feature_dropout_(Tensor(a!) self, float p, bool train) -> Tensor(a!)",
  composite: true,
  forward: (self: Tensor, p: number, train: boolean) => dropoutImpl(self, p, train, true, true),
})]);
