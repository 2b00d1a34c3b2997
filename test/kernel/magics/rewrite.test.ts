import { describe, expect, it } from "vitest";
import ts from "typescript";
import { rewriteMagics } from "../../../src/kernel/magics/index.js";

const lineCount = (s: string): number => s.split(/\r?\n/).length;
/** vitest reads printf placeholders (`%s`, `%t`...) in titles: `%%` is a literal `%`. */
const title = (s: string): string => s.replace(/%/g, "%%");

/** Syntax errors TypeScript finds in `code` (the lowered cell must always parse). */
function syntaxErrors(code: string): string[] {
  const out = ts.transpileModule(`export {};\n${code}`, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
  return (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("rewriteMagics leaves TypeScript that is not a magic alone", () => {
  const untouched = [
    "const r = a % b;",
    "x %= 2;",
    "const y = a %b;",
    "const z = a\n  % b;",
    "const s = `\n%timeit f(x)\n!ls\n`;",
    "const t = `${a}\n%time ${b}\n`;",
    "/*\n%timeit f(x)\n!rm -rf /\n*/",
    "// %timeit f(x)",
    "const q = '%timeit';",
    "const re = /%time/g;\nconst p = 1 % 2;",
    "!function () { return 1; }();",
    "!(a) && b();",
    "!x.y();",
    "!!flag;",
    "!f(x);",
    "if (a == b) c = d % e;",
    "if (\n  !ready\n) wait();",
    "const ok = a &&\n  !b;",
    "const xs = [\n  !a,\n  !b,\n];",
    "call(x,\n  !flag);",
    "const v = cond\n  ? !a\n  : !b;",
  ];
  for (const cell of untouched) {
    it(title(JSON.stringify(cell)), () => {
      expect(rewriteMagics(cell).code).toBe(cell);
    });
  }
});

describe("rewriteMagics lowers magics line for line", () => {
  const cases: [string, string][] = [
    ["%timeit f(x)", '__tsjit_magics.timeit("", () => (f(x)));'],
    ["%timeit -n 10 -r 3 -o await g()", 'await __tsjit_magics.timeit("-n 10 -r 3 -o", async () => (await g()));'],
    ["%timeit for (let i = 0; i < 3; i++) a.push(i)", '__tsjit_magics.timeit("", () => { for (let i = 0; i < 3; i++) a.push(i); });'],
    ["const r = %timeit -o f(x)", 'const r = __tsjit_magics.timeit("-o", () => (f(x)));'],
    ["%time f(x)", '__tsjit_magics.time("f(x)", () => (f(x)));'],
    ["%time const y: number = f(x)", 'const y: number = __tsjit_magics.time("const y: number = f(x)", () => (f(x)));'],
    ["const traced = %trace cell(x, h)", 'const traced = __tsjit_magics.trace("cell(x, h)", () => [cell, [x, h]], true);'],
    ["%trace cell(x, h)", '__tsjit_magics.trace("cell(x, h)", () => [cell, [x, h]], false);'],
    ["%trace make(3)(x)", '__tsjit_magics.trace("make(3)(x)", () => [make(3), [x]], false);'],
    ["let s = %script gate", 'let s = __tsjit_magics.script("gate", () => (gate), true);'],
    ["%lsmagic", "__tsjit_magics.lsmagic();"],
    ["  %cd /tmp", '  __tsjit_magics.cd("/tmp");'],
    ["%pwd", "__tsjit_magics.pwd();"],
    ["%env HOME=/x", '__tsjit_magics.env("HOME=/x");'],
    ["%typecheck warn", '__tsjit_magics.typecheck("warn");'],
    ["const lines = %sx ls -1", 'const lines = await __tsjit_magics.sx("ls -1");'],
    ["!ls -la \"my dir\"", 'await __tsjit_magics.shell("ls -la \\"my dir\\"");'],
    ["!echo `date`", 'await __tsjit_magics.shell("echo `date`");'],
    ["%nosuch 1 2", '__tsjit_magics.lineMagicNotFound("nosuch");'],
  ];
  for (const [cell, lowered] of cases) {
    it(title(cell), () => {
      const { code } = rewriteMagics(cell);
      expect(code).toBe(lowered);
      expect(syntaxErrors(code)).toEqual([]);
    });
  }

  it("keeps every other line of a mixed cell in place", () => {
    const cell = "const x = 1;\n%timeit f(x)\nconst s = `${x}\n%not a magic\n`;\n!echo 'it''s'\nconst z = x % 2;";
    const { code } = rewriteMagics(cell);
    const inLines = cell.split("\n");
    const outLines = code.split("\n");
    expect(outLines).toHaveLength(inLines.length);
    expect(outLines[0]).toBe(inLines[0]);
    expect(outLines[1]).toContain("__tsjit_magics.timeit");
    expect(outLines.slice(2, 5)).toEqual(inLines.slice(2, 5));
    expect(outLines[5]).toContain("__tsjit_magics.shell");
    expect(outLines[6]).toBe(inLines[6]);
  });

  it("a shell command's backtick does not open a template for later lines", () => {
    const { code } = rewriteMagics("!echo `date\n%pwd");
    expect(code.split("\n")[1]).toBe("__tsjit_magics.pwd();");
  });

  it("a statement after a complete line is a shell command (JS has no continuation there)", () => {
    expect(rewriteMagics("const a = b\n!ls").code).toBe('const a = b\nawait __tsjit_magics.shell("ls");');
    expect(rewriteMagics("if (x) {\n  !ls\n}").code).toBe('if (x) {\n  await __tsjit_magics.shell("ls");\n}');
  });

  it("keeps CRLF line endings", () => {
    expect(rewriteMagics("const a = 1;\r\n%pwd\r\n").code).toBe("const a = 1;\r\n__tsjit_magics.pwd();\r\n");
  });

  it("a misplaced cell magic is an error at its line", () => {
    const { code } = rewriteMagics("const a = 1;\n%%timeit\nf()");
    expect(code.split("\n")[1]).toContain("must be on the first line of the cell");
  });

  it("bad options become a UsageError at run time, not a rewrite failure", () => {
    const { code } = rewriteMagics("%timeit -z f(x)");
    expect(code).toContain('__tsjit_magics.fail("UsageError"');
    expect(code).toContain("option -z not recognized");
  });

  it("%trace without a call explains the form", () => {
    expect(rewriteMagics("%trace cell").code).toContain("%trace expects a call with example inputs");
  });
});

describe("rewriteMagics: cell magics keep the body's lines", () => {
  it("%%timeit with setup: the body runs inside a factory, lines unchanged", () => {
    const cell = "%%timeit -n 5 const a = [3, 1, 2]\na.sort();\na.reverse();\n";
    const { code } = rewriteMagics(cell);
    const lines = code.split("\n");
    expect(lines[0]).toBe('__tsjit_magics.timeitCell("-n 5", () => { const a = [3, 1, 2]; return () => {');
    expect(lines.slice(1, 3)).toEqual(["a.sort();", "a.reverse();"]);
    expect(lines[3]).toBe("}; });");
    expect(lines).toHaveLength(lineCount(cell));
    expect(syntaxErrors(code)).toEqual([]);
  });

  it("%%timeit with await is awaited and async", () => {
    const { code } = rewriteMagics("%%timeit\nawait tick();");
    expect(code.split("\n")[0]).toBe('await __tsjit_magics.timeitCell("", () => { return async () => {');
    expect(syntaxErrors(code)).toEqual([]);
  });

  it("%%time brackets the body with start and end calls", () => {
    const cell = "%%time\nconst a = f();\nconsole.log(a);";
    const lines = rewriteMagics(cell).code.split("\n");
    expect(lines).toEqual(["__tsjit_magics.timeStart();", "const a = f();", "console.log(a);", "__tsjit_magics.timeEnd();"]);
  });

  it("%%writefile keeps the text verbatim in a template literal", () => {
    const cell = "%%writefile -a out.txt\nhello `x` ${y} \\n\n";
    const { code } = rewriteMagics(cell);
    expect(code).toBe('__tsjit_magics.writefile("-a out.txt", `\\\nhello \\`x\\` \\${y} \\\\n\n`);');
    expect(lineCount(code)).toBe(lineCount(cell));
    expect(syntaxErrors(code)).toEqual([]);
  });

  it("an unknown cell magic keeps its (non-TypeScript) body out of the code", () => {
    const { code } = rewriteMagics("%%nosuch\nthis is { not TypeScript");
    expect(code.split("\n")[0]).toBe('__tsjit_magics.cellMagicNotFound("nosuch", `\\');
    expect(syntaxErrors(code)).toEqual([]);
  });

  it("line magics in a TypeScript body are lowered too; an awaiting body makes %%timeit async", () => {
    const { code } = rewriteMagics("%%timeit -n 1\n!true\nconst x = a % b;");
    expect(code.split("\n")).toEqual([
      'await __tsjit_magics.timeitCell("-n 1", () => { return async () => {',
      'await __tsjit_magics.shell("true");',
      "const x = a % b;",
      "}; });",
    ]);
    expect(syntaxErrors(code)).toEqual([]);
    expect(rewriteMagics("%%writefile a.txt\n!not a command").code).toContain("!not a command");
  });

  it("leading blank lines before a cell magic are kept", () => {
    const { code } = rewriteMagics("\n%%time\nf()");
    expect(code.split("\n")).toEqual(["", "__tsjit_magics.timeStart();", "f()", "__tsjit_magics.timeEnd();"]);
  });
});
