/**
 * Convolutions. As in PyTorch 1.13, conv1d / conv2d / conv_transpose{1,2}d are composite: they
 * add and remove the batch dim of unbatched input and resolve padding="same", then call the
 * primitive aten::convolution, whose backward node is ConvolutionBackward0 and whose gradient
 * is the op aten::convolution_backward (itself differentiable, for double backward).
 * aten::_convolution (what PyTorch's tracer records for a conv2d call) is registered too, with
 * the same kernel and gradient.
 */
import { RuntimeError } from "../../util/errors.js";
import { float16, bool as boolDType } from "../dtype.js";
import { add } from "./arith.js";
import { Tensor } from "../tensor.js";
import { REGISTRY, defineOp, overload, runOverload } from "../registry.js";
import { addBias, colsToImage, imageToCols, sumPerChannel, weightGrad } from "../kernels/conv_im2col.js";
import { callOp, fromF64, fromScratch, notImplementedFor, typeMetaName, sizeStr } from "../kernels/conv_common.js";
import { checkShapeForward, convGeometry, convParams, intList, type ConvParams } from "../kernels/conv_shape.js";

type Ints = number | number[];

function checkDTypes(input: Tensor, weight: Tensor, bias: Tensor | null, transposed: boolean): void {
  if (bias !== null && bias.dtype !== input.dtype) {
    throw new RuntimeError(`Input type (${typeMetaName(input.dtype)}) and bias type (${typeMetaName(bias.dtype)}) should be the same`);
  }
  if (weight.dtype !== input.dtype) {
    throw new RuntimeError(`expected scalar type ${input.dtype.scalarType} but found ${weight.dtype.scalarType}`);
  }
  if (input.dtype === float16 || input.dtype === boolDType) {
    throw notImplementedFor(transposed ? "slow_conv_transpose2d_out_cpu" : "slow_conv2d_cpu", input.dtype);
  }
}

function validate(input: Tensor, weight: Tensor, bias: Tensor | null, p: ConvParams): void {
  if (weight.ndim > 4) throw new RuntimeError("tsjit supports 1-d and 2-d convolutions only");
  checkShapeForward(input, weight, bias, p);
  checkDTypes(input, weight, bias, p.transposed);
}

function convolutionForward(
  input: Tensor, weight: Tensor, bias: Tensor | null, stride: Ints, padding: Ints, dilation: Ints,
  transposed: boolean, outputPadding: Ints, groups: number,
): Tensor {
  const p = convParams(weight, stride, padding, dilation, transposed, outputPadding, groups);
  validate(input, weight, bias, p);
  const [geom, outShape] = convGeometry(input.shape, weight.shape, p);
  const x = input.contiguousData();
  const w = weight.contiguousData();
  const out = transposed ? colsToImage(x, w, geom, input.dtype) : imageToCols(x, w, geom, input.dtype);
  if (bias !== null) {
    const C = outShape[1]!;
    addBias(out, bias.contiguousData(), geom.N, C, out.length / Math.max(geom.N * C, 1));
  }
  return fromScratch(out, outShape, input.dtype);
}

type ConvArgs = [Tensor, Tensor, Tensor | null, Ints, Ints, Ints, boolean, Ints, number, ...unknown[]];

/** ConvolutionBackward0: one call of aten::convolution_backward for all three gradients. */
function convolutionBackward(g: Tensor, args: ConvArgs): (Tensor | null)[] {
  const [input, weight, bias, stride, padding, dilation, transposed, outputPadding, groups] = args;
  const mask = [input.requires_grad, weight.requires_grad, bias !== null && bias.requires_grad];
  // straight to the overload: the arguments are already bound in schema order
  const grads = runOverload(convolution_backward.overloads[0]!, [
    g, input, weight, bias === null ? null : bias.shape, intList(stride), intList(padding), intList(dilation),
    transposed, intList(outputPadding), groups, mask,
  ]) as (Tensor | null)[];
  return [grads[0] ?? null, grads[1] ?? null, grads[2] ?? null];
}

const CONVOLUTION_SCHEMA =
  "aten::convolution(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padding, int[] dilation, bool transposed, int[] output_padding, int groups) -> Tensor";

export const convolution = defineOp<
  (input: Tensor, weight: Tensor, bias: Tensor | null, stride: Ints, padding: Ints, dilation: Ints,
    transposed: boolean, output_padding: Ints, groups: number) => Tensor
>("convolution", [overload({
  schema: CONVOLUTION_SCHEMA,
  gradName: "ConvolutionBackward0",
  forward: convolutionForward,
  backward: convolutionBackward,
})]);

/** The same convolution with the cuDNN flags PyTorch's tracer records (they change nothing on CPU). */
export const _convolution = defineOp<
  (input: Tensor, weight: Tensor, bias: Tensor | null, stride: Ints, padding: Ints, dilation: Ints,
    transposed: boolean, output_padding: Ints, groups: number, benchmark: boolean, deterministic: boolean,
    cudnn_enabled: boolean, allow_tf32: boolean) => Tensor
>("_convolution", [overload({
  schema:
    "aten::_convolution(Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padding, int[] dilation, bool transposed, int[] output_padding, int groups, bool benchmark, bool deterministic, bool cudnn_enabled, bool allow_tf32) -> Tensor",
  gradName: "ConvolutionBackward0",
  forward: (input: Tensor, weight: Tensor, bias: Tensor | null, s: Ints, p: Ints, d: Ints, t: boolean, op: Ints, g: number) =>
    convolutionForward(input, weight, bias, s, p, d, t, op, g),
  backward: convolutionBackward,
})]);

function convolutionBackwardForward(
  grad: Tensor, input: Tensor, weight: Tensor, biasSizes: number[] | null, stride: number[], padding: number[],
  dilation: number[], transposed: boolean, outputPadding: number[], groups: number, mask: boolean[],
): (Tensor | null)[] {
  const p = convParams(weight, stride, padding, dilation, transposed, outputPadding, groups);
  const [geom, outShape] = convGeometry(input.shape, weight.shape, p);
  const gout = grad.contiguousData();
  const x = input.contiguousData();
  const w = weight.contiguousData();
  const dtype = input.dtype;
  let gi: Tensor | null = null;
  let gw: Tensor | null = null;
  let gb: Tensor | null = null;
  if (mask[0]) gi = fromScratch(transposed ? imageToCols(gout, w, geom, dtype) : colsToImage(gout, w, geom, dtype), input.shape.slice(), dtype);
  if (mask[1]) gw = fromScratch(transposed ? weightGrad(gout, x, geom, dtype) : weightGrad(x, gout, geom, dtype), weight.shape.slice(), dtype);
  if (mask[2] && biasSizes !== null) {
    const C = outShape[1]!;
    gb = fromF64(sumPerChannel(gout, geom.N, C, gout.length / Math.max(geom.N * C, 1)), [C], dtype);
  }
  return [gi, gw, gb];
}

type ConvBackwardArgs = [Tensor, Tensor, Tensor, number[] | null, number[], number[], number[], boolean, number[], number, boolean[]];

/**
 * ConvolutionBackwardBackward0. A convolution y = B(x, w) is bilinear, so with incoming
 * (ggx, ggw, ggb): d/dgrad = B(ggx, w) + B(x, ggw) + ggb, d/dx = grad_input(grad, ggw),
 * d/dw = grad_weight(ggx, grad): three more convolution calls, themselves differentiable.
 */
function convolutionDoubleBackward(grads: (Tensor | null)[], args: ConvBackwardArgs): (Tensor | null)[] {
  const [gO, input, weight, , stride, padding, dilation, transposed, outputPadding, groups] = args;
  const [ggI, ggW, ggB] = [grads[0] ?? null, grads[1] ?? null, grads[2] ?? null];
  const conv = (x: Tensor, w: Tensor, b: Tensor | null) => convolution(x, w, b, stride, padding, dilation, transposed, outputPadding, groups);
  let gGrad: Tensor | null = null;
  if (ggI !== null || ggB !== null) gGrad = conv(ggI ?? Tensor.empty(input.shape.slice(), input.dtype), weight, ggB);
  if (ggW !== null) {
    const viaWeight = conv(input, ggW, null);
    gGrad = gGrad === null ? viaWeight : add(gGrad, viaWeight);
  }
  const back = (x: Tensor, w: Tensor, mask: boolean[]) => runOverload(convolution_backward.overloads[0]!, [
    gO, x, w, null, stride, padding, dilation, transposed, outputPadding, groups, mask,
  ]) as (Tensor | null)[];
  const gInput = ggW !== null && input.requires_grad ? back(input, ggW, [true, false, false])[0] ?? null : null;
  const gWeight = ggI !== null && weight.requires_grad ? back(ggI, weight, [false, true, false])[1] ?? null : null;
  return [gGrad, gInput, gWeight];
}

export const convolution_backward = defineOp<
  (grad_output: Tensor, input: Tensor, weight: Tensor, bias_sizes: number[] | null, stride: number[], padding: number[],
    dilation: number[], transposed: boolean, output_padding: number[], groups: number, output_mask: boolean[]) => (Tensor | null)[]
>("convolution_backward", [overload({
  schema:
    "aten::convolution_backward(Tensor grad_output, Tensor input, Tensor weight, int[]? bias_sizes, int[] stride, int[] padding, int[] dilation, bool transposed, int[] output_padding, int groups, bool[3] output_mask) -> (Tensor, Tensor, Tensor)",
  gradName: "ConvolutionBackwardBackward0",
  forward: convolutionBackwardForward,
  backward: convolutionDoubleBackward,
})]);

// ------------------------------------------------------------------ composite entry points

/** Adds the batch dim to unbatched input, runs `fn`, and removes it again (SqueezeBackward1). */
function batchify(input: Tensor, dims: number, name: string, fn: (x: Tensor) => Tensor): Tensor {
  const nd = input.ndim;
  if (nd !== dims + 1 && nd !== dims + 2) {
    throw new RuntimeError(
      `Expected ${dims + 1}D (unbatched) or ${dims + 2}D (batched) input to ${name}, but got input of size: ${sizeStr(input.shape)}`,
    );
  }
  if (nd === dims + 2) return fn(input);
  const out = fn(callOp("aten::unsqueeze", "", input, 0));
  return callOp("aten::squeeze", "dim", out, 0);
}

function expandTo(v: Ints, dims: number): number[] {
  const list = intList(v);
  return list.length === 1 ? new Array<number>(dims).fill(list[0]!) : list;
}

function convN(dims: number, name: string) {
  return (input: Tensor, weight: Tensor, bias: Tensor | null, stride: Ints, padding: Ints, dilation: Ints, groups: number) =>
    batchify(input, dims, name, (x) =>
      convolution(x, weight, bias, expandTo(stride, dims), expandTo(padding, dims), expandTo(dilation, dims), false, new Array<number>(dims).fill(0), groups));
}

/**
 * padding="same" / "valid" (_convolution_mode). "same" pads dilation * (k - 1) in total, the
 * odd unit on the right; an asymmetric amount pads a copy of the input with constant_pad_nd.
 */
function convPaddingMode(dims: number, name: string) {
  return (input: Tensor, weight: Tensor, bias: Tensor | null, stride: Ints, padding: string, dilation: Ints, groups: number) =>
    batchify(input, dims, name, (x) => {
      const zeros = new Array<number>(dims).fill(0);
      if (padding === "valid") return convolution(x, weight, bias, stride, zeros, dilation, false, zeros, groups);
      if (padding !== "same") throw new RuntimeError(`Invalid padding string: '${padding}'`);
      const s = expandTo(stride, dims);
      if (s.some((v) => v !== 1)) throw new RuntimeError("padding='same' is not supported for strided convolutions");
      const d = expandTo(dilation, dims);
      const left: number[] = [];
      const padNd = new Array<number>(2 * dims).fill(0);
      let symmetric = true;
      for (let i = 0; i < dims; i++) {
        const total = (d[i] ?? 1) * ((weight.shape[i + 2] ?? 1) - 1);
        const l = Math.floor(total / 2);
        left.push(l);
        if (total - l !== l) {
          symmetric = false;
          padNd[2 * (dims - 1 - i) + 1] = total - 2 * l; // F.pad order: last dim first, (left, right)
        }
      }
      if (symmetric) return convolution(x, weight, bias, s, left, d, false, zeros, groups);
      if (REGISTRY.has("aten::constant_pad_nd")) {
        return convolution(callOp("aten::constant_pad_nd", "", x, padNd, 0), weight, bias, s, left, d, false, zeros, groups);
      }
      return sameByNarrowing(x, weight, bias, left, padNd, d, groups);
    });
}

/**
 * Without constant_pad_nd: pad the larger (right) amount on both sides and drop the extra
 * leading outputs. Same numbers and gradients; the grad_fn is then SliceBackward0.
 */
function sameByNarrowing(x: Tensor, weight: Tensor, bias: Tensor | null, left: number[], padNd: number[], d: number[], groups: number): Tensor {
  const dims = left.length;
  const extra = left.map((_, i) => padNd[2 * (dims - 1 - i) + 1]!);
  const ones = new Array<number>(dims).fill(1);
  let out = convolution(x, weight, bias, ones, left.map((l, i) => l + extra[i]!), d, false, new Array<number>(dims).fill(0), groups);
  for (let i = 0; i < dims; i++) {
    if (extra[i] === 0) continue;
    const dim = i + 2;
    out = callOp("aten::narrow", "", out, dim, extra[i], out.shape[dim]! - extra[i]!);
  }
  return out;
}

type ConvKw = { bias?: Tensor | null; stride?: Ints; padding?: Ints | "same" | "valid"; dilation?: Ints; groups?: number };
/** Positional arguments in schema order, optionally ending with a kwargs object. */
type ConvFn = {
  (input: Tensor, weight: Tensor, bias?: Tensor | null, stride?: Ints, padding?: Ints | "same" | "valid", dilation?: Ints, groups?: number): Tensor;
  (input: Tensor, weight: Tensor, bias: Tensor | null, kwargs: Omit<ConvKw, "bias">): Tensor;
  (input: Tensor, weight: Tensor, kwargs: ConvKw): Tensor;
};

export const conv1d = defineOp<ConvFn>("conv1d", [
  overload({
    schema: "aten::conv1d(Tensor input, Tensor weight, Tensor? bias=None, int[1] stride=1, int[1] padding=0, int[1] dilation=1, int groups=1) -> Tensor",
    composite: true,
    forward: convN(1, "conv1d"),
  }),
  overload({
    schema: "aten::conv1d.padding(Tensor input, Tensor weight, Tensor? bias=None, int[1] stride=1, str padding=\"valid\", int[1] dilation=1, int groups=1) -> Tensor",
    composite: true,
    forward: convPaddingMode(1, "conv1d"),
  }),
]);

export const conv2d = defineOp<ConvFn>("conv2d", [
  overload({
    schema: "aten::conv2d(Tensor input, Tensor weight, Tensor? bias=None, int[2] stride=1, int[2] padding=0, int[2] dilation=1, int groups=1) -> Tensor",
    composite: true,
    forward: convN(2, "conv2d"),
  }),
  overload({
    schema: "aten::conv2d.padding(Tensor input, Tensor weight, Tensor? bias=None, int[2] stride=1, str padding=\"valid\", int[2] dilation=1, int groups=1) -> Tensor",
    composite: true,
    forward: convPaddingMode(2, "conv2d"),
  }),
]);

function convTransposeN(dims: number, name: string) {
  return (input: Tensor, weight: Tensor, bias: Tensor | null, stride: Ints, padding: Ints, outputPadding: Ints, groups: number, dilation: Ints) =>
    batchify(input, dims, name, (x) => convolution(
      x, weight, bias, expandTo(stride, dims), expandTo(padding, dims), expandTo(dilation, dims), true, expandTo(outputPadding, dims), groups,
    ));
}

type ConvTransposeKw = { bias?: Tensor | null; stride?: Ints; padding?: Ints; output_padding?: Ints; groups?: number; dilation?: Ints };
type ConvTransposeFn = {
  (input: Tensor, weight: Tensor, bias?: Tensor | null, stride?: Ints, padding?: Ints, output_padding?: Ints, groups?: number, dilation?: Ints): Tensor;
  (input: Tensor, weight: Tensor, bias: Tensor | null, kwargs: Omit<ConvTransposeKw, "bias">): Tensor;
  (input: Tensor, weight: Tensor, kwargs: ConvTransposeKw): Tensor;
};

export const conv_transpose1d = defineOp<ConvTransposeFn>("conv_transpose1d", [overload({
  schema: "aten::conv_transpose1d(Tensor input, Tensor weight, Tensor? bias=None, int[1] stride=1, int[1] padding=0, int[1] output_padding=0, int groups=1, int[1] dilation=1) -> Tensor",
  composite: true,
  forward: convTransposeN(1, "conv_transpose1d"),
})]);

export const conv_transpose2d = defineOp<ConvTransposeFn>("conv_transpose2d", [overload({
  schema: "aten::conv_transpose2d.input(Tensor input, Tensor weight, Tensor? bias=None, int[2] stride=1, int[2] padding=0, int[2] output_padding=0, int groups=1, int[2] dilation=1) -> Tensor",
  composite: true,
  forward: convTransposeN(2, "conv_transpose2d"),
})]);
