/**
 * Nodes that reach outside the graph: attributes of objects (prim::GetAttr / SetAttr),
 * method and function calls (prim::CallMethod / CallFunction), subgraphs (prim::fork,
 * prim::FusionGroup) and futures (aten::wait).
 *
 * Methods are found through the ScriptObject interface (objects.ts). An object that runs its
 * own methods (`callMethod`, see MethodCaller) is called that way, so a module can run its
 * hooks; otherwise the interpreter runs the method's graph with the object as `self`.
 *
 * Note [eager fork]: prim::fork runs its subgraph at once and returns a completed future;
 * an error is kept in the future and raised by aten::wait, as PyTorch's future does.
 */
import { RuntimeError } from "../../util/errors.js";
import type { Graph, Node } from "../ir/index.js";
import { defineBuiltins } from "./builtin_registry.js";
import { TorchScriptError } from "./errors.js";
import { isScriptObject, type ScriptFuture, type ScriptObject } from "./objects.js";
import type { CompileContext, RunEnv, Step } from "./plan.js";
import { FunctionValue, describeValueType, isFuture } from "./values.js";

/** A ScriptObject that runs its own methods (e.g. to run forward hooks). Optional. */
export interface MethodCaller {
  callMethod(name: string, args: readonly unknown[]): unknown;
}

function hasCallMethod(o: ScriptObject): o is ScriptObject & MethodCaller {
  return typeof (o as Partial<MethodCaller>).callMethod === "function";
}

function expectObject(v: unknown, what: string): ScriptObject {
  if (!isScriptObject(v)) throw new RuntimeError(`${what}: expected an object but found type '${describeValueType(v)}'`);
  return v;
}

export function compileGetAttr(n: Node, ins: readonly number[], outs: readonly number[]): Step {
  const name = n.s("name");
  const [i, o] = [ins[0]!, outs[0]!];
  return (r) => {
    const obj = expectObject(r[i], `prim::GetAttr[name="${name}"]`);
    const v = obj.getAttr(name);
    if (v === undefined && !obj.hasAttr(name)) throw new RuntimeError(`Module '${obj.qualifiedName}' has no attribute '${name}'`);
    r[o] = v === undefined ? null : v;
  };
}

export function compileSetAttr(n: Node, ins: readonly number[]): Step {
  const name = n.s("name");
  const [i, v] = [ins[0]!, ins[1]!];
  return (r) => expectObject(r[i], `prim::SetAttr[name="${name}"]`).setAttr(name, r[v]);
}

/** Runs a callee; its error gains the calling node's frame (Note [error frames] in errors.ts). */
function callee(node: Node, run: () => unknown): unknown {
  try {
    return run();
  } catch (e) {
    if (e instanceof TorchScriptError) e.addCallerFrame(node);
    throw e;
  }
}

function writeOne(outs: readonly number[]): (r: unknown[], v: unknown) => void {
  if (outs.length === 0) return () => {};
  if (outs.length === 1) return (r, v) => void (r[outs[0]!] = v);
  return (r, v) => outs.forEach((o, k) => (r[o] = (v as unknown[])[k]));
}

/** A graph's outputs as one value: a TorchScript function returns exactly one. */
function single(values: readonly unknown[]): unknown {
  return values.length === 1 ? values[0] : values;
}

export function compileCallMethod(n: Node, ins: readonly number[], outs: readonly number[], ctx: CompileContext): Step {
  const name = n.s("name");
  const self = ins[0]!;
  const argSlots = ins.slice(1);
  const write = writeOne(outs);
  return (r, env) => {
    const obj = expectObject(r[self], `prim::CallMethod[name="${name}"]`);
    const args = argSlots.map((s) => r[s]);
    const result = callee(n, () => {
      if (hasCallMethod(obj)) return obj.callMethod(name, args);
      const m = obj.getMethod(name);
      if (m === undefined) throw new RuntimeError(`Object of type '${obj.qualifiedName}' has no method '${name}'`);
      return single(ctx.invoke(m.graph, [obj, ...args], m.name, env));
    });
    write(r, result);
  };
}

export function compileCallFunction(n: Node, ins: readonly number[], outs: readonly number[], ctx: CompileContext): Step {
  const fnSlot = ins[0]!;
  const argSlots = ins.slice(1);
  const write = writeOne(outs);
  return (r, env) => {
    const f = r[fnSlot];
    if (!(f instanceof FunctionValue)) throw new RuntimeError(`prim::CallFunction: expected a Function but found type '${describeValueType(f)}'`);
    const fn = env.functions?.get(f.name);
    if (fn === undefined) throw new RuntimeError(`prim::CallFunction: no function '${f.name}' in the function table`);
    const args = argSlots.map((s) => r[s]);
    write(r, callee(n, () => single(ctx.invoke(fn.graph, args, fn.name, env))));
  };
}

function subgraph(n: Node): Graph {
  const a = n.attr("Subgraph");
  if (a?.kind !== "g") throw new RuntimeError(`${n.kind} has no Subgraph attribute`);
  return a.value;
}

interface FailedFuture extends ScriptFuture {
  error?: unknown;
}

/** Note [eager fork]. */
export function compileFork(n: Node, ins: readonly number[], outs: readonly number[], ctx: CompileContext): Step {
  const g = subgraph(n);
  const o = outs[0]!;
  return (r, env) => {
    const fut: FailedFuture = { kind: "future", value: null };
    try {
      fut.value = single(ctx.invoke(g, ins.map((s) => r[s]), "forked function", env));
    } catch (e) {
      fut.error = e;
    }
    r[o] = fut;
  };
}

/** prim::FusionGroup and prim::ScalarCondition: the subgraph, run in place. */
export function compileSubgraphCall(n: Node, ins: readonly number[], outs: readonly number[], ctx: CompileContext): Step {
  const g = subgraph(n);
  return (r, env: RunEnv) => {
    const res = callee(n, () => ctx.invoke(g, ins.map((s) => r[s]), n.kind, env)) as unknown[];
    outs.forEach((s, k) => (r[s] = res[k]));
  };
}

export function compileCreateObject(n: Node, _ins: readonly number[], outs: readonly number[]): Step {
  const t = n.output().type;
  const o = outs[0]!;
  return (r, env) => {
    if (t.kind !== "Class") throw new RuntimeError(`prim::CreateObject needs a class type, not ${t.kind}`);
    if (env.createObject === undefined) throw new RuntimeError(`prim::CreateObject: no class factory given to create ${t.name}`);
    r[o] = env.createObject(t.name);
  };
}

defineBuiltins([
  {
    schema: "aten::wait(Future(t) self) -> t",
    forward: (f: FailedFuture) => {
      if (!isFuture(f)) throw new RuntimeError(`aten::wait: expected a Future but found type '${describeValueType(f)}'`);
      if (f.error !== undefined) throw f.error;
      return f.value;
    },
  },
]);
