/**
 * How pickled values look on the JS side, in both directions:
 *
 *   None -> null; bool -> boolean; int -> number (bigint past 2^53); float -> number;
 *   str -> string; list -> array; tuple -> array marked by `tuple()` (isTuple);
 *   dict / OrderedDict -> Map (insertion order kept); tensors -> Tensor; objects -> whatever
 *   the class builder returns (ScriptModule, ...).
 *
 * JS has one number type, so the writer needs to be told when an integral number is a float
 * (`new PickleFloat(2)`), and the TorchScript writer gets the attribute's declared type.
 */
const TUPLES = new WeakSet<readonly unknown[]>();

/** Marks `items` as a Python tuple (the pickler writes TUPLE, not a list). */
export function tuple<T extends unknown[]>(items: T): T {
  TUPLES.add(items);
  return items;
}

export function isTuple(v: unknown): v is unknown[] {
  return Array.isArray(v) && TUPLES.has(v);
}

/** A float whose value happens to be integral (`2.0`), for the writer. */
export class PickleFloat {
  constructor(readonly value: number) {}
}

/** `GLOBAL module name, args, REDUCE`: a call the unpickler will make. */
export class PickleCall {
  constructor(readonly module: string, readonly name: string, readonly args: readonly unknown[]) {}
}

/** An object of a TorchScript class: `GLOBAL module name, EMPTY_TUPLE, NEWOBJ, state, BUILD`. */
export class PickleObject {
  constructor(readonly qualifiedName: string, readonly state: unknown) {}
}

/** An enum value: `GLOBAL module name, value, REDUCE` (the argument is the bare value). */
export class PickleEnum {
  constructor(readonly qualifiedName: string, readonly value: unknown) {}
}

/** A dict the writer emits as `collections.OrderedDict` (torch.save's state dicts). */
export class PickleOrderedDict {
  constructor(readonly entries: Map<unknown, unknown>) {}
}

/** Splits "a.b.C" into the GLOBAL's module "a.b" and name "C". */
export function splitQualified(qualifiedName: string): [string, string] {
  const i = qualifiedName.lastIndexOf(".");
  return i < 0 ? ["", qualifiedName] : [qualifiedName.slice(0, i), qualifiedName.slice(i + 1)];
}
