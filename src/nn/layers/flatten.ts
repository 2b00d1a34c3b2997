/** torch.nn.Flatten and Unflatten. */
import { Module } from "../module.js";
import { Tensor } from "../../tensor/tensor.js";
import { TypeError_ } from "../../util/errors.js";
import "../../tensor/ops/view.js"; // Tensor.flatten / unflatten
import { pyTuple } from "./utils.js";

/** torch.nn.Flatten(start_dim = 1, end_dim = -1). */
export class Flatten extends Module {
  start_dim: number;
  end_dim: number;

  constructor(start_dim: number | { start_dim?: number; end_dim?: number } = 1, end_dim = -1) {
    super();
    const o = typeof start_dim === "object" ? start_dim : { start_dim, end_dim };
    this.start_dim = o.start_dim ?? 1;
    this.end_dim = o.end_dim ?? -1;
  }

  override forward(input: Tensor): Tensor {
    return input.flatten(this.start_dim, this.end_dim);
  }

  override extra_repr(): string {
    return `start_dim=${this.start_dim}, end_dim=${this.end_dim}`;
  }
}

/** torch.nn.Unflatten(dim, unflattened_size): dim expands to the given sizes. */
export class Unflatten extends Module {
  dim: number;
  unflattened_size: number[];

  constructor(dim: number, unflattened_size: readonly number[]) {
    super();
    if (!Array.isArray(unflattened_size)) {
      throw new TypeError_(`unflattened_size must be a tuple of ints, but found type ${typeof unflattened_size}`);
    }
    unflattened_size.forEach((v, i) => {
      if (!Number.isInteger(v)) {
        throw new TypeError_(`unflattened_size must be tuple of ints, but found element of type ${typeof v === "number" ? "float" : typeof v} at pos ${i}`);
      }
    });
    this.dim = dim;
    this.unflattened_size = unflattened_size.slice();
  }

  override forward(input: Tensor): Tensor {
    return input.unflatten(this.dim, this.unflattened_size);
  }

  override extra_repr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattened_size)}`;
  }
}
