/**
 * PyTorch 1.13's tensor `repr` (torch/_tensor_str.py), reproduced character for character.
 *
 * Pure module: it sees a tensor only as shape + dtype + contiguous values, so it has no
 * dependency on the tensor class. The pieces mirror PyTorch's: a formatter that picks
 * int / sci / fixed mode and one common element width from the (summarised) values, a
 * recursive bracket writer, and the suffix writer that wraps `dtype=`/`grad_fn=` suffixes.
 *
 * Number formatting reproduces Python's `'{:.Nf}'` / `'{:.Ne}'` exactly: both round the exact
 * binary value half-to-even, whereas JS `toFixed` rounds ties away from zero and drops the
 * sign of -0, so we round with BigInt arithmetic on the exact rational value of the double.
 */

export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sci_mode: boolean | null;
}

/** Live options (torch._tensor_str.PRINT_OPTS); PyTorch's defaults. */
export const printOptions: PrintOptions = {
  precision: 4,
  threshold: 1000,
  edgeitems: 3,
  linewidth: 80,
  sci_mode: null,
};

/** torch.set_printoptions: a profile first, then explicit options over it. */
export function set_printoptions(
  opts: Partial<PrintOptions> & { profile?: "default" | "short" | "full" },
): void {
  const profiles: Record<string, Omit<PrintOptions, "sci_mode">> = {
    default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
    short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
    full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
  };
  if (opts.profile !== undefined) Object.assign(printOptions, profiles[opts.profile]);
  if (opts.precision !== undefined) printOptions.precision = opts.precision;
  if (opts.threshold !== undefined) printOptions.threshold = opts.threshold;
  if (opts.edgeitems !== undefined) printOptions.edgeitems = opts.edgeitems;
  if (opts.linewidth !== undefined) printOptions.linewidth = opts.linewidth;
  // PyTorch assigns sci_mode unconditionally, so any call without it resets it to automatic.
  printOptions.sci_mode = opts.sci_mode ?? null;
}

export type PrintDtype =
  | "float32" | "float64" | "float16" | "bfloat16"
  | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";

export interface PrintableTensor {
  shape: readonly number[];
  dtype: PrintDtype;
  /** Contiguous row-major values (bool as 0/1; int64 as JS numbers). */
  values: ArrayLike<number>;
  /** True on a leaf that requires grad -> ", requires_grad=True". */
  requires_grad?: boolean;
  /** e.g. "TanhBackward0" -> ", grad_fn=<TanhBackward0>" (takes precedence over requires_grad). */
  grad_fn?: string | null;
}

const isFloating = (d: PrintDtype): boolean =>
  d === "float32" || d === "float64" || d === "float16" || d === "bfloat16";

// ---------------------------------------------------------------- exact decimal formatting

/** The exact value of a positive finite double as num/den (den a power of two). */
function exactRational(x: number): [bigint, bigint] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp = expBits - 1075;
  if (expBits === 0) exp = -1074; // subnormal: no implicit bit
  else mant |= 1n << 52n;
  return exp >= 0 ? [mant << BigInt(exp), 1n] : [mant, 1n << BigInt(-exp)];
}

/** round(n / d) with ties to even, as Python's float formatting rounds. */
function roundHalfEven(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r2 = 2n * (n % d);
  return r2 > d || (r2 === d && q % 2n === 1n) ? q + 1n : q;
}

const pow10 = (k: number): bigint => 10n ** BigInt(k);
const isNegative = (x: number): boolean => x < 0 || Object.is(x, -0);

function nonFinite(x: number): string {
  return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
}

/** Python `'{:.{p}f}'.format(x)`. */
export function formatFixed(x: number, p: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const sign = isNegative(x) ? "-" : "";
  const ax = Math.abs(x);
  const [num, den] = ax === 0 ? [0n, 1n] : exactRational(ax);
  const digits = roundHalfEven(num * pow10(p), den).toString().padStart(p + 1, "0");
  if (p === 0) return sign + digits;
  return `${sign}${digits.slice(0, -p)}.${digits.slice(-p)}`;
}

/** Python `'{:.{p}e}'.format(x)`: mantissa d.ddd, exponent sign and at least two digits. */
export function formatExp(x: number, p: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const sign = isNegative(x) ? "-" : "";
  const ax = Math.abs(x);
  let e = 0;
  let q = 0n;
  if (ax !== 0) {
    const [num, den] = exactRational(ax);
    e = Math.floor(Math.log10(ax)); // may be off by one; corrected below
    for (;;) {
      const k = p - e;
      q = k >= 0 ? roundHalfEven(num * pow10(k), den) : roundHalfEven(num, den * pow10(-k));
      if (q >= pow10(p + 1)) e += 1;
      else if (q < pow10(p)) e -= 1;
      else break;
    }
  }
  const ds = q.toString().padStart(p + 1, "0");
  const mant = p === 0 ? ds : `${ds[0] ?? "0"}.${ds.slice(1)}`;
  const es = String(Math.abs(e)).padStart(2, "0");
  return `${sign}${mant}e${e < 0 ? "-" : "+"}${es}`;
}

/** Python `str(int)`; integers past 1e21 would otherwise print in exponent form in JS. */
function intStr(v: number): string {
  return Math.abs(v) >= 1e21 ? BigInt(v).toString() : String(v);
}

/**
 * Python's repr of `tensor.item()` for a value of the given dtype: shortest round-trip
 * digits for floats (`0.1`, `1e-05`, `3.0`), `str(int)` for integers, `True`/`False`.
 */
export function formatScalar(value: number, dtype: PrintDtype): string {
  if (dtype === "bool") return value !== 0 ? "True" : "False";
  if (!isFloating(dtype)) return intStr(value);
  if (!Number.isFinite(value)) return nonFinite(value);
  const v = dtype === "float64" ? value : Math.fround(value);
  const sign = isNegative(v) ? "-" : "";
  const [m = "0", expPart = "0"] = Math.abs(v).toExponential().split("e");
  const digits = m.replace(".", "");
  const e = Number(expPart);
  if (e < -4 || e >= 16) {
    // Python's repr switches to exponent form outside [1e-4, 1e16).
    const mant = digits.length > 1 ? `${digits[0] ?? ""}.${digits.slice(1)}` : digits;
    return `${sign}${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  const intPart = digits.slice(0, e + 1).padEnd(e + 1, "0");
  const frac = digits.slice(e + 1);
  return `${sign}${intPart}.${frac === "" ? "0" : frac}`;
}

// ---------------------------------------------------------------- _Formatter

interface Formatter {
  floating: boolean;
  bool: boolean;
  intMode: boolean;
  sciMode: boolean;
  maxWidth: number;
}

/** _Formatter.__init__: decide the mode and the common width from the values shown. */
function makeFormatter(vals: readonly number[], dtype: PrintDtype): Formatter {
  const p = printOptions.precision;
  const f: Formatter = {
    floating: isFloating(dtype),
    bool: dtype === "bool",
    intMode: true,
    sciMode: false,
    maxWidth: 1,
  };
  if (!f.floating) {
    for (const v of vals) f.maxWidth = Math.max(f.maxWidth, plainStr(f, v).length);
  } else {
    const finite = vals.filter((v) => Number.isFinite(v) && v !== 0);
    if (finite.length > 0) {
      let min = Infinity;
      let max = 0;
      for (const v of finite) {
        min = Math.min(min, Math.abs(v));
        max = Math.max(max, Math.abs(v));
        if (v !== Math.ceil(v)) f.intMode = false;
      }
      // Ratios are taken in double precision, as PyTorch converts to double first.
      const wide = max / min > 1000 || max > 1e8;
      f.sciMode = f.intMode ? wide : wide || min < 1e-4;
      const width = (v: number): number =>
        f.sciMode ? formatExp(v, p).length
        : f.intMode ? formatFixed(v, 0).length + 1 // room for the trailing "."
        : formatFixed(v, p).length;
      for (const v of finite) f.maxWidth = Math.max(f.maxWidth, width(v));
    }
  }
  // The override only changes how values print; the width stays that of the automatic mode.
  if (printOptions.sci_mode !== null) f.sciMode = printOptions.sci_mode;
  return f;
}

function plainStr(f: Formatter, v: number): string {
  return f.bool ? (v !== 0 ? "True" : "False") : intStr(v);
}

/** _Formatter.format: one element, right-aligned to the common width. */
function formatValue(f: Formatter, v: number): string {
  let s: string;
  if (!f.floating) s = plainStr(f, v);
  else if (f.sciMode) s = formatExp(v, printOptions.precision);
  else if (f.intMode) s = formatFixed(v, 0) + (Number.isFinite(v) ? "." : "");
  else s = formatFixed(v, printOptions.precision);
  return " ".repeat(Math.max(0, f.maxWidth - s.length)) + s;
}

/**
 * Each of `shown` as PyTorch prints it inside a tensor whose displayed values are exactly
 * `shown` (one mode and precision for all, as _Formatter decides), without the padding that
 * aligns columns in text. For displays that lay elements out themselves (HTML tables).
 */
export function formatElements(shown: readonly number[], dtype: PrintDtype): string[] {
  const narrow = dtype !== "float64" && isFloating(dtype);
  const vals = narrow ? shown.map((v) => Math.fround(v)) : shown;
  const f = { ...makeFormatter(vals, dtype), maxWidth: 0 };
  return vals.map((v) => formatValue(f, v));
}

// ---------------------------------------------------------------- layout

/** Indices shown along a dimension of `size`; null marks the "..." slot. */
function shownIndices(size: number, summarize: boolean, vector: boolean): (number | null)[] {
  const e = printOptions.edgeitems;
  const all = Array.from({ length: size }, (_, i) => i);
  if (!summarize || size <= 2 * e) return all;
  // Python's `self[-0:]` is the whole vector, so a 1-D tail with edgeitems=0 shows everything.
  const tail = vector && e === 0 ? all : all.slice(size - e);
  return [...all.slice(0, e), null, ...tail];
}

function stridesOf(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) st[d] = (st[d + 1] ?? 1) * (shape[d + 1] ?? 1);
  return st;
}

interface Layout {
  shape: readonly number[];
  strides: number[];
  get: (i: number) => number;
  summarize: boolean;
}

/** get_summarized_data, flattened: the values the formatter is allowed to see. */
function collect(L: Layout, dim: number, offset: number, out: number[]): void {
  if (dim === L.shape.length) {
    out.push(L.get(offset));
    return;
  }
  const size = L.shape[dim] ?? 0;
  const stride = L.strides[dim] ?? 1;
  const vector = dim === L.shape.length - 1;
  for (const i of shownIndices(size, L.summarize, vector)) {
    if (i !== null) collect(L, dim + 1, offset + i * stride, out);
  }
}

/** _tensor_str_with_formatter / _vector_str for the sub-tensor at `offset` from `dim` on. */
function render(L: Layout, f: Formatter, dim: number, offset: number, indent: number): string {
  const rank = L.shape.length - dim;
  if (rank === 0) return formatValue(f, L.get(offset));
  const size = L.shape[dim] ?? 0;
  const stride = L.strides[dim] ?? 1;
  const idx = shownIndices(size, L.summarize, rank === 1);
  if (rank === 1) {
    const perLine = Math.max(1, Math.floor((printOptions.linewidth - indent) / (f.maxWidth + 2)));
    const items = idx.map((i) => (i === null ? " ..." : formatValue(f, L.get(offset + i * stride))));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
    return `[${lines.join(",\n" + " ".repeat(indent + 1))}]`;
  }
  const slices = idx.map((i) =>
    i === null ? "..." : render(L, f, dim + 1, offset + i * stride, indent + 1),
  );
  // Blocks of rank r are separated by r-1 newlines (a blank line between 2-D blocks, ...).
  return `[${slices.join("," + "\n".repeat(rank - 1) + " ".repeat(indent + 1))}]`;
}

/** _add_suffixes, including its off-by-two last-line length. */
function addSuffixes(str: string, suffixes: readonly string[], indent: number): string {
  const parts = [str];
  let lastLen = str.length - str.lastIndexOf("\n") + 1;
  for (const s of suffixes) {
    if (lastLen + s.length + 2 > printOptions.linewidth) {
      parts.push(",\n" + " ".repeat(indent) + s);
      lastLen = indent + s.length;
    } else {
      parts.push(", " + s);
      lastLen += s.length + 2;
    }
  }
  return parts.join("") + ")";
}

const tupleStr = (shape: readonly number[]): string =>
  `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;

/** Equals PyTorch 1.13's `repr(t)` for a dense CPU tensor under `printOptions`. */
export function formatTensor(t: PrintableTensor): string {
  const prefix = "tensor(";
  const indent = prefix.length;
  const suffixes: string[] = [];
  const numel = t.shape.reduce((a, b) => a * b, 1);
  let body: string;
  if (numel === 0) {
    // No elements to infer int64 from, so only float32 (the default dtype) goes unnamed.
    if (t.shape.length !== 1) suffixes.push(`size=${tupleStr(t.shape)}`);
    if (t.dtype !== "float32") suffixes.push(`dtype=torch.${t.dtype}`);
    body = "[]";
  } else {
    if (t.dtype !== "float32" && t.dtype !== "int64" && t.dtype !== "bool") {
      suffixes.push(`dtype=torch.${t.dtype}`);
    }
    // Narrow floats print via float32 (PyTorch calls .float()); fround normalises stray doubles.
    const narrow = t.dtype !== "float64" && isFloating(t.dtype);
    const values = t.values;
    const L: Layout = {
      shape: t.shape,
      strides: stridesOf(t.shape),
      get: narrow ? (i) => Math.fround(values[i] ?? NaN) : (i) => values[i] ?? NaN,
      summarize: numel > printOptions.threshold,
    };
    const shown: number[] = [];
    collect(L, 0, 0, shown);
    body = render(L, makeFormatter(shown, t.dtype), 0, 0, indent);
  }
  if (t.grad_fn) suffixes.push(`grad_fn=<${t.grad_fn}>`);
  else if (t.requires_grad) suffixes.push("requires_grad=True");
  return addSuffixes(prefix + body, suffixes, indent);
}
