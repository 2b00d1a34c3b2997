/**
 * torch.jit.isinstance and torch.jit.annotate in eager code. Types are TorchScript type
 * descriptions: a string in annotation form (`"List[Tensor]"`, `"Dict[str, int]"`,
 * `"Optional[Tensor]"`, `"Tuple[int, str]"`) or graph form (`"int[]"`, `"Tensor?"`), or a
 * JitType built with src/jit/ir (`listType(Types.tensor)`).
 *
 * @example
 * torch.jit.isinstance([x, y], "List[Tensor]")   // true
 * torch.jit.isinstance(new Map([["a", 1]]), "Dict[str, int]") // true
 * const xs = torch.jit.annotate("List[int]", []) // [] (annotate only informs the script compiler)
 */
import { Tensor } from "../tensor/tensor.js";
import { RuntimeError } from "../util/errors.js";
import { parseType, type JitType } from "./ir/index.js";
import { Future } from "./future.js";
import { ScriptModule } from "./script_module.js";
import { unqualified } from "./qualified_names.js";
import { valueFitsType } from "./runtime/values.js";

/** A TorchScript type: its annotation text or a JitType. */
export type TypeDescription = string | JitType;

/** Containers PyTorch refuses without their element types, with its message. */
const BARE_CONTAINERS: Readonly<Record<string, string>> = {
  List: "Attempted to use List without a contained type. Please add a contained type, e.g. List[int]",
  list: "Attempted to use List without a contained type. Please add a contained type, e.g. List[int]",
  Dict: "Attempted to use Dict without contained types. Please add contained type, e.g. Dict[int, int]",
  dict: "Attempted to use Dict without contained types. Please add contained type, e.g. Dict[int, int]",
  Tuple: "Attempted to use Tuple without a contained type. Please add a contained type, e.g. Tuple[int]",
  tuple: "Attempted to use Tuple without a contained type. Please add a contained type, e.g. Tuple[int]",
  Optional: "Attempted to use Optional without a contained type. Please add a contained type, e.g. Optional[int]",
};

/** The JitType a description names; PyTorch's error for a bare container. */
export function typeOfDescription(type: TypeDescription, api: string): JitType {
  if (typeof type !== "string") return type;
  const text = type.trim();
  const bare = BARE_CONTAINERS[text];
  if (bare !== undefined) throw new RuntimeError(bare);
  try {
    return parseType(text);
  } catch (e) {
    throw new RuntimeError(`torch.jit.${api}: '${type}' is not a TorchScript type (${(e as Error).message})`);
  }
}

function entriesOf(obj: unknown): [unknown, unknown][] | null {
  if (obj instanceof Map) return [...obj.entries()];
  if (typeof obj === "object" && obj !== null && Object.getPrototypeOf(obj) === Object.prototype) return Object.entries(obj);
  return null;
}

// Note [JS values as TorchScript values]
// JS has one number type, so an integral number is an `int` and every number is a `float`
// (2 and 2.0 are the same JS value). Arrays stand for both lists and tuples (as in tsjit's
// tuple returns); Maps and plain objects for dicts (plain objects have string keys only).
// null and undefined are None. Leaf types are checked as the interpreter checks its inputs
// (valueFitsType); containers recurse here, so eager-only values (plain-object dicts, eager
// Futures, bigint ints) are accepted at any depth.
function matches(v: unknown, t: JitType): boolean {
  switch (t.kind) {
    case "int":
      return typeof v === "bigint" || valueFitsType(v, t);
    case "List":
      return Array.isArray(v) && v.every((x) => matches(x, t.element));
    case "Tuple":
      return Array.isArray(v) && v.length === t.elements.length && v.every((x, i) => matches(x, t.elements[i]!));
    case "Dict": {
      const entries = entriesOf(v);
      return entries !== null && entries.every(([k, x]) => matches(k, t.key) && matches(x, t.value));
    }
    case "Optional":
      return v === null || v === undefined || matches(v, t.element);
    case "Union":
      return t.types.some((m) => matches(v, m));
    case "Future":
      if (v instanceof Future) return !v.done() || matches(v.value(), t.element);
      return valueFitsType(v, t);
    case "Class":
      return v instanceof ScriptModule && unqualified(v.qualifiedName) === unqualified(t.name);
    default:
      return valueFitsType(v, t);
  }
}

/**
 * torch.jit.isinstance(obj, type): whether `obj` is a value of the TorchScript type, checking
 * container elements (an empty list matches any List type, as in PyTorch).
 */
export function isinstance(obj: unknown, type: TypeDescription): boolean {
  return matches(obj, typeOfDescription(type, "isinstance"));
}

/**
 * torch.jit.annotate(type, value): returns `value`. In scripted code it gives an expression
 * its type (`torch.jit.annotate("List[int]", [])`); eagerly it only checks that the type
 * description is well formed.
 */
export function annotate<T>(type: TypeDescription, value: T): T {
  typeOfDescription(type, "annotate");
  return value;
}
