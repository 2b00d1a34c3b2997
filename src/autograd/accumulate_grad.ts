/** The sink of a leaf tensor's gradients: adds them into `.grad`. */
import type { Tensor } from "../tensor/tensor.js";
import { Node } from "./node.js";
import { accumulateInto } from "./reduce_grad.js";

export class AccumulateGrad extends Node {
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
