/** Shapes, strides and dimension arithmetic, with PyTorch's error messages. */
import { IndexError, RuntimeError } from "../util/errors.js";

export type Shape = readonly number[];

export function contiguousStrides(shape: Shape): number[] {
  const n = shape.length;
  const strides = new Array<number>(n);
  let s = 1;
  for (let i = n - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(shape[i]!, 1);
  }
  return strides;
}

export function numel(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Wraps a possibly negative dim into [0, ndim); PyTorch's message when it is out of range. */
export function normalizeDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1); // a 0-d tensor accepts dim 0 and -1
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new IndexError(
      `Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

export function broadcastShapes(a: Shape, b: Shape): number[] {
  if (sameShape(a, b)) return a.slice();
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new RuntimeError(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
  }
  return out;
}

/** Strides that read `shape`'s data as if broadcast to `target` (0 on expanded dims). */
export function broadcastStrides(shape: Shape, strides: Shape, target: Shape): number[] {
  const n = target.length;
  const off = n - shape.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const d = i - off;
    out[i] = d < 0 || shape[d] === 1 ? 0 : strides[d]!;
  }
  return out;
}

/**
 * Reads a size argument as PyTorch does: `zeros(3, 4)`, `zeros([3, 4])`, `zeros()`.
 * Non-integer or negative sizes are rejected with PyTorch's wording.
 */
export function sizeFromArgs(args: readonly unknown[]): number[] {
  const first = args[0];
  const list = Array.isArray(first) ? (first as unknown[]) : args;
  return list.map((d) => {
    if (typeof d !== "number" || !Number.isInteger(d)) {
      throw new TypeError(`expected a sequence of integers as the size, but got ${String(d)}`);
    }
    if (d < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${d}: [${list.join(", ")}]`);
    return d;
  });
}

/** Infers -1 in a view/reshape size, with PyTorch's messages. */
export function inferSize(size: readonly number[], total: number): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < size.length; i++) {
    const d = size[i]!;
    if (d === -1) {
      if (infer >= 0) throw new RuntimeError("only one dimension can be inferred");
      infer = i;
    } else if (d < 0) {
      throw new RuntimeError(`invalid shape dimension ${d}`);
    } else known *= d;
  }
  const out = size.slice();
  if (infer >= 0) {
    if (known === 0 || total % known !== 0) {
      throw new RuntimeError(`shape '[${size.join(", ")}]' is invalid for input of size ${total}`);
    }
    out[infer] = total / known;
  } else if (known !== total) {
    throw new RuntimeError(`shape '[${size.join(", ")}]' is invalid for input of size ${total}`);
  }
  return out;
}

export function formatSize(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}
