/**
 * The op registry: every operator is declared once, as data (a TorchScript schema) plus a
 * forward kernel, a gradient rule and the grad_fn name PyTorch shows. The same entry serves
 * eager dispatch, autograd, tracing (the observer), and, in later layers, scripting, loading,
 * printing and code generation.
 *
 * Note [primitive and composite ops]: a primitive op's forward runs with grad recording off
 * and its own backward rule is recorded instead; a composite op (e.g. aten::linear) has no
 * backward: its forward is made of other ops, which record their own nodes, so grad_fn names
 * match PyTorch's (Linear shows AddmmBackward0). Either way, the tracer sees only the
 * outermost op, as PyTorch's tracer records aten::linear rather than its pieces.
 */
import { TypeError_ } from "../util/errors.js";
import { DType, toDType } from "./dtype.js";
import { parseSchema, type OpSchema, type SchemaArg } from "./schema.js";
import { Tensor } from "./tensor.js";
import { gradState } from "../autograd/grad_mode.js";
import { OpNode, type BackwardFn } from "../autograd/op_node.js";
import { compileInvoker, compileMethod, compileQuickDispatcher, compileSingleDispatcher } from "./dispatch_codegen.js";

export interface OverloadDef<A extends unknown[] = any[], R = any> {
  schema: string;
  forward: { f(...args: A): R }["f"];
  /** Gradient rule: one entry per schema argument (null where there is no gradient). */
  backward?: BackwardFn<A, R>;
  /** The grad_fn class name PyTorch shows, e.g. "AddBackward0". */
  gradName?: string;
  /** Note [primitive and composite ops]. */
  composite?: boolean;
  /** For elementwise ops: the JS expression of one element (Note [kernel expressions]). */
  jsExpr?: string;
  /** The expression float32 results use, where it differs (fast_math's float32-accurate forms). */
  jsExprF32?: string;
}

export interface OpOverload {
  readonly schema: OpSchema;
  readonly forward: (...args: any[]) => unknown;
  readonly backward: BackwardFn<any[], any> | undefined;
  readonly gradName: string;
  readonly composite: boolean;
  readonly jsExpr: string | undefined;
  readonly jsExprF32: string | undefined;
  /** Writes its first argument in place (schema `Tensor(a!) self`). */
  readonly inplace: boolean;
  /** Indices of Tensor and Tensor[] arguments. */
  readonly tensorArgs: readonly number[];
  /** Indices of arguments a caller may leave out. */
  readonly minArity: number;
  /** Every argument is taken as given (no list broadcasting or dtype names to normalize). */
  readonly simpleArgs: boolean;
}

/** Receives every outermost op call; the tracer implements it (Step 2). */
export interface OpObserver {
  record(op: OpOverload, args: readonly unknown[], out: unknown): void;
  /** A tensor made from JS data (`torch.tensor`): a trace records it as constant → to → detach. */
  recordLiteral?(t: Tensor): void;
}

export const dispatchState = {
  /** How many op forwards are on the stack; the observer only sees depth-0 calls. */
  depth: 0,
  observer: null as OpObserver | null,
};

/** All overloads by qualified name ("aten::add"), in the order they were defined. */
export const REGISTRY = new Map<string, OpOverload[]>();

export function lookupOverloads(name: string): readonly OpOverload[] {
  const found = REGISTRY.get(name);
  if (!found) throw new Error(`no operator named '${name}' is registered`);
  return found;
}

export function overload<A extends unknown[], R>(def: OverloadDef<A, R>): OverloadDef<A, R> {
  return def;
}

const SIMPLE_KINDS = new Set(["Tensor", "Tensor[]", "int", "float", "Scalar", "bool", "str"]);

function makeOverload(def: OverloadDef): OpOverload {
  const schema = parseSchema(def.schema);
  const tensorArgs: number[] = [];
  let minArity = 0;
  schema.args.forEach((a, i) => {
    if (a.kind === "Tensor" || a.kind === "Tensor[]") tensorArgs.push(i);
    if (!a.hasDefault && !a.kwargOnly) minArity = i + 1;
  });
  return {
    schema,
    forward: def.forward,
    backward: def.backward,
    gradName: def.gradName ?? "",
    composite: def.composite ?? false,
    jsExpr: def.jsExpr,
    jsExprF32: def.jsExprF32 ?? def.jsExpr,
    inplace: schema.args[0]?.mutated === true,
    tensorArgs,
    minArity,
    simpleArgs: schema.args.every((a) => SIMPLE_KINDS.has(a.kind)),
  };
}

export type Op<F extends (...args: any[]) => any> = F & { readonly overloads: readonly OpOverload[] };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function accepts(arg: SchemaArg, v: unknown, strict: boolean): boolean {
  if (v === null || v === undefined) return arg.optional || (v === undefined && arg.hasDefault);
  switch (arg.kind) {
    case "Tensor":
      return v instanceof Tensor || (!strict && (typeof v === "number" || typeof v === "boolean"));
    case "Tensor[]":
      return Array.isArray(v) && v.every((t) => t instanceof Tensor);
    case "int":
      return typeof v === "number" && (Number.isInteger(v) || !strict);
    case "float":
    case "Scalar":
      return typeof v === "number" || typeof v === "boolean";
    case "bool":
      return typeof v === "boolean" || (!strict && typeof v === "number");
    case "int[]":
    case "float[]":
      return (Array.isArray(v) && v.every((x) => typeof x === "number")) ||
        (typeof v === "number" && (arg.fixedLength !== null || !strict));
    case "bool[]":
      return (Array.isArray(v) && v.every((x) => typeof x === "boolean" || typeof x === "number")) ||
        (typeof v === "boolean" && arg.fixedLength !== null);
    case "ScalarType":
      return v instanceof DType || typeof v === "string";
    case "str":
      return typeof v === "string";
    default:
      return true;
  }
}

function normalizeValue(arg: SchemaArg, v: unknown): unknown {
  if (v === undefined) return arg.hasDefault ? arg.default : null;
  if (arg.kind === "ScalarType" && typeof v === "string") return toDType(v);
  if ((arg.kind === "int[]" && typeof v === "number") || (arg.kind === "bool[]" && typeof v === "boolean")) {
    if (arg.fixedLength !== null) return new Array<unknown>(arg.fixedLength).fill(v);
    return [v];
  }
  return v;
}

/** Binds JS call arguments (positional, then an optional trailing kwargs object) to a schema. */
function bind(ov: OpOverload, raw: readonly unknown[], strict: boolean): unknown[] | null {
  const params = ov.schema.args;
  let npos = raw.length;
  let kwargs: Record<string, unknown> | null = null;
  const last = raw[npos - 1];
  if (npos > 0 && isPlainObject(last)) {
    kwargs = last;
    npos--;
  }
  if (npos > params.length) return null;
  const out = new Array<unknown>(params.length);
  let used = 0;
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    let v: unknown;
    if (i < npos && !p.kwargOnly) v = raw[i];
    else if (i < npos) return null; // keyword-only arguments cannot be positional
    else if (kwargs && p.name in kwargs) {
      v = kwargs[p.name];
      used++;
    } else if (kwargs && p.name === "self" && "input" in kwargs) {
      v = kwargs["input"];
      used++;
    } else if (!p.hasDefault && !p.optional) return null;
    if (!accepts(p, v, strict)) return null;
    out[i] = normalizeValue(p, v);
  }
  if (kwargs && used !== Object.keys(kwargs).length) return null;
  return out;
}

function describeArg(v: unknown): string {
  if (v instanceof Tensor) return "Tensor";
  if (Array.isArray(v)) return `list of [${v.map(describeArg).join(", ")}]`;
  if (v === null || v === undefined) return "NoneType";
  if (v instanceof DType) return "torch.dtype";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "str";
  return typeof v;
}

function invalidArguments(publicName: string, overloads: readonly OpOverload[], raw: readonly unknown[]): Error {
  const lines = overloads.map((o) => {
    const args: string[] = [];
    o.schema.args.forEach((a, i) => {
      if (a.kwargOnly && !o.schema.args[i - 1]?.kwargOnly) args.push("*");
      args.push(`${a.typeText} ${a.name}`);
    });
    return ` * (${args.join(", ")})`;
  });
  return new TypeError_(
    `${publicName}() received an invalid combination of arguments - got (${raw.map(describeArg).join(", ")}), but expected one of:\n${lines.join("\n")}`,
  );
}

/** Resolves the overload and binds arguments: exact types first, then numbers as wrapped scalars. */
function resolve(publicName: string, overloads: readonly OpOverload[], raw: unknown[]): [OpOverload, unknown[]] {
  for (const strict of [true, false]) {
    for (const ov of overloads) {
      const bound = bind(ov, raw, strict);
      if (bound) return [ov, bound];
    }
  }
  throw invalidArguments(publicName, overloads, raw);
}

/** Runs one resolved overload: forward, then autograd recording, then the observer. */
export function runOverload(ov: OpOverload, args: unknown[]): unknown {
  const gradOn = gradState.enabled;
  const needGrad = gradOn && ov.backward !== undefined && anyRequiresGrad(ov, args);
  const saved = needGrad && ov.inplace ? OpNode.prepareInplace(ov, args) : args;
  // Note [primitive and composite ops]: only a composite forward records its inner ops.
  const muteGrad = gradOn && !ov.composite;
  if (muteGrad) gradState.enabled = false;
  dispatchState.depth++;
  let out: unknown;
  try {
    out = callForward(ov.forward, args);
  } finally {
    dispatchState.depth--;
    if (muteGrad) gradState.enabled = true;
  }
  if (ov.inplace) (args[0] as Tensor).storage.version++;
  if (needGrad) OpNode.record(ov, saved, out);
  const observer = dispatchState.observer;
  if (observer !== null && dispatchState.depth === 0) observer.record(ov, args, out);
  return out;
}

const invokers = new WeakMap<OpOverload, (args: unknown[]) => unknown>();

/**
 * `runOverload(ov, args)` as a function of `ov`'s own, whose call of the forward is monomorphic
 * (Note [one function per op]): for hot call sites that bind their own arguments. Made once per
 * overload.
 */
export function invokerOf(ov: OpOverload): (args: unknown[]) => unknown {
  let f = invokers.get(ov);
  if (f === undefined) {
    f = compileInvoker(ov, { runOverload, dispatchState });
    invokers.set(ov, f);
  }
  return f;
}

/** `f(...args)` without the spread for the common arities: spread calls cost on every op. */
function callForward(f: (...args: any[]) => unknown, a: unknown[]): unknown {
  switch (a.length) {
    case 1: return f(a[0]);
    case 2: return f(a[0], a[1]);
    case 3: return f(a[0], a[1], a[2]);
    case 4: return f(a[0], a[1], a[2], a[3]);
    case 5: return f(a[0], a[1], a[2], a[3], a[4]);
    default: return f(...a);
  }
}

function anyRequiresGrad(ov: OpOverload, args: readonly unknown[]): boolean {
  const ta = ov.tensorArgs;
  for (let i = 0; i < ta.length; i++) {
    const v = args[ta[i]!];
    if (v instanceof Tensor) {
      if (v.requires_grad) return true;
    } else if (Array.isArray(v)) {
      for (const t of v) if (t instanceof Tensor && t.requires_grad) return true;
    }
  }
  return false;
}

/**
 * Declares an operator: registers its overloads under their qualified name and returns the
 * eager function users call (`torch.add`), which resolves overloads from the JS arguments.
 */
export function defineOp<F extends (...args: any[]) => any>(
  publicName: string,
  defs: readonly OverloadDef<any[], any>[],
): Op<F> {
  const overloads = defs.map((d) => makeOverload(d));
  for (const ov of overloads) {
    const list = REGISTRY.get(ov.schema.name) ?? [];
    if (list.some((o) => o.schema.overload === ov.schema.overload)) {
      console.warn(`op registry: ${ov.schema.name}.${ov.schema.overload} defined twice; keeping the first`);
      continue;
    }
    list.push(ov);
    REGISTRY.set(ov.schema.name, list);
  }
  // Note [one function per op]; binding in full is the fallback of both generated forms
  const slow = (raw: unknown[]): unknown => {
    const [ov, args] = resolve(publicName, overloads, raw);
    return runOverload(ov, args);
  };
  const runtime = { runOverload, dispatchState };
  let fn: (...raw: unknown[]) => unknown;
  if (overloads.length === 1 && overloads[0]!.simpleArgs) {
    fn = compileSingleDispatcher(overloads[0]!, runtime, slow);
  } else {
    // only a prefix of quick-matchable overloads: a later one must not win over an earlier one
    const quick: OpOverload[] = [];
    for (const o of overloads) {
      if (!quickMatchable(o)) break;
      quick.push(o);
    }
    fn = compileQuickDispatcher(quick, runtime, slow);
  }
  Object.defineProperty(fn, "name", { value: publicName });
  Object.defineProperty(fn, "overloads", { value: overloads });
  return fn as unknown as Op<F>;
}

/**
 * A cheap exact-kind test for overloads made only of simple kinds, used to skip binding. It
 * only accepts calls strict binding would also accept for this overload, and only when no
 * earlier overload could take them, so it never changes which overload runs.
 */
const QUICK_KINDS = new Set(["Tensor", "int", "float", "Scalar", "bool", "str", "int[]"]);

/** Positional arguments of quick kinds; keyword-only ones just take their defaults. */
function quickMatchable(ov: OpOverload): boolean {
  return ov.schema.args.every((a) => a.kwargOnly ? a.hasDefault || a.optional : QUICK_KINDS.has(a.kind));
}

/** Installs `Tensor.prototype[name]` as a call of `op` with `this` first. */
export function installMethod(name: string, op: (...args: any[]) => unknown): void {
  Object.defineProperty(Tensor.prototype, name, { value: compileMethod(name, op), writable: true, configurable: true });
}

export function installMethods(table: Record<string, (...args: any[]) => unknown>): void {
  for (const [name, op] of Object.entries(table)) installMethod(name, op);
}
