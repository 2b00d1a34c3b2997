/**
 * parameters_to_vector / vector_to_parameters, as PyTorch 1.13's
 * torch/nn/utils/convert_parameters.py (every tensor is on the CPU here, so the device check
 * always passes).
 */
import { TypeError_ } from "../../util/errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { cat } from "../../tensor/ops/join.js";

/** parameters_to_vector(parameters): the parameters flattened and concatenated (differentiable). */
export function parameters_to_vector(parameters: Iterable<Tensor>): Tensor {
  return cat(Array.from(parameters, (p) => p.view(-1)));
}

/**
 * `param.data = value`: the parameter keeps its identity (optimizers and modules still hold
 * it) but now views value's storage, as PyTorch's set_data does.
 */
function setData(param: Tensor, value: Tensor): void {
  param.storage = value.storage;
  param.shape = value.shape.slice();
  param._strides = value._strides.slice();
  param.offset = value.offset;
  param.dtype = value.dtype;
}

/** `torch.typename` of a non-tensor JS value, as Python would name it. */
function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (Array.isArray(v)) return "list";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

/** vector_to_parameters(vec, parameters): each parameter takes its slice of vec (sharing vec's memory). */
export function vector_to_parameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) {
    throw new TypeError_(`expected torch.Tensor, but got: ${pyTypeName(vec)}`);
  }
  let pointer = 0;
  for (const param of parameters) {
    const numParam = param.numel();
    setData(param, vec.narrow(0, pointer, numParam).view_as(param).data);
    pointer += numParam;
  }
}
