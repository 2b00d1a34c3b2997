/**
 * Compiles a node that calls a registry op (`aten::add`, `aten::len`, `prim::min`) into a
 * step. The overload is chosen once per node, in this order:
 *   1. `node.op`, when the producer (tracer, script compiler) resolved it;
 *   2. `resolveOverload`: the first overload the node's input types can call;
 *   3. a vararg schema (`aten::format(str self, ...)`) whose fixed arguments fit;
 *   4. Note [numbers as tensors]: an overload that fits once numbers may go where tensors go;
 *   5. otherwise the step picks by the runtime values (graphs typed `Any`, hand-built graphs).
 * An op the registry lacks fails when the node runs, not when the plan is made, so a graph
 * with an unsupported op in a branch never taken still runs.
 *
 * Note [numbers as tensors]: PyTorch resolves `x * 2` to `aten::mul.Scalar`; this registry
 * covers it with `aten::mul.Tensor`, whose eager binding takes a JS number as a wrapped
 * scalar. Because JS numbers do not say int or float, a float-typed integral value (2.0) is
 * passed as a 0-dim tensor of the default dtype when no floating tensor is among the
 * arguments, which promotes as PyTorch's wrapped float does (int_tensor * 2.0 is float32).
 */
import { get_default_dtype } from "../../tensor/dtype.js";
import { REGISTRY, runOverload, type OpOverload } from "../../tensor/registry.js";
import { Tensor } from "../../tensor/tensor.js";
import { RuntimeError } from "../../util/errors.js";
import {
  evalTypeVariables, isSubtypeOf, matchTypeVariables, resolveOverload, schemaArgType, type JitType, type Node,
} from "../ir/index.js";
import { builtinImpl, isBuiltin, isVararg, type BuiltinFn } from "./builtin_registry.js";
import type { Regs, Step } from "./plan.js";
import { LAYOUTS, MEMORY_FORMATS, describeValueType, dtypeFromCode, valueFitsType } from "./values.js";

const NUMBER_KINDS = new Set(["int", "float", "bool", "Scalar"]);

function tensorFormal(t: JitType): boolean {
  return t.kind === "Tensor" || (t.kind === "Optional" && t.element.kind === "Tensor");
}

function argsFit(ov: OpOverload, types: readonly JitType[], lenient: boolean): boolean {
  const args = ov.schema.args;
  if (isVararg(ov) ? types.length < args.length : types.length !== args.length) return false;
  const env = new Map<string, JitType>();
  return args.every((a, i) => {
    const formal = schemaArgType(a);
    const actual = types[i]!;
    if (matchTypeVariables(formal, actual, env) && isSubtypeOf(actual, evalTypeVariables(formal, env))) return true;
    return lenient && tensorFormal(formal) && NUMBER_KINDS.has(actual.kind);
  });
}

/** Steps 1-4 of the resolution order above; null leaves it to the runtime values. */
export function resolveNodeOverload(node: Node): OpOverload | null {
  if (node.op !== null) return node.op;
  const exact = resolveOverload(node);
  if (exact !== null) return exact;
  const candidates = REGISTRY.get(node.kind) ?? [];
  const types = node.inputs.map((v) => v.type);
  return candidates.find((ov) => isVararg(ov) && argsFit(ov, types, false)) ??
    candidates.find((ov) => argsFit(ov, types, true)) ?? null;
}

// ---- writing results ----

type Write = (r: Regs, result: unknown) => void;

function writer(outs: readonly number[]): Write {
  if (outs.length === 0) return () => {};
  if (outs.length === 1) {
    const o = outs[0]!;
    return (r, res) => void (r[o] = res);
  }
  return (r, res) => {
    const a = res as readonly unknown[];
    for (let k = 0; k < outs.length; k++) r[outs[k]!] = a[k];
  };
}

// ---- builtins: called directly (Note [builtins run without autograd]) ----

function builtinStep(f: BuiltinFn, ins: readonly number[], outs: readonly number[]): Step {
  const write = writer(outs);
  const [a, b, c] = ins;
  switch (ins.length) {
    case 0:
      return (r) => write(r, f());
    case 1:
      return (r) => write(r, f(r[a!]));
    case 2:
      return (r) => write(r, f(r[a!], r[b!]));
    case 3:
      return (r) => write(r, f(r[a!], r[b!], r[c!]));
    default:
      return (r) => write(r, f(...ins.map((i) => r[i])));
  }
}

// ---- tensor ops: through runOverload, for autograd and grad_fn names ----

export type Convert = ((v: unknown) => unknown) | null;

/** TorchScript passes dtypes, layouts and memory formats as ints; the eager ops take names. */
function converter(kind: string): Convert {
  switch (kind) {
    case "ScalarType":
      return (v) => (typeof v === "number" ? dtypeFromCode(v) : v);
    case "MemoryFormat":
      return (v) => (typeof v === "number" ? MEMORY_FORMATS[v] ?? v : v);
    case "Layout":
      return (v) => (typeof v === "number" ? LAYOUTS[v] ?? v : v);
    default:
      return null;
  }
}

/** Note [numbers as tensors]. */
function wrapIntegralFloats(args: unknown[], slots: readonly number[]): void {
  for (const t of args) if (t instanceof Tensor && t.dtype.is_floating_point) return;
  const d = get_default_dtype();
  for (const s of slots) {
    const v = args[s];
    if (typeof v === "number" && Number.isInteger(v)) args[s] = Tensor.fromData(new d.ArrayType([v]), [], d);
  }
}

function isFloatType(t: JitType): boolean {
  return t.kind === "float" || (t.kind === "Optional" && t.element.kind === "float");
}

/**
 * Note [dtype from a float scalar]: `torch.full([2], 3.)` and `torch.arange(5.)` are float
 * (the default dtype) in PyTorch because the scalar is a float; at run time 3. is the JS number
 * 3, which these ops read as int64. For a node of such an op whose Scalar argument is typed
 * float and whose dtype is None, the step passes the default dtype, as PyTorch infers it.
 * Returns the dtype argument's index, or -1 when the node needs nothing.
 */
const DTYPE_FROM_SCALAR = new Set(["aten::full", "aten::arange"]);

function dtypeFromFloatScalar(ov: OpOverload, node: Node): number {
  if (!DTYPE_FROM_SCALAR.has(node.kind)) return -1;
  const args = ov.schema.args;
  const floatScalar = args.some((a, i) => a.kind === "Scalar" && node.inputs[i] !== undefined && isFloatType(node.inputs[i]!.type));
  return floatScalar ? args.findIndex((a) => a.name === "dtype") : -1;
}

function opStep(ov: OpOverload, node: Node, ins: readonly number[], outs: readonly number[]): Step {
  const write = writer(outs);
  const n = ins.length;
  const schemaArgs = ov.schema.args;
  const convs = schemaArgs.map((a) => converter(a.kind));
  const anyConv = convs.some((c) => c !== null);
  const floatSlots = schemaArgs.flatMap((a, i) =>
    tensorFormal(schemaArgType(a)) && isFloatType(node.inputs[i]!.type) ? [i] : []);
  const dtypeSlot = dtypeFromFloatScalar(ov, node);
  return (r) => {
    const args = new Array<unknown>(n);
    for (let k = 0; k < n; k++) args[k] = r[ins[k]!];
    if (anyConv) {
      for (let k = 0; k < n; k++) {
        const c = convs[k];
        if (c) args[k] = c(args[k]);
      }
    }
    if (floatSlots.length > 0) wrapIntegralFloats(args, floatSlots);
    if (dtypeSlot >= 0 && args[dtypeSlot] == null) args[dtypeSlot] = get_default_dtype(); // Note [dtype from a float scalar]
    write(r, runOverload(ov, args));
  };
}

function callStep(ov: OpOverload, node: Node, ins: readonly number[], outs: readonly number[]): Step {
  if (isBuiltin(ov)) return builtinStep(builtinImpl(ov, node.inputs.map((v) => v.type)), ins, outs);
  return opStep(ov, node, ins, outs);
}

// ---- step 5: by runtime values ----

function valuesFit(ov: OpOverload, values: readonly unknown[]): boolean {
  const args = ov.schema.args;
  if (isVararg(ov) ? values.length < args.length : values.length !== args.length) return false;
  return args.every((a, i) => {
    const formal = evalTypeVariables(schemaArgType(a), new Map());
    const v = values[i];
    return valueFitsType(v, formal) || (tensorFormal(formal) && (typeof v === "number" || typeof v === "boolean"));
  });
}

function dynamicStep(node: Node, candidates: readonly OpOverload[], ins: readonly number[], outs: readonly number[]): Step {
  const steps = new Map<OpOverload, Step>();
  return (r, env) => {
    const values = ins.map((i) => r[i]);
    const ov = candidates.find((c) => valuesFit(c, values));
    if (ov === undefined) {
      throw new RuntimeError(
        `no overload of ${node.kind} accepts (${values.map(describeValueType).join(", ")}); the registry has:\n` +
          candidates.map((c) => `  ${c.schema.text}`).join("\n"),
      );
    }
    let step = steps.get(ov);
    if (step === undefined) steps.set(ov, (step = callStep(ov, node, ins, outs)));
    step(r, env);
  };
}

/**
 * How a node calls the registry, for the code generator (src/jit/executor) to emit the call
 * inline: a builtin's implementation, or a tensor op overload with the conversion each
 * argument needs (TorchScript's dtype / layout / memory-format ints to names; null for none).
 * Null when the step must decide at run time: a float that may need wrapping (Note [numbers
 * as tensors]) or an overload chosen by the runtime values; such nodes run as the
 * interpreter's step does.
 */
export type DirectCall = { builtin: BuiltinFn } | { overload: OpOverload; convert: readonly Convert[] };

export function directCall(node: Node): DirectCall | null {
  if (!REGISTRY.has(node.kind)) return null;
  const ov = resolveNodeOverload(node);
  if (ov === null) return null;
  if (isBuiltin(ov)) return { builtin: builtinImpl(ov, node.inputs.map((v) => v.type)) };
  const schemaArgs = ov.schema.args;
  if (schemaArgs.length !== node.inputs.length) return null;
  if (dtypeFromFloatScalar(ov, node) >= 0) return null; // decided at run time (Note [dtype from a float scalar])
  const floatSlot = (i: number) => tensorFormal(schemaArgType(schemaArgs[i]!)) && isFloatType(node.inputs[i]!.type);
  for (let i = 0; i < schemaArgs.length; i++) {
    if (!floatSlot(i)) continue;
    // a constant float that is not integral is never wrapped: the node needs no run-time decision
    const v = node.inputs[i]!;
    const value = v.node.kind === "prim::Constant" ? v.node.attr("value") : undefined;
    if (value?.kind !== "f" || Number.isInteger(value.value)) return null;
  }
  return { overload: ov, convert: schemaArgs.map((a) => converter(a.kind)) };
}

/** The step of a node whose kind names a registry op; null when the registry has no such op. */
export function compileOpCall(node: Node, ins: readonly number[], outs: readonly number[]): Step | null {
  const candidates = REGISTRY.get(node.kind);
  if (candidates === undefined) return null;
  const ov = resolveNodeOverload(node);
  return ov !== null ? callStep(ov, node, ins, outs) : dynamicStep(node, candidates, ins, outs);
}

/** The step for a kind nobody defines: it fails with PyTorch's message when it runs. */
export function unknownOpStep(kind: string): Step {
  return () => {
    throw new RuntimeError(
      `Unknown builtin op: ${kind}.\nCould not find any similar ops to ${kind}. This op may not exist or may not be currently supported in TorchScript.`,
    );
  };
}
