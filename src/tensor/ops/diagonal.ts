/**
 * Diagonals and triangles: diagonal (a view, as in PyTorch), diag, trace, tril, triu and their
 * in-place forms. The gradient of anything that reads a diagonal writes it back into zeros
 * (aten::diagonal_backward).
 */
import { IndexError, RuntimeError } from "../../util/errors.js";
import { int64 } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods } from "../registry.js";
import { normalizeDim } from "../shape.js";
import { callAten, cloneData, geo, makeView, type Geo } from "../kernels/gather.js";
import { copyInto } from "../kernels/apply.js";
import type { GradOut } from "../../autograd/op_node.js";

type Size = readonly number[];

/** The geometry of diagonal(offset, dim1, dim2): both dims go, the diagonal comes last. */
function diagonalGeometry(g: Geo, offset: number, dim1: number, dim2: number): Geo {
  const n = g.shape.length;
  const d1 = normalizeDim(dim1, n);
  const d2 = normalizeDim(dim2, n);
  if (d1 === d2) throw new RuntimeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  const s1 = g._strides[d1]!;
  const s2 = g._strides[d2]!;
  let len: number;
  let start = g.offset;
  if (offset >= 0) {
    len = Math.max(Math.min(g.shape[d1]!, g.shape[d2]! - offset), 0);
    start += offset * s2;
  } else {
    len = Math.max(Math.min(g.shape[d1]! + offset, g.shape[d2]!), 0);
    start -= offset * s1;
  }
  if (len === 0) start = g.offset; // an empty diagonal may start past the end
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i === d1 || i === d2) continue;
    shape.push(g.shape[i]!);
    strides.push(g._strides[i]!);
  }
  shape.push(len);
  strides.push(s1 + s2);
  return geo(shape, strides, start);
}

const diagonalBackward = defineOp<(g: Tensor, sizes: Size, offset: number, dim1: number, dim2: number) => Tensor>("diagonal_backward", [{
  // PyTorch 1.13 spells input_sizes SymInt[]; the schema parser here takes int[] for it
  schema: "aten::diagonal_backward(Tensor grad_output, int[] input_sizes, int offset, int dim1, int dim2) -> Tensor",
  gradName: "DiagonalBackwardBackward0",
  forward: (g: Tensor, sizes: Size, offset: number, dim1: number, dim2: number) => {
    const out = Tensor.empty(sizes.slice(), g.dtype);
    copyInto(new Tensor(out.storage, ...geoArgs(diagonalGeometry(out, offset, dim1, dim2)), out.dtype), g);
    return out;
  },
  backward: (gg: Tensor, [, , offset, dim1, dim2]: [Tensor, Size, number, number, number]): GradOut[] =>
    [callAten("aten::diagonal", [gg, offset, dim1, dim2])],
}]);

function geoArgs(g: Geo): [number[], number[], number] {
  return [g.shape, g._strides, g.offset];
}

type DiagonalFn = (input: Tensor, offset?: number, dim1?: number, dim2?: number) => Tensor;

export const diagonal = defineOp<DiagonalFn>("diagonal", [{
  schema: "aten::diagonal(Tensor(a) self, int offset=0, int dim1=0, int dim2=1) -> Tensor(a)",
  gradName: "DiagonalBackward0",
  forward: (self: Tensor, offset: number, dim1: number, dim2: number) => makeView(self, diagonalGeometry(self, offset, dim1, dim2)),
  backward: (g: Tensor, [self, offset, dim1, dim2]: [Tensor, number, number, number]): GradOut[] => [
    diagonalBackward(g, self.shape, offset, normalizeDim(dim1, self.ndim), normalizeDim(dim2, self.ndim)),
  ],
}]);

// ---------------------------------------------------------------- diag, trace

function diagForward(self: Tensor, k: number): Tensor {
  if (self.ndim === 2) return cloneData(makeView(self, diagonalGeometry(self, k, 0, 1)));
  if (self.ndim !== 1) throw new RuntimeError("matrix or a vector expected");
  const n = self.shape[0]! + Math.abs(k);
  const out = Tensor.empty([n, n], self.dtype);
  copyInto(new Tensor(out.storage, ...geoArgs(diagonalGeometry(out, k, 0, 1)), out.dtype), self);
  return out;
}

export const diag = defineOp<(input: Tensor, diagonal?: number) => Tensor>("diag", [{
  schema: "aten::diag(Tensor self, int diagonal=0) -> Tensor",
  gradName: "DiagBackward0",
  forward: diagForward,
  backward: (g: Tensor, [self, k]: [Tensor, number]): GradOut[] => [
    self.ndim === 1 ? callAten("aten::diagonal", [g, k, 0, 1]) : diagonalBackward(g, self.shape, k, 0, 1),
  ],
}]);

export const trace = defineOp<(input: Tensor) => Tensor>("trace", [{
  schema: "aten::trace(Tensor self) -> Tensor",
  gradName: "TraceBackward0",
  forward: (self: Tensor) => {
    if (self.ndim !== 2) throw new RuntimeError(`trace: expected a matrix, but got tensor with dim ${self.ndim}`);
    const d = makeView(self, diagonalGeometry(self, 0, 0, 1)).contiguousData();
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i]!;
    // integral traces accumulate in int64, as sum does
    const dtype = self.dtype.is_floating_point ? self.dtype : int64;
    const out = new dtype.ArrayType(1);
    out[0] = s;
    return Tensor.fromData(out, [], dtype);
  },
  backward: (g: Tensor, [self]: [Tensor]): GradOut[] => {
    const n = Math.min(self.shape[0]!, self.shape[1]!);
    return [diagonalBackward(callAten("aten::expand", [g, [n], false]), self.shape, 0, 0, 1)];
  },
}]);

// ---------------------------------------------------------------- tril, triu

/** Zeros the elements above (tril) or below (triu) diagonal k of every matrix, in place. */
function zeroTriangle(t: Tensor, k: number, lower: boolean): Tensor {
  if (t.ndim < 2) throw new IndexError(`Dimension out of range (expected to be in range of [${-Math.max(t.ndim, 1)}, ${Math.max(t.ndim, 1) - 1}], but got -2)`);
  const rows = t.shape[t.ndim - 2]!;
  const cols = t.shape[t.ndim - 1]!;
  const mask = new t.dtype.ArrayType(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) mask[i * cols + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
  }
  const zeroed = Tensor.fromData(t.contiguousData().slice(), t.shape.slice(), t.dtype);
  const z = zeroed.storage.data;
  for (let i = 0; i < z.length; i++) if (mask[i % (rows * cols)] === 0) z[i] = 0;
  copyInto(t, zeroed);
  return t;
}

function triangleOps(name: "tril" | "triu") {
  const lower = name === "tril";
  const gradName = lower ? "TrilBackward0" : "TriuBackward0";
  const backward = (g: Tensor, [, k]: [Tensor, number]): GradOut[] => [callAten(`aten::${name}`, [g, k])];
  const functional = defineOp<(input: Tensor, diagonal?: number) => Tensor>(name, [{
    schema: `aten::${name}(Tensor self, int diagonal=0) -> Tensor`,
    gradName,
    forward: (self: Tensor, k: number) => zeroTriangle(cloneData(self), k, lower),
    backward,
  }]);
  const inplace = defineOp<(input: Tensor, diagonal?: number) => Tensor>(`${name}_`, [{
    schema: `aten::${name}_(Tensor(a!) self, int diagonal=0) -> Tensor(a!)`,
    gradName,
    forward: (self: Tensor, k: number) => zeroTriangle(self, k, lower),
    backward,
  }]);
  return [functional, inplace] as const;
}

export const [tril, tril_] = triangleOps("tril");
export const [triu, triu_] = triangleOps("triu");

declare module "../tensor.js" {
  interface Tensor {
    diagonal(offset?: number, dim1?: number, dim2?: number): Tensor;
    diag(diagonal?: number): Tensor;
    trace(): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    tril_(diagonal?: number): Tensor;
    triu_(diagonal?: number): Tensor;
  }
}

installMethods({ diagonal, diag, trace, tril, triu, tril_, triu_ });
