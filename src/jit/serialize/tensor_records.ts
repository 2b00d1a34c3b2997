/**
 * Tensors in pickles: the persistent id `('storage', <XStorage>, key, location, numel)` names a
 * record (`data/<key>` or `constants/<key>`), and `_rebuild_tensor_v2(storage, offset, size,
 * stride, requires_grad, hooks)` makes a view of it (torchscript-format.md §4.4).
 *
 * PyTorch 1.13 checks none of this and computes with whatever lies past a short record. Here the
 * record must hold `numel` elements, and every element the view can reach (offset plus
 * (size-1)·stride summed over dims) must lie inside the storage; sizes and strides are
 * non-negative safe integers. Tensors naming the same key share one Storage, so views stay views.
 */
import { Storage, Tensor } from "../../tensor/tensor.js";
import { TorchScriptArchiveError, archiveCheck } from "./errors.js";
import type { ArchiveLimits } from "./limits.js";
import { STORAGE_TYPES, decodeStorage, type StorageType } from "./storage_bytes.js";

/** A storage as the unpickler hands it to `_rebuild_tensor_v2`. */
export class LoadedStorage {
  constructor(readonly storage: Storage, readonly numel: number, readonly record: string) {}
}

export interface StorageSource {
  /** Pickle being read (for messages). */
  readonly entry: string;
  /** The record name for a key, e.g. `model/data/0`. */
  recordName(key: string): string;
  /** The record's bytes, or undefined when absent. */
  read(recordName: string): Uint8Array | undefined;
  /** map_location was given: storages on any device load onto the CPU. */
  readonly mapToCpu: boolean;
  /**
   * The archive's bytes are the loader's own, so storages may view them (Note [storage views
   * of the archive]); absent: every storage is a copy.
   */
  readonly shareRecordBytes?: boolean;
  readonly limits: ArchiveLimits;
}

/** The BINPERSID handler: one LoadedStorage per key. */
export function storageLoader(src: StorageSource): (pid: unknown) => LoadedStorage {
  const loaded = new Map<string, LoadedStorage>();
  return (pid) => {
    const bad = (why: string): never => {
      throw new TorchScriptArchiveError(src.entry, `persistent id ${describe(pid)}: ${why}`);
    };
    if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== "storage") return bad("expected ('storage', type, key, location, numel)");
    const [, type, key, location, numel] = pid as unknown[];
    if (!(type instanceof Object) || !STORAGE_TYPES.has((type as StorageType).name)) return bad("the storage type is not a torch <X>Storage");
    const st = type as StorageType;
    if (typeof key !== "string") return bad("the key is not a string");
    if (typeof location !== "string") return bad("the location is not a string");
    if (location !== "cpu" && !src.mapToCpu) {
      return bad(`storage on device '${location}': pass map_location: "cpu" to load it onto the CPU`);
    }
    if (typeof numel !== "number" || !Number.isSafeInteger(numel) || numel < 0) return bad("numel is not a non-negative integer");
    if (st.dtype === null) return bad(`${st.name} tensors are not supported by tsjit`);
    const record = src.recordName(key);
    const cached = loaded.get(record);
    if (cached) {
      archiveCheck(cached.storage.dtype === st.dtype && cached.numel === numel, src.entry,
        () => `storage ${record} is named twice with different types or sizes`);
      return cached;
    }
    const bytes = numel > 0 ? src.read(record) : new Uint8Array(0);
    if (bytes === undefined) return bad(`record ${record} is missing`);
    const needed = numel * st.itemsize;
    archiveCheck(needed <= src.limits.maxEntryBytes, record, () => `numel ${numel} is over the size limit`);
    archiveCheck(bytes.length >= needed, record,
      () => `holds ${bytes.length} bytes, but the storage needs ${numel} × ${st.itemsize} = ${needed}`);
    const out = new LoadedStorage(new Storage(decodeStorage(bytes, st.dtype, numel, src.shareRecordBytes ?? false), st.dtype), numel, record);
    loaded.set(record, out);
    return out;
  };
}

function describe(v: unknown): string {
  if (!Array.isArray(v)) return typeof v;
  return `(${v.map((x) => (typeof x === "string" ? JSON.stringify(x) : typeof x === "number" ? String(x) : typeof x)).join(", ")})`;
}

function dims(v: unknown, what: string, entry: string, limits: ArchiveLimits): number[] {
  archiveCheck(Array.isArray(v), entry, () => `tensor ${what} is not a tuple`);
  archiveCheck(v.length <= limits.maxTensorDims, entry, () => `tensor has ${v.length} dimensions (limit ${limits.maxTensorDims})`);
  for (const d of v) {
    archiveCheck(typeof d === "number" && Number.isSafeInteger(d) && d >= 0, entry, () => `tensor ${what} holds ${String(d)}, not a non-negative integer`);
  }
  return v as number[];
}

/** Largest number of elements a view may have (an expanded view can be larger than its storage). */
const MAX_VIEW_NUMEL = 2 ** 32;

/** `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad[, backward_hooks])`. */
export function rebuildTensor(arg: unknown, entry: string, limits: ArchiveLimits): Tensor {
  archiveCheck(Array.isArray(arg) && (arg.length === 5 || arg.length === 6), entry,
    () => "_rebuild_tensor_v2 takes (storage, offset, size, stride, requires_grad[, hooks])");
  const [storage, offset, sizeV, strideV, requiresGrad] = arg as unknown[];
  archiveCheck(storage instanceof LoadedStorage, entry, () => "_rebuild_tensor_v2: the first argument is not a storage");
  archiveCheck(typeof offset === "number" && Number.isSafeInteger(offset) && offset >= 0, entry, () => "tensor storage offset is not a non-negative integer");
  archiveCheck(typeof requiresGrad === "boolean", entry, () => "tensor requires_grad is not a bool");
  const size = dims(sizeV, "size", entry, limits);
  const stride = dims(strideV, "stride", entry, limits);
  archiveCheck(size.length === stride.length, entry, () => `tensor size ${fmt(size)} and stride ${fmt(stride)} differ in length`);
  let numel = 1;
  let last = offset;
  for (let i = 0; i < size.length; i++) {
    numel *= size[i]!;
    if (size[i]! > 0) last += (size[i]! - 1) * stride[i]!;
  }
  archiveCheck(numel <= MAX_VIEW_NUMEL, entry, () => `tensor of size ${fmt(size)} has more than ${MAX_VIEW_NUMEL} elements`);
  if (numel > 0) {
    archiveCheck(Number.isSafeInteger(last) && last < storage.numel, storage.record,
      () => `view (offset ${offset}, size ${fmt(size)}, stride ${fmt(stride)}) reaches element ${last}, but the storage has ${storage.numel}`);
  } else {
    archiveCheck(offset <= storage.numel, storage.record, () => `offset ${offset} is past the storage's ${storage.numel} elements`);
  }
  const dtype = storage.storage.dtype;
  const t = new Tensor(storage.storage, size.slice(), stride.slice(), offset, dtype);
  if (requiresGrad) {
    archiveCheck(dtype.is_floating_point, entry, () => `a ${dtype.name} tensor cannot require grad`);
    t.requires_grad = true;
  }
  return t;
}

const fmt = (xs: readonly number[]) => `(${xs.join(", ")})`;
