/** Activation modules: ReLU, ReLU6, LeakyReLU, ELU, Hardtanh, GELU, SiLU, Softplus, Tanh, Sigmoid, Softmax, LogSoftmax. */
import { Module } from "../module.js";
import { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import "../../tensor/ops/unary.js"; // Tensor.tanh / sigmoid
import { TorchError } from "../../util/errors.js";
import { pyFloat, pyNum, pyStr } from "./utils.js";

/** torch.nn.ReLU({inplace = false}). */
export class ReLU extends Module {
  inplace: boolean;

  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super();
    this.inplace = typeof inplace === "boolean" ? inplace : inplace.inplace ?? false;
  }

  override forward(input: Tensor): Tensor {
    return F.relu(input, this.inplace);
  }

  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** ", inplace=True" when set: the suffix PyTorch's parameterised activations print. */
const inplaceSuffix = (inplace: boolean): string => (inplace ? ", inplace=True" : "");

/** torch.nn.LeakyReLU(negative_slope = 0.01, {inplace = false}). */
export class LeakyReLU extends Module {
  negative_slope: number;
  inplace: boolean;

  constructor(negative_slope: number | { negative_slope?: number; inplace?: boolean } = 0.01, opts: { inplace?: boolean } = {}) {
    super();
    const o = typeof negative_slope === "number" ? { ...opts, negative_slope } : negative_slope;
    this.negative_slope = o.negative_slope ?? 0.01;
    this.inplace = o.inplace ?? false;
  }

  override forward(input: Tensor): Tensor {
    return F.leaky_relu(input, this.negative_slope, this.inplace);
  }

  override extra_repr(): string {
    return `negative_slope=${pyFloat(this.negative_slope)}${inplaceSuffix(this.inplace)}`;
  }
}

/** torch.nn.ELU(alpha = 1.0, {inplace = false}). */
export class ELU extends Module {
  alpha: number;
  inplace: boolean;

  constructor(alpha: number | { alpha?: number; inplace?: boolean } = 1.0, opts: { inplace?: boolean } = {}) {
    super();
    const o = typeof alpha === "number" ? { ...opts, alpha } : alpha;
    this.alpha = o.alpha ?? 1.0;
    this.inplace = o.inplace ?? false;
  }

  override forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha, this.inplace);
  }

  override extra_repr(): string {
    return `alpha=${pyFloat(this.alpha)}${inplaceSuffix(this.inplace)}`;
  }
}

export interface HardtanhOptions {
  min_val?: number;
  max_val?: number;
  inplace?: boolean;
}

/** torch.nn.Hardtanh({min_val = -1.0, max_val = 1.0, inplace = false}). */
export class Hardtanh extends Module {
  min_val: number;
  max_val: number;
  inplace: boolean;

  constructor(opts: HardtanhOptions = {}) {
    super();
    this.min_val = opts.min_val ?? -1.0;
    this.max_val = opts.max_val ?? 1.0;
    this.inplace = opts.inplace ?? false;
    if (!(this.max_val > this.min_val)) throw new TorchError("AssertionError", "");
  }

  override forward(input: Tensor): Tensor {
    return F.hardtanh(input, this.min_val, this.max_val, this.inplace);
  }

  override extra_repr(): string {
    return `min_val=${pyFloat(this.min_val)}, max_val=${pyFloat(this.max_val)}${inplaceSuffix(this.inplace)}`;
  }
}

/** torch.nn.ReLU6({inplace = false}): Hardtanh(0, 6). */
export class ReLU6 extends Hardtanh {
  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super({ min_val: 0.0, max_val: 6.0, inplace: typeof inplace === "boolean" ? inplace : inplace.inplace ?? false });
  }

  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** torch.nn.GELU({approximate = 'none'}). */
export class GELU extends Module {
  approximate: "none" | "tanh";

  constructor(opts: { approximate?: "none" | "tanh" } = {}) {
    super();
    this.approximate = opts.approximate ?? "none";
  }

  override forward(input: Tensor): Tensor {
    return F.gelu(input, this.approximate);
  }

  override extra_repr(): string {
    return `approximate=${pyStr(this.approximate)}`;
  }
}

/** torch.nn.SiLU({inplace = false}). */
export class SiLU extends Module {
  inplace: boolean;

  constructor(inplace: boolean | { inplace?: boolean } = false) {
    super();
    this.inplace = typeof inplace === "boolean" ? inplace : inplace.inplace ?? false;
  }

  override forward(input: Tensor): Tensor {
    return F.silu(input, this.inplace);
  }

  override extra_repr(): string {
    return this.inplace ? "inplace=True" : "";
  }
}

/** torch.nn.Softplus({beta = 1, threshold = 20}). */
export class Softplus extends Module {
  beta: number;
  threshold: number;

  constructor(opts: { beta?: number; threshold?: number } = {}) {
    super();
    this.beta = opts.beta ?? 1;
    this.threshold = opts.threshold ?? 20;
  }

  override forward(input: Tensor): Tensor {
    return F.softplus(input, this.beta, this.threshold);
  }

  override extra_repr(): string {
    return `beta=${pyNum(this.beta)}, threshold=${pyNum(this.threshold)}`;
  }
}

/** torch.nn.Tanh(). */
export class Tanh extends Module {
  override forward(input: Tensor): Tensor {
    return input.tanh();
  }
}

/** torch.nn.Sigmoid(). */
export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return input.sigmoid();
  }
}

/** torch.nn.Softmax(dim = null): null picks PyTorch's deprecated implicit dim, with its warning. */
export class Softmax extends Module {
  dim: number | null;

  constructor(dim: number | null | { dim?: number | null } = null) {
    super();
    this.dim = typeof dim === "object" && dim !== null ? dim.dim ?? null : dim;
  }

  override forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim, 5);
  }

  override extra_repr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

/** torch.nn.LogSoftmax(dim = null). */
export class LogSoftmax extends Module {
  dim: number | null;

  constructor(dim: number | null | { dim?: number | null } = null) {
    super();
    this.dim = typeof dim === "object" && dim !== null ? dim.dim ?? null : dim;
  }

  override forward(input: Tensor): Tensor {
    return F.log_softmax(input, this.dim, 5);
  }

  override extra_repr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}
