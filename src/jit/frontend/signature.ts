/**
 * What the source says about a compiled function's parameters beyond its graph's input types:
 * names (keyword arguments), defaults (calls that leave trailing ones out, and `def f(s:
 * Optional[int]=None)` in `.code`) and broadcasting lists. Kept per graph, since methods and
 * functions travel as graphs.
 */
import type { Graph } from "../ir/index.js";
import { defaultValue, signatures } from "../ir/source_signature.js";
import type { ArgumentSpec } from "../printer/python_printer.js";

export { signatures, type Signature } from "../ir/source_signature.js";

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
    specs.push(d ? { default: { value: defaultValue(d) }, ...(n ? { fixedLength: n } : {}) } : undefined);
  });
  return specs;
}
