/**
 * Joining and splitting: cat, stack, hstack/vstack/dstack, split, chunk. cat promotes its
 * inputs' dtypes; split and chunk return views of their input (multi-output ops, so their
 * gradients arrive as an array with null where an output got none).
 */
import { RuntimeError } from "../../util/errors.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods, runOverload } from "../registry.js";
import { formatSize, normalizeDim } from "../shape.js";
import { resultType } from "../promotion.js";
import type { GradOut } from "../../autograd/op_node.js";
import {
  callAten, copyAlongDim, gatherByMaps, legacyTypeName, makeView, padMap, scatterByMaps, sliceGeometry, unsqueezeGeometry,
  type PadMode,
} from "../kernels/gather.js";

type TensorList = readonly Tensor[];
/** A trailing dim given positionally or as `{dim}`. */
type Dim = number | { dim?: number };

// ---------------------------------------------------------------- cat, stack

/** PyTorch still skips 1-D empty tensors in cat (legacy behaviour kept for old code). */
const skipped = (t: Tensor): boolean => t.shape.length === 1 && t.shape[0] === 0;

function checkCatShapes(tensors: TensorList, ref: Tensor, dim: number): void {
  tensors.forEach((t, i) => {
    if (skipped(t)) return;
    if (t.shape.length !== ref.shape.length) {
      throw new RuntimeError(`Tensors must have same number of dimensions: got ${ref.shape.length} and ${t.shape.length}`);
    }
    for (let d = 0; d < ref.shape.length; d++) {
      if (d !== dim && t.shape[d] !== ref.shape[d]) {
        throw new RuntimeError(
          `Sizes of tensors must match except in dimension ${dim}. Expected size ${ref.shape[d]} but got size ${t.shape[d]} for tensor number ${i} in the list.`,
        );
      }
    }
  });
}

function catForward(tensors: TensorList, dim: number): Tensor {
  if (tensors.length === 0) throw new RuntimeError("torch.cat(): expected a non-empty list of Tensors");
  tensors.forEach((t, i) => {
    if (t.shape.length === 0) throw new RuntimeError(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const dtype = resultType(...tensors);
  const ref = tensors.find((t) => !skipped(t));
  if (ref === undefined) return Tensor.empty([0], dtype);
  const d = normalizeDim(dim, ref.shape.length);
  checkCatShapes(tensors, ref, d);
  const shape = ref.shape.slice();
  shape[d] = tensors.reduce((n, t) => n + (skipped(t) ? 0 : t.shape[d]!), 0);
  const out = Tensor.empty(shape, dtype);
  let at = 0;
  for (const t of tensors) {
    if (skipped(t)) continue;
    copyAlongDim(out, d, at, t);
    at += t.shape[d]!;
  }
  return out;
}

export const cat = defineOp<(tensors: TensorList, dim?: Dim) => Tensor>("cat", [{
  schema: "aten::cat(Tensor[] tensors, int dim=0) -> Tensor",
  gradName: "CatBackward0",
  forward: catForward,
  backward: (g: Tensor, [tensors, dim]: [TensorList, number]): GradOut[] => {
    // skipped empty inputs get an empty gradient, as in PyTorch
    const empty = () => Tensor.empty([0], g.dtype);
    const ref = tensors.find((t) => !skipped(t));
    if (ref === undefined) return [tensors.map(empty), null];
    const d = normalizeDim(dim, ref.shape.length);
    let at = 0;
    const grads = tensors.map((t) => {
      if (skipped(t)) return empty();
      const size = t.shape[d]!;
      at += size;
      return callAten<Tensor>("aten::narrow", [g, d, at - size, size]);
    });
    return [grads, null];
  },
}]);
export const concat = cat;

export const stack = defineOp<(tensors: TensorList, dim?: Dim) => Tensor>("stack", [{
  schema: "aten::stack(Tensor[] tensors, int dim=0) -> Tensor",
  gradName: "StackBackward0",
  forward: (tensors: TensorList, dim: number) => {
    if (tensors.length === 0) throw new RuntimeError("stack expects a non-empty TensorList");
    const first = tensors[0]!;
    const d = normalizeDim(dim, first.shape.length + 1);
    tensors.forEach((t, i) => {
      if (t.shape.length !== first.shape.length || t.shape.some((s, j) => s !== first.shape[j])) {
        throw new RuntimeError(
          `stack expects each tensor to be equal size, but got ${formatSize(first.shape)} at entry 0 and ${formatSize(t.shape)} at entry ${i}`,
        );
      }
    });
    return catForward(tensors.map((t) => makeView(t, unsqueezeGeometry(t, d))), d);
  },
  backward: (g: Tensor, [tensors, dim]: [TensorList, number]): GradOut[] => {
    const d = normalizeDim(dim, tensors[0]!.shape.length + 1);
    return [callAten<Tensor[]>("aten::unbind.int", [g, d]), null];
  },
}]);

/** atleast_1d/2d/3d for hstack, vstack and dstack (views, recorded as PyTorch records them). */
function atLeast(t: Tensor, n: 1 | 2 | 3): Tensor {
  const nd = t.shape.length;
  if (nd >= n) return t;
  if (nd === 0) return callAten("aten::reshape", [t, new Array<number>(n).fill(1)]);
  if (n === 2 || nd === 2) return callAten("aten::unsqueeze", [t, n === 2 ? 0 : -1]);
  return callAten("aten::unsqueeze", [callAten("aten::unsqueeze", [t, 0]), -1]);
}

function stacker(name: string, n: 1 | 2 | 3, dimOf: (first: Tensor) => number) {
  return defineOp<(tensors: TensorList) => Tensor>(name, [{
    schema: `aten::${name}(Tensor[] tensors) -> Tensor`,
    composite: true,
    forward: (tensors: TensorList) => {
      if (tensors.length === 0) throw new RuntimeError(`${name} expects a non-empty TensorList`);
      const reps = tensors.map((t) => atLeast(t, n));
      return runOverload(cat.overloads[0]!, [reps, dimOf(reps[0]!)]);
    },
  }]);
}

export const hstack = stacker("hstack", 1, (first) => (first.shape.length === 1 ? 0 : 1));
export const vstack = stacker("vstack", 2, () => 0);
export const dstack = stacker("dstack", 3, () => 2);
export const row_stack = vstack;

// ---------------------------------------------------------------- split, chunk

function splitViews(self: Tensor, sizes: readonly number[], dim: number): Tensor[] {
  let at = 0;
  return sizes.map((n) => {
    at += n;
    return makeView(self, sliceGeometry(self, dim, at - n, at, 1));
  });
}

/** The sizes split.Tensor makes: equal pieces, the last one smaller. */
function evenSizes(self: Tensor, splitSize: number, dim: number): number[] {
  if (self.shape.length === 0) throw new RuntimeError("split expects at least a 1-dimensional tensor");
  if (splitSize < 0) throw new RuntimeError(`split expects split_size be non-negative, but got split_size=${splitSize}`);
  const size = self.shape[normalizeDim(dim, self.shape.length)]!;
  if (splitSize === 0 && size !== 0) {
    throw new RuntimeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
  }
  const count = splitSize === 0 ? 1 : Math.max(Math.ceil(size / splitSize), 1);
  const last = splitSize - (splitSize * count - size);
  return Array.from({ length: count }, (_, i) => (i < count - 1 ? splitSize : last));
}

function checkSizes(self: Tensor, sizes: readonly number[], dim: number): void {
  if (self.shape.length === 0) throw new RuntimeError("split expects at least a 1-dimensional tensor");
  const d = normalizeDim(dim, self.shape.length);
  if (sizes.some((n) => n < 0)) {
    throw new RuntimeError(`split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=${formatSize(sizes)}`);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== self.shape[d]) {
    throw new RuntimeError(
      `split_with_sizes expects split_sizes to sum exactly to ${self.shape[d]} (input tensor's size at dimension ${d}), but got split_sizes=${formatSize(sizes)}`,
    );
  }
}

/** Gradient of a split: the outputs' gradients concatenated, zeros where one got none. */
function splitBackward(grads: (Tensor | null)[], self: Tensor, sizes: readonly number[], dim: number): GradOut[] {
  const d = normalizeDim(dim, self.shape.length);
  const parts = grads.map((g, i) => {
    if (g !== null) return g;
    const shape = self.shape.slice();
    shape[d] = sizes[i]!;
    return Tensor.empty(shape, self.dtype);
  });
  return [callAten<Tensor>("aten::cat", [parts, d]), null, null];
}

export const split = defineOp<(self: Tensor, split_size_or_sections: number | readonly number[], dim?: Dim) => Tensor[]>("split", [
  {
    schema: "aten::split.Tensor(Tensor(a) self, int split_size, int dim=0) -> Tensor(a)[]",
    gradName: "SplitBackward0",
    forward: (self: Tensor, splitSize: number, dim: number) =>
      splitViews(self, evenSizes(self, splitSize, dim), normalizeDim(dim, self.shape.length)),
    backward: (grads: (Tensor | null)[], [self, splitSize, dim]: [Tensor, number, number]) =>
      splitBackward(grads, self, evenSizes(self, splitSize, dim), dim),
  },
  {
    schema: "aten::split_with_sizes(Tensor(a) self, int[] split_sizes, int dim=0) -> Tensor(a)[]",
    gradName: "SplitWithSizesBackward0",
    forward: (self: Tensor, sizes: readonly number[], dim: number) => {
      checkSizes(self, sizes, dim);
      return splitViews(self, sizes, normalizeDim(dim, self.shape.length));
    },
    backward: (grads: (Tensor | null)[], [self, sizes, dim]: [Tensor, readonly number[], number]) =>
      splitBackward(grads, self, sizes, dim),
  },
]);

export function split_with_sizes(self: Tensor, split_sizes: readonly number[], dim = 0): Tensor[] {
  return runOverload(split.overloads[1]!, [self, split_sizes, dim]) as Tensor[];
}

export const chunk = defineOp<(self: Tensor, chunks: number, dim?: Dim) => Tensor[]>("chunk", [{
  schema: "aten::chunk(Tensor(a) self, int chunks, int dim=0) -> Tensor(a)[]",
  composite: true,
  forward: (self: Tensor, chunks: number, dim: number) => {
    if (self.shape.length === 0) throw new RuntimeError("chunk expects at least a 1-dimensional tensor");
    if (chunks <= 0) throw new RuntimeError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
    const size = self.shape[normalizeDim(dim, self.shape.length)]!;
    const splitSize = Math.ceil(size / chunks);
    // zero-size chunks keep their count only through split_with_sizes (as in PyTorch)
    if (splitSize === 0 && size === 0) return runOverload(split.overloads[1]!, [self, new Array<number>(chunks).fill(0), dim]);
    return runOverload(split.overloads[0]!, [self, splitSize, dim]);
  },
}]);

// ---------------------------------------------------------------- padding

/*
 * The non-constant padding modes F.pad and Conv's padding_mode call (constant_pad_nd lives in
 * pad.ts): reflect, replicate and circular read the input through one index map per padded
 * dim, and their gradients sum back through the same maps. `pad` lists (left, right) pairs
 * from the last dim.
 */

/** The padded dims (last first, as `padding` lists them) and their index maps. */
function padPlan(x: Tensor, padding: readonly number[], mode: PadMode): { dims: number[]; maps: Int32Array[] } {
  const nd = x.shape.length;
  const dims: number[] = [];
  const maps: Int32Array[] = [];
  for (let k = 0; k < padding.length / 2; k++) {
    const d = nd - 1 - k;
    dims.push(d);
    maps.push(padMap(mode, x.shape[d]!, padding[2 * k]!, padding[2 * k + 1]!));
  }
  return { dims, maps };
}

const describeInput = (x: Tensor): string => `[ ${legacyTypeName(x)}{${x.shape.join(",")}} ]`;

/** PyTorch's input checks of reflection_pad{k}d and replication_pad{k}d, with their wording. */
function checkPadInput(kind: "reflection" | "replication", k: number, x: Tensor, padding: readonly number[]): void {
  const nd = x.shape.length;
  if (kind === "replication" && padding.length !== 2 * k) throw new RuntimeError(`padding size is expected to be ${2 * k}`);
  const inner = x.shape.slice(nd === k + 2 ? 1 : 0);
  const batchOk = kind === "reflection" ? inner.slice(1).every((s) => s !== 0) && inner[0] !== 0 : inner.every((s) => s !== 0);
  if ((nd !== k + 1 && nd !== k + 2) || !batchOk) {
    if (kind === "reflection") throw new RuntimeError(`${k + 1}D or ${k + 2}D (batch mode) tensor expected for input, but got: ${describeInput(x)}`);
    throw new RuntimeError(
      `Expected ${k + 1}D or ${k + 2}D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: ${formatSize(x.shape)}`,
    );
  }
  const sizes: number[] = [];
  for (let j = 0; j < k; j++) {
    const d = nd - 1 - j;
    const [l, r] = [padding[2 * j]!, padding[2 * j + 1]!];
    const n = x.shape[d]!;
    if (kind === "reflection" && !(l < n && r < n)) {
      const of = j === 0 ? formatSize(x.shape) : String(nd);
      throw new RuntimeError(
        `Argument #${4 + 2 * j}: Padding size should be less than the corresponding input dimension, but got: padding (${l}, ${r}) at dimension ${d} of input ${of}`,
      );
    }
    sizes.push(n, n + l + r);
  }
  if (sizes.some((s, i) => i % 2 === 1 && s < 1)) {
    const w = `W: ${sizes[0]}`;
    if (kind === "reflection" && k === 1) throw new RuntimeError(`2input (${w})is too small. Calculated output W: ${sizes[1]}`);
    if (k === 1) throw new RuntimeError(`input (${w}) is too small. Calculated output W: ${sizes[1]}`);
    throw new RuntimeError(`input (H: ${sizes[2]}, ${w}) is too small. Calculated output H: ${sizes[3]} W: ${sizes[1]}`);
  }
}

/** reflection_pad{k}d / replication_pad{k}d and their backward ops (gradients of gradients). */
function padOps(kind: "reflection" | "replication", k: number): void {
  const name = `${kind}_pad${k}d`;
  const grad = `${kind === "reflection" ? "Reflection" : "Replication"}Pad${k}DBackward0`;
  const mode: PadMode = kind === "reflection" ? "reflect" : "replicate";
  const op = defineOp<(self: Tensor, padding: readonly number[]) => Tensor>(name, [{
    schema: `aten::${name}(Tensor self, int[${2 * k}] padding) -> Tensor`,
    gradName: grad,
    forward: (self: Tensor, padding: readonly number[]) => {
      checkPadInput(kind, k, self, padding);
      const { dims, maps } = padPlan(self, padding, mode);
      return gatherByMaps(self, dims, maps);
    },
    backward: (g: Tensor, [self, padding]: [Tensor, readonly number[]]): GradOut[] => [
      runOverload(back.overloads[0]!, [g, self, padding]) as Tensor,
    ],
  }]);
  const back = defineOp<(g: Tensor, self: Tensor, padding: readonly number[]) => Tensor>(`${name}_backward`, [{
    schema: `aten::${name}_backward(Tensor grad_output, Tensor self, int[${2 * k}] padding) -> Tensor`,
    gradName: grad.replace(/Backward0$/, "BackwardBackward0"),
    forward: (g: Tensor, self: Tensor, padding: readonly number[]) => {
      const { dims, maps } = padPlan(self, padding, mode);
      return scatterByMaps(g, dims, maps, self.shape);
    },
    backward: (gg: Tensor, [, , padding]: [Tensor, Tensor, readonly number[]]): GradOut[] => [
      runOverload(op.overloads[0]!, [gg, padding]) as Tensor,
    ],
  }]);
}

for (const kind of ["reflection", "replication"] as const) for (const k of [1, 2, 3]) padOps(kind, k);

/** Circular padding (aten::_pad_circular); PyTorch builds it from slice copies, so its grad_fn is CopySlices. */
defineOp<(self: Tensor, pad: readonly number[]) => Tensor>("_pad_circular", [{
  schema: "aten::_pad_circular(Tensor self, int[] pad) -> Tensor",
  gradName: "CopySlices",
  forward: (self: Tensor, pad: readonly number[]) => {
    const nd = self.shape.length;
    if (pad.length + 4 !== nd * 2) throw new RuntimeError(`Invalid padding size, expected ${(nd - 2) * 2} but got ${pad.length}`);
    for (let j = 0; j < pad.length / 2; j++) {
      const n = self.shape[nd - 1 - j]!;
      const [l, r] = [pad[2 * j]!, pad[2 * j + 1]!];
      if (!(l <= n && r <= n)) throw new RuntimeError("Padding value causes wrapping around more than once.");
      if (n + l + r < 0) throw new RuntimeError("Negative padding value is resulting in an empty dimension");
    }
    const { dims, maps } = padPlan(self, pad, "circular");
    return gatherByMaps(self, dims, maps);
  },
  backward: (g: Tensor, [self, pad]: [Tensor, readonly number[]]): GradOut[] => {
    const { dims, maps } = padPlan(self, pad, "circular");
    return [scatterByMaps(g, dims, maps, self.shape)];
  },
}]);

declare module "../tensor.js" {
  interface Tensor {
    split(split_size_or_sections: number | readonly number[], dim?: Dim): Tensor[];
    split_with_sizes(split_sizes: readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: Dim): Tensor[];
  }
}

installMethods({ split, split_with_sizes, chunk });
