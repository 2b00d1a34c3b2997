/**
 * Dict builtins (CREATE_DICT_OPS in register_prim_ops.cpp), one family per key type. Dicts
 * are JS Maps: insertion-ordered like Python's, keyed by value for str/int/float/bool and by
 * identity for tensors, as TorchScript hashes tensors by identity.
 */
import { RuntimeError } from "../../util/errors.js";
import { defineBuiltins, type BuiltinDef } from "./builtin_registry.js";
import { valueToString } from "./value_str.js";

type D = Map<unknown, unknown>;

function keyError(key: unknown): RuntimeError {
  return new RuntimeError(`KeyError: ${valueToString(key)}`);
}

function index(d: D, key: unknown): unknown {
  if (!d.has(key)) throw keyError(key);
  return d.get(key);
}

function popKey(d: D, key: unknown, fallback?: { value: unknown }): unknown {
  if (!d.has(key)) {
    if (fallback) return fallback.value;
    throw keyError(key);
  }
  const v = d.get(key);
  d.delete(key);
  return v;
}

function keyTypeDefs(k: string): BuiltinDef[] {
  const dict = `Dict(${k}, t)`;
  return [
    { schema: `aten::len.Dict_${k}(${dict} self) -> int`, forward: (d: D) => d.size },
    { schema: `aten::keys.${k}(${dict} self) -> ${k}[](*)`, forward: (d: D) => [...d.keys()] },
    { schema: `aten::values.${k}(${dict} self) -> t[](*)`, forward: (d: D) => [...d.values()] },
    { schema: `aten::__getitem__.Dict_${k}(${dict} self, ${k} key) -> t(*)`, forward: index },
    { schema: `aten::get.${k}(${dict} self, ${k} key) -> t(*)?`, forward: (d: D, key: unknown) => (d.has(key) ? d.get(key) : null) },
    {
      schema: `aten::get.default_${k}(${dict} self, ${k} key, t default_value) -> t(*)`,
      forward: (d: D, key: unknown, dflt: unknown) => (d.has(key) ? d.get(key) : dflt),
    },
    {
      schema: `aten::setdefault.${k}(${dict}(a!) self, ${k}(b -> *) key, t(c -> *) default_value) -> t(*)`,
      forward: (d: D, key: unknown, dflt: unknown) => {
        if (!d.has(key)) d.set(key, dflt);
        return d.get(key);
      },
    },
    { schema: `aten::Delete.Dict_${k}(${dict}(a!) self, ${k} key) -> ()`, forward: (d: D, key: unknown) => void popKey(d, key) },
    { schema: `aten::pop.Dict_${k}(${dict}(a!) self, ${k} key) -> t(*)`, forward: (d: D, key: unknown) => popKey(d, key) },
    {
      schema: `aten::pop.Dict_default_${k}(${dict}(a!) self, ${k} key, t default_value) -> t(*)`,
      forward: (d: D, key: unknown, dflt: unknown) => popKey(d, key, { value: dflt }),
    },
    {
      schema: `aten::popitem.${k}(${dict}(a!) self) -> ((${k}, t))`,
      forward: (d: D) => {
        const first = d.entries().next();
        if (first.done) throw new RuntimeError("popitem(): dictionary is empty");
        d.delete(first.value[0]);
        return [first.value[0], first.value[1]];
      },
    },
    { schema: `aten::clear.${k}(${dict}(a!) self) -> ()`, forward: (d: D) => d.clear() },
    {
      schema: `aten::update.${k}(${dict}(a!) self, ${dict}(a!) to_add) -> ()`,
      forward: (d: D, add: D) => add.forEach((v, key) => d.set(key, v)),
    },
    { schema: `aten::items.${k}(${dict} self) -> ((${k}, t)[])`, forward: (d: D) => [...d].map(([key, v]) => [key, v]) },
    { schema: `aten::copy.Dict_${k}(${dict}(a) self) -> ${dict}`, forward: (d: D) => new Map(d) },
    { schema: `aten::__contains__.${k}(${dict} dict, ${k} key) -> bool`, forward: (d: D, key: unknown) => d.has(key) },
    {
      schema: `aten::_set_item.${k}(${dict}(a!) l, ${k}(b -> *) idx, t(c -> *) v) -> ()`,
      forward: (d: D, key: unknown, v: unknown) => void d.set(key, v),
    },
    {
      schema: `aten::dict.${k}((${k}, tVal)[] inputs) -> Dict(${k}, tVal)`,
      forward: (pairs: [unknown, unknown][]) => new Map(pairs.map(([key, v]) => [key, v])),
    },
    { schema: `aten::dict.Dict_${k}(${dict}(a) self) -> ${dict}`, forward: (d: D) => new Map(d) },
  ];
}

defineBuiltins([
  { schema: "aten::dict() -> Dict(str, Tensor)", forward: () => new Map() },
  ...["str", "int", "bool", "float", "Tensor"].flatMap(keyTypeDefs),
]);
