import { describe, expect, test } from "vitest";
import { torch } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";
import { dispatchState, type OpOverload } from "../../../src/tensor/registry.js";
import { getMatmulKernel, registerMatmulKernel, setMatmulBackends, directMatmul } from "../../../src/tensor/kernels/matmul.js";

const f = (shape: number[], extra: Partial<TorchCase["inputs"][0]> = {}) => ({ shape, ...extra });

/** matmul over every shape combination PyTorch 1.13 treats differently (Note [matmul composition]). */
const MATMUL_SHAPES: [number[], number[]][] = [
  [[3], [3]], [[2, 3], [3]], [[3], [3, 4]], [[2, 3], [3, 4]], [[5, 2, 3], [3, 4]], [[5, 2, 3], [3]],
  [[3], [5, 3, 4]], [[2, 3], [5, 3, 4]], [[5, 2, 3], [5, 3, 4]], [[1, 2, 3], [5, 3, 4]],
  [[7, 1, 2, 3], [5, 3, 4]], [[4, 5, 2, 3], [3]], [[2, 1, 2, 3], [3, 3, 2]],
];

const CASES: TorchCase[] = [
  // mm
  { name: "mm", inputs: [f([2, 3]), f([3, 4])], py: "a.mm(b)", ts: (a, b) => a.mm(b!), grad: true },
  { name: "mm transposed operands", inputs: [f([3, 2], { transposed: true }), f([4, 3], { transposed: true })], py: "torch.mm(a, b)", ts: (a, b) => torch.mm(a, b!), grad: true },
  { name: "mm blocked with edges", inputs: [f([37, 53]), f([53, 29])], py: "a @ b", ts: (a, b) => a.mm(b!), rtol: 1e-5, atol: 1e-5 },
  { name: "mm past one K block", inputs: [f([21, 300]), f([300, 18], { transposed: true })], py: "a @ b", ts: (a, b) => a.mm(b!), rtol: 1e-5, atol: 1e-5 },
  { name: "mm float64", inputs: [f([6, 7], { dtype: "float64" }), f([7, 5], { dtype: "float64" })], py: "a.mm(b)", ts: (a, b) => a.mm(b!), grad: true, rtol: 1e-12 },
  { name: "mm int64", inputs: [f([2, 3], { dtype: "int64" }), f([3, 2], { dtype: "int64" })], py: "a.mm(b)", ts: (a, b) => a.mm(b!) },
  { name: "mm int32", inputs: [f([2, 3], { dtype: "int32" }), f([3, 2], { dtype: "int32" })], py: "a.mm(b)", ts: (a, b) => a.mm(b!) },
  { name: "mm empty k", inputs: [f([2, 0]), f([0, 3])], py: "a.mm(b)", ts: (a, b) => a.mm(b!) },
  { name: "mm shape error", inputs: [f([3, 4]), f([5, 6])], py: "a.mm(b)", ts: (a, b) => a.mm(b!) },
  { name: "mm vector error", inputs: [f([3, 4]), f([4])], py: "a.mm(b)", ts: (a, b) => a.mm(b!) },
  { name: "mm dtype error", inputs: [f([3, 4]), f([4, 2], { dtype: "float64" })], py: "a.mm(b)", ts: (a, b) => a.mm(b!) },
  { name: "mm bool error", inputs: [f([1, 2], { dtype: "bool" }), f([2, 1], { dtype: "bool" })], py: "a.mm(b)", ts: (a, b) => a.mm(b!) },
  { name: "mm half error", inputs: [f([1, 2], { dtype: "float16" }), f([2, 1], { dtype: "float16" })], py: "a.mm(b)", ts: (a, b) => a.mm(b!) },
  // bmm
  { name: "bmm", inputs: [f([3, 2, 4]), f([3, 4, 5])], py: "a.bmm(b)", ts: (a, b) => a.bmm(b!), grad: true },
  { name: "bmm transposed", inputs: [f([2, 4, 3], { transposed: true }), f([2, 5, 4], { transposed: true })], py: "torch.bmm(a, b)", ts: (a, b) => torch.bmm(a, b!), grad: true },
  { name: "baddbmm", inputs: [f([3, 5]), f([2, 3, 4]), f([2, 4, 5])], py: "torch.baddbmm(a, b, c, beta=0.5, alpha=2)", ts: (a, b, c) => torch.baddbmm(a, b!, c!, { beta: 0.5, alpha: 2 }), grad: true },
  { name: "baddbmm self float64", inputs: [f([3, 5], { dtype: "float64" }), f([2, 3, 4]), f([2, 4, 5])], py: "torch.baddbmm(a, b, c)", ts: (a, b, c) => torch.baddbmm(a, b!, c!) },
  { name: "baddbmm expand error", inputs: [f([3, 4]), f([2, 3, 4]), f([2, 4, 5])], py: "torch.baddbmm(a, b, c)", ts: (a, b, c) => torch.baddbmm(a, b!, c!) },
  { name: "bmm size error", inputs: [f([2, 3, 4]), f([2, 5, 6])], py: "a.bmm(b)", ts: (a, b) => a.bmm(b!) },
  { name: "bmm batch error", inputs: [f([2, 3, 4]), f([3, 4, 6])], py: "a.bmm(b)", ts: (a, b) => a.bmm(b!) },
  { name: "bmm 2-d error", inputs: [f([3, 4]), f([3, 4, 6])], py: "a.bmm(b)", ts: (a, b) => a.bmm(b!) },
  // addmm
  { name: "addmm bias row", inputs: [f([4]), f([3, 5]), f([5, 4])], py: "torch.addmm(a, b, c)", ts: (a, b, c) => torch.addmm(a, b!, c!), grad: true },
  { name: "addmm beta alpha", inputs: [f([3, 4]), f([3, 5]), f([5, 4])], py: "torch.addmm(a, b, c, beta=0.5, alpha=2)", ts: (a, b, c) => torch.addmm(a, b!, c!, { beta: 0.5, alpha: 2 }), grad: true },
  { name: "addmm beta 0 ignores nan", inputs: [f([2], { values: [NaN, 1] }), f([2, 3]), f([3, 2])], py: "a.addmm(b, c, beta=0)", ts: (a, b, c) => a.addmm(b!, c!, { beta: 0 }) },
  { name: "addmm column bias", inputs: [f([3, 1]), f([3, 2]), f([2, 4])], py: "torch.addmm(a, b, c)", ts: (a, b, c) => torch.addmm(a, b!, c!), grad: true },
  { name: "addmm bias error", inputs: [f([3]), f([2, 4]), f([4, 5])], py: "torch.addmm(a, b, c)", ts: (a, b, c) => torch.addmm(a, b!, c!) },
  { name: "addmm mat1 error", inputs: [f([2]), f([3]), f([3, 2])], py: "torch.addmm(a, b, c)", ts: (a, b, c) => torch.addmm(a, b!, c!) },
  { name: "addmm dtype error", inputs: [f([2, 5], { dtype: "float64" }), f([2, 4]), f([4, 5])], py: "torch.addmm(a, b, c)", ts: (a, b, c) => torch.addmm(a, b!, c!) },
  // dot / mv / outer
  { name: "dot", inputs: [f([5]), f([5])], py: "torch.dot(a, b)", ts: (a, b) => torch.dot(a, b!), grad: true },
  { name: "dot size error", inputs: [f([3]), f([4])], py: "torch.dot(a, b)", ts: (a, b) => torch.dot(a, b!) },
  { name: "dot dim error", inputs: [f([3, 1]), f([3])], py: "torch.dot(a, b)", ts: (a, b) => torch.dot(a, b!) },
  { name: "dot dtype error", inputs: [f([3]), f([3], { dtype: "float64" })], py: "a.dot(b)", ts: (a, b) => a.dot(b!) },
  { name: "mv", inputs: [f([3, 4]), f([4])], py: "a.mv(b)", ts: (a, b) => a.mv(b!), grad: true },
  { name: "mv transposed", inputs: [f([4, 3], { transposed: true }), f([4])], py: "torch.mv(a, b)", ts: (a, b) => torch.mv(a, b!), grad: true },
  { name: "mv size error", inputs: [f([3, 4]), f([5])], py: "a.mv(b)", ts: (a, b) => a.mv(b!) },
  { name: "mv dim error", inputs: [f([3, 4, 5]), f([4])], py: "a.mv(b)", ts: (a, b) => a.mv(b!) },
  { name: "outer", inputs: [f([3]), f([4])], py: "torch.outer(a, b)", ts: (a, b) => torch.outer(a, b!), grad: true },
  { name: "outer error", inputs: [f([3, 2]), f([3])], py: "torch.outer(a, b)", ts: (a, b) => torch.outer(a, b!) },
  // matmul
  ...MATMUL_SHAPES.map(([sa, sb]): TorchCase => ({
    name: `matmul ${JSON.stringify(sa)} @ ${JSON.stringify(sb)}`,
    inputs: [f(sa), f(sb)],
    py: "torch.matmul(a, b)",
    ts: (a, b) => torch.matmul(a, b!),
    grad: true,
  })),
  { name: "matmul transposed 3-d batch", inputs: [f([5, 2, 3], { transposed: true }), f([2, 4])], py: "a.matmul(b)", ts: (a, b) => a.matmul(b!), grad: true },
  { name: "matmul 0-d error", inputs: [f([]), f([5, 6])], py: "torch.matmul(a, b)", ts: (a, b) => torch.matmul(a, b!) },
  { name: "matmul shape error", inputs: [f([2, 3, 4]), f([5, 6])], py: "torch.matmul(a, b)", ts: (a, b) => torch.matmul(a, b!) },
  { name: "matmul batch error", inputs: [f([2, 3, 4]), f([3, 4, 6])], py: "torch.matmul(a, b)", ts: (a, b) => torch.matmul(a, b!) },
  { name: "matmul vector error", inputs: [f([3]), f([5])], py: "torch.matmul(a, b)", ts: (a, b) => torch.matmul(a, b!) },
  { name: "matmul dtype error", inputs: [f([3, 4]), f([4, 6], { dtype: "float64" })], py: "a.matmul(b)", ts: (a, b) => a.matmul(b!) },
  { name: "matmul int64 batched", inputs: [f([2, 2, 3], { dtype: "int64" }), f([3, 2], { dtype: "int64" })], py: "a.matmul(b)", ts: (a, b) => a.matmul(b!) },
  // linear
  { name: "linear 2-d bias", inputs: [f([3, 4]), f([5, 4]), f([5])], py: "F.linear(a, b, c)", ts: (a, b, c) => torch.linear(a, b!, c!), grad: true },
  { name: "linear 2-d no bias", inputs: [f([3, 4]), f([5, 4])], py: "F.linear(a, b)", ts: (a, b) => torch.linear(a, b!), grad: true },
  { name: "linear 3-d bias", inputs: [f([2, 3, 4]), f([5, 4]), f([5])], py: "F.linear(a, b, c)", ts: (a, b, c) => torch.linear(a, b!, c!), grad: true },
  { name: "linear 3-d no bias", inputs: [f([2, 3, 4]), f([5, 4])], py: "F.linear(a, b)", ts: (a, b) => torch.linear(a, b!), grad: true },
  { name: "linear 3-d noncontiguous", inputs: [f([2, 4, 3], { transposed: true }), f([5, 4]), f([5])], py: "F.linear(a, b, c)", ts: (a, b, c) => torch.linear(a, b!, c!), grad: true },
  { name: "linear 4-d bias", inputs: [f([2, 2, 3, 4]), f([5, 4]), f([5])], py: "F.linear(a, b, c)", ts: (a, b, c) => torch.linear(a, b!, c!), grad: true },
  { name: "linear 1-d bias", inputs: [f([4]), f([5, 4]), f([5])], py: "F.linear(a, b, c)", ts: (a, b, c) => torch.linear(a, b!, c!), grad: true },
  { name: "linear shape error", inputs: [f([3, 4]), f([5, 6])], py: "F.linear(a, b)", ts: (a, b) => torch.linear(a, b!) },
  { name: "linear bias error", inputs: [f([3, 4]), f([5, 4]), f([3])], py: "F.linear(a, b, c)", ts: (a, b, c) => torch.linear(a, b!, c!) },
];

describe.skipIf(!hasTorch)("mm, bmm, addmm, dot, mv, matmul, linear, outer against PyTorch", () => {
  test("cases", () => compareWithTorch(CASES));
});

describe("linear algebra", () => {
  test("grad_fn names", () => {
    const a = leaf([2, 3]);
    const b = leaf([3, 4], 2);
    expect(String(a.mm(b).grad_fn?.name())).toBe("MmBackward0");
    expect(String(torch.matmul(a, b).grad_fn?.name())).toBe("MmBackward0");
    expect(String(torch.matmul(leaf([5, 2, 3]), leaf([5, 3, 4], 3)).grad_fn?.name())).toBe("UnsafeViewBackward0");
    expect(String(torch.matmul(leaf([5, 2, 3]), b).grad_fn?.name())).toBe("UnsafeViewBackward0");
    expect(String(torch.bmm(leaf([5, 2, 3]), leaf([5, 3, 4], 3)).grad_fn?.name())).toBe("BmmBackward0");
    expect(String(torch.dot(leaf([3]), leaf([3], 2)).grad_fn?.name())).toBe("DotBackward0");
    expect(String(torch.mv(a, leaf([3], 2)).grad_fn?.name())).toBe("MvBackward0");
    const w = leaf([4, 3], 4);
    const bias = leaf([4], 5);
    expect(String(torch.linear(a, w, bias).grad_fn?.name())).toBe("AddmmBackward0");
    expect(String(torch.linear(a, w).grad_fn?.name())).toBe("MmBackward0");
    expect(String(torch.outer(leaf([3]), leaf([2], 2)).grad_fn?.name())).toBe("MulBackward0");
  });

  test("the tracer sees composite ops, not their pieces", () => {
    const seen: string[] = [];
    const [a, b, x, w, bias, v] = [[2, 2, 3], [3, 4], [3, 4], [5, 4], [5], [3]].map((s) => torch.ones(s));
    dispatchState.observer = { record: (op: OpOverload) => void seen.push(op.schema.name) };
    try {
      torch.matmul(a!, b!);
      torch.linear(x!, w!, bias!);
      torch.matmul(v!, b!);
    } finally {
      dispatchState.observer = null;
    }
    expect(seen).toEqual(["aten::matmul", "aten::linear", "aten::matmul"]);
  });

  test("error messages", () => {
    expect(() => torch.randn(3, 4).mm(torch.randn(5, 6))).toThrow("mat1 and mat2 shapes cannot be multiplied (3x4 and 5x6)");
    expect(() => torch.matmul(torch.tensor(1.5), torch.randn(2, 2))).toThrow(
      "both arguments to matmul need to be at least 1D, but they are 0D and 2D",
    );
    expect(() => torch.dot(torch.randn(3), torch.randn(4))).toThrow(
      "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively",
    );
  });

  test("gradcheck", () => {
    const a = leaf([2, 3]);
    const b = leaf([3, 4], 2);
    gradcheck((x, y) => x.mm(y!), [a, b]);
    gradcheck((x, y) => x.bmm(y!), [leaf([2, 2, 3]), leaf([2, 3, 2], 3)]);
    gradcheck((x, y, z) => x.baddbmm(y!, z!, { beta: 2, alpha: 0.5 }), [leaf([2, 1]), leaf([2, 2, 3], 2), leaf([2, 3, 1], 3)]);
    gradcheck((x, y, z) => torch.addmm(x, y!, z!, { beta: 0.5, alpha: 1.5 }), [leaf([4], 4), a, b]);
    gradcheck((x, y) => torch.dot(x, y!), [leaf([4]), leaf([4], 2)]);
    gradcheck((x, y) => torch.mv(x, y!), [a, leaf([3], 2)]);
    for (const [sa, sb] of MATMUL_SHAPES) gradcheck((x, y) => torch.matmul(x, y!), [leaf(sa), leaf(sb, 2)]);
    gradcheck((x, w, bias) => torch.linear(x, w!, bias!), [leaf([2, 3, 4]), leaf([5, 4], 2), leaf([5], 3)]);
    gradcheck((x, y) => torch.outer(x, y!), [leaf([3]), leaf([2], 2)]);
  });

  test("large float32 mm matches a float64 reference", () => {
    const m = 67, k = 301, n = 45;
    const a = torch.randn(m, k);
    const b = torch.randn(n, k).t();
    const got = a.mm(b).contiguousData();
    const ref = a.to(torch.float64).mm(b.to(torch.float64)).contiguousData();
    for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i]! - ref[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(ref[i]!)));
  });

  test("kernel table: lookups, preference order and missing kernels", () => {
    expect(getMatmulKernel(torch.float32)).toBeTypeOf("function");
    let calls = 0;
    registerMatmulKernel({
      backend: "test-backend",
      dtypes: ["float64"],
      kernel: (...args) => {
        calls++;
        directMatmul(...args);
      },
    });
    try {
      const r = torch.ones(2, 2, { dtype: torch.float64 }).mm(torch.ones(2, 2, { dtype: torch.float64 }));
      expect(r.tolist()).toEqual([[2, 2], [2, 2]]);
      expect(calls).toBe(1);
      // float32 is not provided by the new backend: the js kernel still serves it
      expect(torch.ones(1, 1).mm(torch.ones(1, 1)).item()).toBe(1);
    } finally {
      setMatmulBackends(["js"]);
    }
    expect(() => setMatmulBackends(["nope"])).toThrow("no matmul backend named 'nope' is registered");
  });

});
