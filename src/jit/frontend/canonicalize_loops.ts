/**
 * CanonicalizeModifiedLoops (TorchScript's canonicalize_modified_loop.cpp): a loop with both a
 * trip count and a condition that changes in the body (a `for` with `break`) cannot be printed
 * as Python, so it becomes a while loop with a counter of its own:
 *   cond0 = n > 0 [and cond]; loop(INT_MAX, cond0, ..., 0):  i' = i + 1; next = (i' < n) and body_cond
 */
import { constantValue, insertConstant, Types, type Block, type Graph, type Node } from "../ir/index.js";
import { emitBuiltinCall } from "./call_schema.js";

const INT_MAX = 9223372036854775807n;

function isConstTrue(n: Node): boolean {
  const c = constantValue(n);
  return c?.type === "bool" && c.value;
}

function isModified(loop: Node): boolean {
  const max = constantValue(loop.inputs[0]!.node);
  const tripGiven = !(max?.type === "int" && BigInt(max.value) === INT_MAX);
  const body = loop.blocks[0]!;
  return tripGiven && !(isConstTrue(loop.inputs[1]!.node) && isConstTrue(body.outputs[0]!.node));
}

function canonicalize(g: Graph, loop: Node): void {
  const call = (op: string, ...args: import("../ir/index.js").Value[]) =>
    emitBuiltinCall(g, op, { positional: args, keywords: new Map() }).output();
  g.withInsertPoint(loop, () => {
    const zero = insertConstant(g, { type: "int", value: 0 });
    const one = insertConstant(g, { type: "int", value: 1 });
    const maxTrip = loop.inputs[0]!;
    let cond = call("aten::gt", maxTrip, zero);
    loop.replaceInput(0, insertConstant(g, { type: "int", value: INT_MAX }));
    if (!isConstTrue(loop.inputs[1]!.node)) cond = call("aten::__and__", cond, loop.inputs[1]!);
    loop.replaceInput(1, cond);
    loop.addOutput(Types.int);
    loop.addInput(zero);
    const body = loop.blocks[0]!;
    const counter = body.addInput(undefined, Types.int);
    const trip = body.inputs[0]!;
    trip.setDebugName("");
    trip.replaceAllUsesWith(counter);
    g.withInsertPoint(body, () => {
      const inc = call("aten::add", counter, one);
      body.registerOutput(inc);
      const below = call("aten::lt", inc, maxTrip);
      const next = call("aten::__and__", below, body.outputs[0]!);
      body.eraseOutput(0);
      body.insertOutput(0, next);
    });
  });
}

export function canonicalizeModifiedLoops(g: Graph): void {
  const visit = (b: Block) => {
    for (const n of b.nodes()) {
      for (const inner of n.blocks) visit(inner);
      if (n.kind === "prim::Loop" && isModified(n)) canonicalize(g, n);
    }
  };
  visit(g.block);
}
