/**
 * Storage records and tensor views from hostile pickles: every offset, size and stride is
 * checked against the bytes of the record it points to (PyTorch 1.13 checks none and computes
 * with garbage); storage bytes decode for every dtype; the version record is range-checked.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../../src/jit/serialize/limits.js";
import { LoadedStorage, rebuildTensor, storageLoader } from "../../../src/jit/serialize/tensor_records.js";
import { STORAGE_TYPES, decodeStorage, encodeStorage, floatToHalfBits, halfBitsToFloat } from "../../../src/jit/serialize/storage_bytes.js";
import { TorchScriptArchiveError } from "../../../src/jit/serialize/errors.js";
import { ArchiveReader } from "../../../src/jit/serialize/archive_reader.js";
import { ZipWriter } from "../../../src/jit/serialize/zip_writer.js";
import { tuple } from "../../../src/jit/serialize/pickle_values.js";
import { DTYPES } from "../../../src/tensor/dtype.js";

const FLOAT = STORAGE_TYPES.get("FloatStorage")!;

function loader(records: Record<string, Uint8Array>, mapToCpu = false) {
  return storageLoader({
    entry: "m/data.pkl", limits: DEFAULT_LIMITS, mapToCpu,
    recordName: (k) => `m/data/${k}`,
    read: (n) => records[n],
  });
}

const pid = (key: string, numel: number, type: unknown = FLOAT, location = "cpu") => tuple(["storage", type, key, location, numel]);
const floats = (n: number) => new Uint8Array(new Float32Array(Array.from({ length: n }, (_, i) => i)).buffer);

describe("storages", () => {
  it("one Storage per key, so views share it", () => {
    const load = loader({ "m/data/0": floats(12) });
    expect(load(pid("0", 12)).storage).toBe(load(pid("0", 12)).storage);
  });

  it.each([
    ["a record shorter than numel", { "m/data/0": floats(3) }, pid("0", 12), /holds 12 bytes, but the storage needs 12 × 4 = 48/],
    ["a missing record", {}, pid("0", 2), /record m\/data\/0 is missing/],
    ["a CUDA storage without map_location", { "m/data/0": floats(2) }, pid("0", 2, FLOAT, "cuda:0"), /map_location/],
    ["an unknown storage type", { "m/data/0": floats(2) }, pid("0", 2, "FloatStorage"), /not a torch <X>Storage/],
    ["complex storages", { "m/data/0": floats(4) }, pid("0", 2, STORAGE_TYPES.get("ComplexFloatStorage")), /not supported by tsjit/],
    ["a negative numel", { "m/data/0": floats(2) }, pid("0", -1), /non-negative/],
  ])("rejects %s", (_what, records, id, pattern) => {
    expect(() => loader(records)(id)).toThrow(TorchScriptArchiveError);
    expect(() => loader(records)(id)).toThrow(pattern);
  });

  it("map_location loads a CUDA storage on the CPU", () => {
    expect(loader({ "m/data/0": floats(2) }, true)(pid("0", 2, FLOAT, "cuda:0")).numel).toBe(2);
  });

  it("every dtype round-trips through its record bytes", () => {
    const values: Record<string, number[]> = {
      float32: [1.5, -2.25, 3e-39], float64: [1.5, -1e300, 5e-324], float16: [1.5, -65504, 2 ** -24], bfloat16: [1.5, -3.3895313892515355e38, 2 ** -133],
      int64: [2 ** 53, -(2 ** 40), 0], int32: [2 ** 31 - 1, -(2 ** 31), 5], int16: [32767, -32768, 1], int8: [127, -128, 0], uint8: [255, 0, 7], bool: [1, 0, 1],
    };
    for (const [name, xs] of Object.entries(values)) {
      const d = DTYPES[name as keyof typeof DTYPES];
      const arr = new d.ArrayType(xs);
      const bytes = encodeStorage(arr, d);
      expect(bytes.length, name).toBe(xs.length * d.itemsize);
      expect(Array.from(decodeStorage(bytes, d, xs.length)), name).toEqual(Array.from(arr));
    }
  });

  it("half bits: every finite float16 value survives bits → float → bits", () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue;
      expect(floatToHalfBits(halfBitsToFloat(h))).toBe(h);
    }
  });
});

describe("_rebuild_tensor_v2", () => {
  const storage = () => loader({ "m/data/0": floats(12) })(pid("0", 12));
  const rebuild = (s: LoadedStorage, offset: unknown, size: unknown, stride: unknown) =>
    rebuildTensor(tuple([s, offset, tuple(size as number[]), tuple(stride as number[]), false, null]), "m/data.pkl", DEFAULT_LIMITS);

  it("builds views: a column, a transpose, an expanded row", () => {
    const s = storage();
    expect(rebuild(s, 1, [3], [4]).tolist()).toEqual([1, 5, 9]);
    expect(rebuild(s, 0, [4, 3], [1, 4]).tolist()).toEqual([[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]);
    expect(rebuild(s, 11, [2, 2], [0, 0]).tolist()).toEqual([[11, 11], [11, 11]]);
    expect(rebuild(s, 12, [0, 5], [5, 1]).shape).toEqual([0, 5]);
  });

  it.each([
    ["past the end", 1, [3, 4], [4, 1], /reaches element 12, but the storage has 12/],
    ["a negative offset", -1, [2], [1], /offset is not a non-negative integer/],
    ["a negative stride", 11, [2], [-1], /not a non-negative integer/],
    ["sizes and strides of different lengths", 0, [2, 2], [1], /differ in length/],
    ["a fractional size", 0, [1.5], [1], /not a non-negative integer/],
    ["an offset past an empty view", 13, [0], [1], /past the storage/],
    ["an enormous expanded view", 0, [2 ** 20, 2 ** 20], [0, 0], /more than 4294967296 elements/],
  ])("rejects a view %s", (_what, offset, size, stride, pattern) => {
    expect(() => rebuild(storage(), offset, size, stride)).toThrow(TorchScriptArchiveError);
    expect(() => rebuild(storage(), offset, size, stride)).toThrow(pattern);
  });
});

describe("version record", () => {
  const archive = (version: string | null, name = "version") => {
    const w = new ZipWriter();
    w.add("m/data.pkl", new Uint8Array([0x80, 2, 0x4e, 0x2e]));
    if (version !== null) w.add(`m/${name}`, Buffer.from(version));
    return new ArchiveReader(w.finish());
  };
  it.each([["3\n", 3], ["10\n", 10], [" 4", 4], ["1", 1], ["\t7\r\n", 7], ["0005", 5]])("accepts %j", (text, v) => expect(archive(text).version()).toBe(v));
  it("reads .data/version", () => expect(archive("7\n", ".data/version").version()).toBe(7));
  it.each([
    ["0\n", /version 0 is not supported/], ["11\n", /version 11/], ["x", /Couldn't parse the version "x"/],
    ["", /Couldn't parse/], [" \n", /Couldn't parse/], ["3a", /Couldn't parse/], ["-3", /Couldn't parse/], ["3 4", /Couldn't parse/],
  ])("rejects %j", (text, pattern) => {
    expect(() => archive(text).version()).toThrow(pattern);
  });
  it("rejects a missing record", () => expect(() => archive(null).version()).toThrow(/no version record/));
  it("rejects the pre-1.4 PYTORCH1 format by its magic", () => {
    const legacy = Buffer.concat([Buffer.from("PYTORCH1"), Buffer.alloc(64)]);
    expect(() => new ArchiveReader(legacy)).toThrow(/pre-1.4 'PYTORCH1' archive format/);
    // "PYTORCH" alone is not the magic: that file fails as a zip
    expect(() => new ArchiveReader(Buffer.concat([Buffer.from("PYTORCHX"), Buffer.alloc(64)]))).toThrow(/end-of-central-directory/);
  });
  it("rejects entries outside a folder", () => {
    const w = new ZipWriter();
    w.add("data.pkl", new Uint8Array([0x80, 2, 0x4e, 0x2e]));
    expect(() => new ArchiveReader(w.finish())).toThrow(/not in a subdirectory/);
  });
});
