/**
 * A tensor as an Arrow IPC file (`application/vnd.apache.arrow.file`, base64), built with
 * apache-arrow. Layout (README.md, "Arrow layout"): one row per element in row-major order,
 * Int32 index columns `dim0`, `dim1`, ... and a `value` column in the tensor's own Arrow type;
 * schema metadata `tsjit.shape` (JSON array) and `tsjit.dtype` (PyTorch's dtype name).
 */
import {
  Bool, Float16, Float32, Float64, Int8, Int16, Int32, Int64, Uint8,
  Field, Schema, Table, makeData, makeVector, tableToIPC, util, vectorFromArray,
  type DataType, type Vector,
} from "apache-arrow";
import type { DTypeName } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { contiguousStrides } from "./tensor_values.js";

export const ARROW_MIME = "application/vnd.apache.arrow.file";

/** Display settings a user may change (`displayOptions.arrowMaxElements = 1e6`). */
export const arrowOptions = {
  /** Tensors with more elements get no Arrow payload (it would bloat the notebook file). */
  maxElements: 100_000,
};

type ValueColumn = (values: ArrayLike<number>) => Vector<DataType>;

/** Each dtype's Arrow column, as data. bfloat16 has no Arrow type: Float32 holds it exactly. */
const VALUE_COLUMNS: Readonly<Record<DTypeName, ValueColumn>> = {
  float32: (v) => makeVector(Float32Array.from(v)),
  float64: (v) => makeVector(Float64Array.from(v)),
  float16: (v) => makeVector(makeData({ type: new Float16(), data: Uint16Array.from(v, (x) => util.float64ToUint16(x)) })),
  bfloat16: (v) => makeVector(Float32Array.from(v)),
  // Note [int64 storage]: the values are integers held in doubles; BigInt() is exact for them.
  int64: (v) => makeVector(BigInt64Array.from(Array.from(v), (x) => BigInt(x))),
  int32: (v) => makeVector(Int32Array.from(v)),
  int16: (v) => makeVector(Int16Array.from(v)),
  int8: (v) => makeVector(Int8Array.from(v)),
  uint8: (v) => makeVector(Uint8Array.from(v)),
  bool: (v) => vectorFromArray(Array.from(v, (x) => x !== 0), new Bool()),
};

/** The Arrow type a dtype's `value` column has (for documentation and tests). */
export const ARROW_VALUE_TYPES: Readonly<Record<DTypeName, string>> = {
  float32: String(new Float32()), float64: String(new Float64()), float16: String(new Float16()),
  bfloat16: String(new Float32()), int64: String(new Int64()), int32: String(new Int32()),
  int16: String(new Int16()), int8: String(new Int8()), uint8: String(new Uint8()), bool: String(new Bool()),
};

/** Index column `dim{d}`: element k's index along dimension d. */
function indexColumn(shape: readonly number[], d: number, n: number): Int32Array {
  const stride = contiguousStrides(shape)[d] ?? 1;
  const size = shape[d] ?? 1;
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[k] = Math.floor(k / stride) % size;
  return out;
}

/** The Arrow table of `t` (see the layout above). */
export function tensorArrowTable(t: Tensor): Table {
  const n = t.numel();
  const columns: Record<string, Vector<DataType>> = {};
  t.shape.forEach((_, d) => {
    columns[`dim${d}`] = makeVector(indexColumn(t.shape, d, n));
  });
  columns["value"] = VALUE_COLUMNS[t.dtype.name](t.contiguousData());
  const table = new Table(columns);
  const metadata = new Map([
    ["tsjit.shape", JSON.stringify(t.shape)],
    ["tsjit.dtype", t.dtype.name],
  ]);
  const schema = new Schema(table.schema.fields.map((f: Field) => f), metadata);
  return new Table(schema, table.batches.map((b) => b));
}

/** The base64 Arrow IPC file for a tensor's bundle, or undefined past `arrowOptions.maxElements`. */
export function tensorArrowBase64(t: Tensor): string | undefined {
  if (t.numel() > arrowOptions.maxElements) return undefined;
  return Buffer.from(tableToIPC(tensorArrowTable(t), "file")).toString("base64");
}
