/**
 * Elementwise kernels generated from an op's JS expression (the registry keeps the same
 * expression for the fusing code generator of Step 7). Each op gets its own generated loops, so
 * every loop's call site is monomorphic and V8 inlines the arithmetic; a shared loop calling a
 * closure per element runs several times slower.
 *
 * Note [kernel expressions]: a unary expression reads `x`; a binary one reads `a` and `b`; both
 * may read the scalar parameters `p0`, `p1` (alpha, min, max, ...). Expressions are written by
 * this package only; nothing from user input or archives is ever spliced into them.
 */
import type { TypedArray } from "../dtype.js";
import { broadcastStrides } from "../shape.js";
import { expf, sigmoidf, tanhf, tanhF32 } from "./fast_math.js";

export type UnaryLoop = (src: TypedArray, off: number, out: TypedArray, n: number, p0: number, p1: number) => void;
export type StridedUnaryLoop = (
  src: TypedArray, off: number, shape: readonly number[], strides: readonly number[],
  out: TypedArray, p0: number, p1: number,
) => void;
export type BinaryLoop = (
  a: TypedArray, ao: number, b: TypedArray, bo: number, out: TypedArray, n: number, p0: number,
) => void;
export type BinaryScalarLoop = (a: TypedArray, ao: number, s: number, out: TypedArray, n: number, p0: number) => void;
export type StridedBinaryLoop = (
  a: TypedArray, ao: number, as: readonly number[], b: TypedArray, bo: number, bs: readonly number[],
  shape: readonly number[], out: TypedArray, p0: number,
) => void;

export interface UnaryKernel {
  expr: string;
  contiguous: UnaryLoop;
  strided: StridedUnaryLoop;
}

export interface BinaryKernel {
  expr: string;
  contiguous: BinaryLoop;
  /** a tensor, b scalar */
  tensorScalar: BinaryScalarLoop;
  /** a scalar, b tensor */
  scalarTensor: BinaryScalarLoop;
  strided: StridedBinaryLoop;
}

/** Math helpers an expression may call (kept small and pure). */
export const KERNEL_HELPERS = {
  expf,
  tanhf,
  tanhF32,
  sigmoidf,
  sign: (x: number) => (x > 0 ? 1 : x < 0 ? -1 : x),
  roundEven: (x: number) => {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  gelu: (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  erf,
  softplus: (x: number, beta: number, threshold: number) =>
    x * beta > threshold ? x : Math.log1p(Math.exp(x * beta)) / beta,
  floorDiv: (a: number, b: number) => Math.floor(a / b),
  truncDiv: (a: number, b: number) => Math.trunc(a / b),
  pyMod: (a: number, b: number) => {
    const r = a % b;
    return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
  },
};

/** erf to double precision (W. J. Cody's rational approximations, as in many libms). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    const top = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    const bot = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return (x * top) / bot;
  }
  return Math.sign(x) * (1 - erfcPositive(ax));
}

function erfcPositive(ax: number): number {
  if (ax < 4) {
    const top = ((((((((2.15311535474403846e-8 * ax + 0.564188496988670089) * ax + 8.88314979438837594) * ax + 66.1191906371416295) * ax + 298.635138197400131) * ax + 881.952221241769090) * ax + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725);
    const bot = ((((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax + 1621.38957456669019) * ax + 3290.79923573345963) * ax + 4362.61909014324716) * ax + 3439.36767414372164) * ax + 1230.33935480374942);
    return Math.exp(-ax * ax) * (top / bot);
  }
  if (ax > 27) return 0;
  const z = 1 / (ax * ax);
  const top = ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z + 0.125781726111229246) * z + 0.0160837851487422766) * z + 6.58749161529837803e-4;
  const bot = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 0.527905102951428412) * z + 0.0605183413124413191) * z + 0.00233520497626869185;
  const r = (z * top) / bot;
  return (Math.exp(-ax * ax) / ax) * (1 / Math.sqrt(Math.PI) - r);
}

const HELPER_NAMES = Object.keys(KERNEL_HELPERS);
const HELPER_VALUES = Object.values(KERNEL_HELPERS);

function compile<T>(params: string[], body: string): T {
  const factory = new Function(...HELPER_NAMES, `return function(${params.join(", ")}) {\n${body}\n};`);
  return factory(...HELPER_VALUES) as T;
}

/** An odometer over all but the last dim, driving an inner loop over the last dim. */
function stridedBody(inner: string, pointers: string[]): string {
  const advance = pointers.map((p) => `${p} += ${p}s[d];`).join(" ");
  const rewind = pointers.map((p) => `${p} -= ${p}s[d] * shape[d];`).join(" ");
  return `
  const nd = shape.length;
  let total = 1;
  for (let d = 0; d < nd; d++) total *= shape[d];
  if (total === 0) return;
  if (nd === 0) { const last = 1; ${pointers.map((p) => `const ${p}l = 0; let ${p}p = ${p}o;`).join(" ")} let o = 0; ${inner} return; }
  const last = shape[nd - 1];
  ${pointers.map((p) => `const ${p}l = ${p}s[nd - 1]; let ${p}p = ${p}o;`).join(" ")}
  const idx = new Array(nd).fill(0);
  for (let o = 0; o < total; o += last) {
    ${inner}
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++; ${advance.replace(/\b(\w)s\[d\]/g, "$1s[d]").replace(/(\w) \+=/g, "$1p +=")}
      if (idx[d] < shape[d]) break;
      ${rewind.replace(/(\w) -=/g, "$1p -=")} idx[d] = 0;
    }
  }`;
}

export function makeUnaryKernel(expr: string): UnaryKernel {
  const contiguous = compile<UnaryLoop>(
    ["src", "off", "out", "n", "p0", "p1"],
    `for (let i = 0; i < n; i++) { const x = src[off + i]; out[i] = ${expr}; }`,
  );
  const inner = `{ let q = xp; for (let j = 0; j < last; j++, q += xl) { const x = src[q]; out[o + j] = ${expr}; } }`;
  const strided = compile<StridedUnaryLoop>(
    ["src", "xo", "shape", "xs", "out", "p0", "p1"],
    stridedBody(inner, ["x"]),
  );
  return { expr, contiguous, strided };
}

export function makeBinaryKernel(expr: string): BinaryKernel {
  const contiguous = compile<BinaryLoop>(
    ["A", "ao", "B", "bo", "out", "n", "p0"],
    `if (ao === 0 && bo === 0) { for (let i = 0; i < n; i++) { const a = A[i], b = B[i]; out[i] = ${expr}; } return; }
     for (let i = 0; i < n; i++) { const a = A[ao + i], b = B[bo + i]; out[i] = ${expr}; }`,
  );
  const tensorScalar = compile<BinaryScalarLoop>(
    ["A", "ao", "b", "out", "n", "p0"],
    `for (let i = 0; i < n; i++) { const a = A[ao + i]; out[i] = ${expr}; }`,
  );
  const scalarTensor = compile<BinaryScalarLoop>(
    ["B", "bo", "a", "out", "n", "p0"],
    `for (let i = 0; i < n; i++) { const b = B[bo + i]; out[i] = ${expr}; }`,
  );
  const inner = `{ let qa = ap, qb = bp; for (let j = 0; j < last; j++, qa += al, qb += bl) { const a = A[qa], b = B[qb]; out[o + j] = ${expr}; } }`;
  const strided = compile<StridedBinaryLoop>(
    ["A", "ao", "as", "B", "bo", "bs", "shape", "out", "p0"],
    stridedBody(inner, ["a", "b"]),
  );
  return { expr, contiguous, tensorScalar, scalarTensor, strided };
}

export { broadcastStrides };
