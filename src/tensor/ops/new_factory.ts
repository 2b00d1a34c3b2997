/**
 * Tensor.new_zeros / new_ones / new_full / new_empty / new_tensor: factories whose dtype
 * defaults to the tensor's own (not the default dtype, and new_full does not infer it from
 * the fill value). Sizes are read as torch.zeros reads them: `x.new_zeros(2, 3)` or
 * `x.new_zeros([2, 3], { dtype })`.
 */
import { type DType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods } from "../registry.js";
import { sizeFromArgs } from "../shape.js";
import { TENSOR_OPTIONS, runFactory, setRequiresGrad, type FactoryOptions } from "./factory.js";
import { filled, splitSizeArgs, tensor, type NestedArray, type SizeArgs } from "./creation.js";

type Size = readonly number[];
type Factory = (...a: never[]) => Tensor;

// PyTorch 1.13 spells size SymInt[]; the schema parser here takes int[] for it
const newSchema = (name: string, extra = "") => `aten::${name}(Tensor self, int[] size${extra}, *, ${TENSOR_OPTIONS}) -> Tensor`;

const filledLike = (value: number) => (self: Tensor, size: Size, dtype: DType | null) =>
  filled(sizeFromArgs([size]), value, dtype ?? self.dtype);

const newZerosOp = defineOp<Factory>("new_zeros", [{ schema: newSchema("new_zeros"), forward: filledLike(0) }]);
const newOnesOp = defineOp<Factory>("new_ones", [{ schema: newSchema("new_ones"), forward: filledLike(1) }]);
/** Zero-filled, as torch.empty is here (JS typed arrays are always initialised). */
const newEmptyOp = defineOp<Factory>("new_empty", [{ schema: newSchema("new_empty"), forward: filledLike(0) }]);
const newFullOp = defineOp<Factory>("new_full", [{
  schema: newSchema("new_full", ", Scalar fill_value"),
  forward: (self: Tensor, size: Size, value: number | boolean, dtype: DType | null) =>
    filled(sizeFromArgs([size]), +value, dtype ?? self.dtype),
}]);

function sizedMethod(op: ReturnType<typeof defineOp<Factory>>) {
  return (self: Tensor, ...args: SizeArgs): Tensor => {
    const [size, opts] = splitSizeArgs(args);
    return runFactory(op, 0, [self, size], opts);
  };
}

export const new_zeros = sizedMethod(newZerosOp);
export const new_ones = sizedMethod(newOnesOp);
export const new_empty = sizedMethod(newEmptyOp);

export function new_full(self: Tensor, size: number | Size, fill_value: number | boolean, opts: FactoryOptions = {}): Tensor {
  return runFactory(newFullOp, 0, [self, sizeFromArgs([size]), fill_value], opts);
}

/** A copy of `data` (never a view, even of a tensor) in this tensor's dtype unless one is given. */
export function new_tensor(self: Tensor, data: NestedArray, opts: FactoryOptions = {}): Tensor {
  const dtype = opts.dtype ?? self.dtype;
  const t = data instanceof Tensor ? data.detach().to(dtype as DType).clone() : tensor(data, { dtype });
  return setRequiresGrad(t, opts);
}

declare module "../tensor.js" {
  interface Tensor {
    new_zeros(...size: SizeArgs): Tensor;
    new_ones(...size: SizeArgs): Tensor;
    new_empty(...size: SizeArgs): Tensor;
    new_full(size: number | Size, fill_value: number | boolean, opts?: FactoryOptions): Tensor;
    new_tensor(data: NestedArray, opts?: FactoryOptions): Tensor;
  }
}

installMethods({ new_zeros, new_ones, new_empty, new_full, new_tensor });
