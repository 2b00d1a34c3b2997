/**
 * Tensor constants in graph text, exactly as PyTorch 1.13 writes them (ir.cpp printAttribute):
 *
 *   one element      {2.5}  {1}                     a boxed scalar, C++ default float format
 *   up to 10         1  2  3  4 [ CPUFloatType{4} ]  ATen's C++ tensor printer (Formatting.cpp)
 *                                                    with its newlines turned into spaces
 *   more             <Tensor>
 *
 * The C++ printer is ported rule for rule, including its quirks (the max-exponent test that
 * compares a signed value, column blocks without a newline after "Columns 1 to 6", higher
 * dimensional slices enumerated with the first index fastest), because the graph printer
 * must match PyTorch byte for byte.
 */
import type { Tensor } from "../../tensor/tensor.js";
import { formatFixed, formatG, formatScientific, setw } from "./cformat.js";

/** What the printer needs to know about a tensor: row-major values as doubles and its type. */
export interface TensorText {
  readonly values: ArrayLike<number>;
  readonly shape: readonly number[];
  /** PyTorch ScalarType name: Float, Long, Bool, ... */
  readonly scalarType: string;
  readonly floating: boolean;
}

/** Tensor constants larger than this print as `<Tensor>` (ir.h max_tensor_display_size). */
export const MAX_TENSOR_DISPLAY_SIZE = 10;

export function tensorText(t: Tensor): TensorText {
  return { values: t.contiguousData(), shape: t.shape, scalarType: t.dtype.scalarType, floating: t.dtype.is_floating_point };
}

/** The `value=` text of a tensor attribute. */
export function formatTensorAttribute(t: TensorText): string {
  const n = t.values.length;
  if (n === 1) {
    const v = t.values[0]!;
    return `{${t.floating ? formatG(v, 6) : formatLong(v)}}`;
  }
  if (n <= MAX_TENSOR_DISPLAY_SIZE) return formatTensorCpp(t).replace(/\n/g, " ");
  return "<Tensor>";
}

function formatLong(v: number): string {
  return Number.isFinite(v) ? BigInt(Math.trunc(v)).toString() : "0";
}

/** ATen's `operator<<(ostream, Tensor)` (at::print with a line size of 80). */
export function formatTensorCpp(t: TensorText, linesize = 80): string {
  const typeName = `CPU${t.scalarType}Type`;
  const nd = t.shape.length;
  let out = "";
  if (nd === 0) {
    out += `${formatG(t.values[0] ?? 0, 6)}\n[ ${typeName}{}`;
  } else if (nd === 1) {
    if (t.values.length > 0) {
      const f = printFormat(t.values);
      if (f.scale !== 1) out += printScale(f.scale);
      for (let i = 0; i < t.values.length; i++) out += setw(f.format(t.values[i]! / f.scale), f.width) + "\n";
    }
    out += `[ ${typeName}{${t.shape[0]}}`;
  } else {
    if (t.values.length > 0) {
      out += nd === 2 ? printMatrix(t.values, t.shape[0]!, t.shape[1]!, linesize, 0) : printSlices(t, linesize);
    }
    out += `[ ${typeName}{${t.shape.join(",")}}`;
  }
  return out + " ]";
}

interface PrintFormat {
  scale: number;
  width: number;
  format: (x: number) => string;
}

/** Formatting.cpp __printFormat: one format (and scale) for all the values printed together. */
function printFormat(v: ArrayLike<number>): PrintFormat {
  const size = v.length;
  let intMode = true;
  for (let i = 0; i < size; i++) {
    const z = v[i]!;
    if (Number.isFinite(z) && z !== Math.ceil(z)) {
      intMode = false;
      break;
    }
  }
  let offset = 0;
  while (offset < size && !Number.isFinite(v[offset]!)) offset++;
  let expMin = 1;
  let expMax = 1;
  if (offset < size) {
    expMin = Math.abs(v[offset]!);
    expMax = expMin;
    for (let i = offset; i < size; i++) {
      const z = Math.abs(v[i]!);
      if (Number.isFinite(z)) {
        if (z < expMin) expMin = z;
        if (v[i]! > expMax) expMax = z; // sic: C++ compares the signed value
      }
    }
    expMin = expMin !== 0 ? Math.floor(Math.log10(expMin)) + 1 : 1;
    expMax = expMax !== 0 ? Math.floor(Math.log10(expMax)) + 1 : 1;
  }
  const sci = (x: number) => formatScientific(x, 4);
  const fixed = (x: number) => formatFixed(x, 4);
  if (intMode) {
    return expMax > 9 ? { scale: 1, width: 11, format: sci } : { scale: 1, width: expMax + 1, format: (x) => formatG(x, 6) };
  }
  if (expMax - expMin > 4) {
    return { scale: 1, width: Math.abs(expMax) > 99 || Math.abs(expMin) > 99 ? 12 : 11, format: sci };
  }
  if (expMax > 5 || expMax < 0) return { scale: Math.pow(10, expMax - 1), width: 7, format: fixed };
  return { scale: 1, width: expMax === 0 ? 7 : expMax + 6, format: fixed };
}

function printScale(scale: number): string {
  return `${formatG(scale, 6)} *\n`;
}

/** Formatting.cpp __printMatrix over the rows x cols values starting at v[0]. */
function printMatrix(v: ArrayLike<number>, rows: number, cols: number, linesize: number, indent: number): string {
  const f = printFormat(v);
  const pad = " ".repeat(indent);
  let out = pad;
  const perLine = Math.max(1, Math.trunc((linesize - indent) / (f.width + 1)));
  let first = 0;
  while (first < cols) {
    const last = first + perLine <= cols ? first + perLine - 1 : cols - 1;
    if (perLine < cols) {
      if (first !== 0) out += "\n";
      out += `Columns ${first + 1} to ${last + 1}` + pad; // sic: no newline after the header
    }
    if (f.scale !== 1) out += printScale(f.scale) + pad;
    for (let r = 0; r < rows; r++) {
      for (let c = first; c <= last; c++) {
        out += setw(f.format(v[r * cols + c]! / f.scale), f.width);
        if (c === last) {
          out += "\n";
          if (r !== rows - 1) out += f.scale !== 1 ? pad + " " : pad;
        } else out += " ";
      }
    }
    first = last + 1;
  }
  return out;
}

/**
 * Formatting.cpp __printTensor: each 2-d slice under a `(i,j,.,.) = ` header. The slice
 * counter increments its first index fastest, so (2,1,.,.) comes before (1,2,.,.).
 */
function printSlices(t: TensorText, linesize: number): string {
  const lead = t.shape.slice(0, -2);
  const rows = t.shape[t.shape.length - 2]!;
  const cols = t.shape[t.shape.length - 1]!;
  let out = "";
  for (const counter of sliceOrder(lead)) {
    if (out !== "") out += "\n";
    out += `(${counter.map((c) => `${c + 1},`).join("")}.,.) = \n`;
    let base = 0;
    for (let i = 0; i < lead.length; i++) base = base * lead[i]! + counter[i]!;
    const slice = Array.prototype.slice.call(t.values, base * rows * cols, (base + 1) * rows * cols) as number[];
    out += printMatrix(slice, rows, cols, linesize, 1);
  }
  return out;
}

/** The leading indices of the 2-d slices in the order the C++ printer visits them. */
export function sliceOrder(lead: readonly number[]): number[][] {
  const out: number[][] = [];
  if (lead.some((d) => d === 0)) return out;
  const counter = lead.map(() => 0);
  for (;;) {
    out.push(counter.slice());
    let i = 0;
    for (; i < lead.length; i++) {
      counter[i]!++;
      if (counter[i]! < lead[i]!) break;
      counter[i] = 0;
    }
    if (i === lead.length) return out;
  }
}
