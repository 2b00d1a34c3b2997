/**
 * torch.nn.init: in-place initialisers that run under no_grad and draw from the default
 * generator through Tensor.uniform_ / normal_, in PyTorch's order, so that
 * `torch.manual_seed(0); new nn.Linear(4, 4)` holds PyTorch's numbers bit for bit.
 *
 * The gain/bound arithmetic follows torch/nn/init.py operation by operation (double precision):
 * e.g. kaiming_uniform_ computes `sqrt(3) * (gain / sqrt(fan))`, not the algebraically equal
 * `gain * sqrt(3 / fan)`, because the last bit of the bound changes the float32 samples.
 */
import { Tensor } from "../tensor/tensor.js";
import { no_grad } from "../autograd/grad_mode.js";
import { ValueError } from "../util/errors.js";
import { copyInto } from "../tensor/kernels/apply.js";
import { erf } from "../tensor/kernels/elementwise.js";
import { roundToDType } from "../tensor/dtype.js";
import { calculateGain as gainOf, type Nonlinearity } from "../tensor/random/init_math.js";
import "../tensor/ops/random.js"; // installs Tensor.uniform_ / normal_
import { pySignature, type Call } from "./layers/utils.js";

export type { Nonlinearity };
export type FanMode = "fan_in" | "fan_out";

const NONLINEARITIES = new Set<string>([
  "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
  "sigmoid", "tanh", "relu", "leaky_relu", "selu",
]);

/** torch.nn.init.calculate_gain(nonlinearity, param=None). */
export function calculate_gain(nonlinearity: Nonlinearity | string, param?: number | null): number {
  if (!NONLINEARITIES.has(nonlinearity)) throw new ValueError(`Unsupported nonlinearity ${nonlinearity}`);
  if (nonlinearity === "leaky_relu" && param !== undefined && param !== null && typeof param !== "number") {
    throw new ValueError(`negative_slope ${String(param)} not a valid number`);
  }
  return gainOf(nonlinearity as Nonlinearity, param ?? undefined);
}

/** torch.nn.init._calculate_fan_in_and_fan_out(tensor) -> [fan_in, fan_out]. */
export function _calculate_fan_in_and_fan_out(tensor: Tensor): [number, number] {
  const shape = tensor.shape;
  if (shape.length < 2) {
    throw new ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  }
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i]!;
  return [shape[1]! * receptive, shape[0]! * receptive];
}

function calculateCorrectFan(tensor: Tensor, mode: string): number {
  const m = mode.toLowerCase();
  if (m !== "fan_in" && m !== "fan_out") {
    throw new ValueError(`Mode ${mode.toLowerCase()} not supported, please use one of ['fan_in', 'fan_out']`);
  }
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  return m === "fan_in" ? fanIn : fanOut;
}

// Arguments bind as in Python (Note [python signatures]): `uniform_(w, -1, 1)` or `uniform_(w, {b: 2})`.
const UNIFORM = pySignature("uniform_", "tensor, a=0.0, b=1.0");
const NORMAL = pySignature("normal_", "tensor, mean=0.0, std=1.0");
const TRUNC_NORMAL = pySignature("trunc_normal_", "tensor, mean=0.0, std=1.0, a=-2.0, b=2.0");
const XAVIER_UNIFORM = pySignature("xavier_uniform_", "tensor, gain=1.0");
const XAVIER_NORMAL = pySignature("xavier_normal_", "tensor, gain=1.0");
const KAIMING_UNIFORM = pySignature("kaiming_uniform_", "tensor, a=0, mode='fan_in', nonlinearity='leaky_relu'");
const KAIMING_NORMAL = pySignature("kaiming_normal_", "tensor, a=0, mode='fan_in', nonlinearity='leaky_relu'");

/** torch.nn.init.uniform_(tensor, a=0, b=1). */
export function uniform_(tensor: Tensor, ...rest: Call<[a: number, b: number], { a?: number; b?: number }>): Tensor {
  const [t, a, b] = UNIFORM.bind(tensor, rest) as [Tensor, number, number];
  return no_grad(() => t.uniform_(a, b));
}

/** torch.nn.init.normal_(tensor, mean=0, std=1). */
export function normal_(tensor: Tensor, ...rest: Call<[mean: number, std: number], { mean?: number; std?: number }>): Tensor {
  const [t, mean, std] = NORMAL.bind(tensor, rest) as [Tensor, number, number];
  return no_grad(() => t.normal_(mean, std));
}

/** Writes `value` (a number or a same-shaped tensor) into `tensor` as an in-place op would. */
function fillInPlace(tensor: Tensor, value: number | Tensor): Tensor {
  copyInto(tensor, value);
  tensor.storage.version++;
  return tensor;
}

/** torch.nn.init.constant_(tensor, val). */
export function constant_(tensor: Tensor, val: number): Tensor {
  return fillInPlace(tensor, val);
}

/** torch.nn.init.ones_(tensor). */
export function ones_(tensor: Tensor): Tensor {
  return fillInPlace(tensor, 1);
}

/** torch.nn.init.zeros_(tensor). */
export function zeros_(tensor: Tensor): Tensor {
  return fillInPlace(tensor, 0);
}

/** torch.nn.init.eye_(tensor): the identity matrix in a 2-D tensor. */
export function eye_(tensor: Tensor): Tensor {
  if (tensor.dim() !== 2) throw new ValueError("Only tensors with 2 dimensions are supported");
  const [n, m] = tensor.shape as [number, number];
  const eye = Tensor.empty([n, m], tensor.dtype);
  for (let i = 0; i < Math.min(n, m); i++) eye.storage.data[i * m + i] = 1;
  return fillInPlace(tensor, eye);
}

/** torch.nn.init.dirac_(tensor, groups=1): identity-preserving conv weights. */
export function dirac_(tensor: Tensor, groups = 1): Tensor {
  const dims = tensor.dim();
  if (dims < 3 || dims > 5) throw new ValueError("Only tensors with 3, 4, or 5 dimensions are supported");
  const sizes = tensor.shape;
  if (sizes[0]! % groups !== 0) throw new ValueError("dim 0 must be divisible by groups");
  const perGroup = sizes[0]! / groups;
  const minDim = Math.min(perGroup, sizes[1]!);
  const out = Tensor.empty(sizes.slice(), tensor.dtype);
  const strides = out._strides;
  let centre = 0;
  for (let k = 2; k < dims; k++) centre += Math.floor(sizes[k]! / 2) * strides[k]!;
  for (let g = 0; g < groups; g++) {
    for (let d = 0; d < minDim; d++) out.storage.data[(g * perGroup + d) * strides[0]! + d * strides[1]! + centre] = 1;
  }
  return fillInPlace(tensor, out);
}

/** torch.nn.init.xavier_uniform_(tensor, gain=1). */
export function xavier_uniform_(tensor: Tensor, ...rest: Call<[gain: number], { gain?: number }>): Tensor {
  const gain = XAVIER_UNIFORM.bind(tensor, rest)[1] as number;
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(tensor, -a, a);
}

/** torch.nn.init.xavier_normal_(tensor, gain=1). */
export function xavier_normal_(tensor: Tensor, ...rest: Call<[gain: number], { gain?: number }>): Tensor {
  const gain = XAVIER_NORMAL.bind(tensor, rest)[1] as number;
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return normal_(tensor, 0, std);
}

export interface KaimingOptions {
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}
type KaimingRest = Call<[a: number, mode: FanMode, nonlinearity: Nonlinearity], KaimingOptions>;

let warnedZeroElement = false;

/** kaiming_* on a tensor with a zero-size dim warns and leaves it alone, as PyTorch does. */
function zeroElementNoop(tensor: Tensor): boolean {
  if (!tensor.shape.includes(0)) return false;
  if (!warnedZeroElement) {
    warnedZeroElement = true;
    console.warn("UserWarning: Initializing zero-element tensors is a no-op");
  }
  return true;
}

/** Kaiming's std: gain / sqrt(fan), with PyTorch's argument checks. */
function kaimingStd(tensor: Tensor, a: number, mode: string, nonlinearity: string): number {
  const fan = calculateCorrectFan(tensor, mode);
  const gain = calculate_gain(nonlinearity, a);
  return gain / Math.sqrt(fan);
}

/**
 * torch.nn.init.kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu'):
 * `kaiming_uniform_(w, Math.sqrt(5))`, `kaiming_uniform_(w, {mode: "fan_out", nonlinearity: "relu"})`.
 */
export function kaiming_uniform_(tensor: Tensor, ...rest: KaimingRest): Tensor {
  const [t, a, mode, nonlinearity] = KAIMING_UNIFORM.bind(tensor, rest) as [Tensor, number, string, string];
  if (zeroElementNoop(t)) return t;
  const bound = Math.sqrt(3.0) * kaimingStd(t, a, mode, nonlinearity);
  return no_grad(() => t.uniform_(-bound, bound));
}

/** torch.nn.init.kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu'). */
export function kaiming_normal_(tensor: Tensor, ...rest: KaimingRest): Tensor {
  const [t, a, mode, nonlinearity] = KAIMING_NORMAL.bind(tensor, rest) as [Tensor, number, string, string];
  if (zeroElementNoop(t)) return t;
  const std = kaimingStd(t, a, mode, nonlinearity);
  return no_grad(() => t.normal_(0, std));
}

/**
 * torch.nn.init.trunc_normal_(tensor, mean=0, std=1, a=-2, b=2): inverse-CDF sampling as
 * PyTorch does it (one uniform_ draw per element, then erfinv, scale, shift, clamp). The
 * uniform draws are PyTorch's; erfinv is evaluated in double here, so results agree with
 * PyTorch's float32 kernel to about one ulp rather than bit for bit.
 */
export function trunc_normal_(
  tensor: Tensor,
  ...rest: Call<[mean: number, std: number, a: number, b: number], { mean?: number; std?: number; a?: number; b?: number }>
): Tensor {
  const [, mean, std, a, b] = TRUNC_NORMAL.bind(tensor, rest) as [Tensor, number, number, number, number];
  const normCdf = (x: number): number => (1 + erf(x / Math.SQRT2)) / 2;
  if (mean < a - 2 * std || mean > b + 2 * std) {
    console.warn("UserWarning: mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.");
  }
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  no_grad(() => tensor.uniform_(2 * l - 1, 2 * u - 1));
  const vals = tensor.contiguousData().slice();
  const scale = std * Math.SQRT2;
  for (let i = 0; i < vals.length; i++) {
    const v = erfinv(vals[i]!) * scale + mean;
    vals[i] = roundToDType(Math.min(Math.max(v, a), b), tensor.dtype);
  }
  return fillInPlace(tensor, Tensor.fromData(vals, tensor.shape.slice(), tensor.dtype));
}

/** erfinv in double: Giles' single-precision-style initial guess refined by two Newton steps. */
function erfinv(y: number): number {
  if (y <= -1) return y === -1 ? -Infinity : NaN;
  if (y >= 1) return y === 1 ? Infinity : NaN;
  let w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    w -= 2.5;
    x = 2.81022636e-08;
    for (const c of [3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]) x = c + x * w;
  } else {
    w = Math.sqrt(w) - 3;
    x = -0.000200214257;
    for (const c of [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]) x = c + x * w;
  }
  x *= y;
  const k = 2 / Math.sqrt(Math.PI);
  for (let i = 0; i < 2; i++) x -= (erf(x) - y) / (k * Math.exp(-x * x));
  return x;
}
