/**
 * The Tensor: a strided view over a Storage. Op methods (`add`, `tanh`, `view`, ...) are not
 * written here: each op file installs them on the prototype from its registry entry and
 * declares them by interface merging, so one op is one entry in one file.
 */
import { RuntimeError } from "../util/errors.js";
import { DType, float32, bool as boolDType, type TypedArray } from "./dtype.js";
import { contiguousStrides, numel, normalizeDim, type Shape } from "./shape.js";
import { formatTensor } from "./print.js";
import type { Node } from "../autograd/node.js";

/*
 * Note [declared fields]: hot classes (Storage, Tensor, autograd nodes) declare their fields with
 * `declare` and assign them in the constructor. Under ES2022 class-field semantics a plain field
 * declaration is emitted too, and V8 then defines every field as undefined before the
 * constructor stores it again: twice the stores on every op's result.
 */
export class Storage {
  declare data: TypedArray;
  declare readonly dtype: DType;
  /** Bumped by every in-place write, so saved tensors can detect they were modified. */
  declare version: number;
  constructor(data: TypedArray, dtype: DType) {
    this.data = data;
    this.dtype = dtype;
    this.version = 0;
  }
  get length(): number {
    return this.data.length;
  }
}

/** Hooks the tracer installs (Step 2): scalars read out of a traced tensor are data-dependent. */
export const conversionHooks: { onScalarRead: ((t: Tensor, what: "bool" | "number" | "list") => void) | null } = {
  onScalarRead: null,
};

export class Tensor {
  // Note [declared fields]
  declare storage: Storage;
  declare shape: number[];
  declare _strides: number[];
  declare offset: number;
  declare dtype: DType;
  declare requires_grad: boolean;
  declare grad: Tensor | null;
  declare grad_fn: Node | null;
  /** Which output of grad_fn this tensor is. */
  declare _outputNr: number;
  /** The tensor this one is a view of (autograd and printing do not need more). */
  declare _base: Tensor | null;
  declare _retainsGrad: boolean;
  /** AccumulateGrad node of a leaf, made once so every use shares it. */
  declare _accumulator: Node | null;
  declare _hooks: ((grad: Tensor) => Tensor | void)[] | null;

  constructor(storage: Storage, shape: number[], strides: number[], offset: number, dtype: DType) {
    this.storage = storage;
    this.shape = shape;
    this._strides = strides;
    this.offset = offset;
    this.dtype = dtype;
    this.requires_grad = false;
    this.grad = null;
    this.grad_fn = null;
    this._outputNr = 0;
    this._base = null;
    this._retainsGrad = false;
    this._accumulator = null;
    this._hooks = null;
  }

  /**
   * A fresh contiguous tensor over `data` (not copied). Note [shared shape arrays]: shape and
   * stride arrays are never mutated once a tensor holds them, so ops pass an input's arrays to
   * a same-shaped output instead of allocating (`strides` must then be contiguous strides).
   */
  static fromData(data: TypedArray, shape: number[], dtype: DType, strides?: number[]): Tensor {
    return new Tensor(new Storage(data, dtype), shape, strides ?? contiguousStrides(shape), 0, dtype);
  }

  /** A fresh contiguous tensor of zeros. */
  static empty(shape: number[], dtype: DType = float32): Tensor {
    return Tensor.fromData(new dtype.ArrayType(numel(shape)), shape, dtype);
  }

  get data(): Tensor {
    return this.detach();
  }

  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  numel(): number {
    return numel(this.shape);
  }
  nelement(): number {
    return numel(this.shape);
  }
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return this.shape.slice();
    return this.shape[normalizeDim(dim, this.shape.length)] ?? 1;
  }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    if (dim === undefined) return this._strides.slice();
    return this._strides[normalizeDim(dim, this.shape.length)] ?? 1;
  }
  storage_offset(): number {
    return this.offset;
  }
  element_size(): number {
    return this.dtype.itemsize;
  }
  get is_leaf(): boolean {
    return this.grad_fn === null;
  }
  get device(): string {
    return "cpu";
  }
  get is_cuda(): boolean {
    return false;
  }
  is_floating_point(): boolean {
    return this.dtype.is_floating_point;
  }
  get output_nr(): number {
    return this._outputNr;
  }

  is_contiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const d = this.shape[i]!;
      if (d !== 1 && this._strides[i] !== expected) return false;
      expected *= d;
    }
    return true;
  }

  /**
   * The elements in row-major order. Returns the storage array itself when the tensor is
   * contiguous and covers all of it, so callers must not write into the result.
   */
  contiguousData(): TypedArray {
    const n = this.numel();
    const src = this.storage.data;
    if (this.is_contiguous()) {
      return this.offset === 0 && src.length === n ? src : src.subarray(this.offset, this.offset + n);
    }
    const out = new this.dtype.ArrayType(n);
    gatherStrided(src, this.shape, this._strides, this.offset, out);
    return out;
  }

  /** A JS number (or boolean for bool tensors) from a one-element tensor. */
  item(): number | boolean {
    if (this.numel() !== 1) {
      throw new RuntimeError(`a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    }
    conversionHooks.onScalarRead?.(this, "number");
    const v = this.storage.data[this.offset]!;
    return this.dtype === boolDType ? v !== 0 : v;
  }

  tolist(): unknown {
    conversionHooks.onScalarRead?.(this, "list");
    const flat = this.contiguousData();
    const isBool = this.dtype === boolDType;
    const build = (dim: number, base: number): unknown => {
      if (dim === this.shape.length) return isBool ? flat[base] !== 0 : flat[base];
      const n = this.shape[dim]!;
      let step = 1;
      for (let i = dim + 1; i < this.shape.length; i++) step *= this.shape[i]!;
      const out: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, base + i * step);
      return out;
    };
    return build(0, 0);
  }

  /** Python's bool(t): the truth value of a one-element tensor. */
  __bool__(): boolean {
    if (this.numel() !== 1) {
      throw new RuntimeError(`Boolean value of Tensor with more than one value is ambiguous`);
    }
    conversionHooks.onScalarRead?.(this, "bool");
    return this.storage.data[this.offset] !== 0;
  }

  valueOf(): number | boolean {
    return this.item();
  }

  toString(): string {
    const gradFn = this.grad_fn ? this.grad_fn.name() : null;
    return formatTensor({
      shape: this.shape,
      dtype: this.dtype.name,
      values: this.contiguousData(),
      requires_grad: this.requires_grad && this.grad_fn === null,
      grad_fn: gradFn,
    });
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  get [Symbol.toStringTag](): string {
    return "Tensor";
  }
}

/** Copies a strided view into a contiguous array (row-major). */
export function gatherStrided(
  src: TypedArray, shape: readonly number[], strides: readonly number[], offset: number, out: TypedArray,
): void {
  const nd = shape.length;
  const n = out.length;
  if (n === 0) return;
  if (nd === 0) {
    out[0] = src[offset]!;
    return;
  }
  const last = nd - 1;
  const lastSize = shape[last]!;
  const lastStride = strides[last]!;
  const idx = new Array<number>(nd).fill(0);
  let base = offset;
  for (let o = 0; o < n; o += lastSize) {
    let p = base;
    for (let j = 0; j < lastSize; j++, p += lastStride) out[o + j] = src[p]!;
    // advance the outer index like an odometer
    for (let d = last - 1; d >= 0; d--) {
      idx[d]!++;
      base += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export type TensorLike = Tensor | number | boolean;

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

