/**
 * What the source says about a compiled function's parameters beyond its graph's input types:
 * names (keyword arguments), defaults (calls that leave trailing ones out, and `def f(s:
 * Optional[int]=None)` in `.code`) and broadcasting lists. Kept per graph, since methods and
 * functions travel as graphs; the frontend writes it, the interpreter and printer read it.
 */
import type { ConstantValue } from "./constants.js";
import type { Graph } from "./graph.js";

export interface Signature {
  /** Parameter names (self excluded), for keyword arguments. */
  readonly names: readonly string[];
  /** The default of each parameter (null: none). */
  readonly defaults: readonly (ConstantValue | null)[];
  /** `BroadcastingList2<int>` parameters: one number given there fills a list of this length. */
  readonly broadcast: readonly (number | null)[];
}

/** Signatures of graphs compiled from source (traced and loaded methods have none). */
export const signatures = new WeakMap<Graph, Signature>();

/** A default as the runtime value it stands for (what a call that leaves it out receives). */
export function defaultValue(c: ConstantValue): unknown {
  switch (c.type) {
    case "None": return null;
    case "int": return Number(c.value);
    case "Function": return undefined;
    case "int[]": return c.value.map(Number);
    default: return c.value;
  }
}
