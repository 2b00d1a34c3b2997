/**
 * Pickle protocol 2 writer, in two dialects:
 *
 * - "torchscript": what PyTorch's C++ pickler writes for data.pkl / constants.pkl
 *   (torchscript-format.md §4.3): only the opcodes PyTorch's unpickler accepts (MARK…APPENDS /
 *   SETITEMS even for one item, LONG1 always 8 bytes), strings memoized by value.
 * - "python": what CPython's pickle writes at protocol 2 (torch.save files): APPEND / SETITEM
 *   for a single item, minimal LONG1, every container memoized.
 *
 * Values are described in pickle_values.ts. Tensors go through `tensorRecord`, which assigns
 * their storage a record key; a storage shared by several tensors is pickled once and then
 * re-used from the memo, so views stay views in the reader.
 */
import { Tensor, type Storage } from "../../tensor/tensor.js";
import { OP } from "./pickle_opcodes.js";
import { PickleCall, PickleEnum, PickleFloat, PickleObject, PickleOrderedDict, isTuple, splitQualified, tuple } from "./pickle_values.js";
import { storageTypeOf } from "./storage_bytes.js";

const MAX_DEPTH = 1000;

export type PickleDialect = "torchscript" | "python";

export interface PicklerOptions {
  readonly dialect: PickleDialect;
  /** The record key of a tensor's storage (the caller writes the record). */
  storageKey?(storage: Storage): string;
}

class ByteSink {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }
  // Note: `room` may replace `buf`, so it runs before `buf` is read.
  byte(b: number): void {
    const at = this.room(1);
    this.buf[at] = b;
  }
  u16(v: number): void {
    this.view.setUint16(this.room(2), v, true);
  }
  u32(v: number): void {
    this.view.setUint32(this.room(4), v, true);
  }
  i32(v: number): void {
    this.view.setInt32(this.room(4), v, true);
  }
  f64be(v: number): void {
    this.view.setFloat64(this.room(8), v, false);
  }
  bytes(b: Uint8Array): void {
    const at = this.room(b.length);
    this.buf.set(b, at);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export function pickle(value: unknown, opts: PicklerOptions): Uint8Array {
  const p = new Pickler(opts);
  p.out.byte(OP.PROTO);
  p.out.byte(2);
  p.save(value);
  p.out.byte(OP.STOP);
  return p.out.result();
}

class Pickler {
  readonly out = new ByteSink();
  private nextMemo = 0;
  private readonly memoObjects = new Map<unknown, number>();
  private readonly memoStrings = new Map<string, number>();
  private readonly memoGlobals = new Map<string, number>();
  private readonly python: boolean;
  private depth = 0;

  constructor(private readonly opts: PicklerOptions) {
    this.python = opts.dialect === "python";
  }

  private put(): number {
    const id = this.nextMemo++;
    if (id < 256) {
      this.out.byte(OP.BINPUT);
      this.out.byte(id);
    } else {
      this.out.byte(OP.LONG_BINPUT);
      this.out.u32(id);
    }
    return id;
  }

  private get(id: number): void {
    if (id < 256) {
      this.out.byte(OP.BINGET);
      this.out.byte(id);
    } else {
      this.out.byte(OP.LONG_BINGET);
      this.out.u32(id);
    }
  }

  /** Writes a BINGET when `key` was memoized; true if so. */
  private recall(key: unknown): boolean {
    const id = this.memoObjects.get(key);
    if (id === undefined) return false;
    this.get(id);
    return true;
  }

  private memoize(key: unknown): void {
    this.memoObjects.set(key, this.put());
  }

  save(v: unknown): void {
    if (v === null || v === undefined) return this.out.byte(OP.NONE);
    if (typeof v === "boolean") return this.out.byte(v ? OP.NEWTRUE : OP.NEWFALSE);
    if (typeof v === "number") return Number.isInteger(v) && !Object.is(v, -0) ? this.saveInt(BigInt(v)) : this.saveFloat(v);
    if (typeof v === "bigint") return this.saveInt(v);
    if (typeof v === "string") return this.saveString(v);
    if (v instanceof PickleFloat) return this.saveFloat(v.value);
    if (v instanceof Tensor) return this.saveTensor(v);
    if (Array.isArray(v)) return isTuple(v) ? this.saveTuple(v) : this.saveList(v);
    if (v instanceof Map) return this.saveDict(v);
    if (v instanceof PickleOrderedDict) return this.saveOrderedDict(v);
    if (v instanceof PickleCall) return this.saveCall(v);
    if (v instanceof PickleObject) return this.saveObject(v);
    if (v instanceof PickleEnum) return this.saveEnum(v);
    if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      return this.saveDict(new Map(Object.entries(v)), v);
    }
    throw new Error(`pickle: cannot pickle a value of type ${typeof v === "object" ? (v as object).constructor?.name : typeof v}`);
  }

  private saveInt(x: bigint): void {
    if (x >= 0n && x < 256n) {
      this.out.byte(OP.BININT1);
      this.out.byte(Number(x));
    } else if (x >= 0n && x < 65536n) {
      this.out.byte(OP.BININT2);
      this.out.u16(Number(x));
    } else if (x >= -(2n ** 31n) && x < 2n ** 31n) {
      this.out.byte(OP.BININT);
      this.out.i32(Number(x));
    } else {
      if (x < -(2n ** 63n) || x >= 2n ** 63n) throw new Error(`pickle: integer ${x} does not fit in 64 bits`);
      const n = this.python ? minimalLongBytes(x) : 8;
      this.out.byte(OP.LONG1);
      this.out.byte(n);
      const b = new Uint8Array(n);
      let y = BigInt.asUintN(8 * n, x);
      for (let i = 0; i < n; i++, y >>= 8n) b[i] = Number(y & 0xffn);
      this.out.bytes(b);
    }
  }

  private saveFloat(x: number): void {
    this.out.byte(OP.BINFLOAT);
    this.out.f64be(x);
  }

  private saveString(s: string): void {
    const id = this.memoStrings.get(s);
    if (id !== undefined) return this.get(id);
    const b = Buffer.from(s, "utf8");
    this.out.byte(OP.BINUNICODE);
    this.out.u32(b.length);
    this.out.bytes(b);
    this.memoStrings.set(s, this.put());
  }

  private saveGlobal(module: string, name: string): void {
    const key = `${module}\n${name}\n`;
    const id = this.memoGlobals.get(key);
    if (id !== undefined) return this.get(id);
    this.out.byte(OP.GLOBAL);
    this.out.bytes(Buffer.from(key, "ascii"));
    this.memoGlobals.set(key, this.put());
  }

  private saveTuple(items: readonly unknown[], forceMark = false): void {
    if (items.length === 0 && !forceMark) return this.out.byte(OP.EMPTY_TUPLE);
    if (this.recall(items)) return;
    if (items.length <= 3 && !forceMark) {
      for (const x of items) this.save(x);
      this.out.byte(OP.TUPLE1 + items.length - 1);
    } else {
      this.out.byte(OP.MARK);
      for (const x of items) this.save(x);
      this.out.byte(OP.TUPLE);
    }
    if (this.python) this.memoize(items);
  }

  /**
   * Python memoizes every container (so shared and cyclic ones survive); PyTorch's pickler only
   * shared ones, and TorchScript values cannot be cyclic, so that dialect writes them inline.
   */
  private container(identity: unknown, open: number, body: () => void): void {
    if (this.recall(identity)) return;
    this.out.byte(open);
    if (this.python) this.memoize(identity);
    if (++this.depth > MAX_DEPTH) throw new Error(`pickle: containers nest deeper than ${MAX_DEPTH} (a cycle?)`);
    body();
    this.depth--;
  }

  private saveList(items: readonly unknown[]): void {
    this.container(items, OP.EMPTY_LIST, () => this.batch(items.length, OP.APPEND, OP.APPENDS, () => items.forEach((x) => this.save(x))));
  }

  private saveDict(m: Map<unknown, unknown>, identity: unknown = m): void {
    this.container(identity, OP.EMPTY_DICT, () => this.saveItems(m));
  }

  private saveItems(m: Map<unknown, unknown>): void {
    this.batch(m.size, OP.SETITEM, OP.SETITEMS, () => {
      for (const [k, x] of m) {
        this.save(k);
        this.save(x);
      }
    });
  }

  /** One item: APPEND/SETITEM in Python's dialect; otherwise MARK … APPENDS/SETITEMS (Python: none when empty). */
  private batch(n: number, single: number, many: number, items: () => void): void {
    if (this.python && n === 0) return;
    if (this.python && n === 1) {
      items();
      return this.out.byte(single);
    }
    this.out.byte(OP.MARK);
    items();
    this.out.byte(many);
  }

  private saveOrderedDict(d: PickleOrderedDict): void {
    if (this.recall(d)) return;
    this.saveGlobal("collections", "OrderedDict");
    this.out.byte(OP.EMPTY_TUPLE);
    this.out.byte(OP.REDUCE);
    this.memoize(d);
    this.saveItems(d.entries);
  }

  private saveCall(c: PickleCall): void {
    if (this.recall(c)) return;
    this.saveGlobal(c.module, c.name);
    this.saveTuple(c.args);
    this.out.byte(OP.REDUCE);
    this.memoize(c);
  }

  private saveObject(o: PickleObject): void {
    if (this.recall(o)) return;
    const [module, name] = splitQualified(o.qualifiedName);
    this.saveGlobal(module, name);
    this.out.byte(OP.EMPTY_TUPLE);
    this.out.byte(OP.NEWOBJ);
    this.save(o.state);
    this.out.byte(OP.BUILD);
    this.memoize(o);
  }

  private saveEnum(e: PickleEnum): void {
    const [module, name] = splitQualified(e.qualifiedName);
    this.saveGlobal(module, name);
    this.save(e.value);
    this.out.byte(OP.REDUCE);
  }

  private saveTensor(t: Tensor): void {
    if (this.recall(t)) return;
    const keyOf = this.opts.storageKey;
    if (!keyOf) throw new Error("pickle: this pickle cannot hold tensors");
    this.saveGlobal("torch._utils", "_rebuild_tensor_v2");
    this.out.byte(OP.MARK);
    if (!this.recall(t.storage)) {
      this.out.byte(OP.MARK);
      this.saveString("storage");
      this.saveGlobal("torch", storageTypeOf(t.dtype).name);
      this.saveString(keyOf(t.storage));
      this.saveString("cpu");
      this.saveInt(BigInt(t.storage.length));
      this.out.byte(OP.TUPLE);
      this.out.byte(OP.BINPERSID);
      this.memoize(t.storage);
    }
    this.saveInt(BigInt(t.offset));
    this.saveTuple(dimsTuple(t.shape), !this.python);
    this.saveTuple(dimsTuple(t._strides), !this.python);
    this.out.byte(t.requires_grad ? OP.NEWTRUE : OP.NEWFALSE);
    this.saveGlobal("collections", "OrderedDict");
    this.out.byte(OP.EMPTY_TUPLE);
    this.out.byte(OP.REDUCE);
    this.out.byte(OP.TUPLE);
    this.out.byte(OP.REDUCE);
    this.memoize(t);
  }
}

/** A fresh array marked as a tuple (shape and stride copies). */
function dimsTuple(xs: readonly number[]): number[] {
  return tuple(xs.slice());
}

/** Bytes CPython's encode_long uses: the fewest that hold x in two's complement. */
function minimalLongBytes(x: bigint): number {
  let n = 1;
  while (x < -(2n ** BigInt(8 * n - 1)) || x >= 2n ** BigInt(8 * n - 1)) n++;
  return n;
}
