// Completion and inspection from the language service, with earlier cells.

import { beforeAll, describe, expect, it } from "vitest";
import { CellLanguageService } from "../../../src/kernel/language/index.js";
import { notebookDir } from "./support.js";

type TypedMatch = { start: number; end: number; text: string; type: string };
const typesOf = (metadata: unknown) => (metadata as { _jupyter_types_experimental: TypedMatch[] })._jupyter_types_experimental;

describe("complete", () => {
  let cells: CellLanguageService;
  beforeAll(() => {
    cells = new CellLanguageService({ cwd: notebookDir });
    cells.commit("class Foo {\n  alpha = 1;\n  beta(): string { return 'b'; }\n}\nfunction foo() { return new Foo(); }\nconst inst = new Foo();");
  }, 120_000);

  it("completes members of a user class from an earlier cell", () => {
    const r = cells.complete("inst.", 5);
    expect(r.matches).toEqual(["alpha", "beta"]);
    expect(r.cursorStart).toBe(5);
    expect(r.cursorEnd).toBe(5);
    expect(typesOf(r.metadata)).toEqual([
      { start: 5, end: 5, text: "alpha", type: "property" },
      { start: 5, end: 5, text: "beta", type: "function" },
    ]);
  });

  it("completes members of a call's result", () => {
    expect(cells.complete("foo().", 6).matches).toEqual(["alpha", "beta"]);
    expect(cells.complete("foo().be", 8)).toMatchObject({ matches: ["beta"], cursorStart: 6, cursorEnd: 8 });
  });

  it("completes a partial identifier, replacing what was typed", () => {
    const code = "const s = 'abc';\ns.toUpp";
    const r = cells.complete(code, code.length);
    expect(r.matches).toEqual(["toUpperCase"]);
    expect(code.slice(r.cursorStart, r.cursorEnd)).toBe("toUpp");
  });

  it("completes names from earlier cells and globals at top level", () => {
    const r = cells.complete("ins", 3);
    expect(r.matches).toContain("inst");
    expect(r.matches.every((m) => m.toLowerCase().startsWith("ins"))).toBe(true);
    expect(cells.complete("Fo", 2).matches).toContain("Foo");
  });

  it("labels names from earlier cells with what they were declared as", () => {
    const r = cells.complete("fo", 2);
    const foo = typesOf(r.metadata).find((m) => m.text === "foo");
    const Foo = typesOf(cells.complete("Fo", 2).metadata).find((m) => m.text === "Foo");
    expect([foo?.type, Foo?.type]).toEqual(["function", "class"]);
    expect(typesOf(cells.complete("ins", 3).metadata).find((m) => m.text === "inst")?.type).toBe("instance");
  });

  it("completes the torch API", () => {
    const all = cells.complete("torch.", 6).matches;
    expect(all).toEqual(expect.arrayContaining(["zeros", "tanh", "nn", "jit", "manual_seed", "Tensor"]));
    expect(cells.complete("torch.tanh", 10).matches).toEqual(["tanh", "tanh_"]);
    expect(cells.complete("torch.tan", 9).matches).toEqual(["tan", "tan_", "tanh", "tanh_"]);
    expect(cells.complete("nn.Lin", 6).matches).toContain("Linear");
    const t = "const t = torch.ones(2);\nt.su";
    expect(cells.complete(t, t.length).matches).toContain("sum");
  });

  it("completes in the middle of a cell, with the text after the cursor in place", () => {
    const code = "inst.al\nconst later = 1;";
    expect(cells.complete(code, 7)).toMatchObject({ matches: ["alpha"], cursorStart: 5, cursorEnd: 7 });
  });

  it("completes inside an unfinished block", () => {
    const code = "class B extends Foo {\n  m() { return this.be";
    expect(cells.complete(code, code.length).matches).toEqual(["beta"]);
  });

  it("never offers the kernel's generated names", () => {
    cells.commit("let counter = 0;");
    const all = cells.complete("", 0).matches;
    expect(all).toContain("counter");
    expect(all.filter((m) => m.startsWith("__tsjit"))).toEqual([]);
  });

  it("uses UTF-16 positions", () => {
    const code = "const s = '😀';\ninst.al";
    const r = cells.complete(code, code.length);
    expect(r.matches).toEqual(["alpha"]);
    expect(code.slice(r.cursorStart, r.cursorEnd)).toBe("al");
  });
});

describe("inspect", () => {
  let cells: CellLanguageService;
  beforeAll(() => {
    cells = new CellLanguageService({ cwd: notebookDir });
    cells.commit("/** Doubles a number. */\nfunction twice(n: number): number { return 2 * n; }\n/** How many so far. */\nlet count = 0;");
  }, 120_000);

  const plain = (r: ReturnType<CellLanguageService["inspect"]>) => (r.found ? String(r.data["text/plain"]) : "(not found)");

  it("shows Math.max's signature and JSDoc, with the cursor on or after the name", () => {
    for (const cursor of [6, 8]) {
      const text = plain(cells.inspect("Math.max", cursor, 0));
      expect(text).toContain("Math.max(...values: number[]): number");
      expect(text).toContain("Returns the larger of a set of supplied numeric expressions.");
    }
  });

  it("shows a torch function's signature", () => {
    expect(plain(cells.inspect("torch.zeros", 11, 0))).toContain("zeros(");
    // An op is a const of type Op<...>: its call signature is shown too.
    expect(plain(cells.inspect("torch.tanh", 10, 0))).toContain("tanh(input: Tensor): Tensor");
  });

  it("shows the function being called when the cursor is inside its arguments", () => {
    expect(plain(cells.inspect("Math.max(1, ", 12, 0))).toContain("max(...values: number[]): number");
  });

  it("shows a user function's JSDoc from an earlier cell, with markdown", () => {
    const r = cells.inspect("twice(2)", 3, 0);
    expect(plain(r)).toContain("function twice(n: number): number");
    expect(plain(r)).toContain("Doubles a number.");
    expect(r.found && String(r.data["text/markdown"])).toContain("```typescript");
  });

  it("shows an earlier variable's type and JSDoc", () => {
    expect(plain(cells.inspect("count + 1", 2, 0))).toBe("let count: number\n\nHow many so far.");
  });

  it("shows a constructor's signature and the class's documentation from tsjit's typings", () => {
    const [signature, ...documentation] = plain(cells.inspect("new nn.Linear(2, 2)", 10, 0)).split("\n\n");
    expect(signature).toContain("constructor Linear(in_features: number, out_features: number");
    expect(documentation.join("")).not.toBe("");
  });

  it("finds nothing in empty space", () => {
    expect(cells.inspect("   ", 1, 0)).toEqual({ found: false });
  });
});
