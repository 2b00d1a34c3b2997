/** torch.nn.Identity and torch.nn.Linear, as torch/nn/modules/linear.py. */
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { Tensor } from "../../tensor/tensor.js";
import * as init from "../init.js";
import * as F from "../functional.js";
import { factoryTensor, type FactoryKwargs } from "./utils.js";
import { register_source } from "../../jit/source_registry.js";

/** torch.nn.Identity: returns its input; constructor arguments are ignored, as in PyTorch. */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return input;
  }
}

/**
 * torch.nn.Linear(in_features, out_features, {bias = true, dtype}): y = x W^T + b.
 * Initialised as PyTorch's reset_parameters: kaiming_uniform_(weight, a=sqrt(5)), then the
 * bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)); this draw order is what reproduces PyTorch's
 * numbers after manual_seed.
 */
export class Linear extends Module {
  in_features: number;
  out_features: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(in_features: number, out_features: number, opts: { bias?: boolean } & FactoryKwargs = {}) {
    super();
    this.in_features = in_features;
    this.out_features = out_features;
    this.weight = new Parameter(factoryTensor([out_features, in_features], opts));
    this.bias = opts.bias ?? true ? new Parameter(factoryTensor([out_features], opts)) : null;
    this.reset_parameters();
  }

  reset_parameters(): void {
    init.kaiming_uniform_(this.weight, Math.sqrt(5));
    if (this.bias !== null) {
      const [fanIn] = init._calculate_fan_in_and_fan_out(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  override forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  override extra_repr(): string {
    return `in_features=${this.in_features}, out_features=${this.out_features}, bias=${this.bias !== null ? "True" : "False"}`;
  }
}

/**
 * What torch.jit.script compiles for a subclass of Linear that keeps Linear's forward (nn.Linear
 * itself is scripted from src/jit/frontend/nn_library.ts, which is looked up first).
 */
register_source(Linear, `class Linear {
  in_features: Final<int>;
  out_features: Final<int>;
  bias: Tensor | null;
  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }
}`, { file: "<torch.nn.Linear>" });
