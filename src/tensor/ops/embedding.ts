/**
 * Embedding lookups: aten::embedding (EmbeddingBackward0) gathers rows of the weight; its
 * gradient is aten::embedding_backward (composite) over aten::embedding_dense_backward, which
 * sums the incoming rows per index and leaves the padding_idx row without gradient.
 * aten::embedding_renorm_ rescales looked-up rows in place (nn.functional's max_norm).
 */
import { IndexError, NotImplementedError, RuntimeError } from "../../util/errors.js";
import { int32, int64, type TypedArray } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, overload } from "../registry.js";
import { fromF64 } from "../kernels/conv_common.js";

/** checkScalarTypes(fn, {kLong, kInt}) for argument #n 'indices'. */
function checkIndices(indices: Tensor, fn: string, argNo: number): void {
  if (indices.dtype !== int64 && indices.dtype !== int32) {
    throw new RuntimeError(
      `Expected tensor for argument #${argNo} 'indices' to have one of the following scalar types: Long, Int; but got torch.${indices.dtype.scalarType}Tensor instead (while checking arguments for ${fn})`,
    );
  }
}

function embeddingForward(weight: Tensor, indices: Tensor): Tensor {
  if (weight.ndim !== 2) throw new RuntimeError("'weight' must be 2-D");
  checkIndices(indices, "embedding", 1);
  const [rows, D] = weight.shape as [number, number];
  const w = weight.contiguousData();
  const idx = indices.contiguousData();
  const out = new weight.dtype.ArrayType(idx.length * D);
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    if (r < 0 || r >= rows) throw new IndexError("index out of range in self");
    out.set(w.subarray(r * D, r * D + D), i * D);
  }
  return Tensor.fromData(out, [...indices.shape, D], weight.dtype);
}

type EmbeddingArgs = [Tensor, Tensor, number, boolean, boolean];

export const embedding = defineOp<
  (weight: Tensor, indices: Tensor, padding_idx?: number, scale_grad_by_freq?: boolean, sparse?: boolean) => Tensor
>("embedding", [overload({
  schema: "aten::embedding(Tensor weight, Tensor indices, int padding_idx=-1, bool scale_grad_by_freq=False, bool sparse=False) -> Tensor",
  gradName: "EmbeddingBackward0",
  forward: (weight: Tensor, indices: Tensor) => embeddingForward(weight, indices),
  backward: (g: Tensor, args: EmbeddingArgs): (Tensor | null)[] => {
    const [weight, indices, paddingIdx, scale, sparse] = args;
    return [embedding_backward(g, indices, weight.shape[0]!, paddingIdx, scale, sparse)];
  },
})]);

/** Sums grad rows [numel(indices), D] into [num_weights, D]; padding rows get nothing. */
function denseBackward(grad: Tensor, indices: Tensor, numWeights: number, paddingIdx: number, scaleByFreq: boolean): Tensor {
  checkIndices(indices, "embedding_backward", 2);
  const D = grad.shape[grad.ndim - 1]!;
  const idx: TypedArray = indices.contiguousData();
  const g = grad.contiguousData();
  const counts = scaleByFreq ? new Float64Array(numWeights) : null;
  if (counts) for (let i = 0; i < idx.length; i++) counts[idx[i]!] = counts[idx[i]!]! + 1;
  const out = new Float64Array(numWeights * D);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i]!;
    if (k === paddingIdx) continue;
    const scale = counts ? 1 / counts[k]! : 1;
    for (let j = 0; j < D; j++) out[k * D + j] = out[k * D + j]! + g[i * D + j]! * scale;
  }
  return fromF64(out, [numWeights, D], grad.dtype);
}

export const embedding_dense_backward = defineOp<
  (grad_output: Tensor, indices: Tensor, num_weights: number, padding_idx: number, scale_grad_by_freq: boolean) => Tensor
>("embedding_dense_backward", [overload({
  schema: "aten::embedding_dense_backward(Tensor grad_output, Tensor indices, int num_weights, int padding_idx, bool scale_grad_by_freq) -> Tensor",
  forward: denseBackward,
})]);

export const embedding_backward = defineOp<
  (grad: Tensor, indices: Tensor, num_weights: number, padding_idx: number, scale_grad_by_freq: boolean, sparse: boolean) => Tensor
>("embedding_backward", [overload({
  schema: "aten::embedding_backward(Tensor grad, Tensor indices, int num_weights, int padding_idx, bool scale_grad_by_freq, bool sparse) -> Tensor",
  composite: true,
  forward: (grad: Tensor, indices: Tensor, num: number, pad: number, scale: boolean, sparse: boolean) => {
    if (sparse) throw new NotImplementedError("tsjit has no sparse tensors: embedding with sparse=True cannot produce its gradient; use sparse=False");
    return embedding_dense_backward(grad, indices, num, pad, scale);
  },
})]);

/** p-norm of one row, as Tensor.norm(p) computes it. */
function rowNorm(w: TypedArray, o: number, D: number, p: number): number {
  let s = 0;
  if (p === Infinity) {
    for (let j = 0; j < D; j++) s = Math.max(s, Math.abs(w[o + j]!));
    return s;
  }
  if (p === 0) {
    for (let j = 0; j < D; j++) s += w[o + j] !== 0 ? 1 : 0;
    return s;
  }
  for (let j = 0; j < D; j++) s += Math.abs(w[o + j]!) ** p;
  return s ** (1 / p);
}

export const embedding_renorm_ = defineOp<(self: Tensor, indices: Tensor, max_norm: number, norm_type: number) => Tensor>(
  "embedding_renorm_", [overload({
    schema: "aten::embedding_renorm_(Tensor(a!) self, Tensor indices, float max_norm, float norm_type) -> Tensor(a!)",
    forward: (self: Tensor, indices: Tensor, maxNorm: number, normType: number) => {
      if (self.ndim !== 2) {
        throw new RuntimeError(`Expected 2-dimensional tensor, but got ${self.ndim}-dimensional tensor for argument #1 'self' (while checking arguments for embedding_renorm_)`);
      }
      checkIndices(indices, "embedding_renorm_", 2);
      const [rows, D] = self.shape as [number, number];
      const unique = [...new Set(Array.from(indices.contiguousData()))].sort((a, b) => a - b);
      const data = self.storage.data;
      const [rs, cs] = self._strides as [number, number];
      for (const r of unique) {
        if (r < 0 || r >= rows) throw new IndexError(`index ${r} is out of bounds for dimension 0 with size ${rows}`);
        const row = new Float64Array(D);
        for (let j = 0; j < D; j++) row[j] = data[self.offset + r * rs + j * cs]!;
        const norm = rowNorm(row, 0, D, normType);
        if (norm <= maxNorm) continue;
        const scale = maxNorm / (norm + 1e-7);
        const scaled = fromF64(row.map((v) => v * scale), [D], self.dtype).storage.data;
        for (let j = 0; j < D; j++) data[self.offset + r * rs + j * cs] = scaled[j]!;
      }
      return self;
    },
  })],
);
