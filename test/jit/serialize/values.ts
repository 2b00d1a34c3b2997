/** The conformance value encoding (shared/conformance/README.md) ↔ tsjit values, and comparison. */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { torch } from "../../../src/index.js";
import { isTuple, tuple } from "../../../src/jit/serialize/pickle_values.js";

export type Encoded =
  | { type: "tensor"; dtype: string; shape: number[]; data: unknown[] }
  | { type: "int" | "float"; value: number | string }
  | { type: "bool"; value: boolean }
  | { type: "str" | "device"; value: string }
  | { type: "none" }
  | { type: "tuple" | "list"; items: Encoded[] }
  | { type: "dict"; items: [Encoded, Encoded][] }
  | { type: "namedtuple"; name: string; fields: string[]; items: Encoded[] };

const num = (x: unknown): number => (typeof x === "boolean" ? Number(x) : x === "nan" ? NaN : x === "inf" ? Infinity : x === "-inf" ? -Infinity : (x as number));

export function decodeValue(v: Encoded): unknown {
  switch (v.type) {
    case "tensor": {
      if (v.dtype === "complex64") throw new Error("complex64 tensors are not supported by tsjit");
      const t = torch.tensor(v.data.map(num), { dtype: torch.toDType(v.dtype) });
      return t.reshape(v.shape);
    }
    case "int": case "float": return num(v.value);
    case "bool": case "str": case "device": return v.value;
    case "none": return null;
    case "tuple": case "namedtuple": return tuple(v.items.map(decodeValue));
    case "list": return v.items.map(decodeValue);
    case "dict": return new Map(v.items.map(([k, x]) => [decodeValue(k), decodeValue(x)]));
  }
}

/** Why `got` differs from `want` (rtol 1e-4, atol 1e-5 for float tensors and floats), or null. */
export function difference(got: unknown, want: Encoded, path = "output"): string | null {
  switch (want.type) {
    case "tensor": {
      if (!(got instanceof torch.Tensor)) return `${path}: expected a tensor, got ${String(got)}`;
      if (got.dtype.name !== want.dtype) return `${path}: dtype ${got.dtype.name}, expected ${want.dtype}`;
      if (got.shape.join() !== want.shape.join()) return `${path}: shape [${got.shape}], expected [${want.shape}]`;
      const a = got.contiguous().flatten().tolist() as number[];
      const b = want.data.map(num);
      const float = got.dtype.is_floating_point;
      for (let i = 0; i < b.length; i++) {
        const x = Number(a[i]);
        const y = b[i]!;
        const ok = float ? (Number.isNaN(y) ? Number.isNaN(x) : x === y || Math.abs(x - y) <= 1e-5 + 1e-4 * Math.abs(y)) : x === y;
        if (!ok) return `${path}[${i}]: ${x}, expected ${y}`;
      }
      return null;
    }
    case "float": {
      const y = num(want.value);
      return typeof got === "number" && Math.abs(got - y) <= 1e-5 + 1e-4 * Math.abs(y) ? null : `${path}: ${String(got)}, expected ${y}`;
    }
    case "int": case "bool": case "str": case "device":
      return got === want.value ? null : `${path}: ${String(got)}, expected ${String(want.value)}`;
    case "none": return got === null || got === undefined ? null : `${path}: ${String(got)}, expected None`;
    case "tuple": case "list": case "namedtuple": {
      if (!Array.isArray(got) || got.length !== want.items.length) return `${path}: expected a ${want.type} of ${want.items.length}`;
      if (want.type === "list" && isTuple(got)) return `${path}: a tuple, expected a list`;
      for (let i = 0; i < got.length; i++) {
        const d = difference(got[i], want.items[i]!, `${path}[${i}]`);
        if (d) return d;
      }
      return null;
    }
    case "dict": {
      if (!(got instanceof Map) || got.size !== want.items.length) return `${path}: expected a dict of ${want.items.length}`;
      const keys = [...got.keys()];
      for (let i = 0; i < keys.length; i++) {
        const dk = difference(keys[i], want.items[i]![0], `${path}.key${i}`);
        if (dk) return dk;
        const dv = difference(got.get(keys[i]), want.items[i]![1], `${path}[${String(keys[i])}]`);
        if (dv) return dv;
      }
      return null;
    }
  }
}

/** The Python side of the encoding: `enc(v)` for what PyTorch returns (prepended by runTorchFile). */
export const PY_ENCODE = `
def enc(v):
    if isinstance(v, torch.Tensor):
        d = v.float() if v.dtype in (torch.float16, torch.bfloat16) else v
        return {"type": "tensor", "dtype": str(v.dtype)[6:], "shape": list(v.shape), "data": d.flatten().tolist()}
    if isinstance(v, bool): return {"type": "bool", "value": v}
    if isinstance(v, int): return {"type": "int", "value": v}
    if isinstance(v, float): return {"type": "float", "value": v}
    if isinstance(v, str): return {"type": "str", "value": v}
    if v is None: return {"type": "none"}
    if isinstance(v, tuple): return {"type": "tuple", "items": [enc(x) for x in v]}
    if isinstance(v, list): return {"type": "list", "items": [enc(x) for x in v]}
    if isinstance(v, dict): return {"type": "dict", "items": [[enc(k), enc(x)] for k, x in v.items()]}
    raise TypeError(type(v))
`;

/**
 * Runs `script` under PyTorch as a Python file in `dir` (TorchScript compiles from source files,
 * so `-c` will not do), with torch imported, one thread and PY_ENCODE's `enc` defined; the script
 * prints one JSON document.
 */
export function runTorchFile<T>(dir: string, name: string, script: string): T {
  const file = join(dir, `${name}.py`);
  writeFileSync(file, `import json, torch\ntorch.set_num_threads(1)\n${PY_ENCODE}\n${script}`);
  const out = execFileSync("/usr/bin/python3", [file], { encoding: "utf8", timeout: 120_000, env: { ...process.env, OMP_NUM_THREADS: "1" } });
  return JSON.parse(out) as T;
}
