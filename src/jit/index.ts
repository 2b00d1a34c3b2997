/** torch.jit */
export { trace, trace_module, type TraceOptions } from "./tracer/trace.js";
export { ScriptModule, type ScriptFunction } from "./script_module.js";
export { script, ScriptError, type ScriptOptions } from "./script.js";
import { activeSession } from "./tracer/session.js";

/** True while torch.jit.trace is recording. */
export function is_tracing(): boolean {
  return activeSession !== null;
}
