/**
 * Runtime values → pickle values for data.pkl, directed by the TorchScript type (§4.3–§4.6):
 * `List[int]` → `build_intlist`, other lists and dicts → `restore_type_tag` with the annotation
 * string, floats stay floats even when integral, Device → `torch.device`, modules → objects.
 */
import { Tensor } from "../../tensor/tensor.js";
import { annotationStr, type JitType } from "../ir/index.js";
import { PickleCall, PickleFloat, tuple } from "./pickle_values.js";

const LIST_BUILDERS: Readonly<Record<string, string>> = {
  int: "build_intlist", float: "build_doublelist", bool: "build_boollist", Tensor: "build_tensorlist",
};

/** Modules, class instances and enum values as pickle objects. */
export type ObjectEncoder = (v: unknown) => unknown;

export function typedPickleValue(v: unknown, t: JitType, objectOf: ObjectEncoder): unknown {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case "Optional": return typedPickleValue(v, t.element, objectOf);
    case "float": return typeof v === "number" ? new PickleFloat(v) : v;
    case "Device": return new PickleCall("torch", "device", tuple([String(v)]));
    case "Tuple": {
      const items = v as unknown[];
      return tuple(items.map((x, i) => typedPickleValue(x, t.elements[i] ?? t, objectOf)));
    }
    case "List": {
      const items = (v as unknown[]).map((x) => typedPickleValue(x, t.element, objectOf));
      const builder = LIST_BUILDERS[t.element.kind];
      if (builder) return new PickleCall("torch.jit._pickle", builder, tuple([items]));
      return new PickleCall("torch.jit._pickle", "restore_type_tag", tuple([items, annotationStr(t)]));
    }
    case "Dict": {
      const m = new Map<unknown, unknown>();
      for (const [k, x] of v as Map<unknown, unknown>) m.set(typedPickleValue(k, t.key, objectOf), typedPickleValue(x, t.value, objectOf));
      return new PickleCall("torch.jit._pickle", "restore_type_tag", tuple([m, annotationStr(t)]));
    }
    case "Class": case "Enum": return objectOf(v);
    default:
      return v instanceof Tensor ? v : typeof v === "object" ? objectOf(v) : v;
  }
}
