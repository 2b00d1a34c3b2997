/**
 * tensor_split and meshgrid: composite ops made of views (slices; views expanded), so each
 * piece shows SliceBackward0 or ExpandBackward0, as in PyTorch.
 */
import { RuntimeError, TypeError_ } from "../../util/errors.js";
import { int64 } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods } from "../registry.js";
import { normalizeDim } from "../shape.js";
import { callAten } from "../kernels/gather.js";

type Size = readonly number[];

function checkSplittable(self: Tensor): void {
  if (self.ndim === 0) {
    throw new RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
  }
}

/** Pieces [0, b0), [b0, b1), ..., [bn, size): slicing clamps each (so b1 < b0 gives an empty piece). */
function slices(self: Tensor, d: number, bounds: readonly number[]): Tensor[] {
  const out: Tensor[] = [];
  let start = 0;
  for (const end of [...bounds, self.shape[d]!]) {
    out.push(callAten("aten::slice.Tensor", [self, d, start, end, 1]));
    start = end;
  }
  return out;
}

function bySections(self: Tensor, sections: number, dim: number): Tensor[] {
  checkSplittable(self);
  if (sections <= 0) throw new RuntimeError(`number of sections must be larger than 0, got ${sections}`);
  const d = normalizeDim(dim, self.ndim);
  const size = self.shape[d]!;
  // the first size % sections pieces get one extra element
  const small = Math.floor(size / sections);
  const extra = size % sections;
  const bounds: number[] = [];
  let at = 0;
  for (let i = 0; i < sections - 1; i++) bounds.push((at += small + (i < extra ? 1 : 0)));
  return slices(self, d, bounds);
}

function byIndices(self: Tensor, indices: Size, dim: number): Tensor[] {
  checkSplittable(self);
  const d = normalizeDim(dim, self.ndim);
  return slices(self, d, indices);
}

type TensorSplitFn = (input: Tensor, indices_or_sections: number | Size | Tensor, dim?: number) => Tensor[];

export const tensor_split = defineOp<TensorSplitFn>("tensor_split", [
  {
    schema: "aten::tensor_split.sections(Tensor(a -> *) self, int sections, int dim=0) -> Tensor(a)[]",
    composite: true,
    forward: bySections,
  },
  {
    schema: "aten::tensor_split.indices(Tensor(a -> *) self, int[] indices, int dim=0) -> Tensor(a)[]",
    composite: true,
    forward: byIndices,
  },
  {
    schema: "aten::tensor_split.tensor_indices_or_sections(Tensor(a -> *) self, Tensor tensor_indices_or_sections, int dim=0) -> Tensor(a)[]",
    composite: true,
    forward: (self: Tensor, t: Tensor, dim: number) => {
      if (t.dtype !== int64) {
        throw new RuntimeError(`tensor_split expected tensor_indices_or_sections to have dtype of long, but got ${t.dtype.scalarType}`);
      }
      if (t.ndim > 1) {
        throw new RuntimeError(`tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with ${t.ndim} dims`);
      }
      const values = Array.from(t.contiguousData());
      return t.ndim === 0 ? bySections(self, values[0]!, dim) : byIndices(self, values, dim);
    },
  },
]);

// ---------------------------------------------------------------- meshgrid

function meshgridForward(tensors: readonly Tensor[], indexing: string): Tensor[] {
  if (indexing !== "ij" && indexing !== "xy") {
    throw new RuntimeError(`torch.meshgrid: indexing must be one of "xy" or "ij", but received: ${indexing}`);
  }
  if (tensors.length === 0) throw new RuntimeError("meshgrid expects a non-empty TensorList");
  for (const t of tensors) {
    if (t.ndim > 1) throw new RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: ");
    if (t.dtype !== tensors[0]!.dtype) throw new RuntimeError("meshgrid expects all tensors to have the same dtype");
  }
  // "xy" is "ij" with the first two inputs swapped, and the first two outputs swapped back
  const swap = indexing === "xy" && tensors.length >= 2;
  const order = tensors.slice();
  if (swap) [order[0], order[1]] = [order[1]!, order[0]!];
  const shape = order.map((t) => t.numel());
  const grids = order.map((t, i) => {
    const viewShape = shape.map((_, j) => (j === i ? -1 : 1));
    return callAten("aten::expand", [callAten("aten::view", [t, viewShape]), shape, false]);
  });
  if (!swap) return grids;
  [grids[0], grids[1]] = [grids[1]!, grids[0]!];
  return grids;
}

const meshgridOp = defineOp<(tensors: readonly Tensor[], opts?: { indexing?: string }) => Tensor[]>("meshgrid", [
  {
    schema: "aten::meshgrid(Tensor[] tensors) -> Tensor[]",
    composite: true,
    forward: (tensors: readonly Tensor[]) => meshgridForward(tensors, "ij"),
  },
  {
    schema: "aten::meshgrid.indexing(Tensor[] tensors, *, str indexing) -> Tensor[]",
    composite: true,
    forward: meshgridForward,
  },
]);

/**
 * `torch.meshgrid(x, y)`, `torch.meshgrid([x, y])`, either with `{ indexing: "xy" }` last.
 * Without indexing it is "ij" (PyTorch 1.13 warns that this default will change).
 */
export function meshgrid(...args: (Tensor | readonly Tensor[] | { indexing?: string })[]): Tensor[] {
  let opts: { indexing?: string } | null = null;
  const last = args[args.length - 1];
  if (last !== undefined && !(last instanceof Tensor) && !Array.isArray(last)) {
    opts = last as { indexing?: string };
    args = args.slice(0, -1);
  }
  const tensors = args.length === 1 && Array.isArray(args[0]) ? (args[0] as Tensor[]) : (args as Tensor[]);
  if (tensors.some((t) => !(t instanceof Tensor))) throw new TypeError_("meshgrid(): expected Tensors");
  return opts?.indexing !== undefined ? meshgridOp(tensors, { indexing: opts.indexing }) : meshgridOp(tensors);
}
Object.defineProperty(meshgrid, "overloads", { value: meshgridOp.overloads });

declare module "../tensor.js" {
  interface Tensor {
    tensor_split(indices_or_sections: number | Size | Tensor, dim?: number): Tensor[];
  }
}

installMethods({ tensor_split });
