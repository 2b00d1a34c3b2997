/**
 * Operator upgraders (Note [operator upgraders]): an archive whose version record predates an
 * op's change of meaning runs with the old meaning, as PyTorch 1.13 runs it. The archives are
 * PyTorch's own, written at test time, with the version record rewritten (3: before div's
 * change; 4: before full's); each loads in both and must give the same outputs. A current
 * archive also checks Note [dtype from a float scalar] (`torch.full([2], 3.)` is float).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { optimized_execution } from "../../../src/jit/executor/graph_executor.js";
import { applyUpgraders } from "../../../src/jit/import/upgraders.js";
import { parseGraph, printGraph } from "../../../src/jit/ir/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { difference, runTorchFile, type Encoded } from "./values.js";

const dir = mkdtempSync(join(tmpdir(), "tsjit-upgraders-"));

const FUNCTION = `
@torch.jit.script
def f(a, b, c: int, k: float):
    return torch.div(a, b), a / c, torch.full([2], c), torch.div(a.float(), b), torch.full([2], 3.), torch.arange(k), torch.full([1], c, dtype=torch.int32)

@torch.jit.script
def g(a, b):
    x = a.clone()
    x.div_(b)  # in place on integers: truncated before version 4, an error since
    return x
`;

/**
 * Saves f with each version record (and g with version 3) and returns PyTorch's outputs of
 * each loaded archive, keyed by file name.
 */
function torchArchives(versions: readonly number[]): Record<string, Encoded> {
  return runTorchFile<Record<string, Encoded>>(dir, "make", `
import io, zipfile
${FUNCTION}
def with_version(fn, v, path):
    buf = io.BytesIO()
    torch.jit.save(fn, buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    dst = zipfile.ZipFile(path, "w")
    for info in src.infolist():
        data, name = src.read(info.filename), info.filename
        if name.endswith("/version"):
            name, data = name.split("/")[0] + "/version", ("%d\\n" % v).encode()
        dst.writestr(name, data, compress_type=info.compress_type)
    dst.close()
    return torch.jit.load(path)
a, b = torch.tensor([7, -7, 9]), torch.tensor([2, 2, 4])
out = {}
for v in ${JSON.stringify(versions)}:
    out["f%d" % v] = enc(with_version(f, v, ${JSON.stringify(dir)} + "/f%d.pt" % v)(a, b, 2, 3.0))
out["g3"] = enc(with_version(g, 3, ${JSON.stringify(dir)} + "/g3.pt")(a, b))
print(json.dumps(out))
`);
}

describe.skipIf(!hasTorch)("archives older than an op's change run with its old meaning, as in PyTorch", () => {
  const versions = [3, 4, 10];
  const want = hasTorch ? torchArchives(versions) : {};

  for (const v of versions) {
    it(`version ${v}: the same outputs as PyTorch, interpreted and compiled`, () => {
      const m = torch.jit.load(join(dir, `f${v}.pt`)) as unknown as (...a: unknown[]) => unknown;
      const args = (): unknown[] => [torch.tensor([7, -7, 9]), torch.tensor([2, 2, 4]), 2, 3];
      expect(difference(m(...args()), want[`f${v}`]!)).toBeNull();
      expect(difference(optimized_execution(false, () => m(...args())), want[`f${v}`]!)).toBeNull();
    });
  }

  it("version 3: an in-place division of integers truncates, as PyTorch's upgrader does", () => {
    const m = torch.jit.load(join(dir, "g3.pt")) as unknown as (...a: unknown[]) => unknown;
    expect(difference(m(torch.tensor([7, -7, 9]), torch.tensor([2, 2, 4])), want["g3"]!)).toBeNull();
  });
});

describe("applyUpgraders", () => {
  it("replaces a div of two tensors in a version-3 graph by the upgrader, and leaves newer graphs alone", () => {
    const text = `graph(%a : Tensor, %b : Tensor):
  %r : Tensor = aten::div(%a, %b)
  return (%r)
`;
    const old = parseGraph(text);
    applyUpgraders(old, 3);
    const printed = printGraph(old);
    expect(printed).toContain("aten::is_floating_point(%a)");
    expect(printed).toMatch(/aten::div\(%a, %b, %\w+\)/); // the rounding-mode call
    const current = parseGraph(text);
    applyUpgraders(current, 4);
    expect(printGraph(current)).toBe(printGraph(parseGraph(text)));
  });
});
