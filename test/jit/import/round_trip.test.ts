/**
 * The round trip on every conformance archive: each code/ file is parsed, every class and
 * function it defines is compiled to graphs, and the printer prints the file again byte for
 * byte; each method's `.code` equals the case's code.txt (mangling numbers aside). Printed
 * code is only reproduced when the graphs have PyTorch's structure (value names, If/Loop output
 * order, which values are inlined), so this checks the importer's IR, not just its parsing.
 */
import { describe, expect, it } from "vitest";
import { describeImportedClass, describeImportedFunction, methodSignature } from "../../../src/jit/import/index.js";
import { ConstantTable, printCodeFile, printMethod, type CodeFileItem } from "../../../src/jit/printer/index.js";
import { caseNames, readCase, sections, unmangle } from "../printer/support.js";
import { classAt, definedNames, importerFor, readCaseArchive } from "./support.js";

/**
 * Cases the importer cannot compile yet, with the reason; each test below expects exactly this
 * failure, so the list must shrink when the cause is fixed.
 */
const KNOWN_GAPS: Readonly<Record<string, RegExp>> = {};

function printFile(name: string, path: string, text: string): string {
  const a = readCaseArchive(name);
  const importer = importerFor(a);
  const items: CodeFileItem[] = definedNames(path, text).map((qn) => {
    const t = importer.loadType(qn);
    if (!t) throw new Error(`${qn} not found`);
    return t.kind === "class" ? describeImportedClass(t) : describeImportedFunction(t);
  });
  return printCodeFile(items, { constants: new ConstantTable(a.constants.slice()) });
}

describe("code/ files print back as they were read", () => {
  for (const name of caseNames()) {
    const a = readCaseArchive(name);
    for (const [path, text] of a.code) {
      const gap = KNOWN_GAPS[name];
      if (gap && /__torch__\.py$/.test(path)) {
        it(`${name}: ${path} (known gap)`, () => expect(() => printFile(name, path, text)).toThrow(gap));
        continue;
      }
      it(`${name}: ${path}`, () => expect(printFile(name, path, text)).toBe(text));
    }
  }
});

/** The lines after a def's signature (which ends at the line with the return annotation). */
function bodyOf(code: string): string {
  const lines = code.split("\n");
  const end = lines.findIndex((l) => /\) -> .*:$/.test(l));
  expect(end).toBeGreaterThanOrEqual(0);
  return lines.slice(end + 1).join("\n");
}

describe("methods print the case's .code (code.txt)", () => {
  for (const name of caseNames()) {
    if (KNOWN_GAPS[name]) continue;
    it(name, () => {
      const a = readCaseArchive(name);
      const importer = importerFor(a);
      const expected = sections(readCase(name, "code.txt"));
      expect(expected.size).toBeGreaterThan(0);
      for (const [title, code] of expected) {
        const fn = /^<function (\w+)>$/.exec(title);
        if (fn) {
          // a saved script function is the forward of a PlaceholderModule: same body, `self` first
          const forward = classAt(importer, a.rootClass, []).methods.get("forward")!;
          const printed = printMethod(forward.graph, { ...methodSignature(forward), constants: new ConstantTable(a.constants.slice()) });
          expect(bodyOf(printed), `${name}: ${title}`).toBe(bodyOf(code));
          continue;
        }
        const parts = title.split(".");
        const method = parts.pop()!;
        const path = parts[0] === "<top>" ? [] : parts;
        const m = classAt(importer, a.rootClass, path).methods.get(method);
        expect(m, `${name}: ${title}`).toBeDefined();
        const printed = printMethod(m!.graph, { ...methodSignature(m!), constants: new ConstantTable(a.constants.slice()) });
        expect(unmangle(printed), `${name}: ${title}`).toBe(unmangle(code));
      }
    });
  }
});
