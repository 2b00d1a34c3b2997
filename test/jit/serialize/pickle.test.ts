/**
 * Pickle protocol 2: golden bytes from CPython's pickle and from PyTorch's own archives.
 * - CPython (`pickle.dumps(v, protocol=2)`) → our unpickler gives the value; our "python"
 *   dialect writes the same bytes back.
 * - Every conformance data.pkl / constants.pkl, read with a resolver that keeps globals as
 *   PickleCall / PickleObject, re-pickles in the "torchscript" dialect to PyTorch's exact bytes.
 * - Malformed pickles and globals outside the allow-list fail with TorchScriptArchiveError.
 */
import { describe, expect, it } from "vitest";
import { unpickle, PickleCallable } from "../../../src/jit/serialize/unpickler.js";
import { pickle } from "../../../src/jit/serialize/pickler.js";
import { DEFAULT_LIMITS } from "../../../src/jit/serialize/limits.js";
import { globalResolver } from "../../../src/jit/serialize/pickle_globals.js";
import { PickleCall, PickleEnum, PickleObject, isTuple, tuple } from "../../../src/jit/serialize/pickle_values.js";
import { storageLoader } from "../../../src/jit/serialize/tensor_records.js";
import { ArchiveReader } from "../../../src/jit/serialize/archive_reader.js";
import { TorchScriptArchiveError } from "../../../src/jit/serialize/errors.js";
import type { Storage } from "../../../src/tensor/tensor.js";
import { STORAGE_TYPES } from "../../../src/jit/serialize/storage_bytes.js";
import { caseArchive, caseNames, hasPython, python } from "./support.js";

const plainOpts = (entry = "test.pkl") => ({
  entry,
  limits: DEFAULT_LIMITS,
  resolveGlobal: globalResolver({ entry, limits: DEFAULT_LIMITS, mode: "torch.save" }),
  persistentLoad: () => {
    throw new TorchScriptArchiveError(entry, "no storages here");
  },
});

/** Python source of each value, and the JS value it must unpickle to. */
const VALUES: [string, unknown][] = [
  ["None", null],
  ["True", true],
  ["[0, 255, 256, 65535, 65536, -1, -2**31, 2**31, 2**40, -2**40, 2**62, -2**63]", [0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31, 2 ** 40, -(2 ** 40), 2n ** 62n, -(2n ** 63n)]],
  ["[0.5, -1e-300, float('inf'), 1.0000000000000001e-05]", [0.5, -1e-300, Infinity, 1.0000000000000001e-05]],
  ["'héllo\\n✓'", "héllo\n✓"],
  ["(1, (2,), (3, 4), (5, 6, 7), (8, 9, 10, 11), ())", tuple([1, tuple([2]), tuple([3, 4]), tuple([5, 6, 7]), tuple([8, 9, 10, 11]), tuple([])])],
  ["{'a': [1], 'b': {'c': []}, 'd': {}}", new Map<string, unknown>([["a", [1]], ["b", new Map([["c", []]])], ["d", new Map()]])],
  ["{1: 'x', 2: 'y'}", new Map([[1, "x"], [2, "y"]])],
];

function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return { tuple: isTuple(v), items: v.map(normalize) };
  if (v instanceof Map) return { map: [...v].map(([k, x]) => [normalize(k), normalize(x)]) };
  if (typeof v === "bigint") return `${v}n`;
  return v;
}

describe.skipIf(!hasPython)("CPython protocol 2 golden bytes", () => {
  it.each(VALUES)("%s", (src, want) => {
    const bytes = python(`import pickle, sys\nsys.stdout.buffer.write(pickle.dumps(${src}, protocol=2))`);
    const got = unpickle(bytes, plainOpts());
    expect(normalize(got)).toEqual(normalize(want));
    expect(Buffer.from(pickle(got, { dialect: "python" })).toString("hex")).toBe(bytes.toString("hex"));
  });
});

/** A resolver that keeps the pickle's structure: globals become PickleCall / PickleObject / PickleEnum. */
function structuralOpts(archive: ArchiveReader, name: string, keys: Map<Storage, string>) {
  const entry = archive.recordName(name);
  const folder = name === "constants.pkl" ? "constants" : "data";
  const plain = globalResolver({ entry, limits: DEFAULT_LIMITS, mode: "torchscript" });
  const load = storageLoader({
    entry, limits: DEFAULT_LIMITS, mapToCpu: false,
    recordName: (k) => archive.recordName(`${folder}/${k}`),
    read: (n) => (archive.zip.has(n) ? archive.zip.read(n) : undefined),
  });
  return {
    entry,
    limits: DEFAULT_LIMITS,
    persistentLoad: (pid: unknown) => {
      const s = load(pid);
      keys.set(s.storage, (pid as string[])[2]!);
      return s;
    },
    resolveGlobal: (module: string, n: string): unknown => {
      const q = `${module}.${n}`;
      if (q === "torch._utils._rebuild_tensor_v2" || q === "collections.OrderedDict" || STORAGE_TYPES.has(n)) return plain(module, n);
      return new PickleCallable(q, (arg) => (module.startsWith("torch") ? new PickleCall(module, n, arg as unknown[]) : new PickleEnum(q, arg)),
        (state) => new PickleObject(q, state));
    },
  };
}

describe("PyTorch's data.pkl and constants.pkl, read and re-written", () => {
  const identical: string[] = [];
  for (const c of caseNames()) {
    it(c, () => {
      const archive = new ArchiveReader(caseArchive(c));
      for (const name of ["data.pkl", "constants.pkl"]) {
        const bytes = archive.read(name);
        const keys = new Map<Storage, string>();
        const value = unpickle(bytes, structuralOpts(archive, name, keys));
        const again = pickle(value, { dialect: "torchscript", storageKey: (s) => keys.get(s)! });
        // Re-reading what we wrote gives the same structure...
        const keys2 = new Map<Storage, string>();
        const value2 = unpickle(again, structuralOpts(archive, name, keys2));
        expect(JSON.stringify(value2, replacer)).toBe(JSON.stringify(value, replacer));
        // ...and, where PyTorch memoized as we do, the very same bytes.
        if (Buffer.from(again).equals(Buffer.from(bytes))) identical.push(`${c}/${name}`);
      }
    });
  }
  it("most pickles are byte-identical to PyTorch's", () => {
    // PyTorch skips BINPUT on an object referenced once; we always write it (2 of 52 pickles).
    expect(identical.length).toBeGreaterThanOrEqual(2 * caseNames().length - 2);
  });
});

function replacer(_k: string, v: unknown): unknown {
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Map) return { map: [...v] };
  if (v instanceof PickleObject) return { object: v.qualifiedName, state: v.state };
  if (v instanceof PickleCall) return { call: `${v.module}.${v.name}`, args: v.args };
  if (v instanceof PickleEnum) return { enum: v.qualifiedName, value: v.value };
  if (v && typeof v === "object" && "storage" in v && "shape" in v) {
    const t = v as unknown as { shape: number[]; _strides: number[]; offset: number; dtype: { name: string }; requires_grad: boolean };
    return { tensor: [t.dtype.name, t.shape, t._strides, t.offset, t.requires_grad] };
  }
  return v;
}

describe("hostile pickles", () => {
  const bad = (hex: string) => () => unpickle(Buffer.from(hex.replace(/\s/g, ""), "hex"), plainOpts());
  it.each([
    ["empty", "", /PROTO/],
    ["protocol 3", "8003 4e 2e", /protocol 3/],
    ["truncated BINUNICODE", "8002 58 ffffff7f 61", /truncated/],
    ["stack underflow", "8002 74 2e", /MARK|underflow/],
    ["memo miss", "8002 68 05 2e", /memo id 5/],
    ["os.system", "8002 63 " + Buffer.from("os\nsystem\n").toString("hex") + " 2e", /not in the allow-list/],
    ["torch.UntypedStorage", "8002 63 " + Buffer.from("torch\nUntypedStorage\n").toString("hex") + " 2e", /not in the allow-list/],
    ["SHORT_BINUNICODE", "8002 8c 01 61 2e", /unsupported opcode/],
    ["REDUCE on a string", "8002 58 01000000 61 29 52 2e", /REDUCE on something/],
    ["no STOP", "8002 4e", /truncated/],
    ["two values at STOP", "8002 4e 4e 2e", /unbalanced/],
  ])("%s", (_n, hex, pattern) => {
    expect(bad(hex)).toThrow(TorchScriptArchiveError);
    expect(bad(hex)).toThrow(pattern);
  });

  it("limits nesting depth", () => {
    const deep = Buffer.concat([Buffer.from([0x80, 2]), Buffer.alloc(2000, 0x5d), Buffer.alloc(1999, 0x61), Buffer.from([0x2e])]);
    expect(() => unpickle(deep, plainOpts())).toThrow(/nest deeper than 1000/);
  });
});
