/**
 * Graph text, byte for byte as PyTorch 1.13's `str(graph)` (ir.cpp Graph::print / Node::print):
 *
 *   graph(%self.1 : __torch__.MyCell,
 *         %x : Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)):
 *     %11 : int = prim::Constant[value=1]() # /corpus/seed.py:31:0
 *     %y : Tensor = prim::If(%8) # /corpus/seed.py:36:8
 *       block0():
 *         -> (%x)
 *       block1():
 *         %11 : Tensor = aten::neg(%x), scope: __module.dg # /corpus/seed.py:39:19
 *         -> (%11)
 *     return (%y)
 *
 * Two spaces of indent per level; a node without outputs starts with ` = `; inputs of the
 * graph are joined with ",\n      " so they line up under the first one.
 */
import { printAttributeValue } from "./attributes.js";
import type { Graph } from "./graph.js";
import type { Node } from "./node.js";
import { formatSourceRange } from "./source_range.js";
import { printType } from "./type_print.js";
import type { Value } from "./value.js";

export interface PrintOptions {
  /** Append ` # file:line:col` (default true, as `str(graph)` does). */
  sourceLocations?: boolean;
  /** Append `, scope: ...` for traced nodes (default true). */
  scopes?: boolean;
  /** Print attributes in brackets (default true). */
  attributes?: boolean;
}

export function printValueRef(v: Value): string {
  return `%${v.debugName}`;
}

export function printValueRefs(vs: readonly Value[]): string {
  return vs.map(printValueRef).join(", ");
}

/** `%x : Tensor, %n : int` (the delimiter differs for graph inputs). */
export function printValuesWithTypes(vs: readonly Value[], delim = ", "): string {
  return vs.map((v) => `${printValueRef(v)} : ${printType(v.type)}`).join(delim);
}

export function printGraph(g: Graph, opts: PrintOptions = {}): string {
  let out = `graph(${printValuesWithTypes(g.inputs, ",\n      ")}):\n`;
  for (const n of g.nodes()) out += printNode(n, 1, opts);
  out += `  return (${printValueRefs(g.outputs)})\n`;
  return out;
}

/** One node at indent `level` (2 spaces each), with its blocks, ending in a newline. */
export function printNode(n: Node, level = 0, opts: PrintOptions = {}): string {
  let out = nodeHeader(n, level, opts) + "\n";
  n.blocks.forEach((b, i) => {
    out += `${indent(level + 1)}block${i}(${printValuesWithTypes(b.inputs)}):\n`;
    for (const inner of b.nodes()) out += printNode(inner, level + 2, opts);
    out += `${indent(level + 2)}-> (${printValueRefs(b.outputs)})\n`;
  });
  return out;
}

/** The node's own line without its blocks and without a newline (used in error messages too). */
export function nodeHeader(n: Node, level = 0, opts: PrintOptions = {}): string {
  let out = `${indent(level)}${printValuesWithTypes(n.outputs)} = ${n.kind}`;
  if (opts.attributes !== false && n.hasAttributes()) {
    out += `[${n.attributeNames().map((name) => `${name}=${printAttributeValue(n.attr(name)!)}`).join(", ")}]`;
  }
  out += `(${printValueRefs(n.inputs)})`;
  if (opts.scopes !== false && n.scope) out += `, scope: ${n.scope}`;
  if (opts.sourceLocations !== false && n.sourceRange) out += ` # ${formatSourceRange(n.sourceRange)}`;
  return out;
}

function indent(level: number): string {
  return "  ".repeat(level);
}
