/** Pooling modules (Max/Avg/AdaptiveAvg, 1-d and 2-d), with PyTorch's fields and repr. */
import { Module } from "../module.js";
import { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import { pyBool, pyIntOrTuple, pyNum, pyTuple, single } from "./utils.js";

type IntOrTuple = number | readonly number[];

export interface MaxPoolOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  return_indices?: boolean;
  ceil_mode?: boolean;
}

/** torch.nn.modules.pooling._MaxPoolNd: fields kept as given (stride defaults to kernel_size). */
export abstract class _MaxPoolNd extends Module {
  kernel_size: IntOrTuple;
  stride: IntOrTuple;
  padding: IntOrTuple;
  dilation: IntOrTuple;
  return_indices: boolean;
  ceil_mode: boolean;

  constructor(kernel_size: IntOrTuple, opts: MaxPoolOptions = {}) {
    super();
    this.kernel_size = kernel_size;
    this.stride = opts.stride ?? kernel_size;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.return_indices = opts.return_indices ?? false;
    this.ceil_mode = opts.ceil_mode ?? false;
  }

  override extra_repr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernel_size)}, stride=${pyIntOrTuple(this.stride)}, ` +
      `padding=${pyIntOrTuple(this.padding)}, dilation=${pyIntOrTuple(this.dilation)}, ceil_mode=${pyBool(this.ceil_mode)}`;
  }
}

/** torch.nn.MaxPool1d(kernel_size, {stride = kernel_size, padding = 0, dilation = 1, return_indices, ceil_mode}). */
export class MaxPool1d extends _MaxPoolNd {
  /** The output, or [output, indices] when return_indices is set. */
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    const args = [input, this.kernel_size, this.stride, this.padding, this.dilation, this.ceil_mode] as const;
    return this.return_indices ? F.max_pool1d_with_indices(...args) : F.max_pool1d(...args);
  }
}

/** torch.nn.MaxPool2d(kernel_size, {stride = kernel_size, padding = 0, dilation = 1, return_indices, ceil_mode}). */
export class MaxPool2d extends _MaxPoolNd {
  /** The output, or [output, indices] when return_indices is set. */
  override forward(input: Tensor): Tensor | [Tensor, Tensor] {
    const args = [input, this.kernel_size, this.stride, this.padding, this.dilation, this.ceil_mode] as const;
    return this.return_indices ? F.max_pool2d_with_indices(...args) : F.max_pool2d(...args);
  }
}

/** torch.nn.AvgPool1d(kernel_size, {stride = kernel_size, padding, ceil_mode, count_include_pad}): sizes kept as 1-tuples. */
export class AvgPool1d extends Module {
  kernel_size: number[];
  stride: number[];
  padding: number[];
  ceil_mode: boolean;
  count_include_pad: boolean;

  constructor(kernel_size: IntOrTuple, opts: Omit<AvgPoolOptions, "divisor_override"> = {}) {
    super();
    this.kernel_size = single(kernel_size);
    this.stride = single(opts.stride ?? kernel_size);
    this.padding = single(opts.padding ?? 0);
    this.ceil_mode = opts.ceil_mode ?? false;
    this.count_include_pad = opts.count_include_pad ?? true;
  }

  override forward(input: Tensor): Tensor {
    return F.avg_pool1d(input, this.kernel_size, this.stride, this.padding, this.ceil_mode, this.count_include_pad);
  }

  override extra_repr(): string {
    return `kernel_size=${pyTuple(this.kernel_size)}, stride=${pyTuple(this.stride)}, padding=${pyTuple(this.padding)}`;
  }
}

export interface AvgPoolOptions {
  stride?: IntOrTuple | null;
  padding?: IntOrTuple;
  ceil_mode?: boolean;
  count_include_pad?: boolean;
  divisor_override?: number | null;
}

/** torch.nn.AvgPool2d(kernel_size, {stride = kernel_size, padding, ceil_mode, count_include_pad, divisor_override}). */
export class AvgPool2d extends Module {
  kernel_size: IntOrTuple;
  stride: IntOrTuple;
  padding: IntOrTuple;
  ceil_mode: boolean;
  count_include_pad: boolean;
  divisor_override: number | null;

  constructor(kernel_size: IntOrTuple, opts: AvgPoolOptions = {}) {
    super();
    this.kernel_size = kernel_size;
    this.stride = opts.stride ?? kernel_size;
    this.padding = opts.padding ?? 0;
    this.ceil_mode = opts.ceil_mode ?? false;
    this.count_include_pad = opts.count_include_pad ?? true;
    this.divisor_override = opts.divisor_override ?? null;
  }

  override forward(input: Tensor): Tensor {
    return F.avg_pool2d(input, this.kernel_size, this.stride, this.padding, this.ceil_mode, this.count_include_pad, this.divisor_override);
  }

  override extra_repr(): string {
    return `kernel_size=${pyIntOrTuple(this.kernel_size)}, stride=${pyIntOrTuple(this.stride)}, padding=${pyIntOrTuple(this.padding)}`;
  }
}

/** An adaptive output size: an int, or a pair whose null entries keep the input's size. */
export type AdaptiveSize = number | null | readonly (number | null)[];

/** torch.nn.modules.pooling._AdaptiveAvgPoolNd. */
export abstract class _AdaptiveAvgPoolNd extends Module {
  output_size: AdaptiveSize;

  constructor(output_size: AdaptiveSize) {
    super();
    this.output_size = output_size;
  }

  override extra_repr(): string {
    const o = this.output_size;
    const one = (v: number | null): string => (v === null ? "None" : pyNum(v));
    if (o === null || typeof o === "number") return `output_size=${one(o)}`;
    return `output_size=(${o.map(one).join(", ")}${o.length === 1 ? "," : ""})`;
  }
}

/** torch.nn.AdaptiveAvgPool1d(output_size). */
export class AdaptiveAvgPool1d extends _AdaptiveAvgPoolNd {
  override forward(input: Tensor): Tensor {
    return F.adaptive_avg_pool1d(input, this.output_size as number | readonly number[]);
  }
}

/** torch.nn.AdaptiveAvgPool2d(output_size); a null entry keeps that input size. */
export class AdaptiveAvgPool2d extends _AdaptiveAvgPoolNd {
  override forward(input: Tensor): Tensor {
    return F.adaptive_avg_pool2d(input, this.output_size);
  }
}
