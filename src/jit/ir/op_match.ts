/**
 * Matching nodes against operator schemas from the op registry (TorchScript's Node::matches):
 * every schema argument is an explicit input in the IR, and each input's type must be a
 * subtype of the argument's type once type variables (`t` in `t[] list`) are bound.
 *
 * The registry is filled as op files are imported (src/torch.ts imports them all); this file
 * only reads it, so a caller that wants resolution must have loaded the ops.
 */
import { REGISTRY, type OpOverload } from "../../tensor/registry.js";
import type { OpSchema, SchemaArg, SchemaReturn } from "../../tensor/schema.js";
import type { Node } from "./node.js";
import { isSubtypeOf, optionalType, unifyTypes, withContained } from "./subtype.js";
import { parseSchemaType } from "./type_parse.js";
import { printType } from "./type_print.js";
import { Types, containedTypes, hasFreeVariables, type JitType } from "./types.js";

const cache = new Map<string, JitType>();

function schemaType(text: string): JitType {
  let t = cache.get(text);
  if (t === undefined) {
    t = parseSchemaType(text);
    cache.set(text, t);
  }
  return t;
}

/** The TorchScript type of a schema argument (`int[1]?` is `Optional[List[int]]`). */
export function schemaArgType(a: SchemaArg): JitType {
  return schemaType(a.typeText);
}

export function schemaReturnType(r: SchemaReturn): JitType {
  return schemaType(r.typeText);
}

export type TypeEnv = Map<string, JitType>;

/** Binds the type variables of `formal` from `actual` (c10 matchTypeVariables); false on a clash. */
export function matchTypeVariables(formal: JitType, actual: JitType, env: TypeEnv): boolean {
  if (!hasFreeVariables(formal)) return true;
  switch (formal.kind) {
    case "Var": {
      const bound = env.get(formal.name);
      if (bound === undefined) {
        env.set(formal.name, actual);
        return true;
      }
      return unifyTypes(bound, actual) !== null;
    }
    case "Optional":
      if (actual.kind === "Optional") return matchTypeVariables(formal.element, actual.element, env);
      return actual.kind === "NoneType" || matchTypeVariables(formal.element, actual, env);
    case "List":
    case "Future":
    case "Tuple":
    case "Dict": {
      if (actual.kind !== formal.kind) return false;
      const f = containedTypes(formal);
      const a = containedTypes(actual);
      return f.length === a.length && f.every((t, i) => matchTypeVariables(t, a[i]!, env));
    }
    default:
      return false;
  }
}

/** `formal` with bound variables substituted; unbound ones become Any. */
export function evalTypeVariables(formal: JitType, env: TypeEnv): JitType {
  if (!hasFreeVariables(formal)) return formal;
  if (formal.kind === "Var") return env.get(formal.name) ?? Types.any;
  if (formal.kind === "Optional") return optionalType(evalTypeVariables(formal.element, env));
  return withContained(formal, containedTypes(formal).map((t) => evalTypeVariables(t, env)));
}

/** Why `inputs` cannot call `schema`, or null when they can. */
export function schemaMismatch(schema: OpSchema, inputs: readonly JitType[]): string | null {
  if (inputs.length !== schema.args.length) {
    return `expected ${schema.args.length} inputs but got ${inputs.length}`;
  }
  const env: TypeEnv = new Map();
  for (let i = 0; i < inputs.length; i++) {
    const arg = schema.args[i]!;
    const formal = schemaArgType(arg);
    const actual = inputs[i]!;
    if (!matchTypeVariables(formal, actual, env) || !isSubtypeOf(actual, evalTypeVariables(formal, env))) {
      return `argument '${arg.name}' (input ${i}) expects ${printType(formal)} but got ${printType(actual)}`;
    }
  }
  return null;
}

/** The first registry overload of `node.kind` that the node's input types can call. */
export function resolveOverload(node: Node): OpOverload | null {
  const candidates = REGISTRY.get(node.kind);
  if (!candidates) return null;
  const types = node.inputs.map((v) => v.type);
  return candidates.find((ov) => schemaMismatch(ov.schema, types) === null) ?? null;
}
