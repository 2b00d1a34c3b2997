// `tsjit run` on small notebooks: outputs written in nbformat, progress printed, exit codes, and
// a failing cell named. The kernel is the real one, spawned by the command over ZeroMQ.

import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseNotebook, type Notebook } from "../../src/run/notebook.js";
import { runTsjit, type CliResult } from "./support.js";

const code = (source: string) => ({ cell_type: "code", source, metadata: {}, outputs: [], execution_count: null });

function notebook(cells: object[]): string {
  return JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: "tsjit", display_name: "TypeScript (tsjit)", language: "typescript" } }, cells });
}

const GOOD = notebook([
  { cell_type: "markdown", source: "# Small", metadata: {} },
  code("const base: number = 20\nconsole.log('base is', base)\nbase * 2 + 2"),
  code("torch.manual_seed(0)\ntorch.rand(2, 2)"),
  code("const unused = 1"),
]);

const FAILING = notebook([
  code("const ok = 1\nok"),
  { cell_type: "markdown", source: "between", metadata: {} },
  code("throw new RangeError(`boom at ${ok}`)"),
  code("'never runs'"),
]);

const dir = mkdtempSync(join(tmpdir(), "tsjit-run-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (path: string): Notebook => parseNotebook(readFileSync(path, "utf8"), path);

describe("tsjit run --output DIR on a notebook that runs", () => {
  let result: CliResult;
  let executed: Notebook;

  beforeAll(async () => {
    writeFileSync(join(dir, "good.ipynb"), GOOD);
    result = await runTsjit(["run", "good.ipynb", "--output", "out"], dir);
    executed = read(join(dir, "out", "good.ipynb"));
  }, 240_000);

  it("exits 0", () => {
    expect(result.stderr).not.toContain("failed");
    expect(result.code).toBe(0);
  });

  it("prints progress per code cell and each cell's text/plain", () => {
    const lines = result.stdout.split("\n");
    expect(lines).toContain("good.ipynb: 3 code cells");
    expect(lines.filter((l) => /^\[\d\/3\] cell \d+: /.test(l)).map((l) => l.slice(0, 13))).toEqual(["[1/3] cell 1:", "[2/3] cell 2:", "[3/3] cell 3:"]);
    expect(result.stdout).toContain("base is 20\n42\n");
    expect(result.stdout).toContain("tensor([[0.4963, 0.7682],\n        [0.0885, 0.1320]])");
  });

  it("stores nbformat outputs with execution counts, leaving markdown alone", () => {
    const [md, first, second, third] = executed.cells;
    expect(md).toMatchObject({ cell_type: "markdown", source: "# Small" });
    expect(md).not.toHaveProperty("outputs");
    expect(first?.execution_count).toBe(1);
    expect(first?.outputs).toEqual([
      { output_type: "stream", name: "stdout", text: "base is 20\n" },
      { output_type: "execute_result", execution_count: 1, data: { "text/plain": "42" }, metadata: {} },
    ]);
    const tensor = second?.outputs?.[0];
    expect(tensor?.output_type).toBe("execute_result");
    expect(tensor?.output_type === "execute_result" && Object.keys(tensor.data)).toEqual(expect.arrayContaining(["text/plain", "text/html"]));
    expect(third).toMatchObject({ execution_count: 3, outputs: [] });
  });

  it("records the kernel's language_info and gives every cell an id (nbformat 4.5)", () => {
    expect(executed.metadata["language_info"]).toMatchObject({ name: "typescript", file_extension: ".ts" });
    expect(executed.nbformat_minor).toBe(5);
    for (const cell of executed.cells) expect(typeof cell.id).toBe("string");
  });

  it("leaves the input notebook unchanged", () => {
    expect(readFileSync(join(dir, "good.ipynb"), "utf8")).toBe(GOOD);
  });
});

describe("tsjit run --inplace on a notebook with a failing cell", () => {
  let result: CliResult;
  let executed: Notebook;

  beforeAll(async () => {
    writeFileSync(join(dir, "failing.ipynb"), FAILING);
    result = await runTsjit(["run", "failing.ipynb", "--inplace"], dir);
    executed = read(join(dir, "failing.ipynb"));
  }, 240_000);

  it("exits non-zero naming the notebook, the cell index and the error", () => {
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("tsjit run: failing.ipynb: cell 2 failed: RangeError: boom at 1");
  });

  it("stores the error output and stops: the next cell is not run", () => {
    const [, , failed, after] = executed.cells;
    expect(failed?.execution_count).toBe(2);
    expect(failed?.outputs).toEqual([expect.objectContaining({ output_type: "error", ename: "RangeError", evalue: "boom at 1" })]);
    expect(after).toMatchObject({ execution_count: null, outputs: [] });
    expect(result.stdout).not.toContain("[3/3]");
  });
});

describe("tsjit run --timeout on a cell that never ends", () => {
  it("interrupts it, stores the kernel's KeyboardInterrupt and names the cell", async () => {
    writeFileSync(join(dir, "endless.ipynb"), notebook([code("1 + 1"), code("let n = 0\nwhile (true) { n++ }"), code("'after'")]));
    const result = await runTsjit(["run", "endless.ipynb", "--timeout", "2", "--output", "timed"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("tsjit run: endless.ipynb: cell 1 failed: TimeoutError: the cell did not finish within 2 s (--timeout) and was interrupted\n");
    const [, endless, after] = read(join(dir, "timed", "endless.ipynb")).cells;
    expect(endless?.outputs).toEqual([expect.objectContaining({ output_type: "error", ename: "KeyboardInterrupt" })]);
    expect(after?.execution_count).toBeNull();
  }, 120_000);
});

describe("tsjit run when the kernel dies in a cell", () => {
  it("fails that cell, naming how the kernel ended", async () => {
    writeFileSync(join(dir, "dies.ipynb"), notebook([code("process.kill(process.pid, 'SIGKILL')"), code("'after'")]));
    const result = await runTsjit(["run", "dies.ipynb"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("tsjit run: dies.ipynb: cell 0 failed: KernelSessionError: the kernel exited (killed by SIGKILL)");
  }, 120_000);
});

describe("tsjit run's command line", () => {
  it("refuses a call without notebooks, and --inplace with --output, with exit code 2 and the usage", async () => {
    const none = await runTsjit(["run"], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("expected at least one notebook");
    expect(none.stderr).toContain("usage: tsjit run <notebook.ipynb ...>");
    copyFileSync(join(dir, "good.ipynb"), join(dir, "again.ipynb"));
    const both = await runTsjit(["run", "again.ipynb", "--inplace", "--output", "x"], dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--inplace and --output exclude each other");
  }, 60_000);
});
