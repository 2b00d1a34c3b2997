/**
 * What the source says about a compiled function's parameters beyond its graph's input types:
 * names (keyword arguments), defaults (calls that leave trailing ones out, and `def f(s:
 * Optional[int]=None)` in `.code`) and broadcasting lists. Kept per graph, since methods and
 * functions travel as graphs.
 */
import type { ConstantValue, Graph } from "../ir/index.js";
import type { ArgumentSpec } from "../printer/python_printer.js";

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

/** A constant as the runtime value the printer prints a default from. */
function runtimeValue(c: ConstantValue): unknown {
  switch (c.type) {
    case "None": return null;
    case "int": return Number(c.value);
    case "Function": return undefined;
    case "int[]": return c.value.map(Number);
    default: return c.value;
  }
}

/**
 * The printer's argument specs for a graph compiled from source (defaults and broadcasting
 * lengths), index 0 being `self` for a method; undefined for graphs from elsewhere. Pass as
 * `printMethod(graph, { name, args: argumentSpecs(graph, true) })`.
 */
export function argumentSpecs(graph: Graph, isMethod: boolean): (ArgumentSpec | undefined)[] | undefined {
  const sig = signatures.get(graph);
  if (!sig) return undefined;
  const specs: (ArgumentSpec | undefined)[] = isMethod ? [undefined] : [];
  sig.defaults.forEach((d, i) => {
    const n = sig.broadcast[i] ?? undefined;
    specs.push(d ? { default: { value: runtimeValue(d) }, ...(n ? { fixedLength: n } : {}) } : undefined);
  });
  return specs;
}
