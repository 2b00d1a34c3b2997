// A notebook executed by Debian's nbclient 0.7 (what `jupyter nbconvert --execute` and papermill
// use) with the kernelspec install.js wrote: outputs land in the cells, counts are set.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driver, hasNbclient, installTempKernel, runPython, type KernelInstall } from "./support.js";

interface Output {
  output_type: string;
  name?: string;
  text?: string;
  data?: Record<string, string>;
  execution_count?: number;
  ename?: string;
}
interface Cell {
  cell_type: "code" | "markdown";
  source: string;
  metadata: Record<string, unknown>;
  outputs?: Output[];
  execution_count?: number | null;
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: Record<string, string>; language_info?: Record<string, unknown> };
  nbformat: number;
  nbformat_minor: number;
}

const code = (source: string): Cell => ({ cell_type: "code", source, metadata: {}, outputs: [], execution_count: null });

const NOTEBOOK: Notebook = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: "tsjit", display_name: "TypeScript (tsjit)", language: "typescript" } },
  cells: [
    { cell_type: "markdown", source: "# A TypeScript notebook", metadata: {} },
    code("const base: number = 20;\nfunction double(n: number): number {\n  return 2 * n;\n}"),
    code("double(base) + 2"),
    code('console.log("lines", [1, 2, 3].map(double).join(","));'),
    code('const label = "tsjit";\nlabel.toUpperCase()'),
  ],
};

describe.skipIf(!hasNbclient())("nbclient 0.7 executes a notebook", () => {
  let install: KernelInstall;
  let executed: Notebook;

  beforeAll(async () => {
    install = installTempKernel();
    const path = join(install.dir, "small.ipynb");
    writeFileSync(path, JSON.stringify(NOTEBOOK, null, 1));
    executed = await runPython<Notebook>(driver("nbclient_run.py"), [path], install.env, install.dir, 150_000);
  }, 160_000);

  afterAll(() => install?.cleanup());

  it("numbers every code cell in order and leaves markdown alone", () => {
    expect(executed.cells.map((c) => (c.cell_type === "code" ? c.execution_count : "md"))).toEqual(["md", 1, 2, 3, 4]);
    expect(executed.cells[0]).not.toHaveProperty("outputs");
  });

  it("stores each cell's outputs", () => {
    const [, define, use, log, upper] = executed.cells;
    expect(define?.outputs).toEqual([]);
    expect(use?.outputs).toHaveLength(1);
    expect(use?.outputs?.[0]).toMatchObject({ output_type: "execute_result", execution_count: 2, data: { "text/plain": "42" } });
    expect(log?.outputs).toEqual([{ output_type: "stream", name: "stdout", text: "lines 2,4,6\n" }]);
    expect(upper?.outputs?.[0]).toMatchObject({ output_type: "execute_result", data: { "text/plain": "'TSJIT'" } });
  });

  it("records the kernel's language_info in the notebook", () => {
    expect(executed.metadata.language_info).toMatchObject({ name: "typescript", version: ts.version, file_extension: ".ts" });
  });

  it("has no error outputs", () => {
    const errors = executed.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === "error");
    expect(errors).toEqual([]);
  });
});
