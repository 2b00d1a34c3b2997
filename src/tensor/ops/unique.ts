/**
 * unique: the distinct elements (aten::_unique2) or distinct slices along a dim
 * (aten::unique_dim), with the inverse (where each input element went) and counts. Output is
 * always sorted: PyTorch leaves the order of sorted=False unspecified, and sorted is one such
 * order. Not differentiable, as in PyTorch.
 */
import { int64 } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods } from "../registry.js";
import { normalizeDim } from "../shape.js";
import { compareNanLast } from "./lines.js";

type Triple = [Tensor, Tensor, Tensor];

const longs = (values: ArrayLike<number>, shape: number[]) => Tensor.fromData(Float64Array.from(values), shape, int64);

/** Groups the keys 0..n-1 by `compare` (sorted), giving each key its group and each group its size. */
function groupSorted(n: number, compare: (i: number, j: number) => number): { order: number[]; groupOf: Float64Array; counts: number[] } {
  const order = Array.from({ length: n }, (_, i) => i).sort(compare);
  const groupOf = new Float64Array(n);
  const counts: number[] = [];
  const firsts: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (k === 0 || compare(order[k - 1]!, i) !== 0) {
      firsts.push(i);
      counts.push(0);
    }
    groupOf[i] = counts.length - 1;
    counts[counts.length - 1]!++;
  }
  return { order: firsts, groupOf, counts };
}

function unique2Forward(self: Tensor, _sorted: boolean, returnInverse: boolean, returnCounts: boolean): Triple {
  const data = self.contiguousData();
  // NaNs never compare equal, so each NaN is its own group, as in PyTorch's sorted unique
  const { order, groupOf, counts } = groupSorted(data.length, (i, j) => {
    const c = compareNanLast(data[i]!, data[j]!);
    return c !== 0 || data[i] === data[i] ? c : i - j;
  });
  const values = new self.dtype.ArrayType(order.length);
  order.forEach((i, k) => (values[k] = data[i]!));
  return [
    Tensor.fromData(values, [order.length], self.dtype),
    returnInverse ? longs(groupOf, self.shape.slice()) : longs([], [0]),
    returnCounts ? longs(counts, [counts.length]) : longs([], [0]),
  ];
}

function uniqueDimForward(self: Tensor, dim: number, _sorted: boolean, returnInverse: boolean, returnCounts: boolean): Triple {
  const d = normalizeDim(dim, self.ndim);
  // with d moved first, slice i is the run [i*width, (i+1)*width)
  const perm = [d, ...self.shape.map((_, i) => i).filter((i) => i !== d)];
  const moved = new Tensor(self.storage, perm.map((i) => self.shape[i]!), perm.map((i) => self._strides[i]!), self.offset, self.dtype);
  const flat = moved.contiguousData();
  const count = self.shape[d]!;
  const width = count === 0 ? 0 : flat.length / count;
  const { order, groupOf, counts } = groupSorted(count, (i, j) => {
    for (let k = 0; k < width; k++) {
      const c = compareNanLast(flat[i * width + k]!, flat[j * width + k]!);
      if (c !== 0) return c;
    }
    return 0;
  });
  const out = new self.dtype.ArrayType(order.length * width);
  order.forEach((i, k) => out.set(flat.subarray(i * width, (i + 1) * width), k * width));
  const movedShape = [order.length, ...perm.slice(1).map((i) => self.shape[i]!)];
  const movedBack = Tensor.fromData(out, movedShape, self.dtype);
  // undo the move: dim d of the result is dim 0 of movedBack
  const inv = self.shape.map((_, i) => perm.indexOf(i));
  const view = new Tensor(movedBack.storage, inv.map((p) => movedShape[p]!), inv.map((p) => movedBack._strides[p]!), 0, self.dtype);
  return [
    Tensor.fromData(view.contiguousData(), view.shape.slice(), self.dtype),
    returnInverse ? longs(groupOf, [count]) : longs([], [0]),
    returnCounts ? longs(counts, [counts.length]) : longs([], [0]),
  ];
}

const unique2 = defineOp<(self: Tensor, sorted?: boolean, return_inverse?: boolean, return_counts?: boolean) => Triple>("_unique2", [{
  schema: "aten::_unique2(Tensor self, bool sorted=True, bool return_inverse=False, bool return_counts=False) -> (Tensor, Tensor, Tensor)",
  forward: unique2Forward,
}]);

export const unique_dim = defineOp<(self: Tensor, dim: number, sorted?: boolean, return_inverse?: boolean, return_counts?: boolean) => Triple>("unique_dim", [{
  schema: "aten::unique_dim(Tensor self, int dim, bool sorted=True, bool return_inverse=False, bool return_counts=False) -> (Tensor, Tensor, Tensor)",
  forward: uniqueDimForward,
}]);

export interface UniqueOptions {
  sorted?: boolean;
  return_inverse?: boolean;
  return_counts?: boolean;
  dim?: number | null;
}

/**
 * torch.unique: the unique values, or [values, inverse?, counts?] when either is asked for,
 * as Python's torch.unique returns a tuple of just the requested outputs.
 */
export function unique(input: Tensor, opts: UniqueOptions = {}): Tensor | Tensor[] {
  const sorted = opts.sorted ?? true;
  const inverse = opts.return_inverse ?? false;
  const counts = opts.return_counts ?? false;
  const dim = opts.dim ?? null;
  const [values, inv, cnt] = dim === null ? unique2(input, sorted, inverse, counts) : unique_dim(input, dim, sorted, inverse, counts);
  if (!inverse && !counts) return values;
  const out = [values];
  if (inverse) out.push(inv);
  if (counts) out.push(cnt);
  return out;
}
Object.defineProperty(unique, "overloads", { value: [...unique2.overloads, ...unique_dim.overloads] });

declare module "../tensor.js" {
  interface Tensor {
    unique(opts?: UniqueOptions): Tensor | Tensor[];
  }
}

installMethods({ unique });
