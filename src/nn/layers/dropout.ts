/** torch.nn.Dropout: zeroes elements with probability p in training mode, identity in eval. */
import { Module } from "../module.js";
import { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../util/errors.js";
import * as F from "../functional.js";
import { pyBool, pyFloat } from "./utils.js";

/** torch.nn.Dropout(p = 0.5, {inplace = false}); `new nn.Dropout({p: 0.1})` works too. */
export class Dropout extends Module {
  p: number;
  inplace: boolean;

  constructor(p: number | { p?: number; inplace?: boolean } = 0.5, opts: { inplace?: boolean } = {}) {
    super();
    const o = typeof p === "object" ? p : { ...opts, p };
    const prob = o.p ?? 0.5;
    if (prob < 0 || prob > 1) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${prob}`);
    this.p = prob;
    this.inplace = o.inplace ?? false;
  }

  override forward(input: Tensor): Tensor {
    return F.dropout(input, this.p, this.training, this.inplace);
  }

  override extra_repr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
