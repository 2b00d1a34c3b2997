/**
 * Table-driven comparison with PyTorch: each case names inputs (shape, dtype, seed), a Python
 * expression and the same call in TS. All cases of a file run in one Python process; results
 * (shapes, dtypes, values, grad_fn names and, with `grad`, the input gradients of
 * sum(out * w)) are compared with the TS results.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { torch, Tensor } from "../../src/index.js";
import { runTorch } from "./pytorch.js";

export interface InputSpec {
  shape: number[];
  dtype?: string;
  /** Explicit values (row-major); otherwise a fixed pseudo-random stream from `seed`. */
  values?: number[];
  seed?: number;
  /** Transpose the last two dims after creation (a non-contiguous input). */
  transposed?: boolean;
}

export interface TorchCase {
  name: string;
  inputs: InputSpec[];
  /** A Python expression over the inputs a, b, c, d. */
  py: string;
  ts: (...xs: Tensor[]) => unknown;
  /** Also compare gradients of sum(out * w) w.r.t. floating inputs. */
  grad?: boolean;
  rtol?: number;
  atol?: number;
}

interface PyOut {
  shape: number[];
  dtype: string;
  values: (number | string)[];
  grad_fn: string | null;
}

interface PyResult {
  outs?: PyOut[];
  grads?: ((number | string)[] | null)[];
  error?: string;
}

function stream(n: number, seed: number, integral: boolean): number[] {
  let s = (seed * 2654435761) >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    out.push(integral ? Math.floor(u * 10) - 3 : Math.round((u * 4 - 2) * 1e6) / 1e6);
  }
  return out;
}

function specValues(spec: InputSpec, k: number): number[] {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.dtype ?? "float32";
  const integral = !dtype.startsWith("float") && !dtype.startsWith("bfloat");
  const vals = spec.values ?? stream(n, spec.seed ?? k + 1, integral);
  return dtype === "bool" ? vals.map((v) => (v > 0 ? 1 : 0)) : vals;
}

function shapeBeforeTranspose(spec: InputSpec): number[] {
  if (!spec.transposed) return spec.shape;
  const s = spec.shape.slice();
  const n = s.length;
  [s[n - 2], s[n - 1]] = [s[n - 1]!, s[n - 2]!];
  return s;
}

function weightsFor(n: number, k: number): number[] {
  return stream(n, 1000 + k, false);
}

const NAMES = ["a", "b", "c", "d"];

/** The Python side; the case data goes through a file (it can exceed the argument size limit). */
function pythonScript(cases: TorchCase[], dataFile: string): string {
  const data = cases.map((c) => ({
    inputs: c.inputs.map((s, k) => ({
      values: specValues(s, k).map((v) => (Number.isFinite(v) ? v : String(v).replace("Infinity", "inf").toLowerCase())), shape: shapeBeforeTranspose(s), dtype: s.dtype ?? "float32", transposed: !!s.transposed,
    })),
    py: c.py,
    grad: !!c.grad,
  }));
  writeFileSync(dataFile, JSON.stringify(data));
  return `
data = json.load(open(${JSON.stringify(dataFile)}))
def enc(v):
    if isinstance(v, bool): return 1 if v else 0
    if v != v: return "nan"
    if v in (float("inf"), float("-inf")): return "inf" if v > 0 else "-inf"
    return v
def stream(n, seed):
    s = (seed * 2654435761) % 2**32
    out = []
    for i in range(n):
        s = (s * 1664525 + 1013904223) % 2**32
        out.append(round((s / 2**32 * 4 - 2) * 1e6) / 1e6)
    return out
results = []
for case in data:
    env = {"torch": torch, "math": math, "F": torch.nn.functional}
    ins = []
    for k, spec in enumerate(case["inputs"]):
        dt = getattr(torch, spec["dtype"])
        t = torch.tensor([float(v) for v in spec["values"]], dtype=torch.float64).to(dt).reshape(spec["shape"])
        if spec["transposed"]: t = t.transpose(-2, -1)
        if case["grad"] and t.is_floating_point(): t.requires_grad_(True)
        ins.append(t)
        env["abcd"[k]] = t
    try:
        r = eval(case["py"], env)
    except Exception as e:
        results.append({"error": type(e).__name__ + ": " + str(e)})
        continue
    outs = list(r) if isinstance(r, (tuple, list)) else [r]
    res = {"outs": [{"shape": list(o.shape), "dtype": str(o.dtype)[6:], "values": [enc(v) for v in o.detach().reshape(-1).tolist()],
                     "grad_fn": type(o.grad_fn).__name__ if o.grad_fn is not None else None} for o in outs]}
    if case["grad"]:
        fl = [o for o in outs if o.is_floating_point()]
        loss = sum((o * torch.tensor(stream(o.numel(), 1000 + k), dtype=torch.float64).to(o.dtype).reshape(o.shape)).sum() for k, o in enumerate(fl))
        gs = torch.autograd.grad(loss, [t for t in ins if t.requires_grad], allow_unused=True)
        it = iter(gs)
        res["grads"] = [None if not t.requires_grad else (lambda g: None if g is None else [enc(v) for v in g.reshape(-1).tolist()])(next(it)) for t in ins]
    results.append(res)
print(json.dumps(results))
`;
}

function decode(v: number | string): number {
  if (v === "nan") return NaN;
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  return v as number;
}

function makeInput(spec: InputSpec, k: number, grad: boolean): Tensor {
  const dtype = spec.dtype ?? "float32";
  let t = torch.tensor(specValues(spec, k), { dtype: dtype as "float32" }).reshape(shapeBeforeTranspose(spec));
  if (spec.transposed) t = t.transpose(-2, -1);
  if (grad && t.is_floating_point()) t = t.detach().requires_grad_();
  return t;
}

function outputsOf(r: unknown): Tensor[] {
  if (r instanceof Tensor) return [r];
  return Array.from(r as Iterable<Tensor>);
}

export function expectClose(actual: ArrayLike<number>, expected: readonly number[], rtol: number, atol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) {
      expect(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`).toBe(true);
    } else if (!Number.isFinite(e)) {
      expect(a, `${what}[${i}]`).toBe(e);
    } else if (Math.abs(a - e) > atol + rtol * Math.abs(e)) {
      expect.fail(`${what}[${i}]: got ${a}, PyTorch ${e}`);
    }
  }
}

/** Runs all cases in one PyTorch process and compares each with the TS result. */
export function compareWithTorch(cases: TorchCase[]): void {
  const dir = mkdtempSync(join(tmpdir(), "tsjit-cases-"));
  let results: PyResult[];
  try {
    results = runTorch<PyResult[]>(pythonScript(cases, join(dir, "cases.json")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const failures: string[] = [];
  cases.forEach((c, ci) => {
    try {
      compareCase(c, results[ci]!);
    } catch (e) {
      failures.push(`${c.name}: ${(e as Error).message.split("\n")[0]}`);
    }
  });
  expect(failures, "cases that differ from PyTorch").toEqual([]);
}

function compareCase(c: TorchCase, ref: PyResult): void {
  if (ref.error) {
    expect(() => c.ts(...c.inputs.map((s, k) => makeInput(s, k, false)))).toThrow(ref.error.replace(/^\w+: /, ""));
    return;
  }
  const ins = c.inputs.map((s, k) => makeInput(s, k, !!c.grad));
  const outs = outputsOf(c.ts(...ins));
  const rtol = c.rtol ?? 1e-5;
  const atol = c.atol ?? 1e-6;
  expect(outs.length, `outputs`).toBe(ref.outs!.length);
  ref.outs!.forEach((o, k) => {
    const t = outs[k]!;
    expect(t.shape, `shape of output ${k}`).toEqual(o.shape);
    expect(t.dtype.name, `dtype of output ${k}`).toBe(o.dtype);
    expect(t.grad_fn ? t.grad_fn.name() : null, `grad_fn of output ${k}`).toBe(o.grad_fn);
    expectClose(t.contiguousData(), o.values.map(decode), rtol, atol, `output ${k}`);
  });
  if (!c.grad) return;
  const floats = outs.filter((o) => o.dtype.is_floating_point);
  const ws = floats.map((o, k) => torch.tensor(weightsFor(o.numel(), k), { dtype: o.dtype }).reshape(o.shape));
  const needs = ins.filter((t) => t.requires_grad);
  const gs = torch.autograd.grad(floats.map((o, k) => o.mul(ws[k]!).sum()).reduce((x, y) => x.add(y)), needs, null, { allow_unused: true });
  let gi = 0;
  ins.forEach((t, k) => {
    const expected = ref.grads![k];
    if (!t.requires_grad) return;
    const g = gs[gi++];
    if (expected === null || expected === undefined) {
      expect(g ?? null, `grad of input ${k} should be None`).toBeNull();
      return;
    }
    expect(g, `grad of input ${k}`).toBeTruthy();
    expectClose(g!.contiguousData(), expected.map(decode), rtol * 10, atol * 10, `grad of input ${k}`);
  });
}
