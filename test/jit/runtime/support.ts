/**
 * Test support for the runtime: a hand-made ScriptObject (a module with parameters,
 * submodules and methods), the conformance value encoding (shared/conformance/README.md),
 * the sections of a case's graph.txt, and raw float32 records of a case's archive.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { parseGraph, type Graph } from "../../../src/jit/ir/index.js";
import type { FunctionTable, ScriptMethod, ScriptObject } from "../../../src/jit/runtime/index.js";

export const CASES = "/work/shared/conformance/cases";

/** A ScriptObject holding attributes (parameters, submodules, plain values) and method graphs. */
export class TestObject implements ScriptObject {
  readonly attrs = new Map<string, unknown>();
  readonly methods = new Map<string, ScriptMethod>();

  constructor(
    readonly qualifiedName: string,
    attrs: Record<string, unknown> = {},
    methods: Record<string, Graph | string> = {},
  ) {
    for (const [k, v] of Object.entries(attrs)) this.attrs.set(k, v);
    for (const [k, g] of Object.entries(methods)) this.methods.set(k, { name: k, graph: typeof g === "string" ? parseGraph(g) : g });
  }
  getAttr(name: string): unknown {
    return this.attrs.get(name);
  }
  setAttr(name: string, value: unknown): void {
    this.attrs.set(name, value);
  }
  hasAttr(name: string): boolean {
    return this.attrs.has(name);
  }
  getMethod(name: string): ScriptMethod | undefined {
    return this.methods.get(name);
  }
}

export function functionTable(fns: Record<string, Graph | string>): FunctionTable {
  const m = new Map<string, ScriptMethod>();
  for (const [k, g] of Object.entries(fns)) m.set(k, { name: k, graph: typeof g === "string" ? parseGraph(g) : g });
  return { get: (name) => m.get(name) };
}

// ---- conformance cases ----

export type Encoded =
  | { type: "tensor"; dtype: string; shape: number[]; data: (number | string | boolean)[] }
  | { type: "int" | "float"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "str" | "device"; value: string }
  | { type: "none" }
  | { type: "tuple" | "list"; items: Encoded[] }
  | { type: "dict"; items: [Encoded, Encoded][] };

function num(x: number | string | boolean): number {
  if (typeof x === "boolean") return x ? 1 : 0;
  if (x === "nan") return NaN;
  if (x === "inf") return Infinity;
  if (x === "-inf") return -Infinity;
  return Number(x);
}

/** An encoded value as the runtime representation (objects.ts). */
export function decode(e: Encoded): unknown {
  switch (e.type) {
    case "tensor": {
      const dtype = (torch as unknown as Record<string, unknown>)[e.dtype] as torch.DType;
      const flat = e.data.map(num);
      return torch.tensor(flat, { dtype }).reshape(e.shape);
    }
    case "int":
    case "float":
    case "bool":
    case "str":
    case "device":
      return e.value;
    case "none":
      return null;
    case "tuple":
    case "list":
      return e.items.map(decode);
    case "dict":
      return new Map(e.items.map(([k, v]) => [decode(k), decode(v)]));
  }
}

/** Expects a runtime value to equal an encoded one (float tensors within rtol 1e-4, atol 1e-5). */
export function expectEncoded(actual: unknown, e: Encoded, path = "output"): void {
  switch (e.type) {
    case "tensor": {
      expect(actual, path).toBeInstanceOf(Tensor);
      const t = actual as Tensor;
      expect(t.shape, `${path}.shape`).toEqual(e.shape);
      expect(t.dtype.name, `${path}.dtype`).toBe(e.dtype);
      const got = Array.from(t.contiguousData());
      e.data.map(num).forEach((want, i) => {
        const g = got[i]!;
        if (Number.isNaN(want)) expect(Number.isNaN(g), `${path}[${i}]`).toBe(true);
        else expect(Math.abs(g - want), `${path}[${i}]: ${g} vs ${want}`).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(want));
      });
      return;
    }
    case "none":
      expect(actual, path).toBeNull();
      return;
    case "tuple":
    case "list":
      expect(Array.isArray(actual), path).toBe(true);
      expect((actual as unknown[]).length, `${path}.length`).toBe(e.items.length);
      e.items.forEach((it, i) => expectEncoded((actual as unknown[])[i], it, `${path}[${i}]`));
      return;
    case "dict": {
      expect(actual, path).toBeInstanceOf(Map);
      const m = actual as Map<unknown, unknown>;
      expect([...m.keys()], `${path}.keys`).toEqual(e.items.map(([k]) => decode(k)));
      e.items.forEach(([k, v]) => expectEncoded(m.get(decode(k)), v, `${path}[${String(decode(k))}]`));
      return;
    }
    default:
      expect(actual, path).toBe(e.value);
  }
}

export interface CaseCall {
  readonly method: string;
  readonly args: unknown[];
  readonly expected: Encoded;
}

export function caseCalls(name: string): CaseCall[] {
  const inputs = JSON.parse(readFileSync(join(CASES, name, "inputs.json"), "utf8")) as { calls: { method: string; args: Encoded[] }[] };
  const expected = JSON.parse(readFileSync(join(CASES, name, "expected.json"), "utf8")) as { calls: { output: Encoded }[] };
  return inputs.calls.map((c, i) => ({ method: c.method, args: c.args.map(decode), expected: expected.calls[i]!.output }));
}

/** The graphs of a case's graph.txt, by section header (`<top>.forward`, `linear.forward`). */
export function caseGraphs(name: string): Map<string, Graph> {
  const text = readFileSync(join(CASES, name, "graph.txt"), "utf8");
  const out = new Map<string, Graph>();
  const parts = text.split(/^# ==== (.*) ====\n/m);
  for (let i = 1; i < parts.length; i += 2) out.set(parts[i]!, parseGraph(parts[i + 1]!.trim()));
  return out;
}

/**
 * A float32 (or int64) tensor read from a stored (uncompressed) record of the case's model.pt,
 * at the offset archive.json gives: enough to rebuild a small module's parameters by hand.
 */
export function archiveTensor(name: string, entry: string, shape: number[], dtype: "float32" | "int64" = "float32"): Tensor {
  const archive = JSON.parse(readFileSync(join(CASES, name, "archive.json"), "utf8")) as {
    entries: { name: string; compress_type: number; file_size: number; data_offset: number }[];
  };
  const e = archive.entries.find((x) => x.name.endsWith(`/${entry}`));
  if (!e || e.compress_type !== 0) throw new Error(`${name}: no stored record ${entry}`);
  const bytes = readFileSync(join(CASES, name, "model.pt")).subarray(e.data_offset, e.data_offset + e.file_size);
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const values = dtype === "float32" ? Array.from(new Float32Array(buf)) : Array.from(new BigInt64Array(buf), Number);
  return torch.tensor(values, { dtype: torch[dtype] }).reshape(shape);
}

/** A Linear submodule of a case: weight and bias from two records, forward from graph.txt. */
export function caseLinear(name: string, records: [string, string], shape: [number, number], forward?: Graph): TestObject {
  return new TestObject("__torch__.torch.nn.modules.linear.Linear", {
    weight: archiveTensor(name, records[0], shape),
    bias: archiveTensor(name, records[1], [shape[0]]),
    training: false,
  }, forward ? { forward } : {});
}
