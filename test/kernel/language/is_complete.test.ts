// is_complete: run now, or open a new line (with an indent)?

import { describe, expect, it } from "vitest";
import { CellLanguageService } from "../../../src/kernel/language/index.js";
import { notebookDir } from "./support.js";

describe("isComplete", () => {
  const cells = new CellLanguageService({ cwd: notebookDir });

  it("says complete for whole statements and empty input", () => {
    for (const code of ["1 + 1", "const x = 1;", "class A { m() { return 1; } }", "", "   \n", "for (const i of [1]) console.log(i)"]) {
      expect(cells.isComplete(code), code).toEqual({ status: "complete" });
    }
  });

  it("says incomplete for open brackets, with two spaces per open bracket", () => {
    expect(cells.isComplete("class A {")).toEqual({ status: "incomplete", indent: "  " });
    expect(cells.isComplete("function f() {\n  if (x) {")).toEqual({ status: "incomplete", indent: "    " });
    expect(cells.isComplete("foo(1,")).toEqual({ status: "incomplete", indent: "  " });
    expect(cells.isComplete("const a = [1, 2,")).toEqual({ status: "incomplete", indent: "  " });
    expect(cells.isComplete("const y =")).toEqual({ status: "incomplete", indent: "" });
  });

  it("says incomplete for unterminated strings, template literals and comments", () => {
    expect(cells.isComplete("const s = `line one")).toEqual({ status: "incomplete", indent: "" });
    expect(cells.isComplete("const s = `a ${x")).toMatchObject({ status: "incomplete" });
    expect(cells.isComplete("const s = `a ${x} b")).toEqual({ status: "incomplete", indent: "" });
    expect(cells.isComplete("/* a comment")).toMatchObject({ status: "incomplete" });
    expect(cells.isComplete("const s = 'abc")).toMatchObject({ status: "incomplete" });
  });

  it("says invalid for code that no continuation can fix", () => {
    expect(cells.isComplete("1 +* 2")).toEqual({ status: "invalid" });
    expect(cells.isComplete("const = 5;")).toEqual({ status: "invalid" });
    expect(cells.isComplete("a b c")).toEqual({ status: "invalid" });
  });

  it("counts magic lines and shell escapes as complete", () => {
    for (const code of ["%timeit f(x)", "%%time", "!ls -la", "%cd ..", "const t = %trace cell(x, h)", "%lsmagic\nconst a = 1;"]) {
      expect(cells.isComplete(code), code).toEqual({ status: "complete" });
    }
  });

  it("reads the body of a TypeScript cell magic, and not the body of %%writefile", () => {
    expect(cells.isComplete("%%time\nfor (const i of xs) {")).toEqual({ status: "incomplete", indent: "  " });
    expect(cells.isComplete("%%writefile notes.txt\nanything { goes")).toEqual({ status: "complete" });
  });

  it("does not mistake a modulo for a magic", () => {
    expect(cells.isComplete("const r = 7\n  % 3")).toEqual({ status: "complete" });
    expect(cells.isComplete("const r = 7 %")).toEqual({ status: "incomplete", indent: "" });
  });
});
