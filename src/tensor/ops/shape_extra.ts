/**
 * Rearranging ops: flip, roll, repeat, tile, repeat_interleave. flip, roll and repeat read the
 * input through one index map per dim (kernels/gather.ts gatherByMaps); tile and
 * repeat_interleave are composite, as in PyTorch, so they show RepeatBackward0 and
 * IndexSelectBackward0. tensor_split and meshgrid are in shape_split.ts.
 */
import { RuntimeError } from "../../util/errors.js";
import { int64 } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods } from "../registry.js";
import { formatSize, normalizeDim } from "../shape.js";
import { callAten, cloneData, gatherByMaps } from "../kernels/gather.js";
import type { GradOut } from "../../autograd/op_node.js";

type Size = readonly number[];

/** Normalized dims with PyTorch's check that none repeats. */
export function distinctDims(dims: Size, ndim: number): number[] {
  const seen = new Set<number>();
  return dims.map((d) => {
    const n = normalizeDim(d, ndim);
    if (seen.has(n)) throw new RuntimeError(`dim ${n} appears multiple times in the list of dims`);
    seen.add(n);
    return n;
  });
}

// ---------------------------------------------------------------- flip

function reversedMap(n: number): Int32Array {
  const m = new Int32Array(n);
  for (let j = 0; j < n; j++) m[j] = n - 1 - j;
  return m;
}

export const flip = defineOp<(input: Tensor, dims: Size) => Tensor>("flip", [{
  schema: "aten::flip(Tensor self, int[] dims) -> Tensor",
  gradName: "FlipBackward0",
  forward: (self: Tensor, dims: Size) => {
    const ds = distinctDims(dims, self.ndim);
    if (self.ndim === 0) return cloneData(self);
    return gatherByMaps(self, ds, ds.map((d) => reversedMap(self.shape[d]!)));
  },
  backward: (g: Tensor, [, dims]: [Tensor, Size]): GradOut[] => [callAten("aten::flip", [g, dims])],
}]);

// ---------------------------------------------------------------- roll

function rolledMap(n: number, shift: number): Int32Array {
  const m = new Int32Array(n);
  for (let j = 0; j < n; j++) m[j] = (((j - shift) % n) + n) % n;
  return m;
}

function rollForward(self: Tensor, shifts: Size, dims: Size): Tensor {
  if (dims.length === 0) {
    // no dims: roll the flattened tensor, keeping the shape
    if (shifts.length !== 1) throw new RuntimeError(`shifts and dimensions must align. shifts: ${shifts.length}, dims:0`);
    const flat = Tensor.fromData(self.contiguousData(), [self.numel()], self.dtype);
    const out = rollForward(flat, shifts, [0]);
    return Tensor.fromData(out.contiguousData(), self.shape.slice(), self.dtype);
  }
  if (shifts.length !== dims.length) {
    throw new RuntimeError(`shifts and dimensions must align. shifts: ${shifts.length}, dims:${dims.length}`);
  }
  const ds = dims.map((d) => normalizeDim(d, self.ndim));
  if (self.ndim === 0 || self.numel() === 0) return cloneData(self);
  return gatherByMaps(self, ds, ds.map((d, k) => rolledMap(self.shape[d]!, shifts[k]!)));
}

type RollFn = (input: Tensor, shifts: number | Size, dims?: number | Size) => Tensor;

export const roll = defineOp<RollFn>("roll", [{
  schema: "aten::roll(Tensor self, int[1] shifts, int[1] dims=[]) -> Tensor",
  gradName: "RollBackward0",
  forward: rollForward,
  backward: (g: Tensor, [, shifts, dims]: [Tensor, Size, Size]): GradOut[] =>
    [callAten("aten::roll", [g, shifts.map((s) => -s), dims])],
}]);

// ---------------------------------------------------------------- repeat, tile

function repeatForward(self: Tensor, repeats: Size): Tensor {
  if (repeats.length < self.ndim) {
    throw new RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  }
  const lead = repeats.length - self.ndim;
  const shape = [...new Array<number>(lead).fill(1), ...self.shape];
  const outShape = shape.map((s, i) => s * repeats[i]!);
  if (outShape.some((s) => s < 0)) throw new RuntimeError(`Trying to create tensor with negative dimension ${Math.min(...outShape)}: ${formatSize(outShape)}`);
  const padded = new Tensor(self.storage, shape, [...new Array<number>(lead).fill(0), ...self._strides], self.offset, self.dtype);
  const dims = shape.map((_, i) => i);
  return gatherByMaps(padded, dims, dims.map((d) => {
    const m = new Int32Array(outShape[d]!);
    for (let j = 0; j < m.length; j++) m[j] = j % shape[d]!;
    return m;
  }));
}

/** repeat's gradient: each output block summed back onto the input (a reshape, then a sum). */
function repeatBackward(g: Tensor, self: Tensor, repeats: Size): Tensor {
  const lead = repeats.length - self.ndim;
  const shape = [...new Array<number>(lead).fill(1), ...self.shape];
  const split: number[] = [];
  shape.forEach((s, i) => split.push(repeats[i]!, s));
  const blockDims = shape.map((_, i) => 2 * i);
  const summed = blockDims.length === 0 ? g : g.reshape(split).sum(blockDims);
  return summed.reshape(self.shape.slice());
}

export const repeat = defineOp<(self: Tensor, repeats: Size) => Tensor>("repeat", [{
  // PyTorch 1.13 spells repeats SymInt[]; the schema parser here takes int[] for it
  schema: "aten::repeat(Tensor self, int[] repeats) -> Tensor",
  gradName: "RepeatBackward0",
  forward: repeatForward,
  backward: (g: Tensor, [self, repeats]: [Tensor, Size]): GradOut[] => [repeatBackward(g, self, repeats)],
}]);

export const tile = defineOp<(input: Tensor, dims: Size) => Tensor>("tile", [{
  schema: "aten::tile(Tensor self, int[] dims) -> Tensor",
  composite: true,
  forward: (self: Tensor, dims: Size) => {
    // fewer reps than dims: leading dims are repeated once
    const reps = dims.length < self.ndim ? [...new Array<number>(self.ndim - dims.length).fill(1), ...dims] : dims.slice();
    return callAten("aten::repeat", [self, reps]);
  },
}]);

// ---------------------------------------------------------------- repeat_interleave

/** [0, 0, 1, 2, 2, 2] for repeats [2, 1, 3]: each position as many times as it repeats. */
function repeatedPositions(repeats: Tensor, outputSize: number | null): Tensor {
  if (repeats.ndim > 1) throw new RuntimeError("repeat_interleave only accept 1D vector as repeat");
  if (repeats.dtype !== int64 && repeats.dtype.name !== "int32") {
    throw new RuntimeError(`"repeat_interleave_cpu" not implemented for '${repeats.dtype.scalarType}'`);
  }
  const r = repeats.contiguousData();
  let total = 0;
  for (let i = 0; i < r.length; i++) {
    if (r[i]! < 0) throw new RuntimeError("repeats can not be negative");
    total += r[i]!;
  }
  if (outputSize !== null && outputSize !== total) throw new RuntimeError("allocated size does not match required size");
  const out = new Float64Array(total);
  let at = 0;
  for (let i = 0; i < r.length; i++) for (let k = 0; k < r[i]!; k++) out[at++] = i;
  return Tensor.fromData(out, [total], int64);
}

function interleave(self: Tensor, repeats: Tensor, dim: number | null, outputSize: number | null): Tensor {
  let input = self;
  let d = 0;
  if (dim === null) input = callAten("aten::flatten.using_ints", [self, 0, -1]);
  else d = normalizeDim(dim, self.ndim);
  const size = input.ndim === 0 ? 1 : input.shape[d]!;
  let reps = repeats;
  if (repeats.numel() === 1 && size !== 1) reps = Tensor.fromData(new Float64Array(size).fill(repeats.contiguousData()[0]!), [size], int64);
  else if (repeats.ndim === 1 && repeats.shape[0] !== size) throw new RuntimeError("repeats must have the same size as input along dim");
  return callAten("aten::index_select", [input, d, repeatedPositions(reps.reshape([-1]), outputSize)]);
}

type RepeatInterleaveFn = {
  (repeats: Tensor, opts?: { output_size?: number | null }): Tensor;
  (input: Tensor, repeats: Tensor | number, dim?: number | null, opts?: { output_size?: number | null }): Tensor;
};

export const repeat_interleave = defineOp<RepeatInterleaveFn>("repeat_interleave", [
  {
    schema: "aten::repeat_interleave.Tensor(Tensor repeats, *, int? output_size=None) -> Tensor",
    composite: true,
    forward: (repeats: Tensor, outputSize: number | null) => repeatedPositions(repeats, outputSize),
  },
  {
    schema: "aten::repeat_interleave.self_Tensor(Tensor self, Tensor repeats, int? dim=None, *, int? output_size=None) -> Tensor",
    composite: true,
    forward: interleave,
  },
  {
    schema: "aten::repeat_interleave.self_int(Tensor self, int repeats, int? dim=None, *, int? output_size=None) -> Tensor",
    composite: true,
    forward: (self: Tensor, repeats: number, dim: number | null, outputSize: number | null) => {
      if (repeats < 0) throw new RuntimeError("repeats can not be negative");
      return interleave(self, Tensor.fromData(Float64Array.of(repeats), [], int64), dim, outputSize);
    },
  },
]);

declare module "../tensor.js" {
  interface Tensor {
    flip(dims: Size): Tensor;
    flip(...dims: number[]): Tensor;
    roll(shifts: number | Size, dims?: number | Size): Tensor;
    repeat(repeats: Size): Tensor;
    repeat(...repeats: number[]): Tensor;
    tile(dims: Size): Tensor;
    tile(...dims: number[]): Tensor;
    repeat_interleave(repeats: Tensor | number, dim?: number | null, opts?: { output_size?: number | null }): Tensor;
  }
}

/** `x.flip(0, 1)` and `x.repeat(2, 3)` take their sizes spread out, as in PyTorch. */
const spreadSizes = (op: (self: Tensor, size: Size) => Tensor) =>
  (self: Tensor, ...rest: unknown[]) => {
    if (rest.length === 1 && typeof rest[0] !== "number") return (op as (...a: unknown[]) => Tensor)(self, rest[0]);
    return op(self, rest as number[]);
  };

installMethods({ roll, repeat_interleave });
installMethods({ flip: spreadSizes(flip), repeat: spreadSizes(repeat), tile: spreadSizes(tile) });
