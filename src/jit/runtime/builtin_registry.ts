/**
 * Registers TorchScript's non-tensor builtins (int arithmetic, list and dict ops, `len`,
 * `format`, ...) in the one op registry, under their real schemas, so the script compiler, the
 * printer and `resolveOverload` see `aten::len` like any op.
 *
 * Schemas the core parser (src/tensor/schema.ts) reads go through `defineOp`; generic ones
 * (`t[]`, `Dict(str, t)`, `str[]`, `...`) are parsed by schema_generic.ts and inserted into
 * `REGISTRY` with the same duplicate rule as `defineOp` (first definition wins, a warning).
 *
 * Note [builtins run without autograd]: builtins never take part in autograd or tracing
 * (they have no backward, and PyTorch's tracer does not record them either), so the
 * interpreter calls their `forward` directly instead of going through `runOverload`.
 *
 * Note [typed builtins]: JS has one number type, so a builtin whose answer depends on whether
 * a value is an int or a float (`str(2.0)` is "2.", `str(2)` is "2") may give `specialize`,
 * which the interpreter calls once per node with the node's static input types.
 */
import { REGISTRY, defineOp, type OpOverload } from "../../tensor/registry.js";
import { parseSchema } from "../../tensor/schema.js";
import type { JitType } from "../ir/index.js";
import { parseGenericSchema } from "./schema_generic.js";

export type BuiltinFn = (...args: any[]) => unknown;

export interface BuiltinDef {
  readonly schema: string;
  /** Arguments arrive in schema order; several returns come back as an array. */
  readonly forward: BuiltinFn;
  /** Note [typed builtins]. */
  readonly specialize?: (inputTypes: readonly JitType[]) => BuiltinFn;
}

const builtins = new WeakSet<OpOverload>();
const varargs = new WeakSet<OpOverload>();
const specializers = new WeakMap<OpOverload, (inputTypes: readonly JitType[]) => BuiltinFn>();

/** Whether `ov` is a builtin (Note [builtins run without autograd]). */
export function isBuiltin(ov: OpOverload): boolean {
  return builtins.has(ov);
}

/** Whether the schema of `ov` ends in `...` (Note [vararg schemas] in schema_generic.ts). */
export function isVararg(ov: OpOverload): boolean {
  return varargs.has(ov);
}

/** The forward to run for a node with these input types (Note [typed builtins]). */
export function builtinImpl(ov: OpOverload, inputTypes: readonly JitType[]): BuiltinFn {
  const spec = specializers.get(ov);
  return spec ? spec(inputTypes) : ov.forward;
}

function coreParses(text: string): boolean {
  try {
    parseSchema(text);
    return true;
  } catch {
    return false;
  }
}

function genericOverload(def: BuiltinDef): { ov: OpOverload; vararg: boolean } {
  const { schema, vararg } = parseGenericSchema(def.schema);
  const tensorArgs: number[] = [];
  let minArity = 0;
  schema.args.forEach((a, i) => {
    if (a.kind === "Tensor" || a.kind === "Tensor[]") tensorArgs.push(i);
    if (!a.hasDefault && !a.kwargOnly) minArity = i + 1;
  });
  const ov: OpOverload = {
    schema,
    forward: def.forward,
    backward: undefined,
    gradName: "",
    composite: false,
    jsExpr: undefined,
    jsExprF32: undefined,
    // The registry's `inplace` means "writes a tensor in place"; a mutated list is not one.
    inplace: schema.args[0]?.mutated === true && schema.args[0].kind === "Tensor",
    tensorArgs,
    minArity,
    simpleArgs: false,
  };
  return { ov, vararg };
}

function insert(ov: OpOverload): boolean {
  const list = REGISTRY.get(ov.schema.name) ?? [];
  if (list.some((o) => o.schema.overload === ov.schema.overload)) {
    console.warn(`op registry: ${ov.schema.name}.${ov.schema.overload} defined twice; keeping the first`);
    return false;
  }
  list.push(ov);
  REGISTRY.set(ov.schema.name, list);
  return true;
}

/** Registers builtins, in order (resolution tries overloads in registration order). */
export function defineBuiltins(defs: readonly BuiltinDef[]): void {
  for (const def of defs) {
    let ov: OpOverload;
    let vararg = false;
    if (coreParses(def.schema)) {
      const publicName = parseSchema(def.schema).name.replace(/^\w+::/, "");
      ov = defineOp(publicName, [{ schema: def.schema, forward: def.forward }]).overloads[0]!;
      if (!REGISTRY.get(ov.schema.name)?.includes(ov)) continue; // a duplicate: defineOp warned
    } else {
      ({ ov, vararg } = genericOverload(def));
      if (!insert(ov)) continue;
    }
    builtins.add(ov);
    if (vararg) varargs.add(ov);
    if (def.specialize) specializers.set(ov, def.specialize);
  }
}
