import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  formatExp,
  formatFixed,
  formatScalar,
  formatTensor,
  printOptions,
  set_printoptions,
  type PrintDtype,
} from "../../src/tensor/print.js";

interface RefCase {
  expr: string;
  tensor: { shape: number[]; dtype: PrintDtype; data: (number | boolean | string)[]; requires_grad: boolean };
  repr: string;
}

const refUrl = new URL("../../../shared/reference/pytorch-1.13-printing.json", import.meta.url);
const ref = JSON.parse(readFileSync(refUrl, "utf8")) as { torch: string; cases: RefCase[] };

const toNumber = (v: number | boolean | string): number =>
  typeof v === "boolean" ? Number(v)
  : v === "nan" ? NaN
  : v === "inf" ? Infinity
  : v === "-inf" ? -Infinity
  : Number(v);

const gradFnOf = (repr: string): string | null => /grad_fn=<([^>]+)>/.exec(repr)?.[1] ?? null;

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

afterEach(() => set_printoptions({ profile: "default" }));

describe("PyTorch 1.13 reference reprs", () => {
  it("has cases", () => expect(ref.cases.length).toBeGreaterThan(0));
  for (const c of ref.cases) {
    it(c.expr, () => {
      const out = formatTensor({
        shape: c.tensor.shape,
        dtype: c.tensor.dtype,
        values: c.tensor.data.map(toNumber),
        requires_grad: c.tensor.requires_grad,
        grad_fn: gradFnOf(c.repr),
      });
      expect(out).toBe(c.repr);
    });
  }
});

describe("seed article outputs", () => {
  const md = readFileSync(new URL("../../../shared/reference/pytorch-1.13-seed-outputs.md", import.meta.url), "utf8");
  // Every fenced block; the tensor ones are either a bare repr or a 2-tuple of reprs.
  const blocks = [...md.matchAll(/```[a-z]*\n([\s\S]*?)\n```/g)].map((m) => m[1] ?? "");
  const reprs: string[] = [];
  for (const b of blocks) {
    if (b.startsWith("tensor(")) reprs.push(b);
    else if (b.startsWith("(tensor(") && b.endsWith(")")) {
      const cut = b.indexOf(", tensor(");
      reprs.push(b.slice(1, cut), b.slice(cut + 2, -1));
    }
  }
  it("found the x, h and tuple outputs", () => expect(reprs.length).toBe(18));
  for (const [i, repr] of reprs.entries()) {
    it(`block ${i}: ${repr.split("\n")[0] ?? ""}`, () => {
      // The printed values (4 decimals) reproduce the same repr when printed again.
      const body = repr.slice(0, repr.lastIndexOf("]") + 1);
      const values = [...body.matchAll(/-?\d+\.\d+/g)].map((m) => Number(m[0]));
      expect(values.length).toBe(12);
      expect(formatTensor({ shape: [3, 4], dtype: "float32", values, grad_fn: gradFnOf(repr) })).toBe(repr);
    });
  }
  it("wraps a long grad_fn suffix onto its own line", () => {
    const x = [0.3268, 0.4837, 0.0082, -0.2036, 0.4874, 0.9008, -0.2635, -0.3598, 0.6386, 0.8782, 0.0294, 0.1635];
    expect(formatTensor({ shape: [3, 4], dtype: "float32", values: x, grad_fn: "DifferentiableGraphBackward" })).toBe(
      "tensor([[ 0.3268,  0.4837,  0.0082, -0.2036],\n" +
        "        [ 0.4874,  0.9008, -0.2635, -0.3598],\n" +
        "        [ 0.6386,  0.8782,  0.0294,  0.1635]],\n" +
        "       grad_fn=<DifferentiableGraphBackward>)",
    );
  });
});

describe("line wrapping of 1-D tensors", () => {
  it("arange(30.)", () => {
    expect(formatTensor({ shape: [30], dtype: "float32", values: range(0, 30) })).toBe(
      "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n" +
        "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n" +
        "        28., 29.])",
    );
  });
  it("arange(-10, 20) int64", () => {
    expect(formatTensor({ shape: [30], dtype: "int64", values: range(-10, 20) })).toBe(
      "tensor([-10,  -9,  -8,  -7,  -6,  -5,  -4,  -3,  -2,  -1,   0,   1,   2,   3,\n" +
        "          4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,  15,  16,  17,\n" +
        "         18,  19])",
    );
  });
  it("fixed-point floats, 8 per line", () => {
    const v = range(0, 10).map((i) => i + 0.5);
    expect(formatTensor({ shape: [10], dtype: "float32", values: v })).toBe(
      "tensor([0.5000, 1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000, 7.5000, 8.5000,\n" +
        "        9.5000])",
    );
  });
});

describe("summarisation", () => {
  it("1-D int with threshold 5", () => {
    set_printoptions({ threshold: 5 });
    expect(formatTensor({ shape: [10], dtype: "int64", values: range(0, 10) })).toBe(
      "tensor([0, 1, 2,  ..., 7, 8, 9])",
    );
  });
  it("2-D arange(10000).reshape(100, 100)", () => {
    expect(formatTensor({ shape: [100, 100], dtype: "int64", values: range(0, 10000) })).toBe(
      "tensor([[   0,    1,    2,  ...,   97,   98,   99],\n" +
        "        [ 100,  101,  102,  ...,  197,  198,  199],\n" +
        "        [ 200,  201,  202,  ...,  297,  298,  299],\n" +
        "        ...,\n" +
        "        [9700, 9701, 9702,  ..., 9797, 9798, 9799],\n" +
        "        [9800, 9801, 9802,  ..., 9897, 9898, 9899],\n" +
        "        [9900, 9901, 9902,  ..., 9997, 9998, 9999]])",
    );
  });
  it("3-D arange(2000).reshape(20, 10, 10) with blank lines between blocks", () => {
    const block = (b: number): string => {
      const row = (r: number): string => {
        const base = b * 100 + r * 10;
        const f = (v: number): string => String(v).padStart(4);
        return `[${f(base)}, ${f(base + 1)}, ${f(base + 2)},  ..., ${f(base + 7)}, ${f(base + 8)}, ${f(base + 9)}]`;
      };
      const pad = "         ";
      return `[${row(0)},\n${pad}${row(1)},\n${pad}${row(2)},\n${pad}...,\n${pad}${row(7)},\n${pad}${row(8)},\n${pad}${row(9)}]`;
    };
    const sep = ",\n\n        ";
    const expected = `tensor([${[block(0), block(1), block(2), "...", block(17), block(18), block(19)].join(sep)}])`;
    const out = formatTensor({ shape: [20, 10, 10], dtype: "int64", values: range(0, 2000) });
    expect(out).toBe(expected);
    expect(out).toContain("299]],\n\n        ...,\n\n        [[1700, 1701, 1702,  ..., 1707, 1708, 1709],");
  });
  it("the formatter sees only the summarised values", () => {
    // The middle element 1e9 is hidden, so neither sci-mode nor its width applies.
    const v = range(0, 2000).map((i) => (i === 1000 ? 1e9 : i % 7));
    expect(formatTensor({ shape: [2000], dtype: "int64", values: v })).toBe("tensor([0, 1, 2,  ..., 2, 3, 4])");
  });
  it("full profile disables summarisation", () => {
    set_printoptions({ profile: "full" });
    expect(printOptions.threshold).toBe(Infinity);
    expect(formatTensor({ shape: [1001], dtype: "int64", values: range(0, 1001) })).not.toContain("...");
  });
});

describe("modes, special values and suffixes", () => {
  const f32 = (values: number[], shape: number[] = [values.length]) => formatTensor({ shape, dtype: "float32", values });
  it("0-dim tensors", () => {
    expect(f32([3.5], [])).toBe("tensor(3.5000)");
    expect(f32([0], [])).toBe("tensor(0.)");
    expect(f32([NaN], [])).toBe("tensor(nan)");
    expect(formatTensor({ shape: [], dtype: "int64", values: [5] })).toBe("tensor(5)");
    expect(formatTensor({ shape: [], dtype: "bool", values: [1] })).toBe("tensor(True)");
    expect(formatTensor({ shape: [], dtype: "float32", values: [3.5], requires_grad: true })).toBe(
      "tensor(3.5000, requires_grad=True)",
    );
  });
  it("empty tensors", () => {
    expect(f32([], [0])).toBe("tensor([])");
    expect(formatTensor({ shape: [0], dtype: "int64", values: [] })).toBe("tensor([], dtype=torch.int64)");
    expect(formatTensor({ shape: [2, 0], dtype: "int32", values: [] })).toBe(
      "tensor([], size=(2, 0), dtype=torch.int32)",
    );
  });
  it("dtype suffixes", () => {
    expect(formatTensor({ shape: [2], dtype: "float16", values: [1.5, 2.25] })).toBe(
      "tensor([1.5000, 2.2500], dtype=torch.float16)",
    );
    expect(formatTensor({ shape: [2], dtype: "bfloat16", values: [1, 2] })).toBe("tensor([1., 2.], dtype=torch.bfloat16)");
    expect(formatTensor({ shape: [2], dtype: "uint8", values: [1, 200] })).toBe("tensor([  1, 200], dtype=torch.uint8)");
    expect(formatTensor({ shape: [2], dtype: "bool", values: [0, 1] })).toBe("tensor([False,  True])");
  });
  it("rounds ties to even like Python, keeps -0", () => {
    expect(f32([0.03125, 1.5])).toBe("tensor([0.0312, 1.5000])");
    expect(f32([-0, 1])).toBe("tensor([-0., 1.])");
    // Widths come from nonzero values only, so "-0.0000" overflows the width of 6.
    expect(f32([-0, 1.5])).toBe("tensor([-0.0000, 1.5000])");
    expect(formatFixed(2.5, 0)).toBe("2");
    expect(formatFixed(3.5, 0)).toBe("4");
    expect(formatFixed(-0.00001, 4)).toBe("-0.0000");
    expect(formatExp(1.03125, 4)).toBe("1.0312e+00"); // exact ties go to even
    expect(formatExp(1.09375, 4)).toBe("1.0938e+00");
    expect(formatExp(9.99995e-7, 4)).toBe("1.0000e-06");
    expect(formatExp(99999.5, 4)).toBe("1.0000e+05");
    expect(formatExp(0, 4)).toBe("0.0000e+00");
    expect(formatExp(1e200, 4)).toBe("1.0000e+200");
  });
  it("sci-mode rules", () => {
    expect(f32([1e-5, 1])).toBe("tensor([1.0000e-05, 1.0000e+00])");
    expect(f32([1, 1001])).toBe("tensor([1.0000e+00, 1.0010e+03])"); // int-valued, ratio > 1000
    expect(f32([1, 1000])).toBe("tensor([   1., 1000.])");
    expect(f32([0.5, 500])).toBe("tensor([  0.5000, 500.0000])");
    expect(formatTensor({ shape: [1], dtype: "float64", values: [1e200] })).toBe(
      "tensor([1.0000e+200], dtype=torch.float64)",
    );
    expect(f32([NaN, 1e-5, 1, Infinity])).toBe("tensor([       nan, 1.0000e-05, 1.0000e+00,        inf])");
    expect(f32([NaN, 1.5, -Infinity])).toBe("tensor([   nan, 1.5000,   -inf])");
  });
  it("set_printoptions: precision and forced sci_mode", () => {
    set_printoptions({ precision: 2 });
    expect(f32([1.12345])).toBe("tensor([1.12])");
    set_printoptions({ profile: "default" });
    expect(f32([1.12345])).toBe("tensor([1.1235])");
    // Forcing fixed mode keeps the width computed for sci mode (PyTorch's behaviour).
    set_printoptions({ sci_mode: false });
    expect(f32([1e-5, 1])).toBe("tensor([    0.0000,     1.0000])");
    set_printoptions({ sci_mode: true });
    expect(f32([1.5, 2])).toBe("tensor([1.5000e+00, 2.0000e+00])");
    set_printoptions({ precision: 4 });
    expect(printOptions.sci_mode).toBe(null);
  });
  it("narrow linewidth wraps suffixes", () => {
    set_printoptions({ linewidth: 30 });
    expect(formatTensor({ shape: [3], dtype: "int32", values: [1, 2, 3], requires_grad: false })).toBe(
      "tensor([1, 2, 3],\n       dtype=torch.int32)",
    );
  });
});

describe("formatScalar (Python repr of .item())", () => {
  it("floats, ints and bools", () => {
    expect(formatScalar(0.49625658988952637, "float32")).toBe("0.49625658988952637");
    expect(formatScalar(3, "float32")).toBe("3.0");
    expect(formatScalar(0.1, "float64")).toBe("0.1");
    expect(formatScalar(1e-5, "float64")).toBe("1e-05");
    expect(formatScalar(0.0001, "float64")).toBe("0.0001");
    expect(formatScalar(1e16, "float64")).toBe("1e+16");
    expect(formatScalar(1234567890123456, "float64")).toBe("1234567890123456.0");
    expect(formatScalar(-2.5e-7, "float64")).toBe("-2.5e-07");
    expect(formatScalar(-0, "float64")).toBe("-0.0");
    expect(formatScalar(NaN, "float32")).toBe("nan");
    expect(formatScalar(-Infinity, "float32")).toBe("-inf");
    expect(formatScalar(-7, "int64")).toBe("-7");
    expect(formatScalar(1, "bool")).toBe("True");
  });
});
