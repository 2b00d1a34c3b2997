/**
 * MT19937 exactly as PyTorch's at::mt19937 (ATen/core/MT19937RNGEngine.h),
 * plus the byte layout torch.get_rng_state()/set_rng_state() use for the
 * CPU generator, so states can round-trip with PyTorch checkpoints.
 */

export const MT_N = 624;
const MT_M = 397;
const MATRIX_A = 0x9908b0df;
const UMASK = 0x80000000;
const LMASK = 0x7fffffff;

/** One twist step's mixing, identical to at::mt19937's twist(u, v). */
function twist(u: number, v: number): number {
  return (((u & UMASK) | (v & LMASK)) >>> 1) ^ (v & 1 ? MATRIX_A : 0);
}

export class MT19937 {
  /** 624-word state vector (uint32). */
  readonly state = new Uint32Array(MT_N);
  /** The uint64 seed this engine was created from (reported by initial_seed()). */
  seed = 5489n;
  /** Words left before the next twist; PyTorch starts at 1 so the first draw twists. */
  left = 1;
  /** Index of the next state word to temper. */
  next = 0;

  constructor(seed: bigint = 5489n) {
    this.reseed(seed);
  }

  /** PyTorch's init_with_uint32: only the low 32 bits feed init_genrand, but all 64 are remembered. */
  reseed(seed: bigint): void {
    this.seed = BigInt.asUintN(64, seed);
    const s = this.state;
    let prev = Number(this.seed & 0xffffffffn);
    s[0] = prev;
    for (let j = 1; j < MT_N; j++) {
      prev = (Math.imul(1812433253, prev ^ (prev >>> 30)) + j) >>> 0;
      s[j] = prev;
    }
    this.left = 1;
    this.next = 0;
  }

  /** Next uint32, same sequence as at::mt19937::operator(). */
  nextU32(): number {
    if (--this.left === 0) this.regenerate();
    let y = this.state[this.next++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Regenerates all 624 words (PyTorch's next_state); pointer-walk order preserved. */
  private regenerate(): void {
    const s = this.state;
    let i = 0;
    for (; i < MT_N - MT_M; i++) s[i] = s[i + MT_M]! ^ twist(s[i]!, s[i + 1]!);
    for (; i < MT_N - 1; i++) s[i] = s[i + MT_M - MT_N]! ^ twist(s[i]!, s[i + 1]!);
    s[MT_N - 1] = s[MT_M - 1]! ^ twist(s[MT_N - 1]!, s[0]!);
    this.left = MT_N;
    this.next = 0;
  }

  /** Deep copy (engine only). */
  clone(): MT19937 {
    const c = new MT19937(0n);
    c.state.set(this.state);
    c.seed = this.seed;
    c.left = this.left;
    c.next = this.next;
    return c;
  }
}

/**
 * Byte layout of PyTorch's CPUGeneratorImplState (x86-64, little endian):
 *   legacy_pod: u64 the_initial_seed @0, i32 left @8, i32 seeded @12, u64 next @16,
 *               u64 state[624] @24, f64 normal_x @5016, f64 normal_y @5024,
 *               f64 normal_rho @5032, i32 normal_is_valid @5040 (padded to 5048)
 *   f32 next_float_normal_sample @5048, bool valid @5052 (padded to 5056).
 */
export const RNG_STATE_BYTES = 5056;
export const RNG_STATE_BYTES_LEGACY = 5048;
const OFF_STATE = 24;
const OFF_NORMAL_X = 5016;
const OFF_NORMAL_Y = 5024;
const OFF_NORMAL_RHO = 5032;
const OFF_NORMAL_VALID = 5040;
const OFF_FLOAT_SAMPLE = 5048;
const OFF_FLOAT_VALID = 5052;

/** Engine plus the Box–Muller caches, i.e. everything torch.get_rng_state() captures. */
export interface RngSnapshot {
  engine: MT19937;
  nextDoubleNormal: number | null;
  nextFloatNormal: number | null;
}

export function encodeRngState(snap: RngSnapshot): Uint8Array {
  const bytes = new Uint8Array(RNG_STATE_BYTES);
  const dv = new DataView(bytes.buffer);
  const e = snap.engine;
  dv.setBigUint64(0, e.seed, true);
  dv.setInt32(8, e.left, true);
  dv.setInt32(12, 1, true); // seeded_ is always true once constructed
  dv.setBigUint64(16, BigInt(e.next), true);
  for (let i = 0; i < MT_N; i++) {
    // each uint32 word widened to uint64: low word = value, high word = 0
    dv.setUint32(OFF_STATE + 8 * i, e.state[i]!, true);
  }
  // normal_x / normal_rho are dummies in PyTorch >= 1.5; normal_y carries the double cache
  if (snap.nextDoubleNormal !== null) {
    dv.setInt32(OFF_NORMAL_VALID, 1, true);
    dv.setFloat64(OFF_NORMAL_Y, snap.nextDoubleNormal, true);
  }
  if (snap.nextFloatNormal !== null) {
    dv.setFloat32(OFF_FLOAT_SAMPLE, snap.nextFloatNormal, true);
    bytes[OFF_FLOAT_VALID] = 1;
  }
  return bytes;
}

export function decodeRngState(bytes: Uint8Array): RngSnapshot {
  const n = bytes.byteLength;
  if (n !== RNG_STATE_BYTES && n !== RNG_STATE_BYTES_LEGACY) {
    throw new RangeError(
      `Expected a CPU RNG state of ${RNG_STATE_BYTES} bytes (or legacy ${RNG_STATE_BYTES_LEGACY}) but got ${n}`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n);
  const engine = new MT19937(0n);
  engine.seed = dv.getBigUint64(0, true);
  engine.left = dv.getInt32(8, true);
  const seeded = dv.getInt32(12, true) !== 0;
  // at::mt19937_data_pod stores next_ as uint32: truncate the legacy u64
  engine.next = Number(dv.getBigUint64(16, true) & 0xffffffffn);
  for (let i = 0; i < MT_N; i++) engine.state[i] = dv.getUint32(OFF_STATE + 8 * i, true);
  if (!seeded || engine.left <= 0 || engine.left > MT_N || engine.next > MT_N) {
    throw new RangeError("Invalid mt19937 state");
  }
  let nextDoubleNormal: number | null = null;
  let nextFloatNormal: number | null = null;
  const normalValid = dv.getInt32(OFF_NORMAL_VALID, true) !== 0;
  if (n === RNG_STATE_BYTES_LEGACY) {
    // Pre-1.5 checkpoints cached (rho, x) instead of the sample; rebuild it the way 1.13 did.
    if (normalValid) {
      const rho = dv.getFloat64(OFF_NORMAL_RHO, true);
      const theta = 2.0 * Math.PI * dv.getFloat64(OFF_NORMAL_X, true);
      nextDoubleNormal = rho * Math.sin(theta);
    }
  } else {
    if (normalValid) nextDoubleNormal = dv.getFloat64(OFF_NORMAL_Y, true);
    if (bytes[OFF_FLOAT_VALID] !== 0) nextFloatNormal = dv.getFloat32(OFF_FLOAT_SAMPLE, true);
  }
  return { engine, nextDoubleNormal, nextFloatNormal };
}
