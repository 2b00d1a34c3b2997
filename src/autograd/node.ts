/**
 * Backward graph nodes. A node's outputs are the gradients of its inputs; `next_functions`
 * says where each of them flows, as PyTorch's `grad_fn.next_functions` does.
 */
import type { Tensor } from "../tensor/tensor.js";

export interface Edge {
  node: Node;
  /** Which gradient input of `node` this edge feeds (the producing tensor's output_nr). */
  inputNr: number;
}

export abstract class Node {
  // Note [declared fields] (tensor.ts)
  /** One per differentiable input, null where the input needs no gradient. */
  declare next: (Edge | null)[];
  /** Number of outputs of the forward op (gradients this node receives). */
  declare numOutputs: number;
  /** Per-output hooks added by Tensor.register_hook / retain_grad on non-leaf tensors. */
  declare outputHooks: Map<number, ((g: Tensor) => Tensor | void)[]> | null;
  /** Tensors whose .grad should be kept (retain_grad), per output. */
  declare retained: Map<number, Tensor> | null;

  constructor(next: (Edge | null)[] = []) {
    this.next = next;
    this.numOutputs = 1;
    this.outputHooks = null;
    this.retained = null;
  }

  abstract name(): string;
  abstract apply(grads: (Tensor | null)[]): (Tensor | null)[];
  /** Frees what backward saved; called after backward unless retain_graph. */
  release(): void {}

  get next_functions(): [Node | null, number][] {
    return this.next.map((e) => (e ? [e.node, e.inputNr] : [null, 0]));
  }

  toString(): string {
    return `<${this.name()} object>`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
