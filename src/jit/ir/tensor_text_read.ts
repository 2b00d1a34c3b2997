/**
 * Reads tensor constants back from graph text (the inverse of tensor_text.ts, as far as the
 * text allows). `{2.5}` and integer tensors come back exactly; printed floats only to the four
 * decimals shown; `<Tensor>` becomes zeros of the value's type, as PyTorch's IR parser fills
 * it with uninitialized memory. Texts this reader cannot place (column blocks) give null: the
 * attribute then keeps only its text.
 */
import { DTYPES, type DType } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";
import { sliceOrder } from "./tensor_text.js";
import type { JitType } from "./types.js";

const PRINTED = /^([\s\S]*)\[ CPU(\w+)Type\{([\d,]*)\} \]$/;

export function readTensorText(text: string, type: JitType): Tensor | null {
  const t = type.kind === "Tensor" ? type : null;
  if (text === "<Tensor>") {
    const sizes = t?.sizes;
    const dtype = dtypeOf(t?.scalarType ?? null);
    if (!sizes || !dtype || sizes.some((s) => s === null)) return null;
    return Tensor.empty(sizes as number[], dtype);
  }
  const scalar = /^\{(.*)\}$/.exec(text);
  if (scalar) {
    const v = parseNumber(scalar[1]!);
    const dtype = dtypeOf(t?.scalarType ?? null) ?? (Number.isInteger(v) && !/[.e]/.test(scalar[1]!) ? DTYPES.int64 : DTYPES.float32);
    const sizes = t?.sizes && t.sizes.every((s) => s === 1) ? (t.sizes as number[]) : [];
    return filled(dtype, sizes, [v]);
  }
  const m = PRINTED.exec(text);
  if (!m) return null;
  const dtype = dtypeOf(m[2]!);
  if (!dtype || m[1]!.includes("Columns")) return null;
  const shape = m[3] === "" ? [] : m[3]!.split(",").map(Number);
  const values = readValues(m[1]!, shape);
  return values ? filled(dtype, shape, values) : null;
}

/** The numbers of a printed tensor in row-major order, undoing scales and slice order. */
function readValues(body: string, shape: readonly number[]): number[] | null {
  const matrices: number[][] = [];
  let current: number[] = [];
  let scale = 1;
  const tokens = body.trim() === "" ? [] : body.trim().split(/\s+/);
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (/^\(.*\)$/.test(tok)) {
      // "(1,2,.,.)" "=" opens the next 2-d slice, which has its own scale.
      if (current.length > 0) matrices.push(current);
      current = [];
      scale = 1;
      if (tokens[i + 1] === "=") i++;
      continue;
    }
    if (tokens[i + 1] === "*") {
      scale = parseNumber(tok);
      i++;
      continue;
    }
    current.push(parseNumber(tok) * scale);
  }
  matrices.push(current);
  const total = shape.reduce((a, b) => a * b, 1);
  if (shape.length <= 2) return matrices.length === 1 && current.length === total ? current : null;
  const per = shape[shape.length - 2]! * shape[shape.length - 1]!;
  const lead = shape.slice(0, -2);
  const order = sliceOrder(lead);
  if (order.length !== matrices.length) return null;
  const out = new Array<number>(total).fill(0);
  order.forEach((counter, k) => {
    let base = 0;
    for (let i = 0; i < lead.length; i++) base = base * lead[i]! + counter[i]!;
    matrices[k]!.forEach((v, j) => (out[base * per + j] = v));
  });
  return out;
}

function parseNumber(s: string): number {
  if (s === "nan" || s === "-nan") return NaN;
  if (s === "inf") return Infinity;
  if (s === "-inf") return -Infinity;
  const v = Number(s);
  if (Number.isNaN(v)) throw new Error(`cannot read '${s}' as a number in a tensor constant`);
  return v;
}

function dtypeOf(scalarType: string | null): DType | null {
  if (scalarType === null) return null;
  return Object.values(DTYPES).find((d) => d.scalarType === scalarType) ?? null;
}

function filled(dtype: DType, shape: number[], values: readonly number[]): Tensor {
  const data = new dtype.ArrayType(values.length);
  values.forEach((v, i) => (data[i] = v));
  return Tensor.fromData(data, shape, dtype);
}
