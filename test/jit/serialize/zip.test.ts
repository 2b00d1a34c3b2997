/**
 * The zip container: our writer's layout is PyTorch's (§2.3 of torchscript-format.md), Python's
 * zipfile reads what we write, we read every conformance archive and what zipfile writes, and
 * the hardened reader rejects malformed directories with a TorchScriptArchiveError.
 */
import { describe, expect, it } from "vitest";
import { ZipWriter } from "../../../src/jit/serialize/zip_writer.js";
import { ZipReader } from "../../../src/jit/serialize/zip_reader.js";
import { TorchScriptArchiveError } from "../../../src/jit/serialize/errors.js";
import { caseArchive, caseJson, caseNames, hasPython, python } from "./support.js";

const text = (s: string) => Buffer.from(s, "utf8");

function sample(): Buffer {
  const w = new ZipWriter();
  w.add("archive/data/0", new Uint8Array(Array.from({ length: 100 }, (_, i) => i)));
  w.add("archive/code/__torch__.py", text("x".repeat(300) + "\n"), { deflate: true });
  w.add("archive/version", text("3\n"));
  return w.finish();
}

describe("zip writer", () => {
  it("aligns every record's data to 64 bytes, PyTorch's FB extra and flags", () => {
    const zip = new ZipReader(sample());
    for (const e of zip.entries) {
      expect(e.dataOffset % 64, e.name).toBe(0);
    }
    const buf = sample();
    expect(buf.readUInt16LE(6)).toBe(0x0808);
    expect(buf.readUInt16LE(30 + "archive/data/0".length)).toBe(0x4246);
    // zip64 end record and locator before the classic end record, as miniz writes them
    expect(buf.readUInt32LE(buf.length - 22)).toBe(0x06054b50);
    expect(buf.readUInt32LE(buf.length - 42)).toBe(0x07064b50);
    expect(buf.readUInt32LE(buf.length - 98)).toBe(0x06064b50);
  });

  it("round-trips stored and deflated records", () => {
    const zip = new ZipReader(sample());
    expect(zip.names()).toEqual(["archive/data/0", "archive/code/__torch__.py", "archive/version"]);
    expect(zip.entry("archive/code/__torch__.py")!.method).toBe(8);
    expect(Buffer.from(zip.read("archive/code/__torch__.py")).toString()).toBe("x".repeat(300) + "\n");
    expect(Array.from(zip.read("archive/data/0")).slice(0, 4)).toEqual([0, 1, 2, 3]);
  });

  it.skipIf(!hasPython)("Python's zipfile reads it, CRCs included", () => {
    const out = python(
      "import sys, zipfile, io, json\nz = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))\n" +
        "assert z.testzip() is None\nprint(json.dumps([[i.filename, i.compress_type, len(z.read(i))] for i in z.infolist()]))",
      sample(),
    );
    expect(JSON.parse(out.toString())).toEqual([["archive/data/0", 0, 100], ["archive/code/__torch__.py", 8, 301], ["archive/version", 0, 2]]);
  });
});

describe("zip reader", () => {
  it("reads every conformance archive as archive.json lists it", () => {
    for (const name of caseNames()) {
      const zip = new ZipReader(caseArchive(name));
      const listed = caseJson<{ entries: { name: string; compress_type: number; file_size: number; data_offset: number }[] }>(name, "archive.json").entries;
      expect(zip.entries.map((e) => [e.name, e.method, e.size, e.dataOffset]), name).toEqual(
        listed.map((e) => [e.name, e.compress_type, e.file_size, e.data_offset]),
      );
      for (const e of zip.entries) expect(zip.read(e.name).length).toBe(e.size);
    }
  });

  it.skipIf(!hasPython)("reads Python zipfile output (no alignment, no descriptors, all deflated)", () => {
    const buf = python(
      "import sys, zipfile, io\nb = io.BytesIO()\nz = zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED)\n" +
        "z.writestr('m/data.pkl', b'abc' * 100)\nz.writestr('m/version', '3\\n')\nz.close()\nsys.stdout.buffer.write(b.getvalue())",
    );
    const zip = new ZipReader(buf);
    expect(Buffer.from(zip.read("m/data.pkl")).toString()).toBe("abc".repeat(100));
  });

  const broken = (mutate: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(sample());
    mutate(b);
    return b;
  };
  const cdOffset = (b: Buffer) => b.readUInt32LE(b.length - 6);

  it.each([
    ["empty file", () => Buffer.alloc(0), /too short/],
    ["no end record", () => Buffer.alloc(100), /no end-of-central-directory/],
    ["truncated", () => sample().subarray(0, 200), /end-of-central-directory/],
    ["directory offset past the end", () => broken((b) => {
      b.writeUInt32LE(0xfffffff0, b.length - 6);
    }), /disagree|outside|overlaps/],
    ["entry count over the limit", () => sample(), /exceed the limit/, { maxEntries: 2 }],
    ["a name with ..", () => broken((b) => {
      const at = cdOffset(b) + 46;
      b.write("../../", at, "latin1");
    }), /'\.' or '\.\.'/],
    ["a drive-letter name", () => broken((b) => {
      b.write("C:", cdOffset(b) + 46, "latin1");
    }), /is absolute/],
    ["a lower-case drive-letter name", () => broken((b) => {
      b.write("z:", cdOffset(b) + 46, "latin1");
    }), /is absolute/],
    ["local header disagrees", () => broken((b) => {
      b.write("X", 30, "latin1");
    }), /local header names a different entry/],
    ["declared size is a lie", () => broken((b) => {
      // the deflated entry is the second central entry
      const first = cdOffset(b);
      const second = first + 46 + b.readUInt16LE(first + 28);
      b.writeUInt32LE(5000, second + 24);
    }), /inflates to|more than deflate/],
    ["corrupt stored data (CRC)", () => broken((b) => {
      b[64] = b[64]! ^ 0xff;
    }), /CRC-32/],
  ] as const)("rejects %s", (_what, make, pattern, limits?: { maxEntries: number }) => {
    const read = () => {
      const zip = new ZipReader(make(), limits);
      for (const n of zip.names()) zip.read(n);
    };
    expect(read).toThrow(TorchScriptArchiveError);
    expect(read).toThrow(pattern);
  });
});
