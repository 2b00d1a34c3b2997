/**
 * torch.nn.functional: PyTorch's Python signatures over the registered ops. Arguments bind as
 * Python binds them: positionally, then by name from a trailing options object
 * (`F.dropout(x, 0.2)`, `F.dropout(x, {p: 0.2, training: false})`), with Python's TypeError
 * messages for unknown, repeated or missing arguments (Note [python signatures]).
 *
 * Each wrapper does what torch/nn/functional.py does before calling the op (argument checks,
 * defaults such as stride = kernel_size, reduction strings to enums), so the ops recorded, the
 * grad_fn names and the error messages are PyTorch's.
 *
 * A wrapper that is a Python function in PyTorch (F.relu, F.max_pool2d, F.batch_norm, ...)
 * runs in a name frame of its own binding its parameters, so a trace names the values it
 * passes to the op `input`, as PyTorch's does (Note [local names] in
 * src/tensor/local_names.ts); the ones that are C++ builtins there (F.linear, F.conv2d,
 * F.gelu, F.avg_pool2d, F.pad) do not, and their arguments take the caller's names.
 */
import { Tensor } from "../tensor/tensor.js";
import type { DType, DTypeName } from "../tensor/dtype.js";
import { no_grad } from "../autograd/grad_mode.js";
import { NotImplementedError, RuntimeError, TorchError, ValueError } from "../util/errors.js";
import { lookupOverloads, runOverload } from "../tensor/registry.js";
import { broadcastShapes } from "../tensor/shape.js";
import * as unary from "../tensor/ops/unary.js";
import * as softmaxOps from "../tensor/ops/softmax.js";
import * as linalg from "../tensor/ops/linalg.js";
import * as conv from "../tensor/ops/conv.js";
import * as pool from "../tensor/ops/pool.js";
import * as norm from "../tensor/ops/norm.js";
import * as emb from "../tensor/ops/embedding.js";
import * as drop from "../tensor/ops/dropout.js";
import * as loss from "../tensor/ops/loss.js";
import * as view from "../tensor/ops/view.js";
import "../tensor/ops/reduce_stats.js"; // Tensor.norm
import { pySignature, type Call } from "./layers/utils.js";
import { enterNameFrame, leaveNameFrame, nameLocal } from "../tensor/local_names.js";

type IntOrList = number | readonly number[];

/** An int-or-list argument as the ops take it (a fresh mutable list). */
const ints = (v: IntOrList): number | number[] => (typeof v === "number" ? v : v.slice());
type Opt<T> = T | null | undefined;

const warned = new Set<string>();
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(`UserWarning: ${message}`);
}

// ------------------------------------------------------------------------------ activations

const RELU = pySignature("relu", "input, inplace=False");
/** F.relu(input, inplace=False). */
export function relu(input: Tensor, ...rest: Call<[inplace: boolean], { inplace?: boolean }>): Tensor {
  const bound = RELU.bind(input, rest);
  const [x, inplace] = bound as [Tensor, boolean];
  const frame = enterNameFrame(RELU.names, bound);
  try {
    return inplace ? unary.relu_(x) : unary.relu(x);
  } finally {
    leaveNameFrame(frame);
  }
}

/** F.relu_(input). */
export function relu_(input: Tensor): Tensor {
  return unary.relu_(input);
}

const GELU = pySignature("gelu", "input, approximate='none'");
/** F.gelu(input, approximate='none' | 'tanh'). */
export function gelu(input: Tensor, ...rest: Call<[approximate: "none" | "tanh"], { approximate?: "none" | "tanh" }>): Tensor {
  const [x, approximate] = GELU.bind(input, rest) as [Tensor, "none" | "tanh"];
  return unary.gelu(x, { approximate });
}

const SILU = pySignature("silu", "input, inplace=False");
/** F.silu(input, inplace=False). */
export function silu(input: Tensor, ...rest: Call<[inplace: boolean], { inplace?: boolean }>): Tensor {
  const bound = SILU.bind(input, rest);
  const [x, inplace] = bound as [Tensor, boolean];
  const frame = enterNameFrame(SILU.names, bound);
  try {
    return inplace ? unary.silu_(x) : unary.silu(x);
  } finally {
    leaveNameFrame(frame);
  }
}

const SOFTPLUS = pySignature("softplus", "input, beta=1, threshold=20");
/** F.softplus(input, beta=1, threshold=20). */
export function softplus(input: Tensor, ...rest: Call<[beta: number, threshold: number], { beta?: number; threshold?: number }>): Tensor {
  const [x, beta, threshold] = SOFTPLUS.bind(input, rest) as [Tensor, number, number];
  return unary.softplus(x, beta, threshold);
}

type InplaceKw = { inplace?: boolean };

const LEAKY_RELU = pySignature("leaky_relu", "input, negative_slope=0.01, inplace=False");
/** F.leaky_relu(input, negative_slope=0.01, inplace=False). */
export function leaky_relu(input: Tensor, ...rest: Call<[negative_slope: number, inplace: boolean], InplaceKw & { negative_slope?: number }>): Tensor {
  const bound = LEAKY_RELU.bind(input, rest);
  const [x, slope, inplace] = bound as [Tensor, number, boolean];
  const frame = enterNameFrame(LEAKY_RELU.names, bound);
  try {
    return inplace ? unary.leaky_relu_(x, slope) : unary.leaky_relu(x, slope);
  } finally {
    leaveNameFrame(frame);
  }
}

const ELU = pySignature("elu", "input, alpha=1.0, inplace=False");
/** F.elu(input, alpha=1.0, inplace=False). */
export function elu(input: Tensor, ...rest: Call<[alpha: number, inplace: boolean], InplaceKw & { alpha?: number }>): Tensor {
  const bound = ELU.bind(input, rest);
  const [x, alpha, inplace] = bound as [Tensor, number, boolean];
  const frame = enterNameFrame(ELU.names, bound);
  try {
    return inplace ? unary.elu_(x, alpha) : unary.elu(x, alpha);
  } finally {
    leaveNameFrame(frame);
  }
}

const HARDTANH = pySignature("hardtanh", "input, min_val=-1.0, max_val=1.0, inplace=False");
/** F.hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False). */
export function hardtanh(
  input: Tensor, ...rest: Call<[min_val: number, max_val: number, inplace: boolean], InplaceKw & { min_val?: number; max_val?: number }>
): Tensor {
  const bound = HARDTANH.bind(input, rest);
  const [x, lo, hi, inplace] = bound as [Tensor, number, number, boolean];
  const frame = enterNameFrame(HARDTANH.names, bound);
  try {
    return inplace ? unary.hardtanh_(x, lo, hi) : unary.hardtanh(x, lo, hi);
  } finally {
    leaveNameFrame(frame);
  }
}

const RELU6 = pySignature("relu6", "input, inplace=False");
/** F.relu6(input, inplace=False). */
export function relu6(input: Tensor, ...rest: Call<[inplace: boolean], InplaceKw>): Tensor {
  const bound = RELU6.bind(input, rest);
  const [x, inplace] = bound as [Tensor, boolean];
  const frame = enterNameFrame(RELU6.names, bound);
  try {
    return inplace ? unary.relu6_(x) : unary.relu6(x);
  } finally {
    leaveNameFrame(frame);
  }
}

/** The parameter list of a one-argument wrapper, for its name frame. */
const INPUT = ["input"] as const;

/** F.sigmoid(input) (PyTorch warns that it is deprecated in favour of torch.sigmoid). */
export function sigmoid(input: Tensor): Tensor {
  warnOnce("nn.functional.sigmoid is deprecated. Use torch.sigmoid instead.");
  const frame = enterNameFrame(INPUT, [input]);
  try {
    return unary.sigmoid(input);
  } finally {
    leaveNameFrame(frame);
  }
}

/** F.tanh(input) (deprecated in favour of torch.tanh, as in PyTorch). */
export function tanh(input: Tensor): Tensor {
  warnOnce("nn.functional.tanh is deprecated. Use torch.tanh instead.");
  const frame = enterNameFrame(INPUT, [input]);
  try {
    return unary.tanh(input);
  } finally {
    leaveNameFrame(frame);
  }
}

type SoftmaxKw = { dim?: number | null; _stacklevel?: number; dtype?: DType | DTypeName | null };

/** F.softmax's implicit dim (deprecated): 0 for 0-, 1- and 3-d input, else 1. */
function softmaxDim(name: string, ndim: number): number {
  warnOnce(`Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`);
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

const SOFTMAX = pySignature("softmax", "input, dim=None, _stacklevel=3, dtype=None");
/** F.softmax(input, dim=None, _stacklevel=3, dtype=None). */
export function softmax(input: Tensor, ...rest: Call<[dim: number | null, _stacklevel: number, dtype: DType | DTypeName | null], SoftmaxKw>): Tensor {
  const bound = SOFTMAX.bind(input, rest);
  const [x, dim, , dtype] = bound as [Tensor, number | null, number, DType | DTypeName | null];
  const frame = enterNameFrame(SOFTMAX.names, bound);
  try {
    const d = dim ?? softmaxDim("softmax", x.dim());
    return dtype === null ? softmaxOps.softmax(x, d) : softmaxOps.softmax(x, d, dtype);
  } finally {
    leaveNameFrame(frame);
  }
}

const LOG_SOFTMAX = pySignature("log_softmax", "input, dim=None, _stacklevel=3, dtype=None");
/** F.log_softmax(input, dim=None, _stacklevel=3, dtype=None). */
export function log_softmax(input: Tensor, ...rest: Call<[dim: number | null, _stacklevel: number, dtype: DType | DTypeName | null], SoftmaxKw>): Tensor {
  const bound = LOG_SOFTMAX.bind(input, rest);
  const [x, dim, , dtype] = bound as [Tensor, number | null, number, DType | DTypeName | null];
  const frame = enterNameFrame(LOG_SOFTMAX.names, bound);
  try {
    const d = dim ?? softmaxDim("log_softmax", x.dim());
    return dtype === null ? softmaxOps.log_softmax(x, d) : softmaxOps.log_softmax(x, d, dtype);
  } finally {
    leaveNameFrame(frame);
  }
}

// ------------------------------------------------------------------------- linear and conv

/** F.linear(input, weight, bias=None): aten::linear, whose grad_fn is AddmmBackward0 (2-d input). */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return linalg.linear(input, weight, bias ?? null);
}

type ConvKw = { bias?: Tensor | null; stride?: IntOrList; padding?: IntOrList | "same" | "valid"; dilation?: IntOrList; groups?: number };
type ConvRest = Call<[bias: Tensor | null, stride: IntOrList, padding: IntOrList | "same" | "valid", dilation: IntOrList, groups: number], ConvKw>;

const CONV1D = pySignature("conv1d", "input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1");
/** F.conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1). */
export function conv1d(input: Tensor, weight: Tensor, ...rest: ConvRest): Tensor {
  const a = CONV1D.bind(input, [weight, ...rest]);
  return conv.conv1d(...(a as Parameters<typeof conv.conv1d>));
}

const CONV2D = pySignature("conv2d", "input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1");
/** F.conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1). */
export function conv2d(input: Tensor, weight: Tensor, ...rest: ConvRest): Tensor {
  const a = CONV2D.bind(input, [weight, ...rest]);
  return conv.conv2d(...(a as Parameters<typeof conv.conv2d>));
}

// --------------------------------------------------------------------------------- pooling

type MaxPoolKw = { stride?: IntOrList | null; padding?: IntOrList; dilation?: IntOrList; ceil_mode?: boolean; return_indices?: boolean };
type MaxPoolRest = Call<[stride: IntOrList | null, padding: IntOrList, dilation: IntOrList, ceil_mode: boolean, return_indices: boolean], MaxPoolKw>;

const MAX_POOL2D = pySignature("max_pool2d", "input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False");
/** F.max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False). */
export function max_pool2d(input: Tensor, kernel_size: IntOrList, ...rest: MaxPoolRest): Tensor;
export function max_pool2d(input: Tensor, kernel_size: IntOrList, ...rest: MaxPoolRest): Tensor | [Tensor, Tensor] {
  const bound = MAX_POOL2D.bind(input, [kernel_size, ...rest]);
  const [x, k, stride, padding, dilation, ceil, withIndices] = bound as
    [Tensor, IntOrList, IntOrList | null, IntOrList, IntOrList, boolean, boolean];
  const frame = enterNameFrame(MAX_POOL2D.names, bound);
  try {
    if (withIndices) return pool.max_pool2d_with_indices(x, ints(k), ints(stride ?? []), ints(padding), ints(dilation), ceil);
    return pool.max_pool2d(x, ints(k), ints(stride ?? []), ints(padding), ints(dilation), ceil);
  } finally {
    leaveNameFrame(frame);
  }
}

/** F.max_pool2d_with_indices(...): [output, indices]. */
export function max_pool2d_with_indices(input: Tensor, kernel_size: IntOrList, ...rest: MaxPoolRest): [Tensor, Tensor] {
  const bound = MAX_POOL2D.bind(input, [kernel_size, ...rest]);
  const [x, k, stride, padding, dilation, ceil] = bound as
    [Tensor, IntOrList, IntOrList | null, IntOrList, IntOrList, boolean];
  const frame = enterNameFrame(MAX_POOL2D.names, bound);
  try {
    return pool.max_pool2d_with_indices(x, ints(k), ints(stride ?? []), ints(padding), ints(dilation), ceil);
  } finally {
    leaveNameFrame(frame);
  }
}

const MAX_POOL1D = pySignature("max_pool1d", "input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False");
/** F.max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False). */
export function max_pool1d(input: Tensor, kernel_size: IntOrList, ...rest: MaxPoolRest): Tensor;
export function max_pool1d(input: Tensor, kernel_size: IntOrList, ...rest: MaxPoolRest): Tensor | [Tensor, Tensor] {
  const bound = MAX_POOL1D.bind(input, [kernel_size, ...rest]);
  const [x, k, stride, padding, dilation, ceil, withIndices] = bound as
    [Tensor, IntOrList, IntOrList | null, IntOrList, IntOrList, boolean, boolean];
  const frame = enterNameFrame(MAX_POOL1D.names, bound);
  try {
    if (withIndices) return pool.max_pool1d_with_indices(x, ints(k), ints(stride ?? []), ints(padding), ints(dilation), ceil);
    return pool.max_pool1d(x, ints(k), ints(stride ?? []), ints(padding), ints(dilation), ceil);
  } finally {
    leaveNameFrame(frame);
  }
}

/** F.max_pool1d_with_indices(...): [output, indices]. */
export function max_pool1d_with_indices(input: Tensor, kernel_size: IntOrList, ...rest: MaxPoolRest): [Tensor, Tensor] {
  const bound = MAX_POOL1D.bind(input, [kernel_size, ...rest]);
  const [x, k, stride, padding, dilation, ceil] = bound as
    [Tensor, IntOrList, IntOrList | null, IntOrList, IntOrList, boolean];
  const frame = enterNameFrame(MAX_POOL1D.names, bound);
  try {
    return pool.max_pool1d_with_indices(x, ints(k), ints(stride ?? []), ints(padding), ints(dilation), ceil);
  } finally {
    leaveNameFrame(frame);
  }
}

const AVG_POOL1D = pySignature("avg_pool1d", "input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True");
/** F.avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True). */
export function avg_pool1d(
  input: Tensor, kernel_size: IntOrList,
  ...rest: Call<[stride: IntOrList | null, padding: IntOrList, ceil_mode: boolean, count_include_pad: boolean], Omit<AvgPoolKw, "divisor_override">>
): Tensor {
  const [x, k, stride, padding, ceil, countPad] = AVG_POOL1D.bind(input, [kernel_size, ...rest]) as
    [Tensor, IntOrList, IntOrList | null, IntOrList, boolean, boolean];
  return pool.avg_pool1d(x, ints(k), ints(stride ?? []), ints(padding), ceil, countPad);
}

/** F.adaptive_avg_pool1d(input, output_size). */
export function adaptive_avg_pool1d(input: Tensor, output_size: IntOrList): Tensor {
  return pool.adaptive_avg_pool1d(input, ints(output_size));
}

type AvgPoolKw = { stride?: IntOrList | null; padding?: IntOrList; ceil_mode?: boolean; count_include_pad?: boolean; divisor_override?: number | null };
const AVG_POOL2D = pySignature("avg_pool2d", "input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None");
/** F.avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None). */
export function avg_pool2d(
  input: Tensor, kernel_size: IntOrList,
  ...rest: Call<[stride: IntOrList | null, padding: IntOrList, ceil_mode: boolean, count_include_pad: boolean, divisor_override: number | null], AvgPoolKw>
): Tensor {
  const [x, k, stride, padding, ceil, countPad, divisor] = AVG_POOL2D.bind(input, [kernel_size, ...rest]) as
    [Tensor, IntOrList, IntOrList | null, IntOrList, boolean, boolean, number | null];
  return pool.avg_pool2d(x, ints(k), ints(stride ?? []), ints(padding), ceil, countPad, divisor);
}

/** PyTorch's _list_with_default: null entries of an adaptive output size take the input's size. */
function listWithDefault(size: number | null | readonly (number | null)[], defaults: readonly number[]): number | number[] {
  if (typeof size === "number") return size;
  const s = size === null ? [null, null] : size;
  if (defaults.length <= s.length) throw new ValueError(`Input dimension should be at least ${s.length + 1}`);
  const tail = defaults.slice(defaults.length - s.length);
  return s.map((v, i) => v ?? tail[i]!);
}

const ADAPTIVE_AVG_POOL2D = ["input", "output_size"] as const;
/** F.adaptive_avg_pool2d(input, output_size); an entry of null keeps that input size. */
export function adaptive_avg_pool2d(input: Tensor, output_size: number | null | readonly (number | null)[]): Tensor {
  const frame = enterNameFrame(ADAPTIVE_AVG_POOL2D, [input, output_size]);
  try {
    return pool.adaptive_avg_pool2d(input, listWithDefault(output_size, input.shape));
  } finally {
    leaveNameFrame(frame);
  }
}

// --------------------------------------------------------------------------- normalization

/** Batch norm in training needs more than one value per channel. */
function verifyBatchSize(size: readonly number[]): void {
  let prod = size[0]!;
  for (let i = 0; i < size.length - 2; i++) prod *= size[i + 2]!;
  if (prod === 1) throw new ValueError(`Expected more than 1 value per channel when training, got input size torch.Size([${size.join(", ")}])`);
}

type BatchNormKw = { weight?: Tensor | null; bias?: Tensor | null; training?: boolean; momentum?: number; eps?: number };
const BATCH_NORM = pySignature("batch_norm", "input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05");
/** F.batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05). */
export function batch_norm(
  input: Tensor, running_mean: Opt<Tensor>, running_var: Opt<Tensor>,
  ...rest: Call<[weight: Tensor | null, bias: Tensor | null, training: boolean, momentum: number, eps: number], BatchNormKw>
): Tensor {
  const bound = BATCH_NORM.bind(input, [running_mean ?? null, running_var ?? null, ...rest]);
  const [x, rm, rv, w, b, training, momentum, eps] = bound as
    [Tensor, Tensor | null, Tensor | null, Tensor | null, Tensor | null, boolean, number, number];
  const frame = enterNameFrame(BATCH_NORM.names, bound);
  try {
    if (training) verifyBatchSize(x.shape);
    // cudnn_enabled: torch.backends.cudnn.enabled, True even in a CPU build (traces record it)
    return norm.batch_norm(x, w, b, rm, rv, training, momentum, eps, true);
  } finally {
    leaveNameFrame(frame);
  }
}

type LayerNormKw = { weight?: Tensor | null; bias?: Tensor | null; eps?: number };
const LAYER_NORM = pySignature("layer_norm", "input, normalized_shape, weight=None, bias=None, eps=1e-05");
/** F.layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05). */
export function layer_norm(
  input: Tensor, normalized_shape: IntOrList,
  ...rest: Call<[weight: Tensor | null, bias: Tensor | null, eps: number], LayerNormKw>
): Tensor {
  const bound = LAYER_NORM.bind(input, [normalized_shape, ...rest]);
  const [x, shape, w, b, eps] = bound as
    [Tensor, IntOrList, Tensor | null, Tensor | null, number];
  const frame = enterNameFrame(LAYER_NORM.names, bound);
  try {
    return norm.layer_norm(x, typeof shape === "number" ? [shape] : shape.slice(), w, b, eps, true);
  } finally {
    leaveNameFrame(frame);
  }
}

// ---------------------------------------------------------------------- embedding, dropout

type EmbeddingKw = { padding_idx?: number | null; max_norm?: number | null; norm_type?: number; scale_grad_by_freq?: boolean; sparse?: boolean };
const EMBEDDING = pySignature("embedding", "input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False");
/** F.embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False). */
export function embedding(
  input: Tensor, weight: Tensor,
  ...rest: Call<[padding_idx: number | null, max_norm: number | null, norm_type: number, scale_grad_by_freq: boolean, sparse: boolean], EmbeddingKw>
): Tensor {
  const bound = EMBEDDING.bind(input, [weight, ...rest]);
  const [idx, w, paddingIdx, maxNorm, normType, scaleGrad, sparse] = bound as
    [Tensor, Tensor, number | null, number | null, number, boolean, boolean];
  const frame = enterNameFrame(EMBEDDING.names, bound);
  try {
    let pad = -1;
    if (paddingIdx !== null) {
      const n = w.size(0);
      if (paddingIdx > 0 && !(paddingIdx < n)) throw new TorchError("AssertionError", "Padding_idx must be within num_embeddings");
      if (paddingIdx < 0 && !(paddingIdx >= -n)) throw new TorchError("AssertionError", "Padding_idx must be within num_embeddings");
      pad = paddingIdx < 0 ? n + paddingIdx : paddingIdx;
    }
    let x = idx;
    if (maxNorm !== null) {
      x = nameLocal(view.contiguous(idx), "input"); // `input = input.contiguous()` in PyTorch
      no_grad(() => emb.embedding_renorm_(w, x, maxNorm, normType));
    }
    return emb.embedding(w, x, pad, scaleGrad, sparse);
  } finally {
    leaveNameFrame(frame);
  }
}

type DropoutKw = { p?: number; training?: boolean; inplace?: boolean };
const DROPOUT = pySignature("dropout", "input, p=0.5, training=True, inplace=False");
/** F.dropout(input, p=0.5, training=True, inplace=False). */
export function dropout(input: Tensor, ...rest: Call<[p: number, training: boolean, inplace: boolean], DropoutKw>): Tensor {
  const bound = DROPOUT.bind(input, rest);
  const [x, p, training, inplace] = bound as [Tensor, number, boolean, boolean];
  const frame = enterNameFrame(DROPOUT.names, bound);
  try {
    if (p < 0 || p > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${p}`);
    return inplace ? drop.dropout_(x, p, training) : drop.dropout(x, p, training);
  } finally {
    leaveNameFrame(frame);
  }
}

// ---------------------------------------------------------------------------------- losses

export type Reduction = "none" | "mean" | "sum";

/** torch.nn._reduction.get_enum: the integer the loss ops take. */
export function reductionEnum(reduction: string): number {
  if (reduction === "none") return 0;
  if (reduction === "mean") return 1;
  if (reduction === "sum") return 2;
  throw new ValueError(`${reduction} is not a valid value for reduction`);
}

/** torch.nn._reduction.legacy_get_string: the deprecated size_average / reduce pair. */
export function legacyReduction(size_average: boolean | null, reduce: boolean | null): Reduction {
  const sa = size_average ?? true;
  const r = reduce ?? true;
  const out: Reduction = !r ? "none" : sa ? "mean" : "sum";
  warnOnce(`size_average and reduce args will be deprecated, please use reduction='${out}' instead.`);
  return out;
}

/** torch.broadcast_tensors(input, target) for two tensors (views; no copy when shapes agree). */
function broadcastPair(a: Tensor, b: Tensor): [Tensor, Tensor] {
  const shape = broadcastShapes(a.shape, b.shape);
  const same = (t: Tensor): boolean => t.shape.length === shape.length && t.shape.every((s, i) => s === shape[i]);
  return [same(a) ? a : view.expand(a, shape), same(b) ? b : view.expand(b, shape)];
}

type LegacyKw = { size_average?: boolean | null; reduce?: boolean | null; reduction?: Reduction };
type MseKw = LegacyKw;
const MSE_LOSS = pySignature("mse_loss", "input, target, size_average=None, reduce=None, reduction='mean'");
/** F.mse_loss(input, target, size_average=None, reduce=None, reduction='mean'). */
export function mse_loss(
  input: Tensor, target: Tensor,
  ...rest: Call<[size_average: boolean | null, reduce: boolean | null, reduction: Reduction], MseKw>
): Tensor {
  const bound = MSE_LOSS.bind(input, [target, ...rest]);
  const [x, t, sa, red, reduction] = bound as
    [Tensor, Tensor, boolean | null, boolean | null, Reduction];
  const frame = enterNameFrame(MSE_LOSS.names, bound);
  try {
    if (x.shape.length !== t.shape.length || x.shape.some((s, i) => s !== t.shape[i])) {
      warnOnce(`Using a target size (torch.Size([${t.shape.join(", ")}])) that is different to the input size (torch.Size([${x.shape.join(", ")}])). ` +
        "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.");
    }
    const r = sa !== null || red !== null ? legacyReduction(sa, red) : reduction;
    return loss.mse_loss(...broadcastPair(x, t), reductionEnum(r));
  } finally {
    leaveNameFrame(frame);
  }
}

type CrossEntropyKw = LegacyKw & { weight?: Tensor | null; ignore_index?: number; label_smoothing?: number };
const CROSS_ENTROPY = pySignature(
  "cross_entropy", "input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean', label_smoothing=0.0",
);
/** F.cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean', label_smoothing=0.0). */
export function cross_entropy(
  input: Tensor, target: Tensor,
  ...rest: Call<[weight: Tensor | null, size_average: boolean | null, ignore_index: number, reduce: boolean | null, reduction: Reduction, label_smoothing: number], CrossEntropyKw>
): Tensor {
  const bound = CROSS_ENTROPY.bind(input, [target, ...rest]);
  const [x, t, w, sa, ignore, red, reduction, smoothing] = bound as
    [Tensor, Tensor, Tensor | null, boolean | null, number, boolean | null, Reduction, number];
  const frame = enterNameFrame(CROSS_ENTROPY.names, bound);
  try {
    const r = sa !== null || red !== null ? legacyReduction(sa, red) : reduction;
    return loss.cross_entropy_loss(x, t, w, reductionEnum(r), ignore, smoothing);
  } finally {
    leaveNameFrame(frame);
  }
}

type NllKw = LegacyKw & { weight?: Tensor | null; ignore_index?: number };
const NLL_LOSS = pySignature("nll_loss", "input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'");
/** F.nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'). */
export function nll_loss(
  input: Tensor, target: Tensor,
  ...rest: Call<[weight: Tensor | null, size_average: boolean | null, ignore_index: number, reduce: boolean | null, reduction: Reduction], NllKw>
): Tensor {
  const bound = NLL_LOSS.bind(input, [target, ...rest]);
  const [x, t, w, sa, ignore, red, reduction] = bound as
    [Tensor, Tensor, Tensor | null, boolean | null, number, boolean | null, Reduction];
  const frame = enterNameFrame(NLL_LOSS.names, bound);
  try {
    const r = sa !== null || red !== null ? legacyReduction(sa, red) : reduction;
    return loss.nll_loss_nd(x, t, w, reductionEnum(r), ignore);
  } finally {
    leaveNameFrame(frame);
  }
}

// ------------------------------------------------------------------------------ utilities

export type PadMode = "constant" | "reflect" | "replicate" | "circular";

/** Runs a registered op by qualified name; a missing one is named in the error. */
function callAten(name: string, ...args: unknown[]): Tensor {
  const ov = lookupOverloads(name)[0]!;
  return runOverload(ov, args) as Tensor;
}

const PAD = pySignature("pad", "input, pad, mode='constant', value=None");
/**
 * F.pad(input, pad, mode='constant', value=None): `pad` lists (left, right) pairs starting from
 * the last dim. As PyTorch 1.13's aten::pad, constant mode is aten::constant_pad_nd and the
 * other modes are aten::reflection_pad{1,2}d, replication_pad{1,2}d and _pad_circular.
 */
export function pad(
  input: Tensor, padding: readonly number[],
  ...rest: Call<[mode: PadMode, value: number | null], { mode?: PadMode; value?: number | null }>
): Tensor {
  const [x, p, mode, value] = PAD.bind(input, [padding, ...rest]) as [Tensor, number[], PadMode, number | null];
  if (p.length % 2 !== 0) throw new RuntimeError("Padding length must be divisible by 2");
  if (p.length / 2 > x.dim()) throw new RuntimeError("Padding length too large");
  if (mode === "constant") return callAten("aten::constant_pad_nd", x, p.slice(), value ?? 0);
  if (value !== null && value !== 0) {
    throw new RuntimeError(`Padding mode "${mode}" doesn't take in value argument`);
  }
  if (mode === "circular") return callAten("aten::_pad_circular", x, p.slice());
  const n = p.length / 2;
  if (n > 2 || (mode !== "reflect" && mode !== "replicate")) {
    throw new NotImplementedError(`Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now`);
  }
  return callAten(`aten::${mode === "reflect" ? "reflection" : "replication"}_pad${n}d`, x, p.slice());
}

const NORMALIZE = pySignature("normalize", "input, p=2.0, dim=1, eps=1e-12, out=None");
/** F.normalize(input, p=2.0, dim=1, eps=1e-12): input / max(||input||_p over dim, eps). */
export function normalize(
  input: Tensor, ...rest: Call<[p: number, dim: number, eps: number], { p?: number; dim?: number; eps?: number }>
): Tensor {
  const bound = NORMALIZE.bind(input, rest);
  const [x, p, dim, eps, out] = bound as [Tensor, number, number, number, Tensor | null];
  const frame = enterNameFrame(NORMALIZE.names, bound);
  try {
    if (out !== null) throw new NotImplementedError("normalize: the out= argument is not supported");
    const denom = x.norm(p, dim, true).clamp_min(eps).expand_as(x);
    return x.div(denom);
  } finally {
    leaveNameFrame(frame);
  }
}

const ONE_HOT = pySignature("one_hot", "tensor, num_classes=-1");
/** F.one_hot(tensor, num_classes=-1): int64 one-hot encoding along a new last dim (aten::one_hot). */
export function one_hot(tensor: Tensor, ...rest: Call<[num_classes: number], { num_classes?: number }>): Tensor {
  const [t, n] = ONE_HOT.bind(tensor, rest) as [Tensor, number];
  return callAten("aten::one_hot", t, n);
}
