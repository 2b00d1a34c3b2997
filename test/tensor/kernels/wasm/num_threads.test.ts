import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { torch } from "../../../../src/index.js";
import { THREADED_MIN_MULADDS, threadedGemmIfCreated, useThreadsFor } from "../../../../src/tensor/kernels/wasm/wasm_matmul.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const CHILD = fileURLToPath(new URL("./fixtures/threaded_matmul_child.ts", import.meta.url));
const initial = torch.get_num_threads();

afterEach(() => torch.set_num_threads(initial));

describe("torch.set_num_threads / torch.get_num_threads", () => {
  it("defaults to OMP_NUM_THREADS when set, else one thread (Note [default thread count])", () => {
    const fromEnv = Number.parseInt(process.env.OMP_NUM_THREADS ?? "", 10);
    expect(initial).toBe(fromEnv > 0 ? fromEnv : 1);
  });

  it("sets what get returns", () => {
    torch.set_num_threads(2);
    expect(torch.get_num_threads()).toBe(2);
    torch.set_num_threads(1);
    expect(torch.get_num_threads()).toBe(1);
  });

  it("raises PyTorch 1.13's RuntimeErrors for non-positive and non-integer counts, keeping the old value", () => {
    torch.set_num_threads(3);
    for (const bad of [0, -1]) {
      expect(() => torch.set_num_threads(bad)).toThrow(expect.objectContaining({
        name: "RuntimeError", message: "set_num_threads expects a positive integer",
      }));
    }
    expect(() => torch.set_num_threads(1.5)).toThrow(expect.objectContaining({
      name: "RuntimeError", message: "set_num_threads expects an int, but got float",
    }));
    expect(() => torch.set_num_threads(NaN)).toThrow(/expects an int/);
    expect(torch.get_num_threads()).toBe(3);
  });
});

describe("which products use threads", () => {
  it("only large ones, and only with two threads or more", () => {
    expect(useThreadsFor(2, 3, 4, 4)).toBe(false); // Linear(4, 4) on a batch of 3
    expect(useThreadsFor(2, 127, 128, 128)).toBe(false);
    expect(useThreadsFor(2, 128, 128, 128)).toBe(true);
    expect(128 ** 3).toBe(THREADED_MIN_MULADDS);
    expect(useThreadsFor(1, 512, 512, 512)).toBe(false);
    expect(useThreadsFor(4, 512, 512, 512)).toBe(true);
  });

  it("torch.mm on two threads equals torch.mm on one, bit for bit, transposed operands included", () => {
    torch.manual_seed(3);
    torch.set_num_threads(2);
    torch.mm(torch.randn(200, 200), torch.randn(200, 200)); // creates the pool; its workers start meanwhile
    const gemm = threadedGemmIfCreated();
    expect(gemm?.waitForWorkers(2, 20_000)).toBe(1);
    for (const [m, k, n] of [[129, 257, 131], [300, 513, 7], [512, 512, 512]] as const) {
      const a = torch.randn(m, k);
      const bT = torch.randn(n, k);
      torch.set_num_threads(2);
      const two = torch.mm(a, bT.t());
      expect(gemm!.lastReport?.ranByThread).toHaveLength(2);
      torch.set_num_threads(1);
      const one = torch.mm(a, bT.t());
      const bits = (t: typeof one): number[] => [...new Uint32Array(Float32Array.from(t.flatten().tolist() as number[]).buffer)];
      expect(bits(two)).toEqual(bits(one));
    }
  });
});

describe("a process that ran a threaded matmul", () => {
  it("never started workers for tiny products, used two threads for a large one, and exits by itself", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), 45_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("exit", (c, s) => resolve([c, s])));
    clearTimeout(killer);
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: "" });
    expect(JSON.parse(stdout)).toEqual({ createdByTinyProducts: false, workersReady: 1, ranByThread: [expect.any(Number), expect.any(Number)], equal: true });
  }, 60_000);
});
