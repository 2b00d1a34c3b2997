/**
 * Registered factory ops. A factory's public function takes PyTorch's flexible JS arguments
 * (`zeros(3, 4)`, `zeros([3, 4], {dtype})`); it normalizes them and runs the registered
 * overload, so the tracer records `aten::zeros(...)` like any op.
 */
import { DType, toDType, type DTypeName } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, runOverload, type Op } from "../registry.js";
import { RuntimeError } from "../../util/errors.js";

export interface FactoryOptions {
  dtype?: DType | DTypeName | null;
  requires_grad?: boolean;
  device?: string;
  layout?: unknown;
  pin_memory?: boolean;
}

/** The trailing TensorOptions arguments every factory schema ends with. */
export const TENSOR_OPTIONS = "ScalarType? dtype=None, Layout? layout=None, Device? device=None, bool? pin_memory=None";

export function isOptions(v: unknown): v is FactoryOptions {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Tensor) &&
    Object.getPrototypeOf(v) === Object.prototype;
}

export function optDType(opts: FactoryOptions): DType | null {
  return opts.dtype ? toDType(opts.dtype) : null;
}

/** Runs a factory overload with [...leading, dtype, layout, device, pin_memory], then requires_grad. */
export function runFactory(op: Op<(...a: never[]) => Tensor>, index: number, leading: unknown[], opts: FactoryOptions): Tensor {
  if (opts.device !== undefined && opts.device !== null && opts.device !== "cpu") {
    throw new RuntimeError(`tsjit runs on the CPU only; device '${String(opts.device)}' is not available`);
  }
  const ov = op.overloads[index]!;
  const args = [...leading, optDType(opts), null, null, null];
  while (args.length < ov.schema.args.length) args.push(null);
  return setRequiresGrad(runOverload(ov, args) as Tensor, opts);
}

export function setRequiresGrad(t: Tensor, opts: FactoryOptions): Tensor {
  if (opts.requires_grad) {
    if (!t.dtype.is_floating_point) {
      throw new RuntimeError("Only Tensors of floating point and complex dtype can require gradients");
    }
    t.requires_grad = true;
  }
  return t;
}

export { defineOp };
