/** Autograd's face on Tensor: backward, detach, requires_grad_, retain_grad, register_hook. */
import { RuntimeError } from "../util/errors.js";
import { Tensor } from "../tensor/tensor.js";
import { backward as runBackward, type BackwardOptions } from "./engine.js";
import { edgeTo } from "./op_node.js";

declare module "../tensor/tensor.js" {
  interface Tensor {
    backward(gradient?: Tensor | null, opts?: BackwardOptions): void;
    detach(): Tensor;
    detach_(): Tensor;
    requires_grad_(requires_grad?: boolean): Tensor;
    retain_grad(): void;
    readonly retains_grad: boolean;
    register_hook(hook: (grad: Tensor) => Tensor | void): { remove(): void };
  }
}

Tensor.prototype.backward = function (this: Tensor, gradient?: Tensor | null, opts: BackwardOptions = {}) {
  runBackward(this, gradient ? [gradient] : [], opts);
};

Tensor.prototype.detach = function (this: Tensor) {
  // shares storage, but (as in PyTorch) is not a view for autograd: no _base
  return new Tensor(this.storage, this.shape, this._strides, this.offset, this.dtype);
};

Tensor.prototype.detach_ = function (this: Tensor) {
  this.grad_fn = null;
  this.requires_grad = false;
  return this;
};

Tensor.prototype.requires_grad_ = function (this: Tensor, requires_grad = true) {
  if (this.grad_fn !== null && !requires_grad) {
    throw new RuntimeError(
      "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
    );
  }
  if (requires_grad && !this.dtype.is_floating_point) {
    throw new RuntimeError("only Tensors of floating point and complex dtype can require gradients");
  }
  this.requires_grad = requires_grad;
  return this;
};

Tensor.prototype.retain_grad = function (this: Tensor) {
  if (!this.requires_grad) throw new RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
  if (this.grad_fn === null) return; // leaves keep their grad anyway
  this._retainsGrad = true;
  const node = this.grad_fn;
  node.retained ??= new Map();
  node.retained.set(this._outputNr, this);
};

Object.defineProperty(Tensor.prototype, "retains_grad", {
  get(this: Tensor) {
    return this._retainsGrad;
  },
});

Tensor.prototype.register_hook = function (this: Tensor, hook: (grad: Tensor) => Tensor | void) {
  if (!this.requires_grad) {
    throw new RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
  }
  const edge = edgeTo(this)!;
  const node = edge.node;
  node.outputHooks ??= new Map();
  const list = node.outputHooks.get(edge.inputNr) ?? [];
  list.push(hook);
  node.outputHooks.set(edge.inputNr, list);
  return {
    remove: () => {
      const i = list.indexOf(hook);
      if (i >= 0) list.splice(i, 1);
    },
  };
};
