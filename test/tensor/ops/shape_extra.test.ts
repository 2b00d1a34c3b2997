import { describe, expect, test } from "vitest";
import { torch } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Partial<TorchCase["inputs"][0]> = {}) => ({ shape, ...extra });
const long = (values: number[]) => f([values.length], { dtype: "int64", values });

const CASES: TorchCase[] = [
  // flip
  { name: "flip one dim", inputs: [f([3, 4])], py: "a.flip(0)", ts: (a) => a.flip(0), grad: true },
  { name: "flip two dims", inputs: [f([2, 3, 4], { transposed: true })], py: "torch.flip(a, [0, -1])", ts: (a) => torch.flip(a, [0, -1]), grad: true },
  { name: "flip no dims", inputs: [f([3])], py: "a.flip([])", ts: (a) => a.flip([]), grad: true },
  { name: "flip int", inputs: [f([5], { dtype: "int64" })], py: "a.flip(0)", ts: (a) => a.flip(0) },
  { name: "flip repeated dim", inputs: [f([3])], py: "a.flip([0, 0])", ts: (a) => a.flip([0, 0]) },
  { name: "flip bad dim", inputs: [f([3])], py: "a.flip(1)", ts: (a) => a.flip(1) },
  // roll
  { name: "roll flat", inputs: [f([3, 4])], py: "a.roll(5)", ts: (a) => a.roll(5), grad: true },
  { name: "roll dim negative shift", inputs: [f([3, 4])], py: "torch.roll(a, -1, 1)", ts: (a) => torch.roll(a, -1, 1), grad: true },
  { name: "roll two dims", inputs: [f([3, 4], { transposed: true })], py: "a.roll((1, 7), (0, 1))", ts: (a) => a.roll([1, 7], [0, 1]), grad: true },
  { name: "roll misaligned", inputs: [f([3])], py: "a.roll([1, 2], [0])", ts: (a) => a.roll([1, 2], [0]) },
  { name: "roll bad dim", inputs: [f([3])], py: "a.roll(1, 5)", ts: (a) => a.roll(1, 5) },
  // repeat, tile
  { name: "repeat", inputs: [f([2, 3])], py: "a.repeat(2, 3)", ts: (a) => a.repeat(2, 3), grad: true },
  { name: "repeat new dims", inputs: [f([2, 3], { transposed: true })], py: "a.repeat(2, 1, 2)", ts: (a) => a.repeat([2, 1, 2]), grad: true },
  { name: "repeat zero", inputs: [f([2])], py: "a.repeat(0, 2)", ts: (a) => a.repeat(0, 2), grad: true },
  { name: "repeat 0-d", inputs: [f([], { values: [3] })], py: "a.repeat(2)", ts: (a) => a.repeat(2), grad: true },
  { name: "repeat too few", inputs: [f([2, 3])], py: "a.repeat(2)", ts: (a) => a.repeat(2) },
  { name: "tile fewer dims", inputs: [f([2, 3])], py: "a.tile((2,))", ts: (a) => a.tile([2]), grad: true },
  { name: "tile more dims", inputs: [f([3])], py: "torch.tile(a, (2, 2))", ts: (a) => torch.tile(a, [2, 2]), grad: true },
  // repeat_interleave
  { name: "repeat_interleave int flat", inputs: [f([2, 2])], py: "a.repeat_interleave(2)", ts: (a) => a.repeat_interleave(2), grad: true },
  { name: "repeat_interleave int dim", inputs: [f([2, 3])], py: "a.repeat_interleave(2, 1)", ts: (a) => a.repeat_interleave(2, 1), grad: true },
  { name: "repeat_interleave tensor dim", inputs: [f([3, 2]), long([1, 0, 2])], py: "torch.repeat_interleave(a, b, dim=0)", ts: (a, b) => torch.repeat_interleave(a, b!, 0), grad: true },
  { name: "repeat_interleave repeats only", inputs: [long([2, 0, 3])], py: "torch.repeat_interleave(a)", ts: (a) => torch.repeat_interleave(a) },
  { name: "repeat_interleave size mismatch", inputs: [f([3]), long([1, 2])], py: "a.repeat_interleave(b)", ts: (a, b) => a.repeat_interleave(b!) },
  { name: "repeat_interleave output_size mismatch", inputs: [long([1, 2])], py: "torch.repeat_interleave(a, output_size=5)", ts: (a) => torch.repeat_interleave(a, { output_size: 5 }) },
  { name: "repeat_interleave float repeats", inputs: [f([2])], py: "torch.repeat_interleave(a)", ts: (a) => torch.repeat_interleave(a) },
  { name: "repeat_interleave negative", inputs: [f([3])], py: "a.repeat_interleave(-1)", ts: (a) => a.repeat_interleave(-1) },
  // tensor_split
  { name: "tensor_split sections", inputs: [f([7, 2])], py: "a.tensor_split(3)", ts: (a) => a.tensor_split(3), grad: true },
  { name: "tensor_split more sections than size", inputs: [f([2])], py: "torch.tensor_split(a, 3)", ts: (a) => torch.tensor_split(a, 3), grad: true },
  { name: "tensor_split indices", inputs: [f([2, 6])], py: "a.tensor_split([1, 4, 9], 1)", ts: (a) => a.tensor_split([1, 4, 9], 1), grad: true },
  { name: "tensor_split descending indices", inputs: [f([6])], py: "a.tensor_split([4, 2])", ts: (a) => a.tensor_split([4, 2]) },
  { name: "tensor_split negative indices", inputs: [f([6])], py: "a.tensor_split([-4, -1, -9])", ts: (a) => a.tensor_split([-4, -1, -9]) },
  { name: "tensor_split tensor", inputs: [f([5]), long([1, 3])], py: "a.tensor_split(b)", ts: (a, b) => a.tensor_split(b!) },
  { name: "tensor_split float tensor", inputs: [f([3]), f([1])], py: "a.tensor_split(b)", ts: (a, b) => a.tensor_split(b!) },
  { name: "tensor_split zero sections", inputs: [f([3])], py: "a.tensor_split(0)", ts: (a) => a.tensor_split(0) },
  { name: "tensor_split 0-d", inputs: [f([], { values: [1] })], py: "a.tensor_split(2)", ts: (a) => a.tensor_split(2) },
  // meshgrid
  { name: "meshgrid ij", inputs: [f([3]), f([2]), f([4])], py: "torch.meshgrid(a, b, c, indexing='ij')", ts: (a, b, c) => torch.meshgrid(a, b!, c!, { indexing: "ij" }), grad: true },
  { name: "meshgrid xy", inputs: [f([3]), f([2]), f([4])], py: "torch.meshgrid([a, b, c], indexing='xy')", ts: (a, b, c) => torch.meshgrid([a, b!, c!], { indexing: "xy" }), grad: true },
  { name: "meshgrid 0-d", inputs: [f([], { values: [2] }), f([3])], py: "torch.meshgrid(a, b, indexing='ij')", ts: (a, b) => torch.meshgrid(a, b!, { indexing: "ij" }) },
  { name: "meshgrid mixed dtypes", inputs: [f([2]), f([2], { dtype: "float64" })], py: "torch.meshgrid(a, b, indexing='ij')", ts: (a, b) => torch.meshgrid(a, b!, { indexing: "ij" }) },
  { name: "meshgrid empty", inputs: [], py: "torch.meshgrid([], indexing='ij')", ts: () => torch.meshgrid([], { indexing: "ij" }) },
  { name: "meshgrid bad indexing", inputs: [f([3])], py: "torch.meshgrid(a, indexing='xx')", ts: (a) => torch.meshgrid(a, { indexing: "xx" }) },
];

describe.skipIf(!hasTorch)("flip, roll, repeat, tile, repeat_interleave, tensor_split, meshgrid against PyTorch", () => {
  test("cases", () => compareWithTorch(CASES));
});

describe("shape ops", () => {
  test("grad_fn names", () => {
    const x = leaf([3, 4]);
    expect(x.flip(0).grad_fn?.name()).toBe("FlipBackward0");
    expect(x.roll(1).grad_fn?.name()).toBe("RollBackward0");
    expect(x.repeat(2, 1).grad_fn?.name()).toBe("RepeatBackward0");
    expect(x.tile([2]).grad_fn?.name()).toBe("RepeatBackward0");
    expect(x.repeat_interleave(2).grad_fn?.name()).toBe("IndexSelectBackward0");
    expect(x.tensor_split(2).map((t) => t.grad_fn?.name())).toEqual(["SliceBackward0", "SliceBackward0"]);
    expect(torch.meshgrid(x.select(0, 0), x.select(0, 1), { indexing: "ij" })[0]!.grad_fn?.name()).toBe("ExpandBackward0");
  });

  test("tensor_split and meshgrid pieces are views", () => {
    const x = torch.arange(6);
    const [a] = x.tensor_split(2);
    a!.fill_(7);
    expect(x.tolist()).toEqual([7, 7, 7, 3, 4, 5]);
  });

  test("gradcheck", () => {
    const x = leaf([3, 4]);
    gradcheck((a) => a.flip([0, 1]), [x]);
    gradcheck((a) => a.roll([1, -2], [0, 1]), [x]);
    gradcheck((a) => a.roll(3), [x]);
    gradcheck((a) => a.repeat(2, 1, 3), [x]);
    gradcheck((a) => a.tile([2]), [x]);
    gradcheck((a) => a.repeat_interleave(torch.tensor([1, 0, 2]), 0), [x]);
    gradcheck((a) => a.tensor_split([1, 3], 1), [x]);
    gradcheck((a, b) => torch.meshgrid(a, b, { indexing: "xy" }), [leaf([3], 2), leaf([2], 3)]);
  });
});
