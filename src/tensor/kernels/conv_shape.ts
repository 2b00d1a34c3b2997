/**
 * Argument checks and output geometry of aten::convolution, in the order PyTorch 1.13 runs
 * them (_convolution, then check_shape_forward), with its messages.
 */
import { RuntimeError } from "../../util/errors.js";
import type { Tensor } from "../tensor.js";
import type { ConvGeom } from "./conv_im2col.js";
import { sizeStr } from "./conv_common.js";

export interface ConvParams {
  stride: number[];
  padding: number[];
  dilation: number[];
  transposed: boolean;
  outputPadding: number[];
  groups: number;
}

/** A list argument given as a bare int (possible for the unsized int[] of aten::convolution). */
export function intList(v: number | readonly number[]): number[] {
  return typeof v === "number" ? [v] : v.slice();
}

/** expand_param_if_needed: one value serves every spatial dim. */
function expandParam(name: string, v: number[], dims: number): number[] {
  if (v.length === dims) return v;
  if (v.length === 1) return new Array<number>(dims).fill(v[0]!);
  throw new RuntimeError(
    `expected ${name} to be a single integer value or a list of ${dims} values to match the convolution dimensions, but got ${name}=${sizeStr(v)}`,
  );
}

export function convParams(
  weight: Tensor, stride: number | number[], padding: number | number[], dilation: number | number[],
  transposed: boolean, outputPadding: number | number[], groups: number,
): ConvParams {
  const dims = weight.ndim - 2;
  if (dims <= 0) throw new RuntimeError("weight should have at least three dimensions");
  if (groups <= 0) throw new RuntimeError("non-positive groups is not supported");
  const p: ConvParams = {
    stride: expandParam("stride", intList(stride), dims),
    padding: expandParam("padding", intList(padding), dims),
    dilation: expandParam("dilation", intList(dilation), dims),
    transposed,
    outputPadding: expandParam("output_padding", intList(outputPadding), dims),
    groups,
  };
  if (p.dilation.some((d) => d <= 0)) {
    throw new RuntimeError(`dilation should be greater than zero, but got ${sizeStr(p.dilation)}`);
  }
  return p;
}

/** check_shape_forward. */
export function checkShapeForward(input: Tensor, weight: Tensor, bias: Tensor | null, p: ConvParams): void {
  const ws = weight.shape;
  const k = input.ndim;
  const g = p.groups;
  if (p.padding.some((v) => v < 0)) throw new RuntimeError("negative padding is not supported");
  if (p.outputPadding.some((v) => v < 0)) throw new RuntimeError("negative output_padding is not supported");
  if (p.stride.some((v) => v <= 0)) throw new RuntimeError("non-positive stride is not supported");
  if (ws.length !== k) {
    throw new RuntimeError(
      `Expected ${ws.length}-dimensional input for ${ws.length}-dimensional weight ${sizeStr(ws)}, but got ${k}-dimensional input of size ${sizeStr(input.shape)} instead`,
    );
  }
  if (ws[0]! < g) {
    throw new RuntimeError(`Given groups=${g}, expected weight to be at least ${g} at dimension 0, but got weight of size ${sizeStr(ws)} instead`);
  }
  if (ws[0]! % g !== 0) {
    throw new RuntimeError(`Given groups=${g}, expected weight to be divisible by ${g} at dimension 0, but got weight of size [${sizeStr(ws)}] instead`);
  }
  if (p.transposed) checkTransposed(input, weight, bias, p);
  else checkRegular(input, weight, bias, p);
}

function checkRegular(input: Tensor, weight: Tensor, bias: Tensor | null, p: ConvParams): void {
  const ws = weight.shape;
  const cin = ws[1]! * p.groups;
  if (input.shape[1] !== cin) {
    throw new RuntimeError(
      `Given groups=${p.groups}, weight of size ${sizeStr(ws)}, expected input${sizeStr(input.shape)} to have ${cin} channels, but got ${input.shape[1]} channels instead`,
    );
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== ws[0])) {
    throw new RuntimeError(
      `Given weight of size ${sizeStr(ws)}, expected bias to be 1-dimensional with ${ws[0]} elements, but got bias of size ${sizeStr(bias.shape)} instead`,
    );
  }
  const padded: number[] = [];
  const kernel: number[] = [];
  for (let i = 2; i < input.ndim; i++) {
    padded.push(input.shape[i]! + 2 * p.padding[i - 2]!);
    kernel.push(p.dilation[i - 2]! * (ws[i]! - 1) + 1);
  }
  if (padded.some((v, i) => v < kernel[i]!)) {
    throw new RuntimeError(
      `Calculated padded input size per channel: (${padded.join(" x ")}). Kernel size: (${kernel.join(" x ")}). Kernel size can't be greater than actual input size`,
    );
  }
}

function checkTransposed(input: Tensor, weight: Tensor, bias: Tensor | null, p: ConvParams): void {
  const ws = weight.shape;
  if (input.shape[1] !== ws[0]) {
    throw new RuntimeError(
      `Given transposed=1, weight of size ${sizeStr(ws)}, expected input${sizeStr(input.shape)} to have ${ws[0]} channels, but got ${input.shape[1]} channels instead`,
    );
  }
  const cout = ws[1]! * p.groups;
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== cout)) {
    throw new RuntimeError(
      `Given transposed=1, weight of size ${sizeStr(ws)}, expected bias to be 1-dimensional with ${cout} elements, but got bias of size ${sizeStr(bias.shape)} instead`,
    );
  }
}

/** Spatial params as 2-D (height, width), a 1-D convolution being one of height 1. */
function as2d(v: number[], fill: number): [number, number] {
  return v.length === 1 ? [fill, v[0]!] : [v[0]!, v[1]!];
}

/** The geometry (Note [image side and column side]) and the output shape of a convolution. */
export function convGeometry(inShape: readonly number[], wShape: readonly number[], p: ConvParams): [ConvGeom, number[]] {
  const one = inShape.length === 3;
  const [H, W] = one ? [1, inShape[2]!] : [inShape[2]!, inShape[3]!];
  const [KH, KW] = one ? [1, wShape[2]!] : [wShape[2]!, wShape[3]!];
  const [sh, sw] = as2d(p.stride, 1);
  const [ph, pw] = as2d(p.padding, 0);
  const [dh, dw] = as2d(p.dilation, 1);
  const N = inShape[0]!;
  if (!p.transposed) {
    const OH = Math.floor((H + 2 * ph - dh * (KH - 1) - 1) / sh) + 1;
    const OW = Math.floor((W + 2 * pw - dw * (KW - 1) - 1) / sw) + 1;
    const Cc = wShape[0]!;
    const geom = { N, groups: p.groups, Ci: inShape[1]!, H, W, Cc, OH, OW, KH, KW, sh, sw, ph, pw, dh, dw };
    return [geom, one ? [N, Cc, OW] : [N, Cc, OH, OW]];
  }
  const [oph, opw] = as2d(p.outputPadding, 0);
  if (!((oph < sh || oph < dh) && (opw < sw || opw < dw))) {
    throw new RuntimeError(
      `output padding must be smaller than either stride or dilation, but got output_padding_height: ${oph} output_padding_width: ${opw} stride_height: ${sh} stride_width: ${sw} dilation_height: ${dh} dilation_width: ${dw}`,
    );
  }
  const IH = (H - 1) * sh - 2 * ph + dh * (KH - 1) + oph + 1;
  const IW = (W - 1) * sw - 2 * pw + dw * (KW - 1) + opw + 1;
  if (IH < 1 || IW < 1) {
    throw new RuntimeError(
      `Given input size per channel: (${H} x ${W}). Calculated output size per channel: (${IH} x ${IW}). Output size is too small`,
    );
  }
  const Ci = wShape[1]! * p.groups;
  const geom = { N, groups: p.groups, Ci, H: IH, W: IW, Cc: inShape[1]!, OH: H, OW: W, KH, KW, sh, sw, ph, pw, dh, dw };
  return [geom, one ? [N, Ci, IW] : [N, Ci, IH, IW]];
}
