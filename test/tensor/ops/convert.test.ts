import { describe, expect, test } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

type Spec = TorchCase["inputs"][0];
const f = (shape: number[], extra: Partial<Spec> = {}): Spec => ({ shape, ...extra });
const ODD = [1.7, -1.7, 2.5, -2.5, NaN, Infinity, -Infinity, 300, -200, 70000, 3e10, 0.1, -0];

const DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"] as const;
const METHODS: Record<string, string> = {
  float: "float32", double: "float64", half: "float16", bfloat16: "bfloat16", long: "int64",
  int: "int32", short: "int16", char: "int8", byte: "uint8", bool: "bool",
};

const CASES: TorchCase[] = [
  // every float -> every dtype, on values that exercise truncation, overflow and NaN
  ...DTYPES.map((d): TorchCase => ({
    name: `float32 -> ${d}`, inputs: [f([ODD.length], { values: ODD })], py: `a.to(torch.${d})`, ts: (a) => a.to(d), rtol: 0, atol: 0,
  })),
  ...DTYPES.map((d): TorchCase => ({
    name: `float64 -> ${d}`, inputs: [f([ODD.length], { dtype: "float64", values: ODD })], py: `a.to(torch.${d})`, ts: (a) => a.to(d), rtol: 0, atol: 0,
  })),
  ...DTYPES.map((d): TorchCase => ({
    name: `int64 -> ${d}`, inputs: [f([6], { dtype: "int64", values: [0, 1, -1, 300, 2 ** 40 + 1, 16777217] })], py: `a.to(torch.${d})`, ts: (a) => a.to(d), rtol: 0, atol: 0,
  })),
  ...DTYPES.map((d): TorchCase => ({
    name: `bool -> ${d}`, inputs: [f([3], { dtype: "bool", values: [1, 0, 1] })], py: `a.to(torch.${d})`, ts: (a) => a.to(d),
  })),
  ...DTYPES.map((d): TorchCase => ({
    name: `uint8 -> ${d}`, inputs: [f([3], { dtype: "uint8", values: [0, 200, 255] })], py: `a.to(torch.${d})`, ts: (a) => a.to(d),
  })),
  ...Object.entries(METHODS).map(([m]): TorchCase => ({
    name: `.${m}()`, inputs: [f([2, 3])], py: `a.${m}()`, ts: (a) => (a as unknown as Record<string, () => Tensor>)[m]!.call(a),
  })),
  { name: "to float64 grad", inputs: [f([2, 3])], py: "a.to(torch.float64)", ts: (a) => a.to(torch.float64), grad: true },
  { name: "double grad transposed", inputs: [f([2, 3], { transposed: true })], py: "a.double()", ts: (a) => a.double(), grad: true },
  { name: "half grad", inputs: [f([2, 3])], py: "a.half()", ts: (a) => a.half(), grad: true, rtol: 1e-3 },
  { name: "to int", inputs: [f([2, 3])], py: "a.long()", ts: (a) => a.long() },
  { name: "to other", inputs: [f([2, 3]), f([1], { dtype: "float64" })], py: "a.to(b)", ts: (a, b) => a.to(b!), grad: true },
  { name: "type_as", inputs: [f([2, 3]), f([1], { dtype: "float64" })], py: "a.type_as(b)", ts: (a, b) => a.type_as(b!), grad: true },
  { name: "to cpu dtype", inputs: [f([2, 3])], py: "a.to('cpu', torch.float64)", ts: (a) => a.to("cpu", torch.float64), grad: true },
  { name: "to kwargs", inputs: [f([2, 3])], py: "a.to(dtype=torch.float64, copy=True)", ts: (a) => a.to({ dtype: torch.float64, copy: true }), grad: true },
  { name: "to bad device", inputs: [f([2])], py: "a.to('xyz')", ts: (a) => a.to("xyz") },
  // clone, copy_, fill_, zero_
  { name: "clone", inputs: [f([2, 3])], py: "a.clone()", ts: (a) => a.clone(), grad: true },
  { name: "clone transposed", inputs: [f([2, 3], { transposed: true })], py: "torch.clone(a)", ts: (a) => torch.clone(a), grad: true },
  { name: "clone int", inputs: [f([2, 3], { dtype: "int32" })], py: "a.clone()", ts: (a) => a.clone() },
  { name: "copy_", inputs: [f([2, 3]), f([3])], py: "a.clone().copy_(b)", ts: (a, b) => a.clone().copy_(b!), grad: true },
  { name: "copy_ converts", inputs: [f([3], { dtype: "int64" }), f([3], { values: [1.7, -2.7, 3.5] })], py: "a.copy_(b)", ts: (a, b) => a.copy_(b!) },
  { name: "copy_ float64 into float32", inputs: [f([2, 3]), f([2, 3], { dtype: "float64" })], py: "a.clone().copy_(b)", ts: (a, b) => a.clone().copy_(b!), grad: true },
  { name: "copy_ into transposed", inputs: [f([2, 3], { transposed: true }), f([2, 3])], py: "a.clone().t().copy_(b.t())", ts: (a, b) => a.clone().t().copy_(b!.t()) },
  { name: "copy_ shape error", inputs: [f([2]), f([3])], py: "a.copy_(b)", ts: (a, b) => a.copy_(b!) },
  { name: "copy_ broadcast error", inputs: [f([2]), f([2, 2])], py: "a.copy_(b)", ts: (a, b) => a.copy_(b!) },
  { name: "fill_", inputs: [f([2, 3])], py: "a.clone().fill_(1.5)", ts: (a) => a.clone().fill_(1.5), grad: true },
  { name: "fill_ tensor", inputs: [f([2, 3]), f([], { values: [0.5] })], py: "a.clone().fill_(b)", ts: (a, b) => a.clone().fill_(b!), grad: true },
  { name: "fill_ int truncates", inputs: [f([3], { dtype: "int64" })], py: "a.fill_(2.7)", ts: (a) => a.fill_(2.7) },
  { name: "fill_ bool", inputs: [f([3], { dtype: "bool" })], py: "a.fill_(2)", ts: (a) => a.fill_(2) },
  { name: "fill_ half rounds", inputs: [f([2], { dtype: "float16" })], py: "a.fill_(0.1)", ts: (a) => a.fill_(0.1), rtol: 0, atol: 0 },
  { name: "fill_ dim error", inputs: [f([3]), f([1])], py: "a.fill_(b)", ts: (a, b) => a.fill_(b!) },
  { name: "torch.fill_ on a view", inputs: [f([2, 3])], py: "torch.fill_(a.t(), 3.)", ts: (a) => torch.fill_(a.t(), 3) },
  { name: "zero_", inputs: [f([2, 3])], py: "a.clone().zero_()", ts: (a) => a.clone().zero_(), grad: true },
];

describe.skipIf(!hasTorch)("conversions and copies against PyTorch", () => {
  test("cases", () => compareWithTorch(CASES));

  test("result_type, promote_types, can_cast", () => {
    const names = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"];
    const ref = runTorch<{ promote: string[][]; cast: boolean[][] }>(`
names = ${JSON.stringify(names)}
ts = [getattr(torch, n) for n in names]
print(json.dumps({"promote": [[str(torch.promote_types(a, b))[6:] for b in ts] for a in ts],
                  "cast": [[torch.can_cast(a, b) for b in ts] for a in ts]}))`);
    names.forEach((a, i) => names.forEach((b, j) => {
      expect(torch.promote_types(a, b).name, `${a} ${b}`).toBe(ref.promote[i]![j]);
      expect(torch.can_cast(a, b), `${a} -> ${b}`).toBe(ref.cast[i]![j]);
    }));
  });
});

describe("conversions", () => {
  test("to returns self when nothing changes", () => {
    const x = torch.tensor([1.5, 2]);
    expect(x.to(torch.float32)).toBe(x);
    expect(x.to("float32")).toBe(x);
    expect(x.to("cpu")).toBe(x);
    expect(x.to({ device: "cpu" })).toBe(x);
    expect(x.to(x)).toBe(x);
    expect(x.type_as(x)).toBe(x);
    expect(x.float()).toBe(x);
    expect(x.to(torch.float32, { copy: true })).not.toBe(x);
  });

  test("devices other than the CPU", () => {
    const x = torch.tensor([1.5]);
    expect(() => x.to("cuda")).toThrow("Torch not compiled with CUDA enabled");
    expect(() => x.to("cuda:0", torch.float64)).toThrow("Torch not compiled with CUDA enabled");
    expect(() => x.to("xyz")).toThrow("device type at start of device string: xyz");
  });

  test("grad_fn names", () => {
    const x = leaf([2, 3]);
    expect(x.float().grad_fn?.name()).toBe("ToCopyBackward0");
    expect(x.clone().grad_fn?.name()).toBe("CloneBackward0");
    expect(x.long().requires_grad).toBe(false);
    const y = x.clone();
    expect(y.copy_(leaf([3], 2)).grad_fn?.name()).toBe("CopyBackwards");
    expect(x.clone().fill_(1).grad_fn?.name()).toBe("FillBackward2");
    expect(x.clone().fill_(torch.tensor(1, { dtype: torch.float64 })).grad_fn?.name()).toBe("FillBackward3");
    expect(x.clone().zero_().grad_fn?.name()).toBe("ZeroBackward0");
  });

  test("clone keeps a dense transposed layout (preserve_format)", () => {
    const x = torch.tensor([[1, 2, 3], [4, 5, 6]]).t();
    const c = x.clone();
    expect(c.stride()).toEqual([1, 3]);
    expect(c.tolist()).toEqual(x.tolist());
    expect(c.storage).not.toBe(x.storage);
    const y = torch.tensor([[1, 2, 3], [4, 5, 6]]).expand(2, 2, 3).clone();
    expect(y.stride()).toEqual([6, 3, 1]);
  });

  test("copy_ from an overlapping view of itself", () => {
    const x = torch.tensor([1, 2, 3, 4]);
    x.narrow(0, 1, 3).copy_(x.narrow(0, 0, 3));
    expect(x.tolist()).toEqual([1, 1, 2, 3]);
  });

  test("result_type", () => {
    const i = torch.tensor([1, 2]);
    expect(torch.result_type(i, 2.5)).toBe(torch.float32);
    expect(torch.result_type(i, torch.tensor(1.5, { dtype: torch.float64 }))).toBe(torch.float64);
    expect(torch.result_type(2, 3)).toBe(torch.int64);
    expect(torch.result_type(2, true)).toBe(torch.int64);
    expect(torch.result_type(torch.tensor([1], { dtype: torch.uint8 }), torch.tensor([1], { dtype: torch.int8 }))).toBe(torch.int16);
  });

  test("gradcheck", () => {
    const x = leaf([2, 3]);
    gradcheck((a) => a.to(torch.float32).to(torch.float64), [x], { atol: 1e-3, eps: 1e-3 });
    gradcheck((a) => a.clone(), [x]);
    gradcheck((a, b) => a.clone().copy_(b!), [x, leaf([3], 2)]);
    gradcheck((a, b) => a.clone().fill_(b!), [x, torch.tensor(0.5, { dtype: torch.float64 }).requires_grad_()]);
  });
});
