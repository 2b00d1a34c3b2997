/**
 * Tensor creation: torch.tensor and the factory functions. Sizes are accepted both as
 * `zeros(3, 4)` and `zeros([3, 4])`; options go last: `zeros(3, 4, {dtype: torch.int64})`.
 */
import { DType, bool, get_default_dtype, int64, roundToDType, toDType } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { numel, sizeFromArgs } from "../shape.js";
import { RuntimeError } from "../../util/errors.js";
import { defineOp, isOptions, runFactory, setRequiresGrad, TENSOR_OPTIONS, type FactoryOptions } from "./factory.js";
import { dispatchState } from "../registry.js";

export type { FactoryOptions } from "./factory.js";
export type NestedArray = number | boolean | Tensor | readonly NestedArray[];
export type SizeArgs = (number | readonly number[] | FactoryOptions)[];

/** Splits `(3, 4, {dtype})` / `([3, 4], {dtype})` into a size and options. */
export function splitSizeArgs(args: readonly unknown[]): [number[], FactoryOptions] {
  const last = args[args.length - 1];
  const opts = isOptions(last) ? last : {};
  return [sizeFromArgs(isOptions(last) ? args.slice(0, -1) : args), opts];
}

export function filled(shape: number[], value: number, dtype: DType): Tensor {
  const data = new dtype.ArrayType(numel(shape));
  const v = dtype === bool ? (value ? 1 : 0) : roundToDType(value, dtype);
  if (v !== 0) data.fill(v);
  return Tensor.fromData(data, shape, dtype);
}

function inferDType(data: NestedArray): DType {
  let sawFloat = false;
  let sawInt = false;
  let sawBool = false;
  let tensorDType: DType | null = null;
  const visit = (v: NestedArray): void => {
    if (Array.isArray(v)) for (const x of v as NestedArray[]) visit(x);
    else if (v instanceof Tensor) tensorDType = v.dtype;
    else if (typeof v === "boolean") sawBool = true;
    else if (Number.isInteger(v)) sawInt = true;
    else sawFloat = true;
  };
  visit(data);
  if (tensorDType) return tensorDType;
  if (sawFloat) return get_default_dtype();
  if (sawInt) return int64;
  if (sawBool) return bool;
  return get_default_dtype(); // tensor([]) is float32
}

/**
 * torch.tensor(data, {dtype, requires_grad}): copies nested arrays into a new tensor. JS cannot
 * tell 1.0 from 1, so `tensor([1, 2])` is int64 as in PyTorch, and `tensor([1, 2], {dtype:
 * torch.float32})` (or any fractional element) makes a float tensor.
 */
export function tensor(data: NestedArray, opts: FactoryOptions = {}): Tensor {
  const dtype = opts.dtype ? toDType(opts.dtype) : inferDType(data);
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = (probe as readonly NestedArray[])[0]!;
  }
  if (probe instanceof Tensor) shape.push(...probe.shape);
  const out = new dtype.ArrayType(numel(shape));
  let k = 0;
  const fill = (v: NestedArray, depth: number): void => {
    if (Array.isArray(v)) {
      if (v.length !== shape[depth]) {
        throw new RuntimeError(`expected sequence of length ${shape[depth]} at dim ${depth} (got ${v.length})`);
      }
      for (const x of v as NestedArray[]) fill(x, depth + 1);
    } else if (v instanceof Tensor) {
      for (const x of v.contiguousData()) out[k++] = roundToDType(x, dtype);
    } else {
      if (depth !== shape.length) {
        throw new RuntimeError(`expected sequence of length ${shape[depth]} at dim ${depth} (got a number)`);
      }
      const x = typeof v === "boolean" ? (v ? 1 : 0) : (v as number);
      if (typeof x !== "number") throw new TypeError(`Could not infer dtype of ${typeof x}`);
      out[k++] = dtype === bool ? (x !== 0 ? 1 : 0) : roundToDType(x, dtype);
    }
  };
  fill(data, 0);
  const t = setRequiresGrad(Tensor.fromData(out, shape, dtype), opts);
  // Note [tensor literals] (src/jit/tracer/literals.ts): a trace records constant → aten::to → aten::detach
  dispatchState.observer?.recordLiteral?.(t);
  return t;
}

/** torch.as_tensor: the tensor itself when no conversion is needed, else torch.tensor. */
export function as_tensor(data: NestedArray, opts: FactoryOptions = {}): Tensor {
  if (data instanceof Tensor && (!opts.dtype || toDType(opts.dtype) === data.dtype)) return data;
  return tensor(data, opts);
}

const dtypeOr = (d: DType | null, fallback: DType) => d ?? fallback;

const zerosOp = defineOp<(...a: never[]) => Tensor>("zeros", [{
  schema: `aten::zeros(int[] size, *, ${TENSOR_OPTIONS}) -> Tensor`,
  forward: (size: number[], dtype: DType | null) => filled(size.slice(), 0, dtypeOr(dtype, get_default_dtype())),
}]);
const onesOp = defineOp<(...a: never[]) => Tensor>("ones", [{
  schema: `aten::ones(int[] size, *, ${TENSOR_OPTIONS}) -> Tensor`,
  forward: (size: number[], dtype: DType | null) => filled(size.slice(), 1, dtypeOr(dtype, get_default_dtype())),
}]);
const emptyOp = defineOp<(...a: never[]) => Tensor>("empty", [{
  schema: `aten::empty.memory_format(int[] size, *, ${TENSOR_OPTIONS}, MemoryFormat? memory_format=None) -> Tensor`,
  forward: (size: number[], dtype: DType | null) => filled(size.slice(), 0, dtypeOr(dtype, get_default_dtype())),
}]);
const fullOp = defineOp<(...a: never[]) => Tensor>("full", [{
  schema: `aten::full(int[] size, Scalar fill_value, *, ${TENSOR_OPTIONS}) -> Tensor`,
  forward: (size: number[], value: number | boolean, dtype: DType | null) => {
    const d = dtype ?? (typeof value === "boolean" ? bool : Number.isInteger(value) ? int64 : get_default_dtype());
    return filled(size.slice(), +value, d);
  },
}]);

export function zeros(...args: SizeArgs): Tensor {
  const [size, opts] = splitSizeArgs(args);
  return runFactory(zerosOp, 0, [size], opts);
}
export function ones(...args: SizeArgs): Tensor {
  const [size, opts] = splitSizeArgs(args);
  return runFactory(onesOp, 0, [size], opts);
}
/** torch.empty: zero-filled here (JS typed arrays are always initialised). */
export function empty(...args: SizeArgs): Tensor {
  const [size, opts] = splitSizeArgs(args);
  return runFactory(emptyOp, 0, [size], opts);
}
export function full(size: number | readonly number[], fill_value: number | boolean, opts: FactoryOptions = {}): Tensor {
  return runFactory(fullOp, 0, [sizeFromArgs([size]), fill_value], opts);
}

const likeSchema = (name: string, extra = "") =>
  `aten::${name}(Tensor self${extra}, *, ${TENSOR_OPTIONS}, MemoryFormat? memory_format=None) -> Tensor`;
const zerosLikeOp = defineOp<(...a: never[]) => Tensor>("zeros_like", [{
  schema: likeSchema("zeros_like"),
  forward: (self: Tensor, dtype: DType | null) => filled(self.shape.slice(), 0, dtype ?? self.dtype),
}]);
const onesLikeOp = defineOp<(...a: never[]) => Tensor>("ones_like", [{
  schema: likeSchema("ones_like"),
  forward: (self: Tensor, dtype: DType | null) => filled(self.shape.slice(), 1, dtype ?? self.dtype),
}]);
const fullLikeOp = defineOp<(...a: never[]) => Tensor>("full_like", [{
  schema: likeSchema("full_like", ", Scalar fill_value"),
  forward: (self: Tensor, value: number, dtype: DType | null) => filled(self.shape.slice(), +value, dtype ?? self.dtype),
}]);

export function zeros_like(input: Tensor, opts: FactoryOptions = {}): Tensor {
  return runFactory(zerosLikeOp, 0, [input], opts);
}
export function ones_like(input: Tensor, opts: FactoryOptions = {}): Tensor {
  return runFactory(onesLikeOp, 0, [input], opts);
}
export const empty_like = zeros_like;
export function full_like(input: Tensor, fill_value: number | boolean, opts: FactoryOptions = {}): Tensor {
  return runFactory(fullLikeOp, 0, [input, +fill_value], opts);
}

function arangeForward(start: number, end: number, step: number, dtype: DType | null): Tensor {
  if (step === 0) throw new RuntimeError("step must be nonzero");
  if ((step > 0 && start > end) || (step < 0 && start < end)) {
    throw new RuntimeError("upper bound and larger bound inconsistent with step sign");
  }
  const allInt = [start, end, step].every(Number.isInteger);
  const d = dtype ?? (allInt ? int64 : get_default_dtype());
  const n = Math.max(0, Math.ceil((end - start) / step));
  const data = new d.ArrayType(n);
  for (let i = 0; i < n; i++) data[i] = roundToDType(start + i * step, d);
  return Tensor.fromData(data, [n], d);
}

const arangeOp = defineOp<(...a: never[]) => Tensor>("arange", [
  { schema: `aten::arange(Scalar end, *, ${TENSOR_OPTIONS}) -> Tensor`, forward: (end: number, dtype: DType | null) => arangeForward(0, end, 1, dtype) },
  { schema: `aten::arange.start(Scalar start, Scalar end, *, ${TENSOR_OPTIONS}) -> Tensor`, forward: (s: number, e: number, dtype: DType | null) => arangeForward(s, e, 1, dtype) },
  { schema: `aten::arange.start_step(Scalar start, Scalar end, Scalar step=1, *, ${TENSOR_OPTIONS}) -> Tensor`, forward: arangeForward },
]);

/**
 * torch.arange(end) / arange(start, end) / arange(start, end, step). Integral arguments give
 * int64 (PyTorch's `arange(5.)` float is written `arange(5, {dtype: torch.float32})` in JS).
 */
export function arange(...args: (number | FactoryOptions)[]): Tensor {
  const opts = isOptions(args[args.length - 1]) ? (args.pop() as FactoryOptions) : {};
  const nums = args as number[];
  if (nums.length === 1) return runFactory(arangeOp, 0, [nums[0]], opts);
  if (nums.length === 2) return runFactory(arangeOp, 1, [nums[0], nums[1]], opts);
  return runFactory(arangeOp, 2, [nums[0], nums[1], nums[2]], opts);
}

const linspaceOp = defineOp<(...a: never[]) => Tensor>("linspace", [{
  schema: `aten::linspace(Scalar start, Scalar end, int steps, *, ${TENSOR_OPTIONS}) -> Tensor`,
  forward: (start: number, end: number, steps: number, dtype: DType | null) => {
    if (steps < 0) throw new RuntimeError("number of steps must be non-negative");
    const d = dtype ?? get_default_dtype();
    const data = new d.ArrayType(steps);
    const step = steps > 1 ? (end - start) / (steps - 1) : 0;
    // PyTorch fills the first half from start and the second half from end, for symmetry.
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) {
      data[i] = roundToDType(i < half ? start + step * i : end - step * (steps - i - 1), d);
    }
    return Tensor.fromData(data, [steps], d);
  },
}]);

export function linspace(start: number, end: number, steps: number, opts: FactoryOptions = {}): Tensor {
  return runFactory(linspaceOp, 0, [start, end, steps], opts);
}

const eyeOp = defineOp<(...a: never[]) => Tensor>("eye", [
  { schema: `aten::eye(int n, *, ${TENSOR_OPTIONS}) -> Tensor`, forward: (n: number, dtype: DType | null) => eyeForward(n, n, dtype) },
  { schema: `aten::eye.m(int n, int m, *, ${TENSOR_OPTIONS}) -> Tensor`, forward: eyeForward },
]);

function eyeForward(n: number, m: number, dtype: DType | null): Tensor {
  const d = dtype ?? get_default_dtype();
  const t = filled([n, m], 0, d);
  for (let i = 0; i < Math.min(n, m); i++) t.storage.data[i * m + i] = 1;
  return t;
}

export function eye(n: number, m?: number | FactoryOptions, opts: FactoryOptions = {}): Tensor {
  if (typeof m === "number") return runFactory(eyeOp, 1, [n, m], opts);
  return runFactory(eyeOp, 0, [n], m ?? opts);
}

export function scalar_tensor(value: number | boolean, opts: FactoryOptions = {}): Tensor {
  return tensor(value, { dtype: opts.dtype ?? get_default_dtype(), requires_grad: opts.requires_grad });
}
