import { describe, expect, test } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";
import { dispatchState, type OpOverload } from "../../../src/tensor/registry.js";

const f = (shape: number[], extra: Partial<TorchCase["inputs"][0]> = {}) => ({ shape, ...extra });

const CASES: TorchCase[] = [
  // sum
  { name: "sum all", inputs: [f([3, 4])], py: "a.sum()", ts: (a) => a.sum(), grad: true },
  { name: "sum dim", inputs: [f([3, 4])], py: "torch.sum(a, 1)", ts: (a) => torch.sum(a, 1), grad: true },
  { name: "sum keepdim", inputs: [f([3, 4])], py: "a.sum(-1, keepdim=True)", ts: (a) => a.sum(-1, true), grad: true },
  { name: "sum dims", inputs: [f([2, 3, 4])], py: "a.sum((0, 2))", ts: (a) => a.sum([0, 2]), grad: true },
  { name: "sum dims keepdim kw", inputs: [f([2, 3, 4])], py: "a.sum(dim=(2, 0), keepdim=True)", ts: (a) => a.sum({ dim: [2, 0], keepdim: true }), grad: true },
  { name: "sum empty dims", inputs: [f([2, 3])], py: "a.sum(())", ts: (a) => a.sum([]), grad: true },
  { name: "sum transposed", inputs: [f([3, 4], { transposed: true })], py: "a.sum(0)", ts: (a) => a.sum(0), grad: true },
  { name: "sum transposed all", inputs: [f([3, 4], { transposed: true })], py: "a.sum()", ts: (a) => a.sum(), grad: true },
  { name: "sum 0-d", inputs: [f([])], py: "a.sum(0)", ts: (a) => a.sum(0), grad: true },
  { name: "sum empty", inputs: [f([0, 3])], py: "a.sum(0)", ts: (a) => a.sum(0) },
  { name: "sum int64", inputs: [f([2, 3], { dtype: "int64" })], py: "a.sum(1)", ts: (a) => a.sum(1) },
  { name: "sum int32 -> int64", inputs: [f([2, 3], { dtype: "int32" })], py: "a.sum()", ts: (a) => a.sum() },
  { name: "sum bool", inputs: [f([5], { dtype: "bool" })], py: "a.sum()", ts: (a) => a.sum() },
  { name: "sum dtype float64", inputs: [f([2, 3])], py: "a.sum(dtype=torch.float64)", ts: (a) => a.sum({ dtype: torch.float64 }), grad: true },
  { name: "sum dtype int32", inputs: [f([4], { values: [0.5, 0.7, 0.9, 2.5] })], py: "a.sum(0, dtype=torch.int32)", ts: (a) => a.sum(0, false, { dtype: "int32" }) },
  { name: "sum float64", inputs: [f([4, 5], { dtype: "float64" })], py: "a.sum(0)", ts: (a) => a.sum(0), grad: true, rtol: 1e-12 },
  { name: "sum float16", inputs: [f([3, 3], { dtype: "float16" })], py: "a.sum(1)", ts: (a) => a.sum(1), rtol: 1e-3 },
  { name: "sum dim out of range", inputs: [f([3, 4])], py: "a.sum(2)", ts: (a) => a.sum(2) },
  { name: "sum repeated dim", inputs: [f([3, 4])], py: "a.sum((0, -2))", ts: (a) => a.sum([0, -2]) },
  // mean
  { name: "mean all", inputs: [f([3, 4])], py: "a.mean()", ts: (a) => a.mean(), grad: true },
  { name: "mean dims keepdim", inputs: [f([2, 3, 4])], py: "a.mean((0, 1), keepdim=True)", ts: (a) => a.mean([0, 1], true), grad: true },
  { name: "mean int error", inputs: [f([3], { dtype: "int64" })], py: "a.mean()", ts: (a) => a.mean() },
  { name: "mean int dtype error", inputs: [f([3])], py: "a.mean(dtype=torch.int64)", ts: (a) => a.mean({ dtype: torch.int64 }) },
  { name: "mean int with dtype", inputs: [f([2, 3], { dtype: "int64" })], py: "a.mean(1, dtype=torch.float32)", ts: (a) => a.mean(1, false, { dtype: torch.float32 }) },
  { name: "mean empty", inputs: [f([0, 3])], py: "a.mean(0)", ts: (a) => a.mean(0) },
  // prod
  { name: "prod all", inputs: [f([2, 3])], py: "a.prod()", ts: (a) => a.prod(), grad: true },
  { name: "prod dim", inputs: [f([3, 4])], py: "a.prod(1, keepdim=True)", ts: (a) => a.prod(1, true), grad: true },
  { name: "prod one zero", inputs: [f([4], { values: [2, 0, 3, -1] })], py: "a.prod()", ts: (a) => a.prod(), grad: true },
  { name: "prod two zeros", inputs: [f([2, 3], { values: [0, 0, 3, 1, 0, 2] })], py: "a.prod(1)", ts: (a) => a.prod(1), grad: true },
  { name: "prod int", inputs: [f([2, 3], { dtype: "int32" })], py: "a.prod(0)", ts: (a) => a.prod(0) },
  { name: "prod dtype", inputs: [f([3], { dtype: "int64" })], py: "a.prod(0, dtype=torch.float32)", ts: (a) => a.prod(0, { dtype: torch.float32 }) },
  // max / min
  { name: "max all", inputs: [f([3, 4])], py: "a.max()", ts: (a) => a.max(), grad: true },
  { name: "max all ties", inputs: [f([4], { values: [2, 2, 1, 2] })], py: "a.max()", ts: (a) => a.max(), grad: true },
  { name: "min all", inputs: [f([3, 4])], py: "torch.min(a)", ts: (a) => torch.min(a), grad: true },
  { name: "max dim", inputs: [f([3, 4])], py: "a.max(1)", ts: (a) => a.max(1), grad: true },
  { name: "max dim keepdim", inputs: [f([2, 3, 4])], py: "torch.max(a, 0, keepdim=True)", ts: (a) => torch.max(a, 0, true), grad: true },
  { name: "max dim kw", inputs: [f([2, 3])], py: "a.max(dim=-1)", ts: (a) => a.max({ dim: -1 }), grad: true },
  { name: "min dim ties", inputs: [f([2, 3], { values: [1, 1, 2, 3, 0, 0] })], py: "a.min(1)", ts: (a) => a.min(1), grad: true },
  { name: "max dim transposed", inputs: [f([3, 4], { transposed: true })], py: "a.max(1)", ts: (a) => a.max(1), grad: true },
  { name: "max nan", inputs: [f([3], { values: [1, NaN, 3] })], py: "a.max(0)", ts: (a) => a.max(0) },
  { name: "max int", inputs: [f([3], { dtype: "int32" })], py: "a.max(0)", ts: (a) => a.max(0) },
  { name: "max bool", inputs: [f([3], { dtype: "bool" })], py: "a.max()", ts: (a) => a.max() },
  { name: "max 0-d", inputs: [f([])], py: "a.max(0)", ts: (a) => a.max(0), grad: true },
  { name: "max other", inputs: [f([2, 3]), f([3])], py: "torch.max(a, b)", ts: (a, b) => torch.max(a, b!), grad: true },
  { name: "min other", inputs: [f([2, 3]), f([2, 3])], py: "a.min(b)", ts: (a, b) => a.min(b!), grad: true },
  { name: "max empty", inputs: [f([0, 4])], py: "a.max()", ts: (a) => a.max() },
  { name: "max empty dim", inputs: [f([0, 4])], py: "a.max(0)", ts: (a) => a.max(0) },
  { name: "max empty other dim", inputs: [f([0, 4])], py: "a.max(1)", ts: (a) => a.max(1) },
  { name: "max bad dim", inputs: [f([2, 3])], py: "a.max(-3)", ts: (a) => a.max(-3) },
  // amax / amin / argmax / argmin
  { name: "amax dims", inputs: [f([2, 3, 4])], py: "a.amax((0, 2))", ts: (a) => a.amax([0, 2]), grad: true },
  { name: "amax all ties", inputs: [f([2, 2], { values: [3, 1, 3, 3] })], py: "a.amax()", ts: (a) => a.amax(), grad: true },
  { name: "amin keepdim", inputs: [f([3, 4])], py: "torch.amin(a, 1, keepdim=True)", ts: (a) => torch.amin(a, 1, true), grad: true },
  { name: "amax empty", inputs: [f([0, 4])], py: "a.amax()", ts: (a) => a.amax() },
  { name: "amax empty dim", inputs: [f([3, 0])], py: "a.amax(1)", ts: (a) => a.amax(1) },
  { name: "argmax all", inputs: [f([3, 4])], py: "a.argmax()", ts: (a) => a.argmax() },
  { name: "argmax keepdim none", inputs: [f([3, 4])], py: "a.argmax(keepdim=True)", ts: (a) => a.argmax(null, true) },
  { name: "argmax dim", inputs: [f([3, 4], { transposed: true })], py: "torch.argmax(a, 1, keepdim=True)", ts: (a) => torch.argmax(a, 1, true) },
  { name: "argmin dim", inputs: [f([3, 4])], py: "a.argmin(0)", ts: (a) => a.argmin(0) },
  { name: "argmax nan", inputs: [f([3], { values: [1, NaN, 3] })], py: "a.argmax()", ts: (a) => a.argmax() },
  { name: "argmax empty", inputs: [f([0])], py: "a.argmax()", ts: (a) => a.argmax() },
  // any / all
  { name: "any bool", inputs: [f([2, 3], { dtype: "bool" })], py: "a.any(1)", ts: (a) => a.any(1) },
  { name: "all float", inputs: [f([2, 3], { values: [1, 2, 0, 1, 1, 1] })], py: "a.all(1, keepdim=True)", ts: (a) => a.all(1, true) },
  { name: "all uint8", inputs: [f([3], { dtype: "uint8", values: [1, 2, 3] })], py: "a.all()", ts: (a) => a.all() },
  { name: "any int", inputs: [f([3], { dtype: "int64", values: [0, 0, 0] })], py: "torch.any(a)", ts: (a) => torch.any(a) },
  { name: "all empty", inputs: [f([0])], py: "a.all()", ts: (a) => a.all() },
  // cumsum
  { name: "cumsum", inputs: [f([3, 4])], py: "a.cumsum(1)", ts: (a) => a.cumsum(1), grad: true },
  { name: "cumsum dim0 transposed", inputs: [f([3, 4], { transposed: true })], py: "torch.cumsum(a, 0)", ts: (a) => torch.cumsum(a, 0), grad: true },
  { name: "cumsum int32", inputs: [f([4], { dtype: "int32" })], py: "a.cumsum(0)", ts: (a) => a.cumsum(0) },
  { name: "cumsum dtype", inputs: [f([4], { dtype: "int64" })], py: "a.cumsum(0, dtype=torch.float64)", ts: (a) => a.cumsum(0, { dtype: "float64" }) },
];

describe.skipIf(!hasTorch)("sum, mean, prod, max, min, any, all, cumsum against PyTorch", () => {
  test("cases", () => compareWithTorch(CASES));
});

describe("reductions", () => {
  test("grad_fn names", () => {
    const x = leaf([2, 3]);
    expect(String(x.sum().grad_fn?.name())).toBe("SumBackward0");
    expect(String(x.sum(1).grad_fn?.name())).toBe("SumBackward1");
    expect(String(x.mean().grad_fn?.name())).toBe("MeanBackward0");
    expect(String(x.mean(0).grad_fn?.name())).toBe("MeanBackward1");
    expect(String(x.prod().grad_fn?.name())).toBe("ProdBackward0");
    expect(String(x.prod(1).grad_fn?.name())).toBe("ProdBackward1");
    expect(String(x.max().grad_fn?.name())).toBe("MaxBackward1");
    expect(String(x.max(1).values.grad_fn?.name())).toBe("MaxBackward0");
    expect(String(x.min(1)[0].grad_fn?.name())).toBe("MinBackward0");
    expect(String(x.amax(1).grad_fn?.name())).toBe("AmaxBackward0");
    expect(String(x.cumsum(1).grad_fn?.name())).toBe("CumsumBackward0");
    expect(x.max(1).indices.requires_grad).toBe(false);
    expect(x.argmax().requires_grad).toBe(false);
  });

  test("max with dim returns (values, indices) that destructure", () => {
    const x = torch.tensor([[1, 5, 2], [7, 0, 7]], { dtype: torch.float32 });
    const [v, i] = torch.max(x, 1);
    expect(v.tolist()).toEqual([5, 7]);
    expect(i.tolist()).toEqual([1, 0]);
    expect(i.dtype).toBe(torch.int64);
    const r = x.min(0, true);
    expect(r.values.shape).toEqual([1, 3]);
    expect(r.indices.tolist()).toEqual([[0, 1, 0]]);
  });

  test("error messages", () => {
    expect(() => torch.tensor([1, 2]).mean()).toThrow(
      "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long",
    );
    expect(() => torch.randn(3, 4).sum(2)).toThrow("Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    expect(() => torch.randn(3, 4).sum([1, 1])).toThrow("dim 1 appears multiple times in the list of dims");
    expect(() => torch.zeros(0, 4).max()).toThrow("max(): Expected reduction dim to be specified for input.numel() == 0.");
  });

  test("float32 sums are accurate", () => {
    // 1 + 1e-8 * 1e6: naive float32 accumulation would lose every small term
    const data = new Float32Array(1_000_001).fill(1e-8);
    data[0] = 1;
    const s = Tensor.fromData(data, [data.length], torch.float32).sum().item() as number;
    expect(s).toBeCloseTo(1.01, 6);
  });

  test("gradcheck", () => {
    const x = leaf([2, 3, 4]);
    gradcheck((a) => a.sum([0, 2], true), [x]);
    gradcheck((a) => a.sum(), [x]);
    gradcheck((a) => a.mean(1), [x]);
    gradcheck((a) => a.mean(), [x]);
    gradcheck((a) => a.prod(2), [x]);
    gradcheck((a) => a.prod(), [leaf([5])]);
    gradcheck((a) => a.max(1).values, [x]);
    gradcheck((a) => a.min(), [x]);
    gradcheck((a) => a.amax([0, 1]), [x]);
    gradcheck((a) => a.amin(-1, true), [x]);
    gradcheck((a) => a.cumsum(1), [x]);
    gradcheck((a) => a.cumsum(-1), [leaf([4])]);
  });

  test("fast-path calls bind arguments as the registry does (what the tracer sees)", () => {
    const seen: [string, unknown[]][] = [];
    const x = torch.ones(2, 3);
    dispatchState.observer = { record: (op: OpOverload, args: readonly unknown[]) => void seen.push([`${op.schema.name}.${op.schema.overload}`, args.slice(1)]) };
    try {
      x.sum();
      x.sum(1);
      torch.sum(x, -1, true);
      x.sum({ dim: 1, keepdim: true });
      x.mean([0, 1]);
    } finally {
      dispatchState.observer = null;
    }
    expect(seen).toEqual([
      ["aten::sum.", [null]],
      ["aten::sum.dim_IntList", [[1], false, null]],
      ["aten::sum.dim_IntList", [[-1], true, null]],
      ["aten::sum.dim_IntList", [[1], true, null]],
      ["aten::mean.dim", [[0, 1], false, null]],
    ]);
  });

  test("prod gradient with zeros is the product of the others", () => {
    const x = torch.tensor([2, 0, 3], { dtype: torch.float64, requires_grad: true });
    x.prod().backward();
    expect(x.grad!.tolist()).toEqual([0, 6, 0]);
  });
});
