/** The sink of a leaf tensor's gradients: adds them into `.grad`. */
import type { Tensor } from "../tensor/tensor.js";
import { Node, type Edge } from "./node.js";
import { accumulateInto } from "./reduce_grad.js";

export class AccumulateGrad extends Node {
  /**
   * The edge every use of the leaf records, made once: edges are never mutated, and a leaf
   * (a parameter) feeds a node per op call, so sharing it saves an allocation per use.
   */
  readonly edge: Edge = { node: this, inputNr: 0 };

  constructor(readonly variable: Tensor) {
    super();
  }
  name(): string {
    return "AccumulateGrad";
  }
  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    const g = grads[0];
    if (g) this.variable.grad = accumulateInto(this.variable.grad, g);
    return [];
  }
}
