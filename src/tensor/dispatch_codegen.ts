/**
 * Generated eager entry points. Note [one function per op]: closures made at one site in V8
 * share one feedback vector, so a single generic wrapper for every op sees every op's forward at
 * its call site, goes megamorphic, and inlines nothing: in a real model's mix of ops each call
 * then cost several times what the same op costs called alone. Each op gets its own generated
 * function instead (and each Tensor method its own wrapper), whose call to the op's forward is
 * monomorphic, and whose common case (no tracer, no gradient to record) runs the forward
 * without building an argument array. Everything else goes to the generic path
 * (`runOverload`), which stays the one definition of what a call does; the generated code only
 * skips the parts of it that the fast-path conditions make no-ops.
 */
import { Tensor } from "./tensor.js";
import { gradState } from "../autograd/grad_mode.js";
import { OpNode } from "../autograd/op_node.js";
import type { OpOverload, OpObserver } from "./registry.js";

interface DispatchRuntime {
  runOverload(ov: OpOverload, args: unknown[]): unknown;
  dispatchState: { depth: number; observer: OpObserver | null };
}

function isKwargs(v: unknown): boolean {
  return typeof v === "object" && v !== null && !(v instanceof Tensor) && Object.getPrototypeOf(v) === Object.prototype;
}

function listNeedsGrad(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const t: unknown = v[i];
    if (t instanceof Tensor && t.requires_grad) return true;
  }
  return false;
}

/**
 * The source of running overload `ov` (its forward bound as `forward`) on the argument
 * expressions `args` (one per schema argument): the forward directly where runOverload would do
 * nothing else (no tracer observing, no gradient to record), runOverload otherwise.
 */
function invokeSource(ov: OpOverload, args: readonly string[], forward: string, overload: string): string {
  const needsGrad: string[] = [];
  ov.schema.args.forEach((a, i) => {
    if (a.kind === "Tensor") needsGrad.push(`(${args[i]} instanceof Tensor && ${args[i]}.requires_grad)`);
    if (a.kind === "Tensor[]") needsGrad.push(`listNeedsGrad(${args[i]})`);
  });
  const mayRecord = ov.backward !== undefined && needsGrad.length > 0 ? `gradOn && (${needsGrad.join(" || ")})` : "false";
  const call = forwardCall(ov, `${forward}(${args.join(", ")})`);
  return `
    if (runtime.dispatchState.observer === null) {
      const gradOn = gradState.enabled;
      if (!(${mayRecord})) {
        let out;
        ${call}
        ${ov.inplace ? `${args[0]}.storage.version++;` : ""}
        return out;
      }${recordSource(ov, args, call, overload)}
    }
    return runtime.runOverload(${overload}, [${args.join(", ")}]);`;
}

/**
 * Note [recording in the generated call]: with a gradient to record, runOverload's own call of
 * the forward is one site shared by every op, megamorphic in a model's mix of ops; an
 * out-of-place op therefore records its node here, calling its forward from its own function.
 * In-place ops (which copy self before the write) keep to runOverload.
 */
function recordSource(ov: OpOverload, args: readonly string[], call: string, overload: string): string {
  if (ov.inplace || ov.backward === undefined) return "";
  return `
      const saved = [${args.join(", ")}];
      let out;
      ${call}
      OpNode.record(${overload}, saved, out);
      return out;`;
}

/**
 * `out = forward(...)`, for a primitive op with grad recording off while it runs (Note
 * [primitive and composite ops]: a composite forward's inner ops record their own nodes).
 */
function forwardCall(ov: OpOverload, call: string): string {
  if (ov.composite) return `out = ${call};`;
  return `if (gradOn) {
          gradState.enabled = false;
          try { out = ${call}; } finally { gradState.enabled = true; }
        } else {
          out = ${call};
        }`;
}

/** Collects values the generated source refers to as `c<i>`. */
class Constants {
  readonly values: unknown[] = [];
  ref(v: unknown): string {
    this.values.push(v);
    return `c${this.values.length - 1}`;
  }
}

type Dispatcher = (...raw: unknown[]) => unknown;

function build(source: string, deps: Record<string, unknown>, constants: Constants): Dispatcher {
  const names = [...Object.keys(deps), ...constants.values.map((_, i) => `c${i}`)];
  const make = new Function("Tensor", "gradState", "OpNode", "isKwargs", "listNeedsGrad", ...names, source) as (...deps: unknown[]) => Dispatcher;
  return make(Tensor, gradState, OpNode, isKwargs, listNeedsGrad, ...Object.values(deps), ...constants.values);
}

/**
 * `(args) => result` for one overload with its arguments fully bound: what runOverload does,
 * with the overload's forward called directly (Note [one function per op]). Fast paths that
 * bind their own arguments call this rather than runOverload.
 */
export function compileInvoker(ov: OpOverload, runtime: DispatchRuntime): (args: unknown[]) => unknown {
  const args = ov.schema.args.map((_, i) => `args[${i}]`);
  const source = `return function (args) {${invokeSource(ov, args, "forward", "ov")}
};`;
  return build(source, { runtime, ov, forward: ov.forward }, new Constants()) as (args: unknown[]) => unknown;
}

/**
 * The eager function of an op with one overload made of simple argument kinds. Calls the fast
 * path accepts (the same as the registry's generic fast path did, plus: an explicit `undefined`
 * takes the default, as binding does) run the forward directly; the rest go to `slow(raw)`.
 */
export function compileSingleDispatcher(ov: OpOverload, runtime: DispatchRuntime, slow: (raw: unknown[]) => unknown): Dispatcher {
  const params = ov.schema.args;
  const positional = params.filter((a) => !a.kwargOnly).length;
  const names = params.map((_, i) => `a${i}`);
  const accepted: string[] = [];
  const setup: string[] = [];
  const constants = new Constants();
  params.forEach((a, i) => {
    const v = names[i]!;
    const given = i < ov.minArity ? "" : `n <= ${i} || `;
    if (a.kind === "Tensor" || a.kind === "Tensor[]") {
      accepted.push(`(${given}${v} instanceof Tensor || typeof ${v} === "number" || typeof ${v} === "boolean" || Array.isArray(${v}))`);
    } else if (i < positional) {
      accepted.push(`(${given}!isKwargs(${v}))`);
    }
    if (a.kwargOnly) setup.push(`const ${v} = ${constants.ref(a.hasDefault ? a.default : null)};`);
    else if (a.hasDefault) setup.push(`if (${v} === undefined) ${v} = ${constants.ref(a.default)};`);
    else if (i >= ov.minArity) setup.push(`if (${v} === undefined) ${v} = null;`);
  });
  const source = `
return function (${names.slice(0, positional).join(", ")}) {
  const n = arguments.length;
  if (n >= ${ov.minArity} && n <= ${positional}${accepted.map((c) => ` && ${c}`).join("")}) {
    ${setup.join("\n    ")}${invokeSource(ov, names, "forward", "ov")}
  }
  return slow(Array.prototype.slice.call(arguments));
};`;
  return build(source, { runtime, ov, forward: ov.forward, slow }, constants);
}

/**
 * The eager function of an op whose leading overloads take only simple kinds. Note [overload
 * fast path]: the first of them whose argument kinds match exactly (what strict binding would
 * pick first) runs without binding; other calls go to `slow(raw)`, which binds in full.
 */
export function compileQuickDispatcher(quick: readonly OpOverload[], runtime: DispatchRuntime, slow: (raw: unknown[]) => unknown): Dispatcher {
  const widest = Math.max(0, ...quick.map((ov) => ov.schema.args.filter((a) => !a.kwargOnly).length));
  const formal = Array.from({ length: widest }, (_, i) => `a${i}`);
  const constants = new Constants();
  const deps: Record<string, unknown> = { runtime, slow };
  const branches = quick.map((ov, k) => {
    deps[`ov${k}`] = ov;
    deps[`f${k}`] = ov.forward;
    const params = ov.schema.args;
    const positional = params.filter((a) => !a.kwargOnly).length;
    const tests: string[] = [`n >= ${ov.minArity}`, `n <= ${positional}`];
    const bind: string[] = [];
    const names = params.map((_, i) => `x${i}`);
    params.forEach((a, i) => {
      const v = `a${i}`;
      if (a.kwargOnly) {
        bind.push(`const x${i} = ${constants.ref(a.hasDefault ? a.default : null)};`);
        return;
      }
      const test = kindTest(a.kind, v, a.fixedLength !== null);
      const absent = a.optional ? `${v} === null || ${v} === undefined || ` : i >= ov.minArity ? `n <= ${i} || ` : "";
      tests.push(`(${absent}${test})`);
      const fallback = a.hasDefault ? constants.ref(a.default) : "null";
      if (a.kind === "int[]" && a.fixedLength !== null) {
        // int[2] takes one int for every position, as binding broadcasts it
        bind.push(`const x${i} = ${v} === undefined ? ${fallback} : typeof ${v} === "number" ? new Array(${a.fixedLength}).fill(${v}) : ${v};`);
      } else {
        bind.push(`const x${i} = ${v} === undefined ? ${fallback} : ${v};`);
      }
    });
    return `
  if (${tests.join(" && ")}) {
    ${bind.join("\n    ")}${invokeSource(ov, names, `f${k}`, `ov${k}`)}
  }`;
  });
  const source = `
return function (${formal.join(", ")}) {
  const n = arguments.length;${branches.join("")}
  return slow(Array.prototype.slice.call(arguments));
};`;
  return build(source, deps, constants);
}

/** The exact-kind test of one argument; a fixed-length int list also takes one int. */
function kindTest(kind: string, v: string, fixedLength: boolean): string {
  switch (kind) {
    case "Tensor": return `${v} instanceof Tensor`;
    case "int": return `Number.isInteger(${v})`;
    case "float":
    case "Scalar": return `(typeof ${v} === "number" || typeof ${v} === "boolean")`;
    case "bool": return `typeof ${v} === "boolean"`;
    case "str": return `typeof ${v} === "string"`;
    case "int[]": return `(${fixedLength ? `Number.isInteger(${v}) || ` : ""}(Array.isArray(${v}) && ${v}.every(Number.isInteger)))`;
    default: throw new Error(`no quick test for argument kind ${kind}`);
  }
}

/** `Tensor.prototype[name]`: the op called with `this` first, one wrapper per op (Note [one function per op]). */
export function compileMethod(name: string, op: (...args: any[]) => unknown): (this: Tensor, ...args: unknown[]) => unknown {
  const source = `
return function (a, b, c) {
  switch (arguments.length) {
    case 0: return op(this);
    case 1: return op(this, a);
    case 2: return op(this, a, b);
    case 3: return op(this, a, b, c);
    default: return op(this, ...arguments);
  }
};`;
  const method = new Function("op", source)(op) as (this: Tensor, ...args: unknown[]) => unknown;
  return Object.defineProperty(method, "name", { value: name });
}
