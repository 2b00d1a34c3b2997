/** Pass tests on graph text: parse, run the passes in order, print. */
import "../../../src/index.js"; // registers the ops the passes look up
import { parseGraph, printGraph, type Graph } from "../../../src/jit/ir/index.js";

export function afterPasses(text: string, ...passes: ((g: Graph) => unknown)[]): string {
  const g = parseGraph(text);
  for (const pass of passes) pass(g);
  return printGraph(g);
}
