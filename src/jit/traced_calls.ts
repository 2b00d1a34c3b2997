/**
 * A compiled (scripted) function called while torch.jit.trace records: PyTorch's tracer does
 * not trace into it but records the call, `prim::Constant[name="f"]` + `prim::CallFunction`
 * (`__torch__.f(x, 2, )` in `.code`). Used by torch.jit.script_if_tracing, and meant for
 * ScriptFunction calls in general (see makeScriptFunction in script_module.ts).
 */
import { Tensor } from "../tensor/tensor.js";
import { dispatchState } from "../tensor/registry.js";
import { moduleCallState } from "../nn/module.js";
import { Attr, Types, insertConstant, tensorTypeOf, type JitType, type Value } from "./ir/index.js";
import { activeSession } from "./tracer/session.js";
import { argumentValue, tensorValue, type Frame } from "./tracer/values.js";
import type { ScriptFunction } from "./script_module.js";

/** An argument of a traced function call as an IR value, typed by the callee's parameter. */
function argumentOf(f: Frame, v: unknown, param: JitType): Value {
  if (v instanceof Tensor) return tensorValue(f, v);
  if (typeof v === "number") {
    return insertConstant(f.graph, param.kind === "float" ? { type: "float", value: v } : { type: "int", value: v });
  }
  return argumentValue(f, v, undefined);
}

/**
 * Calls a ScriptFunction during a trace and records it as PyTorch's tracer does: a Function
 * constant and a prim::CallFunction whose result stands for what the call returned. The
 * function's own ops are not recorded (the observers are muted while it runs).
 */
export function callWhileTracing(fn: ScriptFunction, args: readonly unknown[], run: () => unknown): unknown {
  const session = activeSession;
  // observers muted: a call made inside another recorded call, which is not traced into
  if (session === null || dispatchState.observer === null) return run();
  const f = session.top;
  const inputs = fn.graph.inputs.map((p, i) => argumentOf(f, args[i], p.type));
  const [opObserver, callObserver] = [dispatchState.observer, moduleCallState.observer];
  dispatchState.observer = null;
  moduleCallState.observer = null;
  let out: unknown;
  try {
    out = run();
  } finally {
    dispatchState.observer = opObserver;
    moduleCallState.observer = callObserver;
  }
  const callee = f.graph.insert("prim::Constant", [], [{ kind: "Function", name: fn.qualified_name }], { scope: f.scope });
  callee.setAttr("name", Attr.s(fn.name));
  const resultType = fn.graph.outputs.length === 1 ? fn.graph.outputs[0]!.type : Types.none;
  const call = f.graph.insert("prim::CallFunction", [callee.output(), ...inputs], [resultType], { scope: f.scope });
  bindResult(f, call.output(), out);
  return out;
}

/** The call's result stands for the returned tensor, or its tuple's tensors. */
function bindResult(f: Frame, v: Value, out: unknown): void {
  if (out instanceof Tensor) {
    f.values.set(out, v);
  } else if (Array.isArray(out) && out.length > 0 && out.every((x) => x instanceof Tensor)) {
    const unpack = f.graph.insert("prim::TupleUnpack", [v], out.map((t: Tensor) => tensorTypeOf(t)), { scope: f.scope });
    out.forEach((t: Tensor, i) => f.values.set(t, unpack.outputs[i]!));
  }
}
