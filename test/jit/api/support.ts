/**
 * Helpers for torch.jit API tests: reading conformance cases and PyTorch's seed outputs, and
 * building ScriptModules straight from IR text (so pass tests need no frontend).
 */
import { readFileSync } from "node:fs";
import { torch } from "../../../src/index.js";
import { parseGraph } from "../../../src/jit/ir/index.js";
import { ScriptModule } from "../../../src/jit/script_module.js";

const CASES = new URL("../../../../shared/conformance/cases/", import.meta.url);
const SEED = new URL("../../../../shared/reference/pytorch-1.13-seed-outputs.md", import.meta.url);

export const unmangle = (s: string): string => s.replace(/___torch_mangle_\d+\./g, "");

/** code.txt of a conformance case: "<path>.<method>" → code. */
export function expectedCode(name: string): Map<string, string> {
  const text = readFileSync(new URL(`${name}/code.txt`, CASES), "utf8");
  const out = new Map<string, string>();
  for (const part of text.split(/^# ==== /m).slice(1)) {
    const nl = part.indexOf("\n");
    out.set(part.slice(0, nl).replace(/ ====$/, ""), part.slice(nl + 1).replace(/\n+$/, "\n"));
  }
  return out;
}

/** One verbatim block of ../shared/reference/pytorch-1.13-seed-outputs.md. */
export function seedBlock(title: string): string {
  const text = readFileSync(SEED, "utf8");
  const at = text.indexOf(`## ${title}`);
  if (at < 0) throw new Error(`seed outputs have no section '${title}'`);
  const start = text.indexOf("```python\n", at) + "```python\n".length;
  return text.slice(start, text.indexOf("```", start));
}

interface Encoded { type: string; dtype?: string; shape?: number[]; data?: number[]; value?: unknown; items?: Encoded[] }

export function decode(v: Encoded): unknown {
  if (v.type === "tensor") return torch.tensor(v.data!, { dtype: v.dtype as "float32" }).reshape(v.shape!);
  if (v.type === "tuple" || v.type === "list") return v.items!.map(decode);
  return v.value;
}

/** The calls of a case (inputs.json) with PyTorch's outputs (expected.json). */
export function caseCalls(name: string): { method: string; args: unknown[]; output: unknown }[] {
  const read = <T>(file: string): T => JSON.parse(readFileSync(new URL(`${name}/${file}`, CASES), "utf8")) as T;
  const inputs = read<{ calls: { method: string; args: Encoded[] }[] }>("inputs.json").calls;
  const expected = read<{ calls: { output: Encoded }[] }>("expected.json").calls;
  return inputs.map((c, i) => ({ method: c.method, args: c.args.map(decode), output: decode(expected[i]!.output) }));
}

export function traceInputs(name: string): Record<string, unknown[]> {
  const raw = JSON.parse(readFileSync(new URL(`${name}/trace_inputs.json`, CASES), "utf8")) as Record<string, Encoded[]>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.map(decode)]));
}

/** Tensors (and lists of them) equal within the conformance tolerance. */
export function same(a: unknown, b: unknown): boolean {
  if (a instanceof torch.Tensor && b instanceof torch.Tensor) return a.shape.join() === b.shape.join() && torch.allclose(a, b, { rtol: 1e-4, atol: 1e-5 });
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  return a === b;
}

/** A ScriptModule whose methods are the given IR texts and whose attributes are `attrs`. */
export function moduleFromIR(qualifiedName: string, methods: Record<string, string>, attrs: Record<string, unknown> = {}): ScriptModule {
  const m = new ScriptModule(qualifiedName);
  Object.assign(m, attrs);
  for (const [name, text] of Object.entries(methods)) m._defineMethod(name, parseGraph(text));
  return m;
}

/** Python defining the classes of `source` from a real file (torch.jit.script reads source files). */
export function pythonModule(source: string): string {
  return `
import importlib.util, tempfile, os
_path = os.path.join(tempfile.mkdtemp(), "tsjit_reference.py")
with open(_path, "w") as _f:
    _f.write(${JSON.stringify(source)})
_spec = importlib.util.spec_from_file_location("tsjit_reference", _path)
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
globals().update({k: v for k, v in vars(_mod).items() if not k.startswith("__")})
`;
}
