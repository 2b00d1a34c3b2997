/** nn.Parameter: a leaf tensor that a Module registers as one of its parameters. */
import { Tensor } from "../tensor/tensor.js";
import { float32 } from "../tensor/dtype.js";

export class Parameter extends Tensor {
  constructor(data?: Tensor | null, requires_grad = true) {
    const src = data ?? Tensor.empty([0], float32);
    super(src.storage, src.shape.slice(), src._strides.slice(), src.offset, src.dtype);
    this.requires_grad = requires_grad && src.dtype.is_floating_point;
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/** A registered buffer slot; buffers are plain tensors, this only marks them in `register_buffer`. */
export function isParameter(v: unknown): v is Parameter {
  return v instanceof Parameter;
}
