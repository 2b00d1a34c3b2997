import { describe, expect, it } from "vitest";
import { tableFromIPC, type Table } from "apache-arrow";
import { torch } from "../../../src/index.js";
import { ARROW_MIME, ARROW_VALUE_TYPES, arrowOptions, mimeBundleOf } from "../../../src/kernel/display/index.js";

/** Decodes a tensor's Arrow payload from its display bundle, as a frontend would. */
function decode(t: torch.Tensor): Table {
  const payload = mimeBundleOf(t)?.data[ARROW_MIME];
  expect(typeof payload).toBe("string");
  return tableFromIPC(Buffer.from(payload as string, "base64"));
}

const values = (table: Table): unknown[] => [...(table.getChild("value") ?? [])];

describe("tensor application/vnd.apache.arrow.file", () => {
  it("float32 2-D: one row per element, index columns, the values exactly", () => {
    torch.manual_seed(0);
    const t = torch.randn(3, 4);
    const table = decode(t);
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(["dim0:Int32", "dim1:Int32", "value:Float32"]);
    expect(table.numRows).toBe(12);
    expect(values(table)).toEqual((t.flatten().tolist() as number[]));
    expect([...(table.getChild("dim0") ?? [])]).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect([...(table.getChild("dim1") ?? [])]).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expect(table.schema.metadata.get("tsjit.shape")).toBe("[3,4]");
    expect(table.schema.metadata.get("tsjit.dtype")).toBe("float32");
  });

  it("reads elements of a non-contiguous view in row-major order", () => {
    const t = torch.arange(6).reshape(2, 3).t();
    expect(values(decode(t))).toEqual([0n, 3n, 1n, 4n, 2n, 5n]);
  });

  it("int64 becomes Int64 (BigInt), exact up to 2^53", () => {
    const t = torch.tensor([2 ** 53, -(2 ** 40), 0], { dtype: torch.int64 });
    const table = decode(t);
    expect(String(table.schema.fields.at(-1)?.type)).toBe("Int64");
    expect(values(table)).toEqual([2n ** 53n, -(2n ** 40n), 0n]);
  });

  it("bool becomes Bool", () => {
    const table = decode(torch.tensor([true, false, true]));
    expect(String(table.schema.fields.at(-1)?.type)).toBe("Bool");
    expect(values(table)).toEqual([true, false, true]);
  });

  it("float16 becomes Float16, bit for bit (subnormals, infinities, -0)", () => {
    const src = [1.5, -0, 2 ** -24, 65504, -Infinity, 0.0999755859375, 2 ** -14];
    const t = torch.tensor(src, { dtype: torch.float16 });
    const table = decode(t);
    expect(String(table.schema.fields.at(-1)?.type)).toBe("Float16");
    const back = values(table) as number[];
    expect(back.map((v) => Object.is(v, -0) ? "-0" : v)).toEqual((t.tolist() as number[]).map((v) => Object.is(v, -0) ? "-0" : v));
    expect(Number.isNaN((values(decode(torch.tensor([NaN], { dtype: torch.float16 }))) as number[])[0])).toBe(true);
  });

  it("every dtype maps to its documented Arrow type and round-trips", () => {
    const dtypes = [torch.float64, torch.bfloat16, torch.int32, torch.int16, torch.int8, torch.uint8] as const;
    for (const dtype of dtypes) {
      const t = torch.tensor([1, 2, 100], { dtype });
      const table = decode(t);
      expect(String(table.schema.fields.at(-1)?.type)).toBe(ARROW_VALUE_TYPES[dtype.name]);
      expect(values(table).map(Number)).toEqual(t.tolist());
    }
  });

  it("0-D: just a value column with one row", () => {
    const table = decode(torch.tensor(2.5));
    expect(table.schema.fields.map((f) => f.name)).toEqual(["value"]);
    expect(values(table)).toEqual([2.5]);
    expect(table.schema.metadata.get("tsjit.shape")).toBe("[]");
  });

  it("is left out past arrowOptions.maxElements", () => {
    const saved = arrowOptions.maxElements;
    arrowOptions.maxElements = 10;
    try {
      expect(mimeBundleOf(torch.zeros(11))?.data[ARROW_MIME]).toBeUndefined();
      expect(mimeBundleOf(torch.zeros(10))?.data[ARROW_MIME]).toBeDefined();
    } finally {
      arrowOptions.maxElements = saved;
    }
  });
});
