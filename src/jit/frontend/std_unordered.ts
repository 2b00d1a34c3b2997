/**
 * Note [variable order]: TorchScript's ControlFlowLoadStores lists the variables a loop body
 * assigns by iterating a `std::unordered_map<std::string, TypePtr>`, so the order of a loop's
 * carried values (and so of `y0, h0 = y1, h1` in the printed code) is libstdc++'s iteration
 * order. This reproduces it: std::hash<std::string> (murmur-style `_Hash_bytes`, seed
 * 0xc70f6907), the prime rehash policy's small bucket counts, and node placement (a new node
 * goes first among its bucket's nodes, or at the front of the list when its bucket is empty;
 * a rehash re-inserts in list order by the same rule).
 */
const MASK = (1n << 64n) - 1n;
const MUL = (0xc6a4a793n << 32n) + 0x5bd1e995n;
const SEED = 0xc70f6907n;

const shiftMix = (v: bigint) => v ^ (v >> 47n);

/** libstdc++'s std::hash<std::string> on a 64-bit target. */
export function stdHashString(s: string): bigint {
  const buf = Buffer.from(s, "utf8");
  const len = buf.length;
  const aligned = len & ~7;
  let hash = (SEED ^ ((BigInt(len) * MUL) & MASK)) & MASK;
  for (let p = 0; p < aligned; p += 8) {
    const data = (shiftMix((buf.readBigUInt64LE(p) * MUL) & MASK) * MUL) & MASK;
    hash ^= data;
    hash = (hash * MUL) & MASK;
  }
  if ((len & 7) !== 0) {
    let data = 0n;
    for (let n = (len & 7) - 1; n >= 0; n--) data = (data << 8n) + BigInt(buf[aligned + n]!);
    hash ^= data;
    hash = (hash * MUL) & MASK;
  }
  hash = (shiftMix(hash) * MUL) & MASK;
  return shiftMix(hash);
}

/** Bucket counts libstdc++ gives a default-constructed map as it grows (measured: 13, then 29, ...). */
const BUCKET_COUNTS = [13, 29, 59, 127, 257, 541, 1109];

type MapNode = { key: string; hash: bigint };

/** Places `node` first among its bucket's nodes, or at the front when the bucket is empty. */
function place(list: MapNode[], node: MapNode, buckets: bigint): void {
  const b = node.hash % buckets;
  const at = list.findIndex((x) => x.hash % buckets === b);
  if (at < 0) list.unshift(node);
  else list.splice(at, 0, node);
}

/**
 * The iteration order of an unordered_map<string, T> after inserting `keys` in order.
 * `rehashed`: the order after one more rehash at the same size, which is what loops with a
 * target variable show in PyTorch 1.13's output (observed, see Note [variable order]).
 */
export function unorderedMapOrder(keys: readonly string[], rehashed = false): string[] {
  let list: MapNode[] = [];
  let size = 0;
  for (const key of keys) {
    if (list.some((x) => x.key === key)) continue;
    while (list.length + 1 > BUCKET_COUNTS[size]!) {
      size++;
      const old = list;
      list = [];
      for (const node of old) place(list, node, BigInt(BUCKET_COUNTS[size]!));
    }
    place(list, { key, hash: stdHashString(key) }, BigInt(BUCKET_COUNTS[size]!));
  }
  if (rehashed) {
    const old = list;
    list = [];
    for (const node of old) place(list, node, BigInt(BUCKET_COUNTS[size]!));
  }
  return list.map((x) => x.key);
}
