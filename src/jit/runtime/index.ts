/**
 * The JIT runtime: the reference interpreter and the builtins it registers. See README.md.
 */
export { runGraph, runPlan, compileGraph, forgetPlan, signatureOf, type Plan, type RunGraphEnv } from "./interpreter.js";
export type { RunEnv } from "./plan.js";
export { TorchScriptError, type TraceFrame } from "./errors.js";
export { checkInputs, graphSignature, type GraphSignature } from "./signature.js";
export { FunctionValue, makeFuture, isFuture, dtypeCode, dtypeFromCode, valueFitsType, describeValueType } from "./values.js";
export { valueToString } from "./value_str.js";
export { defineBuiltins, isBuiltin, isVararg, type BuiltinDef } from "./builtin_registry.js";
export { parseGenericSchema } from "./schema_generic.js";
export type { MethodCaller } from "./calls.js";
export * from "./objects.js";
