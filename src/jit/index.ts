/** torch.jit */
export { trace, trace_module, type TraceOptions } from "./tracer/trace.js";
export { ScriptModule, type ScriptFunction } from "./script_module.js";
export { script, ScriptError, type ScriptOptions } from "./script.js";
import { activeSession } from "./tracer/session.js";

/** True while torch.jit.trace is recording. */
export function is_tracing(): boolean {
  return activeSession !== null;
}
export { markerOf, ignore, unused, export, type JitMarker, type IgnoreOptions } from "./api.js";
export { Future, fork, wait } from "./future.js";
export { isinstance, annotate, type TypeDescription } from "./type_check.js";
export { script_if_tracing } from "./script_if_tracing.js";
export { freeze, optimize_for_inference, type FreezeOptions } from "./freeze.js";
export { optimized_execution } from "./executor/graph_executor.js";
export { register_source } from "./source_registry.js";
export { save, load, TorchScriptArchiveError, type SaveOptions, type JitLoadOptions } from "./serialize/index.js";
