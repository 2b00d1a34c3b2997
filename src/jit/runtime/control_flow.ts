/**
 * prim::If and prim::Loop (Note [control flow blocks] in src/jit/ir/node_kinds.ts).
 *
 * Loop semantics are TorchScript's (interpreter.cpp, LOOP): the body runs while
 * `iteration < max_trip_count && condition`; the body receives the iteration number and the
 * carried values and returns the next condition and carried values; the node's outputs are
 * the carried values after the last iteration (the initial ones if the body never ran).
 * `for` loops come with condition `True`, `while` loops with max_trip_count INT64_MAX.
 */
import type { Node } from "../ir/index.js";
import { runBlock, type CompileContext, type Step } from "./plan.js";

export function compileIf(n: Node, ins: readonly number[], outs: readonly number[], ctx: CompileContext): Step {
  const thenB = ctx.compileBlock(n.block(0));
  const elseB = ctx.compileBlock(n.block(1));
  const cond = ins[0]!;
  return (r, env) => {
    const b = r[cond] ? thenB : elseB;
    runBlock(b, r, env);
    const rets = b.returns;
    for (let k = 0; k < outs.length; k++) r[outs[k]!] = r[rets[k]!];
  };
}

export function compileLoop(n: Node, ins: readonly number[], outs: readonly number[], ctx: CompileContext): Step {
  const body = ctx.compileBlock(n.block(0));
  const [maxSlot, condSlot] = ins as [number, number];
  const init = ins.slice(2);
  const iterParam = body.params[0]!;
  const carriedParams = body.params.slice(1);
  const condRet = body.returns[0]!;
  const carriedRets = body.returns.slice(1);
  const nc = carriedParams.length;
  return (r, env) => {
    const max = r[maxSlot] as number;
    let cond = r[condSlot] as boolean;
    for (let k = 0; k < nc; k++) r[carriedParams[k]!] = r[init[k]!];
    // Read every carried return before writing any parameter: a body may return its
    // parameters swapped (`a, b = b, a`).
    const next = new Array<unknown>(nc);
    for (let i = 0; i < max && cond; i++) {
      r[iterParam] = i;
      runBlock(body, r, env);
      cond = r[condRet] as boolean;
      for (let k = 0; k < nc; k++) next[k] = r[carriedRets[k]!];
      for (let k = 0; k < nc; k++) r[carriedParams[k]!] = next[k];
    }
    for (let k = 0; k < nc; k++) r[outs[k]!] = r[carriedParams[k]!];
  };
}
