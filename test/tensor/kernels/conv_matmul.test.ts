/**
 * Convolution on the matmul kernel registry (kernels/conv_im2col.ts): forward and all three
 * gradients of regular and transposed 1-D / 2-D convolutions against a float64 reference
 * written here as naive loops, for odd shapes, groups, stride, padding, dilation and
 * output_padding, in float32 and float64; and a check that the products really go through
 * the kernel registered for the dtype.
 */
import { afterEach, describe, expect, it } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { float32, float64, type DType } from "../../../src/tensor/dtype.js";
import { getMatmulKernel, registerMatmulKernel, setMatmulBackends, type MatmulKernel } from "../../../src/tensor/kernels/matmul.js";
import { hasWasmSimd } from "../../../src/tensor/kernels/wasm/wasm_runtime.js";
import { rng } from "../../support/rng.js";

/** A convolution as aten::convolution takes it; 1-D when `input` has rank 3. */
interface ConvCase {
  name: string;
  input: number[];
  weight: number[];
  bias: boolean;
  stride: number[];
  padding: number[];
  dilation: number[];
  groups: number;
  transposed?: { outputPadding: number[] };
}


/** Values in [-1, 1), already representable in `dtype` so the reference sees the same inputs. */
function randomData(dtype: DType, n: number, rand: () => number): Float32Array | Float64Array {
  const a = dtype === float32 ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rand() * 2 - 1;
  return a;
}

const numel = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** 1-D cases run as 2-D ones with a height of 1, exactly as the kernels do. */
function as2d(c: ConvCase): { x: number[]; w: number[]; s: number[]; p: number[]; d: number[]; op: number[] } {
  const op = c.transposed?.outputPadding ?? c.stride.map(() => 0);
  if (c.input.length === 4) return { x: c.input, w: c.weight, s: c.stride, p: c.padding, d: c.dilation, op };
  const [n, ch, l] = c.input as [number, number, number];
  const [o, i, k] = c.weight as [number, number, number];
  return { x: [n, ch, 1, l], w: [o, i, 1, k], s: [1, c.stride[0]!], p: [0, c.padding[0]!], d: [1, c.dilation[0]!], op: [0, op[0]!] };
}

/** Output shape, in the case's own rank. */
function outputShape(c: ConvCase): number[] {
  const { x, w, s, p, d, op } = as2d(c);
  const size = (i: number): number => (c.transposed
    ? (x[i + 2]! - 1) * s[i]! - 2 * p[i]! + d[i]! * (w[i + 2]! - 1) + op[i]! + 1
    : Math.floor((x[i + 2]! + 2 * p[i]! - d[i]! * (w[i + 2]! - 1) - 1) / s[i]!) + 1);
  const channels = c.transposed ? w[1]! * c.groups : w[0]!;
  const spatial = c.input.length === 4 ? [size(0), size(1)] : [size(1)];
  return [x[0]!, channels, ...spatial];
}

/**
 * Every multiply-add of the convolution as (flat output index, flat input index, flat weight
 * index): y[o] += x[i] * w[k]. A regular convolution reads input position oh * s - p + ki * d;
 * a transposed one writes output position ih * s - p + ki * d, with weight [Cin, Cout / g, ...].
 */
function forEachTerm(c: ConvCase, visit: (o: number, i: number, k: number) => void): void {
  const { x, w, s, p, d } = as2d(c);
  const out = outputShape(c);
  const [N, Ci, H, W] = x as [number, number, number, number];
  const [KH, KW] = [w[2]!, w[3]!];
  const [OH, OW] = out.length === 4 ? [out[2]!, out[3]!] : [1, out[2]!];
  const Co = out[1]!;
  const g = c.groups;
  // "big" is the side whose positions are p-shifted: the input of a regular convolution, the output of a transposed one
  const [smallC, bigC, smallH, smallW, bigH, bigW] = c.transposed ? [Ci, Co, H, W, OH, OW] : [Co, Ci, OH, OW, H, W];
  const smallPerGroup = smallC / g, bigPerGroup = bigC / g;
  for (let n = 0; n < N; n++) {
    for (let sc = 0; sc < smallC; sc++) {
      const grp = Math.floor(sc / smallPerGroup);
      for (let bl = 0; bl < bigPerGroup; bl++) {
        const bc = grp * bigPerGroup + bl;
        // weight is [smallC, bigC / g, KH, KW] in both kinds (Note [image side and column side])
        for (let ki = 0; ki < KH; ki++) {
          for (let kj = 0; kj < KW; kj++) {
            const k = ((sc * bigPerGroup + bl) * KH + ki) * KW + kj;
            for (let sh = 0; sh < smallH; sh++) {
              const bh = sh * s[0]! - p[0]! + ki * d[0]!;
              if (bh < 0 || bh >= bigH) continue;
              for (let sw = 0; sw < smallW; sw++) {
                const bw = sw * s[1]! - p[1]! + kj * d[1]!;
                if (bw < 0 || bw >= bigW) continue;
                const small = ((n * smallC + sc) * smallH + sh) * smallW + sw;
                const big = ((n * bigC + bc) * bigH + bh) * bigW + bw;
                if (c.transposed) visit(big, small, k);
                else visit(small, big, k);
              }
            }
          }
        }
      }
    }
  }
}

/** A float64 value with the sum of |terms| and the number of terms behind it (for the float32 bound). */
interface Ref {
  value: Float64Array;
  magnitude: Float64Array;
  terms: Float64Array;
}

const newRef = (n: number): Ref => ({ value: new Float64Array(n), magnitude: new Float64Array(n), terms: new Float64Array(n) });

function accumulate(r: Ref, at: number, product: number): void {
  r.value[at] = r.value[at]! + product;
  r.magnitude[at] = r.magnitude[at]! + Math.abs(product);
  r.terms[at] = r.terms[at]! + 1;
}

/** y = conv(x, w) + b and, for upstream gradient gy, the gradients of x, w and b. */
function reference(c: ConvCase, x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, gy: ArrayLike<number>) {
  const out = outputShape(c);
  const y = newRef(numel(out)), gx = newRef(numel(c.input)), gw = newRef(numel(c.weight));
  forEachTerm(c, (o, i, k) => {
    accumulate(y, o, x[i]! * w[k]!);
    accumulate(gx, i, gy[o]! * w[k]!);
    accumulate(gw, k, gy[o]! * x[i]!);
  });
  const channels = out[1]!, spatial = numel(out.slice(2));
  const gb = newRef(channels);
  for (let o = 0; o < y.value.length; o++) {
    const ch = Math.floor(o / spatial) % channels;
    if (b !== null) accumulate(y, o, b[ch]!);
    accumulate(gb, ch, gy[o]!);
  }
  return { y, gx, gw, gb };
}

/**
 * float64 results must match the reference to rounding; float32 ones within the float32
 * summation bound, about terms * 2^-24 * sum |terms| (Note [wasm f32 accuracy]), plus the final
 * rounding of the value.
 */
function expectClose(what: string, got: ArrayLike<number>, want: Ref, dtype: DType): void {
  const u = dtype === float32 ? 2 ** -24 : 2 ** -53;
  expect(got.length, `${what}: length`).toBe(want.value.length);
  for (let i = 0; i < got.length; i++) {
    const tol = 2 * u * ((want.terms[i]! + 2) * want.magnitude[i]! + Math.abs(want.value[i]!)) + 1e-300;
    const err = Math.abs(got[i]! - want.value[i]!);
    if (!(err <= tol)) expect.fail(`${what}[${i}]: got ${got[i]} want ${want.value[i]} (error ${err} > bound ${tol})`);
  }
}

function runConv(c: ConvCase, x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const op = c.transposed?.outputPadding ?? c.stride.map(() => 0);
  return torch.convolution(x, w, b, c.stride, c.padding, c.dilation, c.transposed !== undefined, op, c.groups);
}

function checkCase(c: ConvCase, dtype: DType, seed: number): void {
  const rand = rng(seed);
  const xd = randomData(dtype, numel(c.input), rand);
  const wd = randomData(dtype, numel(c.weight), rand);
  const outShape = outputShape(c);
  const bd = c.bias ? randomData(dtype, outShape[1]!, rand) : null;
  const gyd = randomData(dtype, numel(outShape), rand);
  const want = reference(c, xd, wd, bd, gyd);

  const x = Tensor.fromData(xd.slice(), c.input.slice(), dtype).requires_grad_(true);
  const w = Tensor.fromData(wd.slice(), c.weight.slice(), dtype).requires_grad_(true);
  const b = bd === null ? null : Tensor.fromData(bd.slice(), [bd.length], dtype).requires_grad_(true);
  const y = runConv(c, x, w, b);
  expect(y.shape).toEqual(outShape);
  expect(y.dtype).toBe(dtype);
  expectClose("output", y.contiguousData(), want.y, dtype);

  torch.autograd.backward([y], [Tensor.fromData(gyd.slice(), outShape.slice(), dtype)]);
  expectClose("grad_input", x.grad!.contiguousData(), want.gx, dtype);
  expectClose("grad_weight", w.grad!.contiguousData(), want.gw, dtype);
  if (b !== null) expectClose("grad_bias", b.grad!.contiguousData(), want.gb, dtype);
  for (const t of [x.grad!, w.grad!]) expect(t.dtype).toBe(dtype);
}

const CASES: ConvCase[] = [
  { name: "2-D odd shapes, stride/padding/dilation", input: [2, 3, 7, 5], weight: [4, 3, 3, 2], bias: true, stride: [2, 1], padding: [1, 2], dilation: [2, 1], groups: 1 },
  { name: "2-D groups", input: [3, 4, 5, 6], weight: [6, 2, 3, 3], bias: true, stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2 },
  { name: "2-D depthwise, strided and dilated", input: [2, 3, 8, 7], weight: [6, 1, 3, 3], bias: false, stride: [2, 3], padding: [0, 1], dilation: [1, 2], groups: 3 },
  // stride beyond the kernel and padding wider than it: rows and columns that see only padding
  { name: "2-D stride > kernel, padding > kernel", input: [1, 2, 5, 7], weight: [3, 2, 2, 2], bias: true, stride: [3, 3], padding: [3, 2], dilation: [1, 1], groups: 1 },
  { name: "2-D 1x1 (the image is its own column matrix), groups", input: [2, 4, 3, 5], weight: [6, 2, 1, 1], bias: true, stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 2 },
  { name: "2-D 1x1 strided", input: [2, 3, 5, 5], weight: [2, 3, 1, 1], bias: false, stride: [2, 2], padding: [0, 0], dilation: [1, 1], groups: 1 },
  // large enough that the float32 products leave the JS kernel for WASM (more than 16^3 multiply-adds)
  { name: "2-D products above the WASM threshold", input: [2, 8, 9, 11], weight: [12, 8, 3, 3], bias: true, stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 },
  { name: "1-D stride/padding/dilation/groups", input: [3, 4, 13], weight: [6, 2, 3], bias: true, stride: [3], padding: [2], dilation: [2], groups: 2 },
  { name: "transposed 2-D, groups, output_padding", input: [2, 4, 3, 4], weight: [4, 3, 3, 2], bias: true, stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2, transposed: { outputPadding: [1, 0] } },
  { name: "transposed 2-D 1x1", input: [2, 3, 4, 3], weight: [3, 5, 1, 1], bias: false, stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, transposed: { outputPadding: [0, 0] } },
  { name: "transposed 2-D above the WASM threshold", input: [2, 16, 6, 5], weight: [16, 8, 3, 3], bias: true, stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1, transposed: { outputPadding: [1, 0] } },
  { name: "transposed 1-D", input: [2, 3, 6], weight: [3, 2, 4], bias: true, stride: [3], padding: [1], dilation: [1], groups: 1, transposed: { outputPadding: [2] } },
];

describe("convolution on the matmul kernels, against naive float64 loops", () => {
  for (const dtype of [float32, float64]) {
    CASES.forEach((c, i) => {
      it(`${c.name} (${dtype.name})`, () => checkCase(c, dtype, 1000 + i));
    });
  }

});

describe("convolution uses the kernel registered for its dtype", () => {
  const calls = new Map<string, number>();
  const counting = (dtype: DType): MatmulKernel => {
    const real = getMatmulKernel(dtype);
    return (...args) => {
      calls.set(dtype.name, (calls.get(dtype.name) ?? 0) + 1);
      real(...args);
    };
  };
  const DEFAULT_ORDER = hasWasmSimd() ? ["wasm-simd", "js"] : ["js"];
  afterEach(() => setMatmulBackends(DEFAULT_ORDER));

  it("runs forward, grad_input and grad_weight as products of the preferred backend", () => {
    registerMatmulKernel({ backend: "conv-test-counting", dtypes: ["float32"], kernel: counting(float32) });
    registerMatmulKernel({ backend: "conv-test-counting", dtypes: ["float64"], kernel: counting(float64) });
    setMatmulBackends(["conv-test-counting", ...DEFAULT_ORDER]);
    for (const dtype of [float32, float64]) {
      const c = CASES[1]!; // N = 3, groups = 2: one product per sample and group, per routine
      const before = calls.get(dtype.name) ?? 0;
      checkCase(c, dtype, 42);
      expect((calls.get(dtype.name) ?? 0) - before).toBe(3 * 3 * 2);
    }
  });
});
