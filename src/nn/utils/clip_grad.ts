/**
 * Gradient clipping, as PyTorch 1.13's torch/nn/utils/clip_grad.py: clip_grad_norm_ scales
 * every gradient by min(1, max_norm / (total_norm + 1e-6)), total_norm being the norm of the
 * gradients' norms (their max for the inf norm); clip_grad_value_ clamps each element.
 * Both write the gradients in place and record nothing for autograd.
 */
import { RuntimeError } from "../../util/errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { no_grad } from "../../autograd/grad_mode.js";
import { tensor } from "../../tensor/ops/creation.js";
import { stack } from "../../tensor/ops/join.js";
import { norm } from "../../tensor/ops/reduce_stats.js";
import { max } from "../../tensor/ops/reduce_minmax.js";
import { clamp, clamp_ } from "../../tensor/ops/unary.js";
import { mul_ } from "../../tensor/ops/arith.js";
import { pySignature, pyFloat, type Call } from "../layers/utils.js";

/** One tensor or an iterable of them (a Module's parameters()), as `_tensor_or_tensors`. */
export type TensorOrTensors = Tensor | Iterable<Tensor>;

const asList = (parameters: TensorOrTensors): Tensor[] => (parameters instanceof Tensor ? [parameters] : Array.from(parameters));

/** `norm_type` as Python's float() reads it: a number, or 'inf' / '-inf' strings. */
function asFloat(x: number | string): number {
  if (typeof x === "number") return x;
  const t = x.trim().toLowerCase();
  if (t === "inf" || t === "+inf" || t === "infinity") return Infinity;
  if (t === "-inf" || t === "-infinity") return -Infinity;
  const n = Number(t);
  if (t === "" || Number.isNaN(n)) throw new RuntimeError(`could not convert string to float: '${x}'`);
  return n;
}

/** Total norm of the gradients, viewed as one vector. */
function totalNorm(grads: Tensor[], normType: number): Tensor {
  if (normType === Infinity) {
    const norms = grads.map((g) => max(g.detach().abs()));
    return norms.length === 1 ? norms[0]! : max(stack(norms));
  }
  return norm(stack(grads.map((g) => norm(g.detach(), normType))), normType);
}

const CLIP_NORM = pySignature("clip_grad_norm_", "parameters, max_norm, norm_type=2.0, error_if_nonfinite=False");

/**
 * clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False): scales the
 * gradients in place so their total norm is at most max_norm; returns the total norm (0-d).
 *
 * @example
 * loss.backward();
 * const total = nn.utils.clip_grad_norm_(model.parameters(), 1.0);
 */
export function clip_grad_norm_(
  parameters: TensorOrTensors, max_norm: number,
  ...rest: Call<[norm_type: number | string, error_if_nonfinite: boolean], { norm_type?: number | string; error_if_nonfinite?: boolean }>
): Tensor {
  const [, maxNormArg, normTypeArg, errorIfNonfinite] = CLIP_NORM.bind(parameters, [max_norm, ...rest]) as
    [TensorOrTensors, number, number | string, boolean];
  const grads = asList(parameters).flatMap((p) => (p.grad === null ? [] : [p.grad]));
  const maxNorm = asFloat(maxNormArg);
  const normType = asFloat(normTypeArg);
  if (grads.length === 0) return tensor(0.0);
  return no_grad(() => {
    const total = totalNorm(grads, normType);
    if (errorIfNonfinite && !Number.isFinite(total.item())) {
      throw new RuntimeError(`The total norm of order ${pyFloat(normType)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``);
    }
    // Python's `max_norm / tensor` is `tensor.reciprocal() * max_norm`
    const clipCoef = total.add(1e-6).reciprocal().mul(maxNorm);
    // multiplying by a coefficient clamped to 1 avoids a data-dependent branch, as PyTorch does
    const clamped = clamp(clipCoef, null, 1.0);
    for (const g of grads) mul_(g.detach(), clamped);
    return total;
  });
}

/** clip_grad_norm (deprecated in favour of clip_grad_norm_, with PyTorch's warning). */
export function clip_grad_norm(
  parameters: TensorOrTensors, max_norm: number,
  ...rest: Call<[norm_type: number | string, error_if_nonfinite: boolean], { norm_type?: number | string; error_if_nonfinite?: boolean }>
): Tensor {
  console.warn("UserWarning: torch.nn.utils.clip_grad_norm is now deprecated in favor of torch.nn.utils.clip_grad_norm_.");
  return clip_grad_norm_(parameters, max_norm, ...rest);
}

/** clip_grad_value_(parameters, clip_value): clamps every gradient element to [-clip_value, clip_value] in place. */
export function clip_grad_value_(parameters: TensorOrTensors, clip_value: number): void {
  const clipValue = asFloat(clip_value);
  no_grad(() => {
    for (const p of asList(parameters)) if (p.grad !== null) clamp_(p.grad.data, -clipValue, clipValue);
  });
}
