/** torch.nn.BatchNorm1d/2d/3d and LayerNorm, with PyTorch's parameters, buffers and order. */
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { Tensor } from "../../tensor/tensor.js";
import { int64 } from "../../tensor/dtype.js";
import { ValueError } from "../../util/errors.js";
import * as init from "../init.js";
import * as F from "../functional.js";
import { factoryTensor, pyBool, pyFloat, pyTuple, type FactoryKwargs } from "./utils.js";
import "../../tensor/ops/arith.js"; // Tensor.add_

export interface BatchNormOptions extends FactoryKwargs {
  eps?: number;
  /** null: running statistics are a cumulative average over all batches seen. */
  momentum?: number | null;
  affine?: boolean;
  track_running_stats?: boolean;
}

/**
 * torch.nn.modules.batchnorm._BatchNorm: weight and bias (ones, zeros), then the buffers
 * running_mean, running_var, num_batches_tracked, in PyTorch's registration order.
 */
export abstract class _BatchNorm extends Module {
  num_features: number;
  eps: number;
  momentum: number | null;
  affine: boolean;
  track_running_stats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(num_features: number, opts: BatchNormOptions = {}) {
    super();
    this.num_features = num_features;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.track_running_stats = opts.track_running_stats ?? true;
    this.weight = this.affine ? new Parameter(factoryTensor([num_features], opts)) : null;
    this.bias = this.affine ? new Parameter(factoryTensor([num_features], opts)) : null;
    const track = this.track_running_stats;
    this.register_buffer("running_mean", track ? factoryTensor([num_features], opts) : null);
    this.register_buffer("running_var", track ? factoryTensor([num_features], opts, 1) : null);
    this.register_buffer("num_batches_tracked", track ? Tensor.empty([], int64) : null);
    this.reset_parameters();
  }

  reset_running_stats(): void {
    if (this.running_mean === null || this.running_var === null || this.num_batches_tracked === null) return;
    init.zeros_(this.running_mean);
    init.ones_(this.running_var);
    init.zeros_(this.num_batches_tracked);
  }

  reset_parameters(): void {
    this.reset_running_stats();
    if (this.weight !== null && this.bias !== null) {
      init.ones_(this.weight);
      init.zeros_(this.bias);
    }
  }

  protected abstract _check_input_dim(input: Tensor): void;

  override forward(input: Tensor): Tensor {
    this._check_input_dim(input);
    let factor = this.momentum ?? 0.0;
    if (this.training && this.track_running_stats && this.num_batches_tracked !== null) {
      this.num_batches_tracked.add_(1);
      factor = this.momentum === null ? 1.0 / Number(this.num_batches_tracked.item()) : this.momentum;
    }
    // batch statistics in training, and in eval when there are no running buffers
    const useBatchStats = this.training || (this.running_mean === null && this.running_var === null);
    const passBuffers = !this.training || this.track_running_stats;
    return F.batch_norm(
      input,
      passBuffers ? this.running_mean : null,
      passBuffers ? this.running_var : null,
      this.weight, this.bias, useBatchStats, factor, this.eps,
    );
  }

  override extra_repr(): string {
    const m = this.momentum === null ? "None" : pyFloat(this.momentum);
    return `${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, ` +
      `track_running_stats=${pyBool(this.track_running_stats)}`;
  }
}

/** torch.nn.BatchNorm1d(num_features, {eps, momentum, affine, track_running_stats}): (N, C) or (N, C, L). */
export class BatchNorm1d extends _BatchNorm {
  protected _check_input_dim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new ValueError(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }
}

/** torch.nn.BatchNorm2d: (N, C, H, W). */
export class BatchNorm2d extends _BatchNorm {
  protected _check_input_dim(input: Tensor): void {
    if (input.dim() !== 4) throw new ValueError(`expected 4D input (got ${input.dim()}D input)`);
  }
}

/** torch.nn.BatchNorm3d: (N, C, D, H, W). */
export class BatchNorm3d extends _BatchNorm {
  protected _check_input_dim(input: Tensor): void {
    if (input.dim() !== 5) throw new ValueError(`expected 5D input (got ${input.dim()}D input)`);
  }
}

export interface LayerNormOptions extends FactoryKwargs {
  eps?: number;
  elementwise_affine?: boolean;
}

/** torch.nn.LayerNorm(normalized_shape, {eps = 1e-5, elementwise_affine = true}). */
export class LayerNorm extends Module {
  normalized_shape: number[];
  eps: number;
  elementwise_affine: boolean;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(normalized_shape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalized_shape = typeof normalized_shape === "number" ? [normalized_shape] : normalized_shape.slice();
    this.eps = opts.eps ?? 1e-5;
    this.elementwise_affine = opts.elementwise_affine ?? true;
    const affine = this.elementwise_affine;
    this.weight = affine ? new Parameter(factoryTensor(this.normalized_shape.slice(), opts)) : null;
    this.bias = affine ? new Parameter(factoryTensor(this.normalized_shape.slice(), opts)) : null;
    this.reset_parameters();
  }

  reset_parameters(): void {
    if (this.weight !== null && this.bias !== null) {
      init.ones_(this.weight);
      init.zeros_(this.bias);
    }
  }

  override forward(input: Tensor): Tensor {
    return F.layer_norm(input, this.normalized_shape, this.weight, this.bias, this.eps);
  }

  override extra_repr(): string {
    return `${pyTuple(this.normalized_shape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwise_affine)}`;
  }
}
