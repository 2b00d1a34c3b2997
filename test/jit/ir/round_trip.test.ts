/**
 * Graph text that PyTorch 1.13 printed (every conformance case's graph.txt and the seed
 * article's graphs) parses, verifies, and prints back byte for byte.
 */
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { constantValue, parseGraph, printGraph, verifyGraph } from "../../../src/jit/ir/index.js";

const shared = new URL("../../../../shared/", import.meta.url);
const casesDir = new URL("conformance/cases/", shared);

/** `# ==== <top>.forward ====` sections of a graph.txt, each one graph ending in one newline. */
function sections(text: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /^# ==== (.*) ====\n/gm;
  const heads = [...text.matchAll(re)];
  heads.forEach((m, i) => {
    const start = m.index + m[0].length;
    const end = heads[i + 1]?.index ?? text.length;
    out.push([m[1]!, text.slice(start, end).replace(/\n+$/, "\n")]);
  });
  return out;
}

/** The fenced blocks of the seed outputs that are graphs. */
function seedGraphs(md: string): [string, string][] {
  const out: [string, string][] = [];
  const re = /^## (.*)\n\n```\n(graph\([\s\S]*?)```/gm;
  for (const m of md.matchAll(re)) out.push([m[1]!, m[2]!]);
  return out;
}

const cases = readdirSync(casesDir).filter((c) => {
  try {
    readFileSync(new URL(`${c}/graph.txt`, casesDir));
    return true;
  } catch {
    return false;
  }
});

describe("conformance graph.txt round trip", () => {
  it("found the cases", () => expect(cases.length).toBeGreaterThanOrEqual(26));
  for (const c of cases) {
    const text = readFileSync(new URL(`${c}/graph.txt`, casesDir), "utf8");
    for (const [title, graph] of sections(text)) {
      it(`${c}: ${title}`, () => {
        const g = parseGraph(graph);
        expect(printGraph(g)).toBe(graph);
        verifyGraph(g);
      });
    }
  }
});

describe("seed article graphs round trip", () => {
  const md = readFileSync(new URL("reference/pytorch-1.13-seed-outputs.md", shared), "utf8");
  const graphs = seedGraphs(md);
  it("found the seed graphs (1f, 2d, 2e, 2j, 3b, 3f, 4e)", () => {
    const titles = graphs.map(([t]) => t.split(".")[0]);
    for (const s of ["1f", "2d", "2e", "2j", "3b", "3f", "4e"]) expect(titles).toContain(s);
  });
  for (const [title, graph] of graphs) {
    it(title, () => {
      const g = parseGraph(graph);
      expect(printGraph(g)).toBe(graph);
      verifyGraph(g);
    });
  }
});

describe("what the parser keeps", () => {
  const text = readFileSync(new URL("tensor_constants_traced/graph.txt", casesDir), "utf8");
  const [, top] = sections(text)[0]!;
  const g = parseGraph(top);

  it("reads printed tensor constants back as tensors", () => {
    const consts = [...g.nodes()].filter((n) => n.kind === "prim::Constant").map(constantValue);
    const tensors = consts.filter((c) => c?.type === "Tensor").map((c) => (c?.type === "Tensor" ? c.value : null));
    expect(tensors.map((t) => [t?.dtype.name, t?.shape, Array.from(t?.contiguousData() ?? [])])).toEqual([
      ["float32", [4], [1, 2, 3, 4]],
      ["int64", [2], [3, 0]],
    ]);
  });

  it("keeps scopes, source ranges and value numbers", () => {
    const lin = parseGraph(sections(text)[1]![1]);
    const linear = [...lin.nodes()].find((n) => n.kind === "aten::linear")!;
    expect(linear.scope).toBe("__module.lin");
    expect(linear.sourceRange).toEqual({ file: "/usr/lib/python3/dist-packages/torch/nn/modules/linear.py", line: 114, col: 0 });
    expect(linear.output().unique).toBe(3);
    expect(linear.output().hasDebugName()).toBe(false);
  });

  it("gives named values numbers no unnamed value has", () => {
    const uniques = [...g.allNodes()].flatMap((n) => n.outputs).concat(g.inputs).map((v) => v.unique);
    expect(new Set(uniques).size).toBe(uniques.length);
  });
});
