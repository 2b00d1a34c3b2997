/**
 * A restricted unpickler for protocol 2 (torchscript-format.md §4). It never looks a name up
 * anywhere: every GLOBAL goes through `resolveGlobal`, which returns a handler from an
 * allow-list (pickle_globals.ts) or throws. REDUCE and BUILD apply a handler to one argument,
 * as PyTorch's C++ unpickler does (§4.1: `GLOBAL cls, EMPTY_TUPLE, NEWOBJ, state, BUILD` and
 * `GLOBAL cls, state, BUILD` mean the same).
 *
 * Every read is bounds-checked, the stack, memo and container nesting are limited, and the
 * opcode set is the protocol-2 subset (PyTorch's own plus APPEND/SETITEM/LIST/DICT, which
 * Python's pickler emits for torch.save files), so a hostile pickle fails with a
 * TorchScriptArchiveError and cannot make us allocate more than its own size allows.
 */
import { TorchScriptArchiveError } from "./errors.js";
import type { ArchiveLimits } from "./limits.js";
import { OP, OPCODE_NAMES } from "./pickle_opcodes.js";
import { isTuple, tuple } from "./pickle_values.js";

/** What a GLOBAL pushes when REDUCE/BUILD will call it. */
export class PickleCallable {
  constructor(
    readonly qualifiedName: string,
    readonly call: (arg: unknown) => unknown,
    /** BUILD on an object: the class with its state (defaults to `call`). */
    readonly build?: (state: unknown) => unknown,
  ) {}
}

export interface UnpicklerOptions {
  /** Record name for error messages (`model/data.pkl`). */
  readonly entry: string;
  readonly limits: ArchiveLimits;
  /** A PickleCallable, or a plain value GLOBAL pushes (`torch FloatStorage` is a dtype); throws if not allowed. */
  resolveGlobal(module: string, name: string): unknown;
  /** BINPERSID: the object a persistent id names (a storage). */
  persistentLoad(pid: unknown): unknown;
}

const MARK = Symbol("mark");
const utf8 = new TextDecoder("utf-8", { fatal: true });

export function unpickle(bytes: Uint8Array, opts: UnpicklerOptions): unknown {
  return new Unpickler(bytes, opts).run();
}

class Unpickler {
  private pos = 0;
  private readonly stack: unknown[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly view: DataView;
  /** Nesting depth of containers built so far (for the depth limit). */
  private readonly depth = new WeakMap<object, number>();

  constructor(private readonly bytes: Uint8Array, private readonly opts: UnpicklerOptions) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(problem: string): never {
    throw new TorchScriptArchiveError(this.opts.entry, `${problem} (pickle byte ${this.pos})`);
  }

  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.bytes.length) this.fail(`truncated: needs ${n} more bytes`);
    this.pos += n;
    return at;
  }

  private push(v: unknown): void {
    if (this.stack.length + this.memo.size >= this.opts.limits.maxPickleItems) this.fail("too many items on the stack and memo");
    this.stack.push(v);
  }

  private pop(): unknown {
    if (this.stack.length === 0 || (this.marks.length > 0 && this.stack.length <= this.marks[this.marks.length - 1]!)) {
      this.fail("stack underflow");
    }
    const v = this.stack.pop();
    if (v === MARK) this.fail("stack underflow");
    return v;
  }

  private top(): unknown {
    if (this.stack.length === 0) this.fail("stack underflow");
    return this.stack[this.stack.length - 1];
  }

  /** Items above the last MARK, removed from the stack. */
  private popMark(): unknown[] {
    const m = this.marks.pop();
    if (m === undefined) this.fail("no MARK before a MARK-terminated opcode");
    return this.stack.splice(m);
  }

  /** Records the depth of a new container and enforces the nesting limit. */
  private nest<T extends object>(container: T, items: Iterable<unknown>): T {
    let d = this.depth.get(container) ?? 1;
    for (const item of items) {
      if (typeof item === "object" && item !== null) d = Math.max(d, (this.depth.get(item) ?? 0) + 1);
    }
    if (d > this.opts.limits.maxPickleDepth) this.fail(`containers nest deeper than ${this.opts.limits.maxPickleDepth}`);
    this.depth.set(container, d);
    return container;
  }

  run(): unknown {
    if (this.bytes.length < 2 || this.bytes[0] !== OP.PROTO) this.fail("does not start with PROTO");
    for (;;) {
      const at = this.need(1);
      const op = this.bytes[at]!;
      if (op === OP.STOP) {
        if (this.marks.length > 0 || this.stack.length !== 1) this.fail("STOP with an unbalanced stack");
        return this.stack[0];
      }
      this.step(op);
    }
  }

  private step(op: number): void {
    const v = this.view;
    switch (op) {
      case OP.PROTO: {
        const p = this.bytes[this.need(1)];
        if (this.pos !== 2) this.fail("PROTO after the start");
        if (p !== 2) this.fail(`pickle protocol ${p}: only protocol 2 is supported`);
        return;
      }
      case OP.MARK:
        this.marks.push(this.stack.length);
        this.push(MARK);
        return;
      case OP.EMPTY_TUPLE: return this.push(tuple([]));
      case OP.TUPLE: return this.push(this.nest(tuple(this.popMarkItems()), []));
      case OP.TUPLE1: case OP.TUPLE2: case OP.TUPLE3: {
        const n = op - OP.TUPLE1 + 1;
        const items: unknown[] = [];
        for (let i = 0; i < n; i++) items.unshift(this.pop());
        return this.push(this.nest(tuple(items), items));
      }
      case OP.EMPTY_LIST: return this.push([]);
      case OP.LIST: return this.push(this.nest(this.popMarkItems(), []));
      case OP.APPEND: {
        const item = this.pop();
        return this.appendTo(this.top(), [item]);
      }
      case OP.APPENDS: {
        const items = this.popMarkItems();
        return this.appendTo(this.top(), items);
      }
      case OP.EMPTY_DICT: return this.push(new Map());
      case OP.DICT: {
        const m = new Map();
        this.setItems(m, this.popMarkItems());
        return this.push(m);
      }
      case OP.SETITEM: {
        const value = this.pop();
        const key = this.pop();
        return this.setItems(this.top(), [key, value]);
      }
      case OP.SETITEMS: {
        const items = this.popMarkItems();
        return this.setItems(this.top(), items);
      }
      case OP.NONE: return this.push(null);
      case OP.NEWTRUE: return this.push(true);
      case OP.NEWFALSE: return this.push(false);
      case OP.BININT1: return this.push(this.bytes[this.need(1)]!);
      case OP.BININT2: return this.push(v.getUint16(this.need(2), true));
      case OP.BININT: return this.push(v.getInt32(this.need(4), true));
      case OP.LONG1: return this.push(this.long1());
      case OP.BINFLOAT: return this.push(v.getFloat64(this.need(8), false));
      case OP.BINUNICODE: {
        const n = v.getUint32(this.need(4), true);
        const at = this.need(n);
        try {
          return this.push(utf8.decode(this.bytes.subarray(at, at + n)));
        } catch {
          this.fail("BINUNICODE string is not valid UTF-8");
        }
      }
      case OP.BINPUT: return this.put(this.bytes[this.need(1)]!);
      case OP.LONG_BINPUT: return this.put(v.getUint32(this.need(4), true));
      case OP.BINGET: return this.get(this.bytes[this.need(1)]!);
      case OP.LONG_BINGET: return this.get(v.getUint32(this.need(4), true));
      case OP.GLOBAL: {
        const module = this.line();
        const name = this.line();
        return this.push(this.opts.resolveGlobal(module, name));
      }
      case OP.NEWOBJ: {
        const args = this.pop();
        if (!Array.isArray(args) || args.length !== 0) this.fail("NEWOBJ with arguments is not supported");
        if (!(this.top() instanceof PickleCallable)) this.fail("NEWOBJ on something that is not an allowed class");
        return;
      }
      case OP.REDUCE: {
        const arg = this.pop();
        const fn = this.pop();
        if (!(fn instanceof PickleCallable)) this.fail("REDUCE on something that is not an allowed global");
        return this.push(this.apply(fn, arg, fn.call));
      }
      case OP.BUILD: return this.buildOp();
      case OP.BINPERSID: return this.push(this.opts.persistentLoad(this.pop()));
      case OP.POP: this.pop(); return;
      case OP.POP_MARK: this.popMark(); return;
      case OP.DUP: return this.push(this.top());
      default:
        this.pos--;
        this.fail(`unsupported opcode ${OPCODE_NAMES.get(op) ?? ""} 0x${op.toString(16).padStart(2, "0")}`);
    }
  }

  private popMarkItems(): unknown[] {
    const items = this.popMark();
    items.shift(); // the MARK itself
    return items;
  }

  private apply(fn: PickleCallable, arg: unknown, how: (arg: unknown) => unknown): unknown {
    try {
      return how(arg);
    } catch (err) {
      if (err instanceof TorchScriptArchiveError) throw err;
      this.fail(`${fn.qualifiedName}: ${(err as Error).message}`);
    }
  }

  private buildOp(): void {
    const state = this.pop();
    const target = this.pop();
    if (target instanceof PickleCallable) {
      this.push(this.apply(target, state, target.build ?? target.call));
      return;
    }
    // Python's OrderedDict carries its `_metadata` (state_dict versions) as instance state.
    if (target instanceof Map && state instanceof Map) {
      Object.defineProperty(target, "_metadata", { value: state.get("_metadata"), enumerable: false, configurable: true });
      this.push(target);
      return;
    }
    this.fail("BUILD on something that is not an allowed class");
  }

  private appendTo(list: unknown, items: unknown[]): void {
    if (!Array.isArray(list)) this.fail("APPEND(S) on something that is not a list");
    for (const x of items) list.push(x);
    this.nest(list, items);
  }

  private setItems(dict: unknown, items: unknown[]): void {
    if (!(dict instanceof Map)) this.fail("SETITEM(S) on something that is not a dict");
    if (items.length % 2 !== 0) this.fail("SETITEMS with an odd number of items");
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if ((Array.isArray(key) && !isTuple(key)) || key instanceof Map) this.fail("dict key of an unhashable type");
      dict.set(key, items[i + 1]);
    }
    this.nest(dict, items);
  }

  private put(id: number): void {
    if (!this.memo.has(id) && this.stack.length + this.memo.size >= this.opts.limits.maxPickleItems) this.fail("memo too large");
    const v = this.top();
    if (v === MARK) this.fail("BINPUT of a MARK");
    this.memo.set(id, v);
  }

  private get(id: number): void {
    if (!this.memo.has(id)) this.fail(`memo id ${id} was never stored`);
    this.push(this.memo.get(id));
  }

  /** LONG1: little-endian two's complement of n bytes (PyTorch writes 8; Python as few as fit). */
  private long1(): number | bigint {
    const n = this.bytes[this.need(1)]!;
    if (n > 64) this.fail(`LONG1 of ${n} bytes is too long`);
    const at = this.need(n);
    let x = 0n;
    for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(this.bytes[at + i]!);
    if (n > 0 && this.bytes[at + n - 1]! & 0x80) x -= 1n << BigInt(8 * n);
    return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
  }

  /** A newline-terminated ASCII line (GLOBAL's module and name). */
  private line(): string {
    const start = this.pos;
    const limit = Math.min(this.bytes.length, start + 1024);
    for (let i = start; i < limit; i++) {
      if (this.bytes[i] === 0x0a) {
        this.pos = i + 1;
        let s = "";
        for (let j = start; j < i; j++) {
          const c = this.bytes[j]!;
          if (c < 0x20 || c > 0x7e) this.fail("GLOBAL name is not printable ASCII");
          s += String.fromCharCode(c);
        }
        return s;
      }
    }
    this.fail("GLOBAL name without a newline within 1024 bytes");
  }
}
