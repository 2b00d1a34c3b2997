/**
 * C and C++ number and string formatting, as PyTorch's C++ printers produce it. JavaScript's
 * own number printing differs (`0.1` vs `0.10000000000000001`, `1e-5` vs `1e-05`, no `%g`),
 * so graph text that must match PyTorch byte for byte goes through these.
 */

/** printf("%.{precision}g"): C's shortest of fixed and exponent notation, zeros trimmed. */
export function formatG(x: number, precision = 6): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const p = precision === 0 ? 1 : precision;
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [, expText] = x.toExponential(p - 1).split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= p) {
    const [mant, e] = x.toExponential(p - 1).split("e") as [string, string];
    return `${trimZeros(mant)}e${cExponent(e)}`;
  }
  return trimZeros(x.toFixed(Math.max(0, p - 1 - exp)));
}

/** printf("%.{digits}f"), keeping the sign of negative zero as C does. */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const s = Math.abs(x) >= 1e21 ? BigInt(Math.round(x)).toString() + (digits > 0 ? "." + "0".repeat(digits) : "") : x.toFixed(digits);
  return Object.is(x, -0) ? `-${s}` : s;
}

/** printf("%.{digits}e"): the exponent has a sign and at least two digits. */
export function formatScientific(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const [mant, e] = x.toExponential(digits).split("e") as [string, string];
  return `${Object.is(x, -0) ? "-" : ""}${mant}e${cExponent(e)}`;
}

/**
 * How an IValue double prints in graphs and code (c10 `IValue::repr`): integral values below
 * 1e10 as `2.` (and `-0.`), everything else with 17 significant digits, so the text reads back
 * as the same double: `0.10000000000000001`, `1.0000000000000001e-05`, `1e+20`.
 */
export function formatDoubleRepr(x: number): string {
  if (Number.isFinite(x) && Math.abs(x) < 1e10 && Number.isInteger(x)) {
    return Object.is(x, -0) ? "-0." : `${x}.`;
  }
  return formatG(x, 17);
}

/** C's spelling of infinities and NaN. */
function nonFinite(x: number): string {
  return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

function cExponent(e: string): string {
  const sign = e.startsWith("-") ? "-" : "+";
  const digits = e.replace(/^[+-]/, "");
  return sign + digits.padStart(2, "0");
}

/** C++ `std::setw(width)`: right-aligned, never truncated. */
export function setw(s: string, width: number): string {
  return s.padStart(width, " ");
}

const ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\", "'": "\\'", '"': '\\"', "\x07": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n",
  "\r": "\\r", "\t": "\\t", "\v": "\\v",
};

/**
 * c10::printQuotedString: a double-quoted string with C escapes. It works on UTF-8 bytes and
 * writes every byte outside printable ASCII as a backslash and three "octal" digits computed
 * from the byte as a signed char, which for bytes >= 0x80 gives characters such as `)` and
 * `+` (PyTorch prints "é" as `\0)+\/.)`); `decodeQuotedString` reverses it exactly.
 */
export function quoteString(s: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(s)) {
    const ch = String.fromCharCode(byte);
    const esc = ESCAPES[ch];
    if (esc !== undefined) out += esc;
    else if (byte >= 0x20 && byte < 0x7f) out += ch;
    else out += "\\" + signedOctal(byte > 127 ? byte - 256 : byte);
  }
  return out + '"';
}

function signedOctal(v: number): string {
  // C's % and / truncate toward zero, so negative values give "digits" below '0'.
  const d2 = v % 8;
  v = Math.trunc(v / 8);
  const d1 = v % 8;
  v = Math.trunc(v / 8);
  return String.fromCharCode(48 + v, 48 + d1, 48 + d2);
}

const UNESCAPES: Readonly<Record<string, number>> = {
  "\\": 0x5c, "'": 0x27, '"': 0x22, a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b,
};

/**
 * Reads a string written by `quoteString` starting at `text[start]` (the opening quote).
 * Returns the string and the index just past the closing quote.
 */
export function decodeQuotedString(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  if (quote !== '"' && quote !== "'") throw new Error(`expected a string literal at column ${start + 1}`);
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  let i = start + 1;
  while (i < text.length && text[i] !== quote) {
    const ch = text[i]!;
    if (ch !== "\\") {
      const cp = text.codePointAt(i)!;
      bytes.push(...encoder.encode(String.fromCodePoint(cp)));
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined) break;
    const simple = UNESCAPES[next];
    if (simple !== undefined) {
      bytes.push(simple);
      i += 2;
      continue;
    }
    const digits = text.slice(i + 1, i + 4);
    if (digits.length < 3) throw new Error(`bad escape in string literal at column ${i + 1}`);
    const v = (digits.charCodeAt(0) - 48) * 64 + (digits.charCodeAt(1) - 48) * 8 + (digits.charCodeAt(2) - 48);
    bytes.push((v + 256) % 256);
    i += 4;
  }
  if (text[i] !== quote) throw new Error(`unterminated string literal starting at column ${start + 1}`);
  return { value: new TextDecoder().decode(new Uint8Array(bytes)), end: i + 1 };
}
