// One execute_request, from execute_input to execute_reply (the handler wraps it in busy/idle).
//
// Note [execution_count] follows IPython: the counter is the number the next stored cell gets;
// `execute_input` and `execute_result` show it; a cell with store_history (the default) uses it
// up, whether it succeeds or fails; the reply carries the last number used. Silent requests
// (store_history forced off by validation) publish neither execute_input nor execute_result.

import { describeError, type Evaluator, type ExecuteOutcome, type ExecuteSink } from "./evaluator.js";
import type { ExecuteRequestContent, IopubMessage, Json, Reply } from "./messages.js";

export interface ExecuteContext {
  evaluator: Evaluator;
  /** Shared with the handler, which reports it; mutated here only. */
  counter: { next: number };
  publish: (message: IopubMessage) => void;
  sink: ExecuteSink;
  /** Called when this request failed with stop_on_error (Note [stop_on_error] in handler.ts). */
  onStopOnError: () => void;
}

async function run(content: ExecuteRequestContent, count: number, context: ExecuteContext): Promise<ExecuteOutcome> {
  try {
    return await context.evaluator.execute(
      content.code,
      {
        executionCount: count,
        silent: content.silent,
        storeHistory: content.store_history,
        userExpressions: content.user_expressions,
        allowStdin: content.allow_stdin,
        stopOnError: content.stop_on_error,
      },
      context.sink,
    );
  } catch (e) {
    // The evaluator should report errors as outcomes; a rejection is still the cell's error.
    return { status: "error", ...describeError(e), traceback: [] };
  }
}

export async function execute(content: ExecuteRequestContent, context: ExecuteContext): Promise<Reply> {
  const count = context.counter.next;
  if (!content.silent) context.publish({ msg_type: "execute_input", content: { code: content.code, execution_count: count } });
  const outcome = await run(content, count, context);
  if (content.store_history) context.counter.next = count + 1;
  const replyCount = context.counter.next - 1;

  if (outcome.status === "error") {
    const error = { ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback };
    context.publish({ msg_type: "error", content: error });
    if (content.stop_on_error) context.onStopOnError();
    return { msg_type: "execute_reply", content: { status: "error", execution_count: replyCount, ...error } };
  }
  if (outcome.result !== undefined && !content.silent) {
    const { data, metadata } = outcome.result;
    context.publish({ msg_type: "execute_result", content: { execution_count: count, data, metadata: metadata ?? {} } });
  }
  // User expressions are JSON by construction (MIME bundles and strings).
  const userExpressions = (outcome.userExpressions ?? {}) as { [name: string]: Json };
  return { msg_type: "execute_reply", content: { status: "ok", execution_count: replyCount, user_expressions: userExpressions, payload: [] } };
}
