import { describe, expect, test } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Partial<TorchCase["inputs"][0]> = {}) => ({ shape, ...extra });

const CASES: TorchCase[] = [
  { name: "cat dim 0", inputs: [f([2, 3]), f([1, 3])], py: "torch.cat([a, b])", ts: (a, b) => torch.cat([a, b!]), grad: true },
  { name: "cat dim 1", inputs: [f([2, 3]), f([2, 1]), f([2, 2])], py: "torch.cat((a, b, c), 1)", ts: (a, b, c) => torch.cat([a, b!, c!], 1), grad: true },
  { name: "cat negative dim kw", inputs: [f([2, 3]), f([2, 2])], py: "torch.cat([a, b], dim=-1)", ts: (a, b) => torch.cat([a, b!], { dim: -1 }), grad: true },
  { name: "cat transposed input", inputs: [f([2, 3], { transposed: true }), f([3, 2])], py: "torch.cat([a, b], 1)", ts: (a, b) => torch.cat([a, b!], 1), grad: true },
  { name: "cat promotes", inputs: [f([2], { dtype: "int32" }), f([2], { dtype: "float16" })], py: "torch.cat([a, b])", ts: (a, b) => torch.cat([a, b!]) },
  { name: "cat promotes with grad", inputs: [f([2], { dtype: "float32" }), f([3], { dtype: "float64" })], py: "torch.cat([a, b])", ts: (a, b) => torch.cat([a, b!]), grad: true },
  { name: "cat int uint8", inputs: [f([2], { dtype: "int32" }), f([2], { dtype: "uint8", values: [1, 2] })], py: "torch.cat([a, b])", ts: (a, b) => torch.cat([a, b!]) },
  { name: "cat bool", inputs: [f([2], { dtype: "bool" }), f([1], { dtype: "bool" })], py: "torch.cat([a, b])", ts: (a, b) => torch.cat([a, b!]) },
  { name: "cat skips legacy empty", inputs: [f([0]), f([2, 3])], py: "torch.cat([a, b], 1)", ts: (a, b) => torch.cat([a, b!], 1), grad: true },
  { name: "cat all empty", inputs: [f([0]), f([0])], py: "torch.cat([a, b])", ts: (a, b) => torch.cat([a, b!]) },
  { name: "concat alias", inputs: [f([1, 2]), f([1, 2])], py: "torch.concat([a, b])", ts: (a, b) => torch.concat([a, b!]), grad: true },
  { name: "cat size mismatch", inputs: [f([2, 3]), f([3, 3])], py: "torch.cat([a, b], 1)", ts: (a, b) => torch.cat([a, b!], 1) },
  { name: "cat ndim mismatch", inputs: [f([2, 3]), f([3])], py: "torch.cat([a, b], 0)", ts: (a, b) => torch.cat([a, b!], 0) },
  { name: "cat 0-d", inputs: [f([]), f([])], py: "torch.cat([a, b])", ts: (a, b) => torch.cat([a, b!]) },
  { name: "cat empty list", inputs: [f([1])], py: "torch.cat([])", ts: () => torch.cat([]) },
  { name: "cat dim out of range", inputs: [f([2, 2]), f([2, 2])], py: "torch.cat([a, b], 2)", ts: (a, b) => torch.cat([a, b!], 2) },
  { name: "stack", inputs: [f([2, 3]), f([2, 3])], py: "torch.stack([a, b])", ts: (a, b) => torch.stack([a, b!]), grad: true },
  { name: "stack last dim", inputs: [f([2, 3]), f([2, 3]), f([2, 3])], py: "torch.stack([a, b, c], -1)", ts: (a, b, c) => torch.stack([a, b!, c!], -1), grad: true },
  { name: "stack 0-d", inputs: [f([]), f([], { dtype: "int64" })], py: "torch.stack([a, b])", ts: (a, b) => torch.stack([a, b!]) },
  { name: "stack promotes", inputs: [f([2]), f([2], { dtype: "float64" })], py: "torch.stack([a, b], 1)", ts: (a, b) => torch.stack([a, b!], 1), grad: true },
  { name: "stack mismatch", inputs: [f([2, 3]), f([2, 2])], py: "torch.stack([a, b])", ts: (a, b) => torch.stack([a, b!]) },
  { name: "stack empty", inputs: [f([1])], py: "torch.stack([])", ts: () => torch.stack([]) },
  { name: "hstack 1-d", inputs: [f([2]), f([3])], py: "torch.hstack([a, b])", ts: (a, b) => torch.hstack([a, b!]), grad: true },
  { name: "hstack 2-d", inputs: [f([2, 2]), f([2, 3])], py: "torch.hstack([a, b])", ts: (a, b) => torch.hstack([a, b!]), grad: true },
  { name: "hstack 0-d", inputs: [f([]), f([])], py: "torch.hstack([a, b])", ts: (a, b) => torch.hstack([a, b!]), grad: true },
  { name: "vstack", inputs: [f([3]), f([2, 3])], py: "torch.vstack([a, b])", ts: (a, b) => torch.vstack([a, b!]), grad: true },
  { name: "dstack", inputs: [f([2]), f([1, 2]), f([1, 2, 2])], py: "torch.dstack([a, b, c])", ts: (a, b, c) => torch.dstack([a, b!, c!]), grad: true },
  { name: "vstack empty", inputs: [f([1])], py: "torch.vstack([])", ts: () => torch.vstack([]) },
  { name: "split int", inputs: [f([5, 2])], py: "torch.split(a, 2)", ts: (a) => torch.split(a, 2), grad: true },
  { name: "split int dim", inputs: [f([2, 5])], py: "a.split(3, 1)", ts: (a) => a.split(3, 1), grad: true },
  { name: "split sizes", inputs: [f([2, 6])], py: "a.split([1, 0, 5], -1)", ts: (a) => a.split([1, 0, 5], -1), grad: true },
  { name: "split_with_sizes", inputs: [f([6])], py: "a.split_with_sizes([4, 2])", ts: (a) => a.split_with_sizes([4, 2]), grad: true },
  { name: "split one output used", inputs: [f([6])], py: "a.split(4)[1]", ts: (a) => a.split(4)[1]!, grad: true },
  { name: "split size too big", inputs: [f([3])], py: "a.split(10)", ts: (a) => a.split(10), grad: true },
  { name: "split empty", inputs: [f([0])], py: "a.split(0)", ts: (a) => a.split(0) },
  { name: "split negative", inputs: [f([5])], py: "a.split(-1)", ts: (a) => a.split(-1) },
  { name: "split zero", inputs: [f([5])], py: "a.split(0)", ts: (a) => a.split(0) },
  { name: "split sizes negative", inputs: [f([5])], py: "a.split([1, -1, 5])", ts: (a) => a.split([1, -1, 5]) },
  { name: "split sizes sum", inputs: [f([5])], py: "a.split([1, 3])", ts: (a) => a.split([1, 3]) },
  { name: "split 0-d", inputs: [f([])], py: "a.split(1)", ts: (a) => a.split(1) },
  { name: "chunk", inputs: [f([5, 2])], py: "a.chunk(3)", ts: (a) => a.chunk(3), grad: true },
  { name: "chunk uneven", inputs: [f([6])], py: "torch.chunk(a, 4)", ts: (a) => torch.chunk(a, 4), grad: true },
  { name: "chunk dim", inputs: [f([2, 7])], py: "a.chunk(2, dim=1)", ts: (a) => a.chunk(2, { dim: 1 }), grad: true },
  { name: "chunk empty", inputs: [f([0])], py: "a.chunk(3)", ts: (a) => a.chunk(3) },
  { name: "chunk zero", inputs: [f([3])], py: "a.chunk(0)", ts: (a) => a.chunk(0) },
  { name: "chunk 0-d", inputs: [f([])], py: "a.chunk(2)", ts: (a) => a.chunk(2) },
];

describe.skipIf(!hasTorch)("join ops match PyTorch", () => {
  test("cases", () => compareWithTorch(CASES));
});

/** One root for multi-output ops. */
const joined = (ts: Tensor[]): Tensor => torch.cat(ts.map((t) => t.reshape(-1)));

describe("join semantics", () => {
  test("cat copies in order and converts dtypes", () => {
    const a = torch.tensor([[1, 2], [3, 4]], { dtype: torch.int32 });
    const b = torch.tensor([[0.5], [1.5]], { dtype: torch.float64 });
    const c = torch.cat([a, b, a.t()], 1);
    expect(c.dtype).toBe(torch.float64);
    expect(c.tolist()).toEqual([[1, 2, 0.5, 1, 3], [3, 4, 1.5, 2, 4]]);
    expect(c.is_contiguous()).toBe(true);
  });

  test("split outputs are views with PyTorch's offsets", () => {
    const x = torch.zeros(4, 6);
    const parts = x.split([1, 2, 3], 1);
    expect(parts.map((p) => [p.shape, p.stride(), p.storage_offset()])).toEqual([
      [[4, 1], [6, 1], 0], [[4, 2], [6, 1], 1], [[4, 3], [6, 1], 3],
    ]);
    expect(parts.every((p) => p.storage === x.storage)).toBe(true);
  });

  test("multi-output grad_fn and output_nr", () => {
    const x = leaf([6], 1);
    const outs = x.chunk(3);
    expect(outs.map((o) => [o.grad_fn?.name(), o.output_nr])).toEqual([["SplitBackward0", 0], ["SplitBackward0", 1], ["SplitBackward0", 2]]);
    outs[1]!.sum().backward();
    expect(x.grad!.tolist()).toEqual([0, 0, 1, 1, 0, 0]);
  });
});

describe("join gradients (float64 gradcheck)", () => {
  const checks: [string, number[][], (...t: Tensor[]) => Tensor][] = [
    ["cat", [[2, 3], [2, 1]], (a, b) => torch.cat([a, b!, a], 1)],
    ["stack", [[2, 3], [2, 3]], (a, b) => torch.stack([a, b!.t().t()], 1)],
    ["hstack", [[2, 2], [2, 1]], (a, b) => torch.hstack([a, b!])],
    ["split", [[5, 2]], (a) => joined(a.split(2))],
    ["split_with_sizes partial", [[2, 6]], (a) => joined(a.split([2, 1, 3], 1).slice(1))],
    ["chunk", [[7]], (a) => joined(a.chunk(3))],
  ];
  for (const [name, shapes, fn] of checks) {
    test(name, () => gradcheck(fn, shapes.map((s, i) => leaf(s, 20 + i))));
  }
});

const P: TorchCase[] = [
  { name: "reflect 1d", inputs: [f([2, 3, 5])], py: "F.pad(a, (2, 1), mode='reflect')", ts: (a) => torch.nn.functional.pad(a, [2, 1], { mode: "reflect" }), grad: true },
  { name: "reflect 1d crop", inputs: [f([2, 5])], py: "F.pad(a, (-2, 3), mode='reflect')", ts: (a) => torch.nn.functional.pad(a, [-2, 3], { mode: "reflect" }), grad: true },
  { name: "reflect 2d", inputs: [f([1, 2, 3, 4])], py: "F.pad(a, (1, 2, 2, 1), mode='reflect')", ts: (a) => torch.nn.functional.pad(a, [1, 2, 2, 1], { mode: "reflect" }), grad: true },
  { name: "reflect too much", inputs: [f([1, 2, 5])], py: "F.pad(a, (5, 1), mode='reflect')", ts: (a) => torch.nn.functional.pad(a, [5, 1], { mode: "reflect" }) },
  { name: "reflect empty", inputs: [f([2, 0, 5])], py: "F.pad(a, (1, 1), mode='reflect')", ts: (a) => torch.nn.functional.pad(a, [1, 1], { mode: "reflect" }) },
  { name: "replicate 1d", inputs: [f([2, 3, 4])], py: "F.pad(a, (3, 1), mode='replicate')", ts: (a) => torch.nn.functional.pad(a, [3, 1], { mode: "replicate" }), grad: true },
  { name: "replicate 2d", inputs: [f([2, 3, 4])], py: "F.pad(a, (1, 1, 2, 0), mode='replicate')", ts: (a) => torch.nn.functional.pad(a, [1, 1, 2, 0], { mode: "replicate" }), grad: true },
  { name: "replicate 2-d input", inputs: [f([2, 5])], py: "F.pad(a, (1, 1), mode='replicate')", ts: (a) => torch.nn.functional.pad(a, [1, 1], { mode: "replicate" }), grad: true },
  { name: "replicate crop", inputs: [f([2, 6])], py: "F.pad(a, (-2, 1), mode='replicate')", ts: (a) => torch.nn.functional.pad(a, [-2, 1], { mode: "replicate" }), grad: true },
  { name: "replicate too small", inputs: [f([2, 3, 5])], py: "F.pad(a, (-3, -3), mode='replicate')", ts: (a) => torch.nn.functional.pad(a, [-3, -3], { mode: "replicate" }) },
  { name: "circular 1d", inputs: [f([2, 3, 5])], py: "F.pad(a, (2, 3), mode='circular')", ts: (a) => torch.nn.functional.pad(a, [2, 3], { mode: "circular" }), grad: true },
  { name: "circular crop", inputs: [f([2, 3, 5])], py: "F.pad(a, (-1, 2), mode='circular')", ts: (a) => torch.nn.functional.pad(a, [-1, 2], { mode: "circular" }), grad: true },
  { name: "circular crop right", inputs: [f([2, 3, 5])], py: "F.pad(a, (2, -2), mode='circular')", ts: (a) => torch.nn.functional.pad(a, [2, -2], { mode: "circular" }), grad: true },
  { name: "circular 2d", inputs: [f([1, 1, 3, 4])], py: "F.pad(a, (1, 1, 2, 1), mode='circular')", ts: (a) => torch.nn.functional.pad(a, [1, 1, 2, 1], { mode: "circular" }), grad: true },
  { name: "circular wraps twice", inputs: [f([2, 3, 5])], py: "F.pad(a, (6, 2), mode='circular')", ts: (a) => torch.nn.functional.pad(a, [6, 2], { mode: "circular" }) },
  { name: "circular 2-d input", inputs: [f([2, 5])], py: "F.pad(a, (1, 1), mode='circular')", ts: (a) => torch.nn.functional.pad(a, [1, 1], { mode: "circular" }) },
];

describe.skipIf(!hasTorch)("padding modes match PyTorch", () => {
  test("reflect, replicate, circular", () => compareWithTorch(P));
});

describe("padding gradients (float64 gradcheck)", () => {
  const F = torch.nn.functional;
  test("reflect 2d", () => gradcheck((a) => F.pad(a, [2, 1, 1, 2], { mode: "reflect" }), [leaf([1, 2, 3, 4], 30)]));
  test("replicate 1d", () => gradcheck((a) => F.pad(a, [3, 2], { mode: "replicate" }), [leaf([2, 3], 31)]));
  test("circular 2d", () => gradcheck((a) => F.pad(a, [1, 2, 2, 0], { mode: "circular" }), [leaf([1, 1, 3, 3], 32)]));
  test("reflection backward is differentiable", () => {
    const a = leaf([1, 4], 33);
    const w = leaf([1, 7], 34);
    const v = leaf([1, 4], 35);
    const [g] = torch.autograd.grad(F.pad(a, [2, 1], { mode: "reflect" }).mul(w).sum(), [a], null, { create_graph: true });
    expect(g!.grad_fn?.name()).toBe("ReflectionPad1DBackwardBackward0");
    const [gw] = torch.autograd.grad(g!.mul(v).sum(), [w]);
    expect(gw!.tolist()).toEqual(F.pad(v, [2, 1], { mode: "reflect" }).tolist());
  });
});
