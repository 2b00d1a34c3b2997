/**
 * Fuzzing the archive reader: mutations of the shared conformance archives (bit flips, byte
 * overwrites, truncation, swapped and duplicated entries, altered pickles, code and storage
 * records) must each end in a clean TorchScriptArchiveError or a successful load — never a hang,
 * never another exception type, never a JS-internal error (TypeError, RangeError, ...) wrapped
 * into one — within a 2 s budget per case (a case over budget fails the test).
 *
 * Deterministic: TSJIT_FUZZ_SEED (default 20261128) and TSJIT_FUZZ_CASES (default 2000).
 */
import { describe, expect, it } from "vitest";
import { load } from "../../../src/jit/serialize/jit_load.js";
import { TorchScriptArchiveError } from "../../../src/jit/serialize/errors.js";
import { ZipReader } from "../../../src/jit/serialize/zip_reader.js";
import { ZipWriter } from "../../../src/jit/serialize/zip_writer.js";
import { ScriptModule } from "../../../src/jit/script_module.js";
import { load as torchLoad, save as torchSave } from "../../../src/jit/serialize/torch_save.js";
import { tuple } from "../../../src/jit/serialize/pickle_values.js";
import { torch } from "../../../src/index.js";
import { caseArchive, caseNames } from "./support.js";

const SEED = Number(process.env["TSJIT_FUZZ_SEED"] ?? 20261128);
const CASES = Number(process.env["TSJIT_FUZZ_CASES"] ?? 2000);
const BUDGET_MS = 2000;
const CHUNKS = 10;

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)]!;

interface Entries {
  names: string[];
  data: Uint8Array[];
  deflate: boolean[];
}

function entriesOf(buf: Uint8Array): Entries {
  const zip = new ZipReader(buf);
  return {
    names: zip.names(),
    data: zip.names().map((n) => Uint8Array.from(zip.read(n))),
    deflate: zip.entries.map((e) => e.method === 8),
  };
}

function rezip(e: Entries): Buffer {
  const w = new ZipWriter();
  e.names.forEach((n, i) => w.add(n, e.data[i]!, { deflate: e.deflate[i]! }));
  return w.finish();
}

function flip(r: Rand, b: Uint8Array): void {
  const i = int(r, b.length);
  b[i] = b[i]! ^ (1 << int(r, 8));
}

/** Mutates a record's bytes: flip, overwrite, truncate, insert or delete a few bytes. */
function mutateBytes(r: Rand, b: Uint8Array): Uint8Array {
  if (b.length === 0) return Uint8Array.of(int(r, 256));
  const out = Uint8Array.from(b);
  switch (int(r, 5)) {
    case 0:
      for (let k = 1 + int(r, 4); k > 0; k--) flip(r, out);
      return out;
    case 1:
      for (let k = 1 + int(r, 4); k > 0; k--) out[int(r, out.length)] = int(r, 256);
      return out;
    case 2:
      return out.subarray(0, int(r, out.length));
    case 3: {
      const at = int(r, out.length);
      return Uint8Array.from([...out.subarray(0, at), int(r, 256), ...out.subarray(at)]);
    }
    default: {
      const at = int(r, out.length);
      return Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1 + int(r, 8))]);
    }
  }
}

/** Text mutations for code/ files: drop, duplicate or swap lines, change a character. */
function mutateCode(r: Rand, b: Uint8Array): Uint8Array {
  const lines = Buffer.from(b).toString("utf8").split("\n");
  const i = int(r, lines.length);
  const j = int(r, lines.length);
  switch (int(r, 4)) {
    case 0: lines.splice(i, 1); break;
    case 1: lines.splice(i, 0, lines[j]!); break;
    case 2: [lines[i], lines[j]] = [lines[j]!, lines[i]!]; break;
    default: {
      const line = lines[i]!;
      const at = int(r, line.length + 1);
      lines[i] = line.slice(0, at) + pick(r, ["(", ")", ":", " ", "0", "x", ",", "[", "\"", ".", "9999999999"]) + line.slice(at + 1);
    }
  }
  return Buffer.from(lines.join("\n"), "utf8");
}

const MUTATIONS: readonly [string, (r: Rand, base: Uint8Array) => Uint8Array][] = [
  ["bit flips", (r, b) => {
    const out = Uint8Array.from(b);
    for (let k = 1 + int(r, 8); k > 0; k--) flip(r, out);
    return out;
  }],
  ["byte overwrite in the directory", (r, b) => {
    const out = Uint8Array.from(b);
    const from = Math.max(0, out.length - 600);
    for (let k = 1 + int(r, 4); k > 0; k--) out[from + int(r, out.length - from)] = int(r, 256);
    return out;
  }],
  ["truncation", (r, b) => b.subarray(0, int(r, b.length))],
  ["swapped entries", (r, b) => {
    const e = entriesOf(b);
    const i = int(r, e.names.length);
    const j = int(r, e.names.length);
    [e.data[i], e.data[j]] = [e.data[j]!, e.data[i]!];
    return rezip(e);
  }],
  ["duplicated entry", (r, b) => {
    // a second entry with the same name: written under a placeholder of equal length, then renamed in place
    const e = entriesOf(b);
    const i = int(r, e.names.length);
    const name = e.names[i]!;
    const placeholder = name.slice(0, -1) + (name.endsWith("#") ? "$" : "#");
    e.names.push(placeholder);
    e.data.push(mutateBytes(r, e.data[i]!));
    e.deflate.push(e.deflate[i]!);
    const out = rezip(e);
    const from = Buffer.from(placeholder);
    for (let at = out.indexOf(from); at >= 0; at = out.indexOf(from, at + 1)) out.write(name, at, "utf8");
    return out;
  }],
  ["altered pickle", (r, b) => {
    const e = entriesOf(b);
    const pkls = e.names.map((n, k) => [n, k] as const).filter(([n]) => n.endsWith(".pkl"));
    const [, k] = pick(r, pkls);
    e.data[k] = mutateBytes(r, e.data[k]!);
    return rezip(e);
  }],
  ["altered code", (r, b) => {
    const e = entriesOf(b);
    const code = e.names.map((n, k) => [n, k] as const).filter(([n]) => n.endsWith(".py"));
    if (code.length === 0) return b;
    const [, k] = pick(r, code);
    e.data[k] = mutateCode(r, e.data[k]!);
    return rezip(e);
  }],
  ["altered storage or version record", (r, b) => {
    const e = entriesOf(b);
    const recs = e.names.map((n, k) => [n, k] as const).filter(([n]) => /\/(data|constants)\/|version$/.test(n));
    if (recs.length === 0) return b;
    const [, k] = pick(r, recs);
    e.data[k] = mutateBytes(r, e.data[k]!);
    return rezip(e);
  }],
  ["removed entry", (r, b) => {
    const e = entriesOf(b);
    const i = int(r, e.names.length);
    for (const xs of [e.names, e.data, e.deflate] as unknown[][]) xs.splice(i, 1);
    return e.names.length ? rezip(e) : b;
  }],
];

/** Errors a JS engine raises for our bugs, never for a bad archive. */
const INTERNAL = /^(TypeError|RangeError|ReferenceError|SyntaxError|Error): /;

/** A torch.save checkpoint: every tenth case mutates it and goes through torch.load instead. */
function checkpoint(): Buffer {
  torch.manual_seed(0);
  const base = torch.arange(12, { dtype: torch.float32 }).view(3, 4);
  return torchSave(new Map<string, unknown>([
    ["sd", new torch.nn.Linear(3, 2).state_dict()],
    ["views", tuple([base, base.select(1, 1), base.t()])],
    ["ints", torch.tensor([1, -2], { dtype: torch.int64 })],
    ["half", torch.tensor([0.5], { dtype: torch.float16 })],
    ["meta", { epoch: 3, lr: 0.5, names: ["a", "b"] }],
  ]));
}

describe("fuzzing torch.jit.load and torch.load with mutated archives", () => {
  const bases = caseNames().map((n) => [n, caseArchive(n)] as const);
  const ckpt = checkpoint();
  const perChunk = Math.ceil(CASES / CHUNKS);
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    it(`cases ${chunk * perChunk} … ${Math.min(CASES, (chunk + 1) * perChunk) - 1} (seed ${SEED})`, () => {
      const problems: string[] = [];
      let loaded = 0;
      for (let c = chunk * perChunk; c < Math.min(CASES, (chunk + 1) * perChunk); c++) {
        const r = rng(SEED ^ Math.imul(c + 1, 0x9e3779b1));
        const useCheckpoint = c % 10 === 9;
        const [caseName, base] = useCheckpoint ? ["torch.save checkpoint", ckpt] as const : bases[c % bases.length]!;
        const [what, mutate] = MUTATIONS[int(r, MUTATIONS.length)]!;
        const label = `#${c} ${what} of ${caseName}`;
        const bytes = mutate(r, base);
        const start = performance.now();
        try {
          if (useCheckpoint) torchLoad(bytes);
          else if (!(load(bytes) instanceof ScriptModule)) problems.push(`${label}: load did not return a ScriptModule`);
          loaded++;
        } catch (err) {
          if (!(err instanceof TorchScriptArchiveError)) problems.push(`${label}: ${(err as Error).name}: ${(err as Error).message.slice(0, 200)}`);
          else if (INTERNAL.test(err.problem)) problems.push(`${label}: internal error surfaced: ${err.message.slice(0, 300)}`);
        }
        const ms = performance.now() - start;
        if (ms > BUDGET_MS) problems.push(`${label}: took ${ms.toFixed(0)} ms (budget ${BUDGET_MS} ms)`);
      }
      expect(problems).toEqual([]);
      expect(loaded).toBeLessThan(perChunk); // most mutations must be caught
    }, 600_000);
  }
});
