/**
 * `tsjit/register`: TypeScript programs run by Node (`node --import tsjit/register app.ts`) give
 * torch.jit.script their typed source, as notebook cells do; plain JavaScript falls back to
 * Function.prototype.toString(), where every unannotated parameter is a Tensor.
 *
 * The fixtures run as a user runs them, in a child process importing dist/register.js, which
 * `npm test` builds first (pretest). Run directly after editing src/, vitest would test an old
 * dist/: it says so, and under CI=true that is an error (as test/run/support.ts does).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { distIsFresh } from "../../support/dist_fresh.js";
import { sourceOf } from "../../../src/jit/source_registry.js";
import { installSourceRegistryGlobal } from "../../../src/jit/source_registry_global.js";
import { transpileTypeScript } from "../../../src/jit/node_transpile.js";
import { script, ScriptError } from "../../../src/jit/script.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const REGISTER = join(ROOT, "dist", "register.js");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node --import dist/register.js <file>`; asynchronous so vitest's timers keep running. */
function runNode(file: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", REGISTER, file], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface Printed {
  code: string;
  scripted: unknown;
  eager: unknown;
  isCommonJS?: boolean;
}

function runFixture(name: string): Promise<Run> {
  return runNode(join(FIXTURES, name));
}

async function printed(name: string): Promise<Printed> {
  const run = await runFixture(name);
  expect(run.stderr, `${name} wrote to stderr`).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Printed;
}

beforeAll(() => {
  if (!existsSync(REGISTER)) throw new Error(`${REGISTER} is missing: run \`npm run build\` (\`npm test\` does it first)`);
  if (distIsFresh(REGISTER)) return;
  if (process.env["CI"] === "true") throw new Error("CI=true but dist/ is older than src/: run the tests with `npm test` (its pretest builds dist/)");
  console.warn("[tsjit tests] dist/ is older than src/ (run `npm run build`): the register hook tests run the old dist/");
});

// each test starts a Node process that loads the TypeScript compiler: seconds on a busy machine
describe("node --import tsjit/register", { timeout: 60_000 }, () => {
  it("scripts a TypeScript module with its annotations (int, float, a tuple), equal to eager", async () => {
    const out = await printed("typed_module.ts");
    expect(out.code).toContain("def forward(self,\n    x: Tensor,\n    n: int,\n    scale: float) -> Tuple[Tensor, Tensor]:");
    expect(out.code).toContain("for i in range(n):");
    expect(out.code).toContain("if torch.gt(n, 2):");
    // repeatScale is declared below the line that scripts it; halfSum comes from "./typed_helpers.js" (a .ts file)
    expect(out.code).toContain("__torch__.repeatScale(x, i, scale, )");
    expect(out.code).toContain("__torch__.halfSum(x, scale, )");
    expect(out.scripted).toEqual(out.eager);
  });

  it("registers the functions of a CommonJS file (.cts), which loads tsjit with import()", async () => {
    const out = await printed("commonjs_module.cts");
    expect(out.isCommonJS).toBe(true);
    expect(out.code).toContain("def powerSum(x: Tensor,\n    k: int) -> Tensor:");
    expect(out.scripted).toEqual(out.eager);
  });

  it("leaves JavaScript to toString(): unannotated parameters are Tensors", async () => {
    const out = await printed("untyped_module.js");
    expect(out.code).toContain("def forward(self,\n    x: Tensor,\n    y: Tensor) -> Tensor:");
    expect(out.scripted).toEqual(out.eager);
  });

  it("maps stack traces to the .ts lines through the inline source map", async () => {
    const run = await runFixture("stack_trace.ts");
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("Error: no area for 2x3");
    expect(run.stderr).toContain(`at area (${join(FIXTURES, "stack_trace.ts")}:11:9)`);
  });

  it("reports a TypeScript syntax error with the file, line and column", async () => {
    // written at test time: a broken .ts file under test/ would break `npm run typecheck`
    const dir = mkdtempSync(join(tmpdir(), "tsjit-register-"));
    try {
      const file = join(dir, "syntax_error.ts");
      writeFileSync(file, "// not TypeScript\nexport function broken(x: number): number {\n  return x +* 2;\n}\n");
      const run = await runNode(file);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain("SyntaxError");
      expect(run.stderr).toContain(`${file}:3:13: Expression expected.`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("transpileTypeScript registrations", () => {
  // run as CommonJS in this process, against the real registry
  function evaluate(code: string, path: string): Record<string, Function> {
    installSourceRegistryGlobal();
    const exports: Record<string, Function> = {};
    new Function("exports", "require", transpileTypeScript(code, path, "commonjs"))(exports, createRequire(import.meta.url));
    return exports;
  }

  it("records each declaration's exact text and position, whatever characters it holds", () => {
    // quotes, backslashes, a template, `*/`, `</script>` and U+2028 must reach the registry unchanged
    const quoted = 'class Quoted {\n  s: string = "a\\"b\\\\c */ </script>";\n  t = `${1}\u2028`;\n}';
    const helper = "function helper(x: number): number {\n  return x; // \"quoted\" \\\n}";
    const code = `"use strict";\n// a comment\nexport ${quoted}\n\nexport default ${helper}\n`;
    const out = evaluate(code, "/app/quoted.ts");
    expect(sourceOf(out["Quoted"]!)).toEqual({ file: "/app/quoted.ts", text: quoted, line: 3, column: 8 });
    // line 9, not 8: U+2028 ends a line for TypeScript as for V8
    expect(sourceOf(out["default"]!)).toEqual({ file: "/app/quoted.ts", text: helper, line: 9, column: 16 });
  });

  it("keeps `abstract` and decorators in the text, and skips what has no run-time value", () => {
    const code = [
      "export abstract class Base { abstract f(): void; }",
      "declare class Ambient {}",
      "function over(x: number): number;",
      "function over(x: string): string;",
      "function over(x: any): any { return x; }",
      "export const results = [Base, over];",
    ].join("\n");
    const out = evaluate(code, "/app/kinds.ts") as unknown as { results: [Function, Function] };
    const [base, over] = out.results;
    expect(sourceOf(base)).toMatchObject({ text: "abstract class Base { abstract f(): void; }", line: 1, column: 8 });
    expect(sourceOf(over)).toMatchObject({ text: "function over(x: any): any { return x; }", line: 5, column: 1 });
  });

  it("lets script errors point at the file's own lines", () => {
    const code = "type int = number;\n\nexport function shout(x: Tensor, n: int): Tensor {\n  const o = { n };\n  return x.mul(n);\n}\n";
    const out = evaluate(code, "/app/shout.ts");
    let error: unknown;
    try {
      script(out["shout"] as (...args: unknown[]) => unknown);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScriptError);
    expect(error).toMatchObject({ file: "/app/shout.ts", line: 4, column: 13 });
  });

  it("registers functions before the module's first statement runs (they are hoisted)", () => {
    const probe = Symbol.for("tsjit.test.registeredLine");
    (globalThis as Record<symbol, unknown>)[probe] = (f: Function) => sourceOf(f)?.line;
    const code = 'export const early = (globalThis as any)[Symbol.for("tsjit.test.registeredLine")](later);\nexport function later(n: number) { return n; }\n';
    const out = evaluate(code, "/app/hoisted.ts") as unknown as { early: number | undefined };
    expect(out.early).toBe(2);
  });
});
