/**
 * torch.save / torch.load in PyTorch's zip format (the default since 1.6): `<prefix>/data.pkl`
 * (CPython pickle, protocol 2), one `<prefix>/data/<key>` record per storage and
 * `<prefix>/version`. Reading goes through the allow-listed unpickler, so a checkpoint can hold
 * tensors, parameters, state dicts and plain containers, and nothing that runs code.
 *
 *   torch.save(model.state_dict(), "weights.pt")       // PyTorch: torch.load("weights.pt")
 *   model.load_state_dict(torch.load("weights.pt"))    // also for files PyTorch wrote
 *
 * Values: a Map is written as an OrderedDict (state dicts are), a plain object as a dict, an
 * array as a list (`tuple([...])` for a tuple); on load every dict and OrderedDict is a Map.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Parameter } from "../../nn/parameter.js";
import { Tensor, type Storage } from "../../tensor/tensor.js";
import { ArchiveReader, archiveBytes, archivePrefix, type ArchiveSource } from "./archive_reader.js";
import { withLimits, type ArchiveLimits } from "./limits.js";
import { globalResolver } from "./pickle_globals.js";
import { PickleCall, PickleOrderedDict, isTuple, tuple } from "./pickle_values.js";
import { pickle } from "./pickler.js";
import { encodeStorage } from "./storage_bytes.js";
import { storageLoader } from "./tensor_records.js";
import { unpickle } from "./unpickler.js";
import { ZipWriter } from "./zip_writer.js";

export interface LoadOptions {
  /** "cpu" (the only device here): storages saved on another device load onto the CPU. */
  readonly map_location?: string;
  readonly limits?: Partial<ArchiveLimits>;
}

/** Collects storages in first-use order and names them "0", "1", ... */
export class StorageTable {
  private readonly keys = new Map<Storage, string>();
  key(storage: Storage): string {
    let k = this.keys.get(storage);
    if (k === undefined) {
      k = String(this.keys.size);
      this.keys.set(storage, k);
    }
    return k;
  }
  /** [key, record bytes] in key order. */
  records(): [string, Uint8Array][] {
    return [...this.keys].map(([s, k]) => [k, encodeStorage(s.data, s.dtype)]);
  }
}

/** torch.save(obj, path) — or into a Buffer when `f` is omitted. */
export function save(obj: unknown, f?: string): Buffer {
  const storages = new StorageTable();
  const data = pickle(toPickleValue(obj, new Map()), { dialect: "python", storageKey: (s) => storages.key(s) });
  const prefix = archivePrefix(f ?? null);
  const zip = new ZipWriter();
  zip.add(`${prefix}/data.pkl`, data);
  for (const [key, bytes] of storages.records()) zip.add(`${prefix}/data/${key}`, bytes);
  zip.add(`${prefix}/version`, Buffer.from("3\n"));
  const out = zip.finish();
  if (f !== undefined) {
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, out);
  }
  return out;
}

/** Python-side shapes for our values; shared objects map to one converted object. */
function toPickleValue(v: unknown, seen: Map<unknown, unknown>): unknown {
  if (typeof v !== "object" || v === null) return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  let out: unknown;
  if (v instanceof Parameter) {
    const data = new Tensor(v.storage, v.shape, v._strides, v.offset, v.dtype);
    out = new PickleCall("torch._utils", "_rebuild_parameter", tuple([data, v.requires_grad, new PickleOrderedDict(new Map())]));
  } else if (v instanceof Tensor) {
    out = v;
  } else if (Array.isArray(v)) {
    const arr: unknown[] = isTuple(v) ? tuple([]) : [];
    seen.set(v, arr);
    for (const x of v) arr.push(toPickleValue(x, seen));
    return arr;
  } else if (v instanceof Map) {
    const m = new Map();
    out = new PickleOrderedDict(m);
    seen.set(v, out);
    for (const [k, x] of v) m.set(toPickleValue(k, seen), toPickleValue(x, seen));
    return out;
  } else if (Object.getPrototypeOf(v) === Object.prototype) {
    const m = new Map<unknown, unknown>();
    seen.set(v, m);
    for (const [k, x] of Object.entries(v)) m.set(k, toPickleValue(x, seen));
    return m;
  } else {
    throw new TypeError(`torch.save: cannot save a ${(v as object).constructor?.name ?? typeof v}; save tensors, state dicts and plain containers`);
  }
  seen.set(v, out);
  return out;
}

/** torch.load(pathOrBuffer): tensors, parameters, Maps (dicts), arrays, numbers, strings. */
export function load(f: ArchiveSource, opts: LoadOptions = {}): unknown {
  const limits = withLimits(opts.limits);
  const archive = new ArchiveReader(archiveBytes(f), limits);
  const entry = archive.recordName("data.pkl");
  return unpickle(archive.read("data.pkl"), {
    entry,
    limits,
    resolveGlobal: globalResolver({ entry, limits, mode: "torch.save" }),
    persistentLoad: storageLoader({
      // a path's bytes are ours alone: tensors may view them (Note [storage views of the archive])
      entry, limits, mapToCpu: opts.map_location !== undefined, shareRecordBytes: typeof f === "string",
      recordName: (key) => archive.recordName(`data/${key}`),
      read: (name) => (archive.zip.has(name) ? archive.zip.read(name) : undefined),
    }),
  });
}
