/** How ScriptModules print: PyTorch's seed outputs 1d (traced) and 3d (scripted). */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { torch } from "../../../src/index.js";
import { defineCell } from "./support.js";
import { SEED_CELL } from "./seed_cells.js";

const SEED = new URL("../../../../shared/reference/pytorch-1.13-seed-outputs.md", import.meta.url);
function seedBlock(title: string): string {
  const text = readFileSync(SEED, "utf8");
  const at = text.indexOf(`## ${title}`);
  const start = text.indexOf("```\n", at) + 4;
  return text.slice(start, text.indexOf("```", start)).trimEnd();
}

const { MyCell_v2, MyDecisionGate } = defineCell(SEED_CELL, { file: "<printing cell>" });

describe("printing a ScriptModule", () => {
  it("a scripted module and its scripted submodules print as RecursiveScriptModule (seed 3d)", () => {
    const scripted = torch.jit.script(new MyCell_v2(torch.jit.script(new MyDecisionGate())));
    expect(String(scripted)).toBe(seedBlock("3d. print(scripted_cell)"));
  });

  it("a loaded module prints as RecursiveScriptModule, a traced one under its own name", () => {
    const [x, h] = [torch.rand(3, 4), torch.rand(3, 4)];
    const traced = torch.jit.trace(new MyCell_v2(new MyDecisionGate()), [x, h]);
    expect(String(traced).split("\n")[0]).toBe("MyCell_v2(");
    const loaded = torch.jit.load(torch.jit.save(traced));
    expect(String(loaded).split("\n")[0]).toBe("RecursiveScriptModule(");
  });
});
