import { describe, expect, test } from "vitest";
import { torch, type Tensor } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Record<string, unknown> = {}) => ({ shape, ...extra });
const d64 = { dtype: "float64" };

const CASES: TorchCase[] = [
  // conv2d
  { name: "conv2d plain", inputs: [f([2, 3, 6, 5]), f([4, 3, 3, 3]), f([4])], py: "torch.conv2d(a, b, c)", ts: (a, b, c) => torch.conv2d(a, b, c), grad: true, rtol: 1e-5, atol: 1e-5 },
  { name: "conv2d stride/pad/dil/groups f64", inputs: [f([2, 4, 7, 6], d64), f([6, 2, 3, 2], d64), f([6], d64)],
    py: "torch.conv2d(a, b, c, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)",
    ts: (a, b, c) => torch.conv2d(a, b, c, [2, 1], [1, 2], [1, 2], 2), grad: true, rtol: 1e-10, atol: 1e-10 },
  { name: "conv2d no bias kwargs", inputs: [f([1, 2, 5, 5], d64), f([3, 2, 2, 2], d64)],
    py: "torch.conv2d(a, b, stride=2, padding=1)", ts: (a, b) => torch.conv2d(a, b, null, { stride: 2, padding: 1 }), grad: true, rtol: 1e-10 },
  { name: "conv2d depthwise", inputs: [f([2, 3, 5, 4], d64), f([6, 1, 3, 3], d64)],
    py: "torch.conv2d(a, b, None, 1, 1, 1, 3)", ts: (a, b) => torch.conv2d(a, b, null, 1, 1, 1, 3), grad: true, rtol: 1e-10 },
  { name: "conv2d 1x1", inputs: [f([2, 3, 4, 4], d64), f([5, 3, 1, 1], d64), f([5], d64)],
    py: "torch.conv2d(a, b, c)", ts: (a, b, c) => torch.conv2d(a, b, c), grad: true, rtol: 1e-10 },
  { name: "conv2d unbatched", inputs: [f([3, 5, 5], d64), f([2, 3, 3, 3], d64)],
    py: "torch.conv2d(a, b, padding=1)", ts: (a, b) => torch.conv2d(a, b, null, 1, 1), grad: true, rtol: 1e-10 },
  { name: "conv2d padding same", inputs: [f([1, 2, 5, 6], d64), f([3, 2, 3, 5], d64)],
    py: "torch.conv2d(a, b, padding='same', dilation=(2, 1))", ts: (a, b) => torch.conv2d(a, b, null, 1, "same", [2, 1]), grad: true, rtol: 1e-10 },
  { name: "conv2d padding valid", inputs: [f([1, 2, 5, 6], d64), f([3, 2, 3, 3], d64)],
    py: "torch.conv2d(a, b, padding='valid')", ts: (a, b) => torch.conv2d(a, b, null, 1, "valid"), grad: true, rtol: 1e-10 },
  { name: "conv2d non-contiguous input", inputs: [f([1, 2, 5, 6], { ...d64, transposed: true }), f([3, 2, 3, 3], d64)],
    py: "torch.conv2d(a, b)", ts: (a, b) => torch.conv2d(a, b), grad: true, rtol: 1e-10 },
  { name: "conv2d int64", inputs: [f([1, 2, 4, 4], { dtype: "int64" }), f([3, 2, 2, 2], { dtype: "int64" })],
    py: "torch.conv2d(a, b)", ts: (a, b) => torch.conv2d(a, b) },
  { name: "conv2d empty batch", inputs: [f([0, 2, 4, 4]), f([3, 2, 2, 2])], py: "torch.conv2d(a, b)", ts: (a, b) => torch.conv2d(a, b) },
  // conv1d
  { name: "conv1d", inputs: [f([2, 4, 9], d64), f([6, 2, 3], d64), f([6], d64)],
    py: "torch.conv1d(a, b, c, stride=2, padding=1, dilation=2, groups=2)", ts: (a, b, c) => torch.conv1d(a, b, c, 2, 1, 2, 2), grad: true, rtol: 1e-10 },
  { name: "conv1d unbatched", inputs: [f([3, 7], d64), f([2, 3, 3], d64)], py: "torch.conv1d(a, b)", ts: (a, b) => torch.conv1d(a, b), grad: true, rtol: 1e-10 },
  { name: "conv1d same", inputs: [f([2, 3, 7], d64), f([2, 3, 3], d64)], py: "torch.conv1d(a, b, padding='same')", ts: (a, b) => torch.conv1d(a, b, null, 1, "same"), grad: true, rtol: 1e-10 },
  // transposed
  { name: "conv_transpose2d", inputs: [f([2, 4, 4, 3], d64), f([4, 3, 3, 2], d64), f([6], d64)],
    py: "torch.conv_transpose2d(a, b, c, stride=(2, 1), padding=(1, 0), output_padding=(1, 0), groups=2, dilation=(1, 2))",
    ts: (a, b, c) => torch.conv_transpose2d(a, b, c, [2, 1], [1, 0], [1, 0], 2, [1, 2]), grad: true, rtol: 1e-10 },
  { name: "conv_transpose1d unbatched", inputs: [f([2, 5], d64), f([2, 3, 3], d64)],
    py: "torch.conv_transpose1d(a, b, stride=2)", ts: (a, b) => torch.conv_transpose1d(a, b, null, 2), grad: true, rtol: 1e-10 },
  { name: "convolution", inputs: [f([1, 2, 5, 5], d64), f([3, 2, 3, 3], d64)],
    py: "torch.convolution(a, b, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1)",
    ts: (a, b) => torch.convolution(a, b, null, [1, 1], [1, 1], [1, 1], false, [0, 0], 1), grad: true, rtol: 1e-10 },
  // errors
  { name: "channels mismatch", inputs: [f([1, 4, 5, 5]), f([8, 3, 3, 3])], py: "torch.conv2d(a, b)", ts: (a, b) => torch.conv2d(a, b) },
  { name: "unbatched channels mismatch", inputs: [f([4, 5, 5]), f([8, 3, 3, 3])], py: "torch.conv2d(a, b)", ts: (a, b) => torch.conv2d(a, b) },
  { name: "bad input dims", inputs: [f([5, 5]), f([8, 3, 3, 3])], py: "torch.conv2d(a, b)", ts: (a, b) => torch.conv2d(a, b) },
  { name: "bad conv1d input dims", inputs: [f([1, 2, 5, 5]), f([8, 2, 3])], py: "torch.conv1d(a, b)", ts: (a, b) => torch.conv1d(a, b) },
  { name: "weight dims", inputs: [f([1, 3, 5]), f([2, 3, 3, 3])], py: "torch.conv1d(a, b)", ts: (a, b) => torch.conv1d(a, b) },
  { name: "stride list length", inputs: [f([1, 3, 5, 5]), f([8, 3, 3])], py: "torch.conv2d(a, b)", ts: (a, b) => torch.conv2d(a, b) },
  { name: "kernel too large", inputs: [f([1, 3, 2, 2]), f([8, 3, 3, 3])], py: "torch.conv2d(a, b, dilation=2)", ts: (a, b) => torch.conv2d(a, b, null, 1, 0, 2) },
  { name: "bias size", inputs: [f([1, 3, 5, 5]), f([8, 3, 3, 3]), f([7])], py: "torch.conv2d(a, b, c)", ts: (a, b, c) => torch.conv2d(a, b, c) },
  { name: "groups channels", inputs: [f([1, 4, 5, 5]), f([6, 2, 3, 3])], py: "torch.conv2d(a, b, groups=3)", ts: (a, b) => torch.conv2d(a, b, null, 1, 0, 1, 3) },
  { name: "groups divisible", inputs: [f([1, 6, 5, 5]), f([7, 2, 3, 3])], py: "torch.conv2d(a, b, groups=3)", ts: (a, b) => torch.conv2d(a, b, null, 1, 0, 1, 3) },
  { name: "groups at least", inputs: [f([1, 3, 5, 5]), f([8, 3, 3, 3])], py: "torch.conv2d(a, b, groups=16)", ts: (a, b) => torch.conv2d(a, b, null, 1, 0, 1, 16) },
  { name: "zero stride", inputs: [f([1, 3, 5, 5]), f([8, 3, 3, 3])], py: "torch.conv2d(a, b, stride=0)", ts: (a, b) => torch.conv2d(a, b, null, 0) },
  { name: "negative padding", inputs: [f([1, 3, 5, 5]), f([8, 3, 3, 3])], py: "torch.conv2d(a, b, padding=-1)", ts: (a, b) => torch.conv2d(a, b, null, 1, -1) },
  { name: "zero dilation", inputs: [f([1, 3, 5, 5]), f([8, 3, 3, 3])], py: "torch.conv2d(a, b, dilation=0)", ts: (a, b) => torch.conv2d(a, b, null, 1, 0, 0) },
  { name: "zero groups", inputs: [f([1, 3, 5, 5]), f([8, 3, 3, 3])], py: "torch.conv2d(a, b, groups=0)", ts: (a, b) => torch.conv2d(a, b, null, 1, 0, 1, 0) },
  { name: "same with stride", inputs: [f([1, 3, 5, 5]), f([8, 3, 3, 3])], py: "torch.conv2d(a, b, padding='same', stride=2)", ts: (a, b) => torch.conv2d(a, b, null, 2, "same") },
  { name: "bad padding string", inputs: [f([1, 3, 5, 5]), f([8, 3, 3, 3])], py: "torch.conv2d(a, b, padding='foo')", ts: (a, b) => torch.conv2d(a, b, null, 1, "foo" as "same") },
  { name: "dtype mismatch", inputs: [f([1, 3, 5, 5], d64), f([8, 3, 3, 3])], py: "torch.conv2d(a, b)", ts: (a, b) => torch.conv2d(a, b) },
  { name: "bias dtype mismatch", inputs: [f([1, 3, 5, 5]), f([8, 3, 3, 3]), f([8], d64)], py: "torch.conv2d(a, b, c)", ts: (a, b, c) => torch.conv2d(a, b, c) },
  { name: "half not implemented", inputs: [f([1, 3, 5, 5], { dtype: "float16" }), f([8, 3, 3, 3], { dtype: "float16" })], py: "torch.conv2d(a, b)", ts: (a, b) => torch.conv2d(a, b) },
  { name: "transposed channels", inputs: [f([1, 3, 5, 5]), f([4, 2, 3, 3])], py: "torch.conv_transpose2d(a, b)", ts: (a, b) => torch.conv_transpose2d(a, b) },
  { name: "transposed output padding", inputs: [f([1, 4, 5, 5]), f([4, 2, 3, 3])], py: "torch.conv_transpose2d(a, b, output_padding=2, stride=2)", ts: (a, b) => torch.conv_transpose2d(a, b, null, 2, 0, 2) },
  { name: "transposed output too small", inputs: [f([1, 4, 1, 1]), f([4, 2, 3, 3])], py: "torch.conv_transpose2d(a, b, padding=3)", ts: (a, b) => torch.conv_transpose2d(a, b, null, 1, 3) },
];

describe.skipIf(!hasTorch)("convolutions against PyTorch", () => {
  test("values, grad_fn names, gradients and errors", () => compareWithTorch(CASES));
});

describe("convolution gradients (gradcheck, float64)", () => {
  test("conv2d with stride, padding, dilation, groups and bias", () => {
    gradcheck((x, w, b) => torch.conv2d(x, w, b, [2, 1], [1, 0], [1, 2], 2), [leaf([2, 4, 5, 5], 1), leaf([4, 2, 2, 3], 2), leaf([4], 3)]);
  });
  test("conv1d", () => {
    gradcheck((x, w) => torch.conv1d(x, w, null, 2, 1), [leaf([2, 2, 7], 4), leaf([3, 2, 3], 5)]);
  });
  // The gradients are folded into one scalar (engine: several roots on one node lose their
  // gradient), and retain_graph is explicit (engine: it does not default to create_graph yet).
  const squares = (gs: (Tensor | null)[]) => gs.map((g) => g!.pow(2).sum()).reduce((a, b) => a.add(b));
  test("double backward: gradients of conv2d's gradients", () => {
    const c = leaf([2, 3, 4, 3], 9).detach();
    // enable_grad: gradcheck evaluates its numeric differences under no_grad
    gradcheck((x, w, b) => torch.enable_grad(() => {
      const y = torch.conv2d(x, w, b, 1, 1, 1, 1).mul(c).pow(2).sum();
      return squares(torch.autograd.grad([y], [x, w, b], null, { create_graph: true, retain_graph: true }));
    }), [leaf([2, 2, 3, 2], 10), leaf([3, 2, 2, 2], 11), leaf([3], 12)]);
  });
  test("double backward through conv_transpose1d with groups", () => {
    gradcheck((x, w) => torch.enable_grad(() => {
      const y = torch.conv_transpose1d(x, w, null, 2, 1, 1, 2).pow(3).sum();
      return squares(torch.autograd.grad([y], [x, w], null, { create_graph: true, retain_graph: true }));
    }), [leaf([1, 4, 3], 13), leaf([4, 1, 3], 14)]);
  });
  test("conv_transpose2d", () => {
    gradcheck((x, w, b) => torch.conv_transpose2d(x, w, b, 2, 1, 1), [leaf([1, 2, 3, 3], 6), leaf([2, 3, 3, 3], 7), leaf([3], 8)]);
  });
});

describe("convolution structure", () => {
  test("conv2d is composite over convolution (ConvolutionBackward0)", () => {
    const x = torch.ones([1, 1, 3, 3], { requires_grad: true });
    const y = torch.conv2d(x, torch.ones([1, 1, 2, 2]));
    expect(y.grad_fn!.name()).toBe("ConvolutionBackward0");
    expect(torch.conv2d.overloads.every((o) => o.composite)).toBe(true);
    expect(torch.convolution.overloads[0]!.composite).toBe(false);
    expect(Array.from(y.contiguousData())).toEqual([4, 4, 4, 4]);
  });
  test("padding='same' with an even kernel pads the odd unit on the right", () => {
    // reference: PyTorch 1.13 conv2d(x, w, padding="same") for x = arange(16).view(1, 1, 4, 4), w = ones(1, 1, 2, 2)
    const x = torch.arange(16, { dtype: torch.float64 }).reshape([1, 1, 4, 4]).requires_grad_();
    const y = torch.conv2d(x, torch.ones([1, 1, 2, 2], { dtype: torch.float64 }), null, 1, "same");
    expect(y.tolist()).toEqual([[[[10, 14, 18, 10], [26, 30, 34, 18], [42, 46, 50, 26], [25, 27, 29, 15]]]]);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([[[[1, 2, 2, 2], [2, 4, 4, 4], [2, 4, 4, 4], [2, 4, 4, 4]]]]);
  });
  test("no gradient requested for weight: only grad_input is computed", () => {
    const x = torch.ones([1, 2, 4, 4], { requires_grad: true });
    const w = torch.ones([3, 2, 3, 3]);
    torch.conv2d(x, w).sum().backward();
    expect(w.grad).toBeNull();
    expect(x.grad!.shape).toEqual([1, 2, 4, 4]);
  });
  test("a larger float32 convolution has the padded output shape", () => {
    // (its speed is measured by npm run bench, never in a test)
    const x = torch.randn([4, 16, 32, 32]);
    const w = torch.randn([32, 16, 3, 3]);
    const y = torch.conv2d(x, w, null, 1, 1);
    expect(y.shape).toEqual([4, 32, 32, 32]);
  });
});

