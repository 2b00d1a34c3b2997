/**
 * The last step of the script pipeline: every graph the compiler finishes must pass the
 * verifier (TorchScript's Graph::lint, src/jit/ir/verify.ts). An invalid graph (a value used
 * outside the block that defines it, say) may still happen to run, so it is an internal error
 * here, naming the function and showing the graph, rather than silent misbehaviour later.
 */
import { IRVerifyError, verifyGraph, type Graph } from "../ir/index.js";

/** Verifies `g`, compiled from `what` (e.g. "'forward' (<cell 3>, line 2)"); throws IRVerifyError if it is invalid. */
export function checkCompiledGraph(g: Graph, what: string): void {
  try {
    verifyGraph(g);
  } catch (err) {
    if (!(err instanceof IRVerifyError)) throw err;
    throw new IRVerifyError(`torch.jit.script internal error: the graph compiled for ${what} is invalid. ${err.message}\n${g}`, err.node);
  }
}
