/**
 * The main acceptance test of the printer: every method graph of every conformance case
 * (graph.txt, printed by PyTorch 1.13) prints as that method's `.code` (code.txt), up to
 * `___torch_mangle_N` numbering.
 */
import { caseNames, qualifyFunction, readCase, sections, unmangle } from "./support.js";
import { describe, expect, it } from "vitest";
import { Types, parseGraph } from "../../../src/jit/ir/index.js";
import { printFunction, printMethod, type ArgumentSpec } from "../../../src/jit/printer/index.js";

/**
 * Schema facts that graph text does not carry: default values of arguments. A ScriptMethod
 * has them in its schema; here they are written out per section.
 */
const SIGNATURE_EXTRAS: Readonly<Record<string, readonly (ArgumentSpec | undefined)[]>> = {
  "types_scalars_optional_scripted/<top>.forward": [
    undefined, undefined, undefined, undefined, undefined, undefined, { default: { value: null } },
  ],
};

function printSection(caseName: string, title: string, graphText: string): string {
  const graph = parseGraph(graphText);
  const args = SIGNATURE_EXTRAS[`${caseName}/${title}`];
  const fn = /^<function (\w+)>$/.exec(title);
  if (fn) return printFunction(graph, `__torch__.${fn[1]}`, { functionName: qualifyFunction, ...(args ? { args } : {}) });
  const name = title.slice(title.lastIndexOf(".") + 1);
  return printMethod(graph, { name, functionName: qualifyFunction, ...(args ? { args } : {}) });
}

describe("conformance: graph.txt prints as code.txt", () => {
  const cases = caseNames();
  it("found the cases", () => expect(cases.length).toBeGreaterThanOrEqual(26));
  for (const c of cases) {
    const graphs = sections(readCase(c, "graph.txt"));
    const codes = sections(readCase(c, "code.txt"));
    describe(c, () => {
      for (const [title, code] of codes) {
        it(title, () => {
          const graph = graphs.get(title);
          expect(graph, `graph.txt has no section ${title}`).toBeDefined();
          expect(unmangle(printSection(c, title, graph!))).toBe(unmangle(code));
        });
      }
    });
  }
  it("keeps Types importable", () => expect(Types.int.kind).toBe("int"));
});
