/**
 * %trace and %script: compile a module or function with torch.jit and show its TorchScript
 * (the ScriptModule / ScriptFunction display bundle: highlighted code, the graph on request).
 */
import * as jit from "../../jit/index.js";
import { Module } from "../../nn/module.js";
import { mimeBundleOf } from "../display/index.js";
import { andThen, namedError, type MagicsHost, type Maybe } from "./host.js";

function show(host: MagicsHost, compiled: unknown): void {
  const bundle = mimeBundleOf(compiled);
  if (bundle !== undefined) host.display(bundle);
}

/** `%trace fn(x, h)`: torch.jit.trace(fn, [x, h]); returns the result when it is bound. */
export function traceMagic(host: MagicsHost, source: string, target: () => Maybe<[unknown, unknown[]]>, assigned: boolean): Maybe<unknown> {
  return andThen(target(), ([fn, inputs]) => {
    let traced: unknown;
    if (fn instanceof Module) traced = jit.trace(fn, inputs);
    else if (typeof fn === "function") traced = jit.trace(fn as (...a: never[]) => unknown, inputs);
    else throw namedError("UsageError", `%trace ${source}: '${source.slice(0, source.lastIndexOf("("))}' is a ${typeof fn}, not an nn.Module or a function`);
    show(host, traced);
    return assigned ? traced : undefined;
  });
}

/** `%script gate`: torch.jit.script(gate) once scripting exists (Step 4). */
export function scriptMagic(host: MagicsHost, source: string, target: () => unknown, assigned: boolean): unknown {
  const script = (jit as Record<string, unknown>)["script"];
  if (typeof script !== "function") {
    throw namedError(
      "NotImplementedError",
      `%script ${source}: torch.jit.script is not available yet (scripting arrives with Step 4); use %trace ${source}(example inputs) meanwhile`,
    );
  }
  const scripted = (script as (obj: unknown) => unknown)(target());
  show(host, scripted);
  return assigned ? scripted : undefined;
}
