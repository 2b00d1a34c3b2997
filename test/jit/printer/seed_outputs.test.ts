/**
 * The seed article's `.code` outputs (pytorch-1.13-seed-outputs.md), printed from the graphs
 * the same document shows for the same objects.
 */
import { shared } from "./support.js";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseGraph } from "../../../src/jit/ir/index.js";
import { printMethod } from "../../../src/jit/printer/index.js";

const md = readFileSync(new URL("reference/pytorch-1.13-seed-outputs.md", shared), "utf8");

/** The fenced block under the `## <id>. ...` heading. */
function block(id: string): string {
  const at = md.search(new RegExp(`^## ${id}\\. `, "m"));
  if (at < 0) throw new Error(`no section ${id}`);
  const m = /```\w*\n([\s\S]*?)```/.exec(md.slice(at));
  return m![1]!;
}

/** code section -> the graph section of the same object. */
const PAIRS: readonly [code: string, graph: string, what: string][] = [
  ["1g", "1f", "traced_cell.code"],
  ["2b", "2d", "traced gate that returned its input: -> NoneType, return None"],
  ["2c", "2e", "traced_cell2.code: the gate's None result is assigned and ignored"],
  ["2h", "2j", "traced gate that negated"],
  ["3a", "3b", "scripted_gate.code: if/else"],
  ["3e", "3f", "scripted_cell.code"],
  ["4b", "4e", "rnn_loop.code: for loop, tuple unpack"],
];

describe("seed outputs: .code from .graph", () => {
  for (const [code, graph, what] of PAIRS) {
    it(`${code} from ${graph}: ${what}`, () => {
      expect(printMethod(parseGraph(block(graph)), { name: "forward" })).toBe(block(code));
    });
  }
});
