/** Loss modules: MSELoss, NLLLoss, CrossEntropyLoss (torch/nn/modules/loss.py). */
import { Module } from "../module.js";
import { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import { register_source } from "../../jit/source_registry.js";
import { CROSS_ENTROPY_LOSS_SOURCE, MSE_LOSS_SOURCE, NLL_LOSS_SOURCE } from "./loss_script_source.js";

export type Reduction = F.Reduction;

export interface LossOptions {
  /** Deprecated (use reduction); when given with `reduce`, PyTorch's legacy mapping applies. */
  size_average?: boolean | null;
  reduce?: boolean | null;
  reduction?: Reduction;
}

/** torch.nn.modules.loss._Loss: resolves the legacy size_average / reduce pair into `reduction`. */
export abstract class _Loss extends Module {
  reduction: Reduction;

  constructor(opts: LossOptions = {}) {
    super();
    const sa = opts.size_average ?? null;
    const red = opts.reduce ?? null;
    this.reduction = sa !== null || red !== null ? F.legacyReduction(sa, red) : opts.reduction ?? "mean";
  }

  /** `_Reduction.get_enum(self.reduction)`, a constant of the scripted forward (loss_script_source.ts). */
  get _reduction_enum(): number {
    return F.reductionEnum(this.reduction);
  }
}

/** torch.nn.modules.loss._WeightedLoss: the class weights are a buffer named `weight`. */
export abstract class _WeightedLoss extends _Loss {
  declare weight: Tensor | null;

  constructor(opts: LossOptions & { weight?: Tensor | null } = {}) {
    super(opts);
    this.register_buffer("weight", opts.weight ?? null);
  }
}

/** torch.nn.MSELoss({reduction = 'mean'}). */
export class MSELoss extends _Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mse_loss(input, target, null, null, this.reduction);
  }
}

/** torch.nn.NLLLoss({weight, ignore_index = -100, reduction = 'mean'}). */
export class NLLLoss extends _WeightedLoss {
  ignore_index: number;

  constructor(opts: LossOptions & { weight?: Tensor | null; ignore_index?: number } = {}) {
    super(opts);
    this.ignore_index = opts.ignore_index ?? -100;
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nll_loss(input, target, this.weight, null, this.ignore_index, null, this.reduction);
  }
}

/** torch.nn.CrossEntropyLoss({weight, ignore_index = -100, reduction = 'mean', label_smoothing = 0}). */
export class CrossEntropyLoss extends _WeightedLoss {
  ignore_index: number;
  label_smoothing: number;

  constructor(opts: LossOptions & { weight?: Tensor | null; ignore_index?: number; label_smoothing?: number } = {}) {
    super(opts);
    this.ignore_index = opts.ignore_index ?? -100;
    this.label_smoothing = opts.label_smoothing ?? 0.0;
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return F.cross_entropy(input, target, this.weight, null, this.ignore_index, null, this.reduction, this.label_smoothing);
  }
}

// what torch.jit.script compiles for each loss (loss_script_source.ts)
register_source(MSELoss, MSE_LOSS_SOURCE, { file: "<torch.nn.MSELoss>" });
register_source(NLLLoss, NLL_LOSS_SOURCE, { file: "<torch.nn.NLLLoss>" });
register_source(CrossEntropyLoss, CROSS_ENTROPY_LOSS_SOURCE, { file: "<torch.nn.CrossEntropyLoss>" });
