/**
 * TorchScript's scalar arithmetic where it differs from JS's: ints are int64 (exact while
 * they fit in a double, wrapped like C++'s two's complement when a result leaves int64),
 * `//` and `%` round toward negative infinity as in Python, `round` rounds half to even,
 * float-to-int conversions check the range, and the libm functions JS lacks.
 *
 * Note [int64 in doubles] (ARCHITECTURE.md, Note [int64 storage]): an int is a JS number;
 * sums, differences and products are exact while |result| <= 2^53, computed exactly with
 * BigInt and wrapped to int64 beyond that, then rounded to the nearest double.
 */
import { RuntimeError } from "../../util/errors.js";

function wrap64(b: bigint): number {
  return Number(BigInt.asIntN(64, b));
}

export function intAdd(a: number, b: number): number {
  const r = a + b;
  return Number.isSafeInteger(r) ? r : wrap64(BigInt(a) + BigInt(b));
}

export function intSub(a: number, b: number): number {
  const r = a - b;
  return Number.isSafeInteger(r) ? r : wrap64(BigInt(a) - BigInt(b));
}

export function intMul(a: number, b: number): number {
  const r = a * b;
  return Number.isSafeInteger(r) ? r + 0 : wrap64(BigInt(a) * BigInt(b));
}

export function intNeg(a: number): number {
  return intSub(0, a);
}

/** Python's `a // b` on ints (c10's floordiv): rounds toward negative infinity. */
export function intFloordiv(a: number, b: number): number {
  if (b === 0) throw new RuntimeError("division by 0");
  if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
    const r = a % b;
    let q = (a - r) / b;
    if (r !== 0 && r < 0 !== b < 0) q -= 1;
    return q + 0; // no -0
  }
  const ba = BigInt(a);
  const bb = BigInt(b);
  let q = ba / bb;
  if (ba % bb !== 0n && ba < 0n !== bb < 0n) q -= 1n;
  return wrap64(q);
}

/** Python's `a % b` on ints: the result takes the sign of b. */
export function intMod(a: number, b: number): number {
  if (b === 0) throw new RuntimeError("ZeroDivisionError: integer division or modulo by zero");
  if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) return ((a % b) + b) % b + 0;
  const bb = BigInt(b);
  return wrap64(((BigInt(a) % bb) + bb) % bb);
}

/** TorchScript's float `%`: fmod(b + fmod(a, b), b), which is Python's modulo for finite values. */
export function floatMod(a: number, b: number): number {
  return (b + (a % b)) % b;
}

/** `**` with the check TorchScript makes (powWrapper). */
export function checkedPow(a: number, b: number): number {
  if (a === 0 && b < 0) throw new RuntimeError("0.0 cannot be raised to a negative power");
  return Math.pow(a, b);
}

/** C's std::round: halves away from zero (JS's Math.round takes them toward +infinity). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** c10's round_to_even: Python 3's round(). */
export function roundToEven(x: number): number {
  if (x - Math.floor(x) !== 0.5) return roundHalfAway(x);
  return 2 * roundHalfAway(x / 2);
}

/** std::to_string of a double: "%f". */
function cToString(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return x.toFixed(6);
}

/** c10 checkDoubleInRange, then the conversion float -> int. */
export function floatToIntChecked(x: number): number {
  if (!Number.isFinite(x) || x > 9223372036854775807 || x < -9223372036854775808) {
    throw new RuntimeError(`Cannot convert float ${cToString(x)} to integer`);
  }
  return Math.trunc(x) + 0;
}

/** C's static_cast<int64_t>(double): truncation (out of range is undefined in C; saturate here). */
export function truncToInt(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.max(-9223372036854775808, Math.min(9223372036854775807, Math.trunc(x))) + 0;
}

// Lanczos approximation (g = 7, 9 coefficients): about 15 significant digits.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** std::lgamma: log |Gamma(x)|. */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** std::tgamma. */
export function tgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === 0) return 1 / x; // +-inf with the sign of zero
  if (x < 0 && Number.isInteger(x)) return NaN;
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * tgamma(1 - x));
  if (x > 171.7) return Infinity;
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return Math.sqrt(2 * Math.PI) * Math.pow(t, z + 0.5) * Math.exp(-t) * a;
}

/** math.factorial on int (c10 factorial): exact in doubles up to 18!, int64-wrapped beyond. */
export function factorial(n: number): number {
  if (n < 0) throw new RuntimeError("factorial() not defined for negative values");
  let r = 1n;
  for (let i = 2n; i <= BigInt(n); i++) r *= i;
  return wrap64(r);
}

export function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
