/**
 * Storage records decode with one pass over their bytes (issue #6, load cost): a stored dtype
 * read from a file the loader owns is a view of the file's bytes (Note [storage views of the
 * archive]); bytes a caller passes are copied, so writes on either side stay on that side;
 * records at any offset decode (an unaligned one is copied once); int64 words convert as
 * Number(BigInt) does, past 2^53 too.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { load as jitLoad } from "../../../src/jit/serialize/jit_load.js";
import { save as jitSave } from "../../../src/jit/serialize/jit_save.js";
import { decodeStorage, encodeStorage } from "../../../src/jit/serialize/storage_bytes.js";
import { load as torchLoad, save as torchSave } from "../../../src/jit/serialize/torch_save.js";
import { DTYPES, type DTypeName } from "../../../src/tensor/dtype.js";

const dir = mkdtempSync(join(tmpdir(), "tsjit-storage-views-"));

const VALUES: Record<DTypeName, number[]> = {
  float32: [1.5, -2.25, 3e-39], float64: [1.5, -1e300, 5e-324], float16: [1.5, -65504, 2 ** -24],
  bfloat16: [1.5, -3.3895313892515355e38, 2 ** -133], int64: [2 ** 53, -(2 ** 40), 0], int32: [2 ** 31 - 1, -(2 ** 31), 5],
  int16: [32767, -32768, 1], int8: [127, -128, 0], uint8: [255, 0, 7], bool: [1, 0, 1],
};

/** `bytes` placed at `offset` of a larger buffer, as a record sits inside an archive. */
function at(bytes: Uint8Array, offset: number): Uint8Array {
  const host = new Uint8Array(offset + bytes.length + 3);
  host.set(bytes, offset);
  return host.subarray(offset, offset + bytes.length);
}

describe("decodeStorage", () => {
  it("decodes every dtype at every offset, shared or not", () => {
    for (const [name, xs] of Object.entries(VALUES)) {
      const d = DTYPES[name as DTypeName];
      const want = Array.from(new d.ArrayType(xs));
      for (const offset of [0, 1, 2, 3, 4, 8]) {
        for (const share of [false, true]) {
          const got = decodeStorage(at(encodeStorage(new d.ArrayType(xs), d), offset), d, xs.length, share);
          expect(Array.from(got), `${name} at ${offset}, share ${share}`).toEqual(want);
        }
      }
    }
  });

  it("int64: words convert as Number(BigInt) does, past 2^53 and at both ends", () => {
    const words = [0n, -1n, 1n, 2n ** 53n + 1n, -(2n ** 53n) - 3n, 2n ** 62n + 12345n, 2n ** 63n - 1n, -(2n ** 63n), 0xfffffffen, -0x100000001n];
    const bytes = new Uint8Array(new BigInt64Array(words).buffer);
    for (const offset of [0, 4, 1]) {
      expect(Array.from(decodeStorage(at(bytes, offset), DTYPES.int64, words.length)), `offset ${offset}`).toEqual(words.map(Number));
    }
  });

  it("shares an aligned record only when asked; an unaligned one is always a copy", () => {
    const bytes = at(encodeStorage(new Float32Array([1, 2, 3]), DTYPES.float32), 8);
    const shared = decodeStorage(bytes, DTYPES.float32, 3, true);
    expect(shared.buffer).toBe(bytes.buffer);
    expect(shared.byteOffset).toBe(bytes.byteOffset);
    const copied = decodeStorage(bytes, DTYPES.float32, 3, false);
    expect(copied.buffer).not.toBe(bytes.buffer);
    copied[0] = 9;
    expect(shared[0]).toBe(1);
    expect(decodeStorage(at(bytes, 2), DTYPES.float32, 3, true).buffer).not.toBe(bytes.buffer);
  });

  it("gives plain typed arrays for a Buffer's bytes (Buffer#slice is a view, not a copy)", () => {
    for (const [name, xs] of Object.entries(VALUES)) {
      const d = DTYPES[name as DTypeName];
      const record = Buffer.from(encodeStorage(new d.ArrayType(xs), d));
      expect(decodeStorage(record, d, xs.length, true).constructor, name).toBe(d.ArrayType);
    }
  });

  it("a record longer than numel gives exactly numel elements", () => {
    const bytes = encodeStorage(new Float64Array([1, 2, 3, 4]), DTYPES.float64);
    for (const share of [false, true]) expect(Array.from(decodeStorage(bytes, DTYPES.float64, 2, share))).toEqual([1, 2]);
  });
});

describe("loaded storages and the archive's bytes", () => {
  const linear = () => {
    torch.manual_seed(0);
    return torch.jit.trace(new torch.nn.Linear(4, 3), [torch.ones([1, 4])]);
  };
  const params = (m: { parameters(): Iterable<Tensor> }) => [...m.parameters()];

  it("torch.jit.load of a path: parameters view the file's bytes, each its own range", () => {
    const path = join(dir, "linear.pt");
    jitSave(linear(), path);
    const [w, b] = params(jitLoad(path));
    expect(w!.storage.data.buffer).toBe(b!.storage.data.buffer);
    const [wd, bd] = [w!.storage.data, b!.storage.data];
    expect(wd.byteOffset + wd.byteLength <= bd.byteOffset || bd.byteOffset + bd.byteLength <= wd.byteOffset).toBe(true);
    expect(wd.byteOffset % 64).toBe(0); // the writer's alignment, which made the view possible
  });

  it("torch.jit.load of a caller's bytes copies: writes on either side stay there", () => {
    const path = join(dir, "linear_bytes.pt");
    const original = linear();
    jitSave(original, path);
    const bytes = new Uint8Array(readFileSync(path));
    const before = bytes.slice();
    const [w] = params(jitLoad(bytes));
    expect(w!.storage.data.buffer).not.toBe(bytes.buffer);
    torch.no_grad(() => w!.fill_(7));
    expect(bytes).toEqual(before);
    const [w2] = params(jitLoad(bytes));
    bytes.fill(0);
    expect(w2!.tolist()).toEqual(params(original)[0]!.tolist());
  });

  it("torch.load of a path views the file; of bytes copies them", () => {
    const path = join(dir, "state.pt");
    const state = new Map([["a", torch.arange(6, { dtype: torch.float32 })], ["b", torch.tensor([2 ** 40, -3], { dtype: "int64" })]]);
    torchSave(state, path);
    const fromPath = torchLoad(path) as Map<string, Tensor>;
    expect(fromPath.get("a")!.storage.data.buffer.byteLength).toBeGreaterThan(6 * 4);
    const bytes = new Uint8Array(readFileSync(path));
    const fromBytes = torchLoad(bytes) as Map<string, Tensor>;
    expect(fromBytes.get("a")!.storage.data.buffer).not.toBe(bytes.buffer);
    for (const got of [fromPath, fromBytes]) {
      expect(got.get("a")!.tolist()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(got.get("b")!.tolist()).toEqual([2 ** 40, -3]);
    }
  });
});
