// The article's notebooks (notebooks/01_trace ... 06_api_tour), executed by `tsjit run`:
// no cell fails, and the outputs hold what the article shows, checked against PyTorch 1.13's
// own output for the same program (../shared/reference/pytorch-1.13-seed-outputs.md): the
// traced and scripted `.code` text, the seeded tensors, and the traced cell's different answer
// for `-x`. The notebooks' stored outputs (what a reader sees on opening them) are checked the
// same way, so they cannot fall behind the code.

import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseNotebook, type Cell, type Notebook, type Output } from "../../src/run/notebook.js";
import { firstTensor, ROOT, runTsjit, seedOutput, type CliResult } from "./support.js";
import { driver, hasNbclient, installTempKernel, runPython, type KernelInstall } from "../kernel/clients/support.js";

const NOTEBOOKS = [
  "01_trace.ipynb", "02_script.ipynb", "03_mixing.ipynb", "04_performance.ipynb", "05_save_load.ipynb", "06_api_tour.ipynb", "07_from_pytorch.ipynb",
] as const;
type Name = (typeof NOTEBOOKS)[number];

/** A cell that prints `.code` (its stdout) and the reference section holding PyTorch's text. */
const CODE_CELLS: [Name, string, string][] = [
  ["01_trace.ipynb", "console.log(traced_cell.code)", "1g. traced_cell.code"],
  ["01_trace.ipynb", "console.log(traced_linear.code)", "1h. traced_cell.linear.code"],
  ["02_script.ipynb", "console.log(traced_gate2.code)", "2b. traced_cell2.dg.code  (branch returning x)"],
  ["02_script.ipynb", "console.log(traced_cell2.code)", "2c. traced_cell2.code"],
  ["02_script.ipynb", "console.log(traced_gate2n.code)", "2h. traced_cell2n.dg.code (branch returning -x)"],
  ["02_script.ipynb", "console.log(traced_cell2n.code)", "2i. traced_cell2n.code"],
  ["02_script.ipynb", "console.log(scripted_gate.code)", "3a. scripted_gate.code"],
  ["02_script.ipynb", "console.log(scripted_cell.code)", "3e. scripted_cell.code"],
  ["03_mixing.ipynb", "console.log(traced_with_scripted_gate.code)", "3i. trace(MyCell_v2(scripted_gate)).code"],
  ["03_mixing.ipynb", "console.log(its_gate.code)", "3j. trace(MyCell_v2(scripted_gate)).dg.code"],
  ["03_mixing.ipynb", "console.log(rnn_loop.code)", "4b. rnn_loop.code"],
  ["03_mixing.ipynb", "console.log(rnn_cell.code)", "4c. rnn_loop.cell.code"],
  ["03_mixing.ipynb", "console.log(rnn_gate.code)", "4d. rnn_loop.cell.dg.code"],
  ["05_save_load.ipynb", "console.log(loaded.code)", "4b. rnn_loop.code"],
  // an archive PyTorch wrote (notebooks/data/make_pytorch_files.py) prints PyTorch's code once loaded
  ["07_from_pytorch.ipynb", "console.log(rnn_loop.code)", "4b. rnn_loop.code"],
];

/** A cell whose result is a pair of tensors (its last line), and the reference section printing the same call. */
const TENSOR_CELLS: [Name, string, string][] = [
  ["01_trace.ipynb", "my_cell(x, h)", "1b. my_cell(x, h) (eager)"],
  ["01_trace.ipynb", "traced_cell(x, h)", "1e. traced_cell(x, h)"],
  ["02_script.ipynb", "traced_cell2(x, h)", "2f. traced_cell2(x, h)"],
  ["02_script.ipynb", "traced_cell2n(x, h)", "2k. traced_cell2n(x, h) -- note: replays the neg branch even for positive x"],
  ["02_script.ipynb", "my_cell2(x, h)", "2l. my_cell2n(x, h) eager for comparison"],
  ["02_script.ipynb", "scripted_cell(x, h)", "3g. scripted_cell(x, h)"],
  ["03_mixing.ipynb", "rnn_loop(xs)", "4f. rnn_loop(xs) with torch.manual_seed(1); xs = torch.rand(10, 3, 4)"],
];

function cellOf(notebook: Notebook, name: string, find: (cell: Cell) => boolean, what: string): Cell {
  const found = notebook.cells.filter((c) => c.cell_type === "code" && find(c));
  if (found.length !== 1) throw new Error(`${name}: expected one cell ${what}, found ${found.length}`);
  return found[0]!;
}

const lastLine = (cell: Cell): string => cell.source.trim().split("\n").at(-1)!.trim();

const stdoutOf = (cell: Cell): string => (cell.outputs ?? []).flatMap((o) => (o.output_type === "stream" && o.name === "stdout" ? [o.text] : [])).join("");

function resultText(cell: Cell): string {
  const result = (cell.outputs ?? []).find((o): o is Extract<Output, { output_type: "execute_result" }> => o.output_type === "execute_result");
  const plain = result?.data["text/plain"];
  if (typeof plain !== "string") throw new Error(`cell ${JSON.stringify(cell.source)} has no text/plain result`);
  return plain;
}

/** The checks, on notebooks just executed or on the stored ones. */
function checkArticleOutputs(load: (name: Name) => Notebook): void {
  it("no cell has an error output, and every code cell ran", () => {
    for (const name of NOTEBOOKS) {
      for (const cell of load(name).cells.filter((c) => c.cell_type === "code")) {
        expect(cell.outputs?.filter((o) => o.output_type === "error"), `${name}: ${cell.source}`).toEqual([]);
        expect(cell.execution_count, `${name}: ${cell.source}`).toEqual(expect.any(Number));
      }
    }
  });

  it.each(CODE_CELLS)("%s: `%s` prints PyTorch 1.13's %s", (name, source, title) => {
    const cell = cellOf(load(name), name, (c) => c.source.includes(source), `containing ${source}`);
    expect(stdoutOf(cell).replace(/\n+$/, "")).toBe(seedOutput(title));
  });

  it.each(TENSOR_CELLS)("%s: `%s` shows PyTorch 1.13's numbers (%s)", (name, source, title) => {
    const cell = cellOf(load(name), name, (c) => lastLine(c) === source, `ending with ${source}`);
    expect(firstTensor(resultText(cell))).toBe(firstTensor(seedOutput(title)));
  });

  it("01_trace: the seeded inputs are PyTorch's x and h", () => {
    const cell = cellOf(load("01_trace.ipynb"), "01_trace", (c) => c.source.startsWith("torch.manual_seed(0)"), "seeding x and h");
    const shown = (cell.outputs ?? []).flatMap((o) => (o.output_type === "stream" || o.output_type === "error" ? [] : [o.data["text/plain"]]));
    expect(shown).toEqual([seedOutput("x"), seedOutput("h")]);
  });

  it("02_script: the cell traced with x answers -x differently from the original; the scripted cell does not", () => {
    const nb = load("02_script.ipynb");
    const result = (source: string): string => firstTensor(resultText(cellOf(nb, "02_script", (c) => c.source.trim() === source, source)));
    expect(result("traced_cell2(x.neg(), h)")).not.toBe(result("my_cell2(x.neg(), h)"));
    expect(result("scripted_cell(x.neg(), h)")).toBe(result("my_cell2(x.neg(), h)"));
    // PyTorch's profiling executor names 3h's grad_fn DifferentiableGraphBackward; the numbers are what must agree.
    const numbers = (tensor: string): string => tensor.replace(/,grad_fn=<\w+>/, "");
    expect(numbers(result("scripted_cell(x.neg(), h)"))).toBe(numbers(firstTensor(seedOutput("3h. scripted_cell(-x, h)"))));
  });

  it("05_save_load: the module loaded from ./models/rnn_loop.pth gives the saved module's output", () => {
    const cell = cellOf(load("05_save_load.ipynb"), "05_save_load", (c) => c.source.includes("torch.equal(y_loaded, y_saved)"), "comparing");
    expect(resultText(cell)).toBe("true");
  });

  it("07_from_pytorch: the loaded archive and the loaded state dict reproduce PyTorch's outputs", () => {
    const nb = load("07_from_pytorch.ipynb");
    const verdicts = nb.cells.filter((c) => c.cell_type === "code" && lastLine(c).startsWith("torch.allclose(")).map(resultText);
    expect(verdicts).toEqual(["true", "true"]);
  });

  it("04_performance, 05_save_load: each %timeit cell prints IPython's timing line", () => {
    const timed = (["04_performance.ipynb", "05_save_load.ipynb"] as const).flatMap((name) => load(name).cells.filter((c) => c.source.trim().startsWith("%timeit")));
    expect(timed.map((c) => c.source.trim())).toEqual([
      "%timeit rnn_loop(xs)", "%timeit rnn_loop_normal(xs)", "%timeit torch.jit.optimized_execution(false, () => rnn_loop(xs))",
      "%timeit torch.no_grad(() => rnn_loop(xs))", "%timeit torch.no_grad(() => rnn_loop_normal(xs))", "%timeit loaded(xs)",
    ]);
    for (const cell of timed) expect(stdoutOf(cell)).toMatch(/^\S+ [nµm]?s ± \S+ [nµm]?s per loop \(mean ± std\. dev\. of \d+ runs?, [\d,]+ loops? each\)$/m);
  });
}

describe("tsjit run executes the article's notebooks", () => {
  // A copy, run in place: 05_save_load writes ./models/ beside the notebook, which must not land in the checkout.
  const out = mkdtempSync(join(tmpdir(), "tsjit-run-article-"));
  let result: CliResult;
  beforeAll(async () => {
    for (const name of NOTEBOOKS) copyFileSync(join(ROOT, "notebooks", name), join(out, name));
    cpSync(join(ROOT, "notebooks", "data"), join(out, "data"), { recursive: true }); // 07's PyTorch files
    result = await runTsjit(["run", ...NOTEBOOKS, "--inplace"], out, 500_000);
  }, 520_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("exits 0", () => {
    expect(result.stderr).not.toMatch(/cell \d+ failed/);
    expect(result.code).toBe(0);
  });

  checkArticleOutputs((name) => parseNotebook(readFileSync(join(out, name), "utf8"), name));
});

describe("the notebooks' stored outputs hold what the article shows", () => {
  checkArticleOutputs((name) => parseNotebook(readFileSync(join(ROOT, "notebooks", name), "utf8"), name));
});

describe.skipIf(!hasNbclient())("nbclient 0.7 executes the article's notebooks with the installed kernelspec", () => {
  // what `jupyter nbconvert --execute` and papermill do; copies again, since 05 writes ./models/
  const dir = mkdtempSync(join(tmpdir(), "tsjit-nbclient-article-"));
  const executed = new Map<Name, Notebook>();
  let install: KernelInstall | undefined;
  beforeAll(async () => {
    install = installTempKernel();
    cpSync(join(ROOT, "notebooks", "data"), join(dir, "data"), { recursive: true }); // 07's PyTorch files
    for (const name of NOTEBOOKS) {
      copyFileSync(join(ROOT, "notebooks", name), join(dir, name));
      const nb = await runPython<unknown>(driver("nbclient_run.py"), [join(dir, name)], install.env, dir, 300_000);
      executed.set(name, parseNotebook(JSON.stringify(nb), name));
    }
  }, 1_800_000);
  afterAll(() => {
    install?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  checkArticleOutputs((name) => executed.get(name)!);
});
