/**
 * Quick local timing of the GEMM backends (not a test): GFLOPS = 2 n^3 / t for square float32
 * products on each backend ("js", and "wasm-simd" where WebAssembly SIMD exists), the
 * JS/WASM crossover on small shapes (Note [wasm size threshold]), the cost of a tiny
 * 3x4 @ 4x4 product, and per-call costs of small eager ops.
 * Times are this process's CPU time. Run: npx tsx bench/matmul_gflops.ts
 */
import { getMatmulKernel, setMatmulBackends } from "../src/tensor/kernels/matmul.js";
import { float32, float64, type DType } from "../src/tensor/dtype.js";
import { hasWasmSimd } from "../src/tensor/kernels/wasm/wasm_runtime.js";
import { WasmGemmF32 } from "../src/tensor/kernels/wasm/wasm_matmul.js";

const BACKENDS = hasWasmSimd() ? ["js", "wasm-simd"] : ["js"];
const DEFAULT_ORDER = hasWasmSimd() ? ["wasm-simd", "js"] : ["js"];

/** Runs f with `backend` tried first (float64 and integers still find "js"). */
function onBackend<T>(backend: string, f: () => T): T {
  setMatmulBackends(backend === "js" ? ["js"] : [backend, "js"]);
  try {
    return f();
  } finally {
    setMatmulBackends(DEFAULT_ORDER);
  }
}

/** CPU nanoseconds per call of f, after as many warm-up calls. */
function cpuNsPerCall(f: () => void, reps: number): number {
  for (let i = 0; i < reps; i++) f();
  const c0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) f();
  const used = process.cpuUsage(c0);
  return ((used.user + used.system) * 1e3) / reps;
}

function randomArray(d: DType, n: number): Float32Array | Float64Array {
  const a = new d.ArrayType(n) as Float32Array | Float64Array;
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

function gflops(d: DType, n: number, transposeB: boolean): number {
  const k = getMatmulKernel(d);
  const a = randomArray(d, n * n);
  const b = randomArray(d, n * n);
  const c = new d.ArrayType(n * n);
  const [bRs, bCs] = transposeB ? [1, n] : [n, 1];
  const run = (): void => k(n, n, n, a, 0, n, 1, b, 0, bRs, bCs, c, 0, n, 1, 0);
  for (let i = 0; i < 3; i++) run();
  const times: number[] = [];
  const reps = Math.max(1, Math.round(2e8 / (n * n * n)));
  for (let block = 0; block < 5; block++) {
    // CPU time of this process: on a shared machine wall time mostly measures the neighbours
    const c0 = process.cpuUsage();
    for (let r = 0; r < reps; r++) run();
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 1e3 / reps);
  }
  times.sort((x, y) => x - y);
  const ms = times[2]!;
  return (2 * n * n * n) / (ms * 1e6);
}

function tinyNs(): number {
  const k = getMatmulKernel(float32);
  const a = randomArray(float32, 12);
  const w = randomArray(float32, 16);
  const c = new Float32Array(12);
  return cpuNsPerCall(() => k(3, 4, 4, a, 0, 4, 1, w, 0, 1, 4, c, 0, 4, 1, 0), 2_000_000);
}

for (const backend of BACKENDS) {
  for (const n of [64, 128, 256, 512]) {
    const [plain, transposed] = onBackend(backend, () => [gflops(float32, n, false), gflops(float32, n, true)]);
    console.log(`${backend} float32 ${n}x${n}: ${plain.toFixed(2)} GFLOPS (B transposed view: ${transposed.toFixed(2)})`);
  }
}
console.log(`js float64 512x512: ${gflops(float64, 512, false).toFixed(2)} GFLOPS`);

/** CPU time of one m x k @ k x n float32 product on a backend, for the size threshold. */
function productNs(backend: string, m: number, n: number, k: number): number {
  const a = randomArray(float32, m * k);
  const b = randomArray(float32, k * n);
  const c = new Float32Array(m * n);
  return onBackend(backend, () => {
    const kernel = getMatmulKernel(float32);
    return cpuNsPerCall(() => kernel(m, n, k, a, 0, k, 1, b, 0, 1, k, c, 0, n, 1, 0), Math.max(20, Math.round(3e7 / (m * n * k))));
  });
}

if (BACKENDS.includes("wasm-simd")) {
  // the dispatch sends these to JS or WASM by size; here each backend is forced, to see the crossover
  const gemm = new WasmGemmF32();
  for (const [m, n, k] of [[3, 4, 4], [8, 8, 8], [12, 12, 12], [16, 16, 16], [24, 24, 24], [32, 32, 32], [1, 64, 64], [64, 64, 1], [1, 128, 128]] as const) {
    const a = randomArray(float32, m * k);
    const b = randomArray(float32, k * n);
    const c = new Float32Array(m * n);
    const reps = Math.max(20, Math.round(3e7 / (m * n * k)));
    const wasmNs = cpuNsPerCall(() => void gemm.run(m, n, k, a, 0, k, 1, b, 0, 1, k, c, 0, n, 1, 0), reps);
    console.log(`${m}x${k} @ ${k}x${n}: js ${productNs("js", m, n, k).toFixed(0)} ns, wasm-simd ${wasmNs.toFixed(0)} ns (CPU per product)`);
  }
}
console.log(`tiny 3x4 @ (4x4)^T kernel (default backends): ${tinyNs().toFixed(0)} ns`);

/** Per-call cost of small eager ops through the whole dispatch (CPU time, so load matters less). */
async function tinyOps(): Promise<void> {
  const { torch } = await import("../src/index.js");
  const x = torch.randn(3, 4);
  const w = torch.randn(4, 4);
  const b = torch.randn(4);
  const cases: [string, () => unknown][] = [
    ["torch.add(x, x) (reference)", () => torch.add(x, x)],
    ["torch.linear(x, w, b)", () => torch.linear(x, w, b)],
    ["torch.matmul(x, w)", () => torch.matmul(x, w)],
    ["x.sum()", () => x.sum()],
    ["x.sum(1)", () => x.sum(1)],
    ["x.softmax(1)", () => x.softmax(1)],
  ];
  for (const [name, f] of cases) {
    const reps = 200_000;
    for (let i = 0; i < reps; i++) f();
    const c0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) f();
    const c = process.cpuUsage(c0);
    console.log(`${name}: ${(((c.user + c.system) * 1e3) / reps).toFixed(0)} ns CPU per call`);
  }
}
await tinyOps();
