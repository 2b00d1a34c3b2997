/**
 * What torch.jit.save will write for code scripted in a notebook, loaded back: TypeScript
 * functions compiled by the script frontend are printed as a code/ file and imported. The
 * imported graphs compute what the originals do, a second load prints the same text as the
 * first (the text is a fixed point), and that text is what PyTorch prints for the same function
 * (the importer runs CanonicalizeOutputs, which the script frontend does not yet).
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { SourceImporter, describeImportedFunction, type ImportedFunction } from "../../../src/jit/import/index.js";
import type { Graph } from "../../../src/jit/ir/index.js";
import { printCodeFile, printFunction } from "../../../src/jit/printer/index.js";
import { runGraph } from "../../../src/jit/runtime/index.js";
import { script } from "../../../src/jit/script.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { defineCell } from "../script/support.js";

const fns = defineCell(`
function countdown(x: Tensor, n: int): [Tensor, int] {
  let steps = 0;
  while (n > 0) {
    x = x.add(1);
    n -= 1;
    steps += 1;
  }
  return [x, steps];
}
function clampSum(x: Tensor, limit: float): Tensor {
  const s = x.sum();
  if (s.gt(limit).item()) {
    return s.sub(limit);
  }
  return s;
}
`, { file: "<cell 1>" });

/** The same functions in TorchScript's Python, for PyTorch's `.code` (a CompilationUnit needs no files). */
const PYTHON = `
def countdown(x: Tensor, n: int) -> Tuple[Tensor, int]:
    steps = 0
    while n > 0:
        x = x.add(1)
        n -= 1
        steps += 1
    return x, steps
def clampSum(x: Tensor, limit: float) -> Tensor:
    s = x.sum()
    if bool(s.gt(limit)):
        return s.sub(limit)
    return s
`;

const ARGS: Record<string, unknown[][]> = {
  countdown: [[torch.zeros([2]), 3], [torch.ones([2]), 0]],
  clampSum: [[torch.ones([3]), 1.5], [torch.ones([3]), 5]],
};

function load(name: string, graph: Graph): { text: string; f: ImportedFunction } {
  const text = printCodeFile([{ kind: "function", qualifiedName: `__torch__.${name}`, graph }]);
  const f = new SourceImporter((p) => (p === "__torch__.py" ? text : undefined), []).loadType(`__torch__.${name}`);
  if (f?.kind !== "function") throw new Error(`${name} did not load as a function`);
  return { text, f };
}

const asJson = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x instanceof torch.Tensor ? x.tolist() : x));

describe("scripted TypeScript → code/ text → imported graphs", () => {
  for (const name of Object.keys(ARGS)) {
    it(`${name}: runs the same, and a second load prints the same text`, () => {
      const original = script(fns[name]).graph;
      const first = load(name, original).f;
      for (const a of ARGS[name]!) {
        expect(asJson(runGraph(first.function.graph, a, { name })[0])).toBe(asJson(runGraph(original, a, { name })[0]));
      }
      const { text, f: second } = load(name, first.function.graph);
      expect(printCodeFile([describeImportedFunction(second)])).toBe(text);
    });
  }

  it.skipIf(!hasTorch)("the loaded text is PyTorch's `.code` for the same function", () => {
    const torchCode = runTorch<Record<string, string>>(`cu = torch.jit.CompilationUnit(${JSON.stringify(PYTHON)})
print(json.dumps({n: getattr(cu, n).code for n in ["countdown", "clampSum"]}))`);
    for (const name of Object.keys(ARGS)) {
      const loaded = load(name, script(fns[name]).graph).f;
      expect(printFunction(loaded.function.graph, `__torch__.${name}`).trim()).toBe(torchCode[name]!.trim());
      // and the frontend's own graph prints it too (CanonicalizeOutputs ends its pipeline)
      expect(script(fns[name]).code.trim(), `${name} scripted`).toBe(torchCode[name]!.trim());
    }
  });
});
