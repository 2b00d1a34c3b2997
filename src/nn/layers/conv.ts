/** torch.nn.Conv1d / Conv2d over PyTorch's _ConvNd: same fields, initialisation and repr. */
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../util/errors.js";
import * as init from "../init.js";
import * as F from "../functional.js";
import { factoryTensor, ntuple, pyTuple, type FactoryKwargs } from "./utils.js";

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";
type IntOrTuple = number | readonly number[];

export interface ConvOptions extends FactoryKwargs {
  stride?: IntOrTuple;
  padding?: IntOrTuple | "same" | "valid";
  dilation?: IntOrTuple;
  groups?: number;
  bias?: boolean;
  padding_mode?: PaddingMode;
}

const PADDING_MODES = ["zeros", "reflect", "replicate", "circular"];

/** torch.nn.modules.conv._ConvNd (non-transposed): the shared constructor and repr. */
export abstract class _ConvNd extends Module {
  in_channels: number;
  out_channels: number;
  kernel_size: number[];
  stride: number[];
  padding: number[] | "same" | "valid";
  dilation: number[];
  transposed: boolean;
  output_padding: number[];
  groups: number;
  padding_mode: PaddingMode;
  /** The padding F.pad takes for non-zero padding modes: last dim first, each side twice. */
  _reversed_padding_repeated_twice: number[];
  weight: Parameter;
  bias: Parameter | null;

  constructor(n: number, in_channels: number, out_channels: number, kernel_size: IntOrTuple, opts: ConvOptions) {
    super();
    const groups = opts.groups ?? 1;
    const padding = opts.padding ?? 0;
    const mode = opts.padding_mode ?? "zeros";
    const stride = ntuple(n, opts.stride ?? 1);
    const dilation = ntuple(n, opts.dilation ?? 1);
    checkConvArgs(in_channels, out_channels, groups, padding, stride, mode);
    this.in_channels = in_channels;
    this.out_channels = out_channels;
    this.kernel_size = ntuple(n, kernel_size);
    this.stride = stride;
    this.padding = typeof padding === "string" ? padding : ntuple(n, padding);
    this.dilation = dilation;
    this.transposed = false;
    this.output_padding = ntuple(n, 0);
    this.groups = groups;
    this.padding_mode = mode;
    this._reversed_padding_repeated_twice = reversedPadding(this.padding, this.kernel_size, dilation);
    this.weight = new Parameter(factoryTensor([out_channels, in_channels / groups, ...this.kernel_size], opts));
    this.bias = opts.bias ?? true ? new Parameter(factoryTensor([out_channels], opts)) : null;
    this.reset_parameters();
  }

  /** kaiming_uniform_(weight, a=sqrt(5)), then bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  reset_parameters(): void {
    init.kaiming_uniform_(this.weight, Math.sqrt(5));
    if (this.bias !== null) {
      const [fanIn] = init._calculate_fan_in_and_fan_out(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        init.uniform_(this.bias, -bound, bound);
      }
    }
  }

  override extra_repr(): string {
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=${pyTuple(this.kernel_size)}, stride=${pyTuple(this.stride)}`;
    const p = this.padding;
    if (typeof p === "string" || p.some((v) => v !== 0)) s += `, padding=${typeof p === "string" ? p : pyTuple(p)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.output_padding.some((v) => v !== 0)) s += `, output_padding=${pyTuple(this.output_padding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.padding_mode !== "zeros") s += `, padding_mode=${this.padding_mode}`;
    return s;
  }

  /** Non-zero padding modes pad explicitly with F.pad, then convolve without padding. */
  protected padded(input: Tensor): Tensor {
    return F.pad(input, this._reversed_padding_repeated_twice, { mode: this.padding_mode as "reflect" });
  }
}

function checkConvArgs(
  inC: number, outC: number, groups: number, padding: IntOrTuple | string, stride: number[], mode: string,
): void {
  if (groups <= 0) throw new ValueError("groups must be a positive integer");
  if (inC % groups !== 0) throw new ValueError("in_channels must be divisible by groups");
  if (outC % groups !== 0) throw new ValueError("out_channels must be divisible by groups");
  if (typeof padding === "string") {
    if (padding !== "same" && padding !== "valid") {
      throw new ValueError(`Invalid padding string '${padding}', should be one of {'valid', 'same'}`);
    }
    if (padding === "same" && stride.some((s) => s !== 1)) {
      throw new ValueError("padding='same' is not supported for strided convolutions");
    }
  }
  if (!PADDING_MODES.includes(mode)) {
    throw new ValueError(`padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='${mode}'`);
  }
}

/** PyTorch's _reversed_padding_repeated_twice, including the split of padding='same'. */
function reversedPadding(padding: number[] | string, kernel: number[], dilation: number[]): number[] {
  const n = kernel.length;
  if (typeof padding !== "string") return padding.slice().reverse().flatMap((p) => [p, p]);
  const out = new Array<number>(2 * n).fill(0);
  if (padding === "same") {
    for (let d = 0; d < n; d++) {
      const i = n - 1 - d;
      const total = dilation[d]! * (kernel[d]! - 1);
      const left = Math.floor(total / 2);
      out[2 * i] = left;
      out[2 * i + 1] = total - left;
    }
  }
  return out;
}

/** torch.nn.Conv1d(in_channels, out_channels, kernel_size, {stride, padding, dilation, groups, bias, padding_mode}). */
export class Conv1d extends _ConvNd {
  constructor(in_channels: number, out_channels: number, kernel_size: IntOrTuple, opts: ConvOptions = {}) {
    super(1, in_channels, out_channels, kernel_size, opts);
  }

  override forward(input: Tensor): Tensor {
    if (this.padding_mode !== "zeros") {
      return F.conv1d(this.padded(input), this.weight, this.bias, this.stride, [0], this.dilation, this.groups);
    }
    return F.conv1d(input, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
  }
}

/** torch.nn.Conv2d(in_channels, out_channels, kernel_size, {stride, padding, dilation, groups, bias, padding_mode}). */
export class Conv2d extends _ConvNd {
  constructor(in_channels: number, out_channels: number, kernel_size: IntOrTuple, opts: ConvOptions = {}) {
    super(2, in_channels, out_channels, kernel_size, opts);
  }

  override forward(input: Tensor): Tensor {
    if (this.padding_mode !== "zeros") {
      return F.conv2d(this.padded(input), this.weight, this.bias, this.stride, [0, 0], this.dilation, this.groups);
    }
    return F.conv2d(input, this.weight, this.bias, this.stride, this.padding, this.dilation, this.groups);
  }
}
