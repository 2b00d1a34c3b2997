/**
 * The three ways PyTorch writes a type:
 *
 *   printType       graph form, c10's `operator<<(ostream, Type)`: what `str(graph)` shows.
 *                   Tensors show what is known (`Float(3, 4, strides=[4, 1], requires_grad=0,
 *                   device=cpu)`), lists `int[]`, optionals `Tensor?`, tuples `(Tensor, int)`.
 *   typeStr         c10's `Type::str()`: like the graph form but tensors are always `Tensor`.
 *                   The graph form falls back to it for Dict and Union members, which is why
 *                   `Dict(str, Tensor)` never shows sizes.
 *   annotationStr   Python annotation form (`annotation_str`), used by `.code`:
 *                   `List[int]`, `Optional[Tensor]`, `Tuple[Tensor, int]`, `Dict[str, Tensor]`.
 */
import { SIMPLE_TYPES, isSimple, type JitType, type TensorType, type UnionType } from "./types.js";

/** Graph form (c10 `operator<<` at the default, full verbosity). */
export function printType(t: JitType): string {
  switch (t.kind) {
    case "Tensor":
      return printTensorType(t);
    case "List":
      return `${printType(t.element)}[]`;
    case "Optional":
      return `${printType(t.element)}?`;
    case "Future":
      return `Future[${printType(t.element)}]`;
    case "Tuple": {
      const named = t.named;
      const items = t.elements.map((e, i) => (named ? `${named.fields[i]} : ${printType(e)}` : printType(e)));
      return `${named ? "NamedTuple" : ""}(${items.join(", ")})`;
    }
    case "Function":
      return "Function";
    default:
      return typeStr(t);
  }
}

function printTensorType(t: TensorType): string {
  let out = t.scalarType === null ? "Tensor" : t.sizes === null ? `${t.scalarType}Tensor` : t.scalarType;
  const extras: string[] = [];
  if (t.requiresGrad !== null) extras.push(`requires_grad=${t.requiresGrad ? 1 : 0}`);
  if (t.device !== null) extras.push(`device=${t.device}`);
  if (t.sizes !== null) {
    const items = t.sizes.map((s) => (s === null ? "*" : String(s)));
    const strides = t.strides;
    // c10 prints strides only when every one is known and there is one per dimension.
    if (t.sizes.length > 0 && strides !== null && strides.length === t.sizes.length && strides.every((s) => s !== null)) {
      items.push(`strides=[${strides.join(", ")}]`);
    }
    out += `(${[...items, ...extras].join(", ")})`;
  } else if (extras.length > 0) {
    out += `(${extras.join(", ")})`;
  }
  if (t.undefined === true) out += "[Undefined]";
  return out;
}

/** c10's `Type::str()`. */
export function typeStr(t: JitType): string {
  if (isSimple(t)) return SIMPLE_TYPES[t.kind].str;
  switch (t.kind) {
    case "Tensor":
      return "Tensor";
    case "List":
      return `${typeStr(t.element)}[]`;
    case "Optional":
      return `${typeStr(t.element)}?`;
    case "Future":
      return `Future(${typeStr(t.element)})`;
    case "Tuple":
      if (t.named?.name) return t.named.name;
      return `(${t.elements.map(typeStr).join(", ")})`;
    case "Dict":
      return `Dict(${typeStr(t.key)}, ${typeStr(t.value)})`;
    case "Union":
      return unionStr(t, typeStr, "(", ")", SIMPLE_TYPES.Scalar.str);
    case "Class":
    case "Var":
      return t.name;
    case "Enum":
      return `Enum<${t.name}>`;
    case "Function":
      return "Function";
    default:
      return unreachable(t);
  }
}

/**
 * Lets the `.code` printer rename types it prints (c10's TypePrinter): return a string to use
 * it, or null for the default spelling.
 */
export type TypePrinter = (t: JitType) => string | null;

/** Python annotation form (c10 `annotation_str`). */
export function annotationStr(t: JitType, printer?: TypePrinter): string {
  const custom = printer?.(t);
  if (custom !== undefined && custom !== null) return custom;
  const sub = (x: JitType): string => annotationStr(x, printer);
  if (isSimple(t)) return SIMPLE_TYPES[t.kind].annotation;
  switch (t.kind) {
    case "Tensor":
      return "Tensor";
    case "List":
      return `List[${sub(t.element)}]`;
    case "Optional":
      return `Optional[${sub(t.element)}]`;
    case "Future":
      return `Future[${sub(t.element)}]`;
    case "Tuple":
      if (t.named?.name) return t.named.name;
      return t.elements.length === 0 ? "Tuple[()]" : `Tuple[${t.elements.map(sub).join(", ")}]`;
    case "Dict":
      return `Dict[${sub(t.key)}, ${sub(t.value)}]`;
    case "Union":
      return unionStr(t, sub, "[", "]", SIMPLE_TYPES.Scalar.annotation);
    case "Class":
    case "Enum":
    case "Var":
      return t.name;
    case "Function":
      return t.name ?? "Function";
    default:
      return unreachable(t);
  }
}

const NUMBER_KINDS = new Set(["int", "float", "complex"]);

/**
 * c10's UnionType::unionStr, faithfully: a union that holds int, float and complex prints
 * them as one `Scalar`/`number` at the end. The separator logic is c10's too, including its
 * quirk: when the first member is a number type the list starts with ", " (`Union(, str,
 * Scalar)`), which is what PyTorch 1.13 prints.
 */
function unionStr(t: UnionType, each: (x: JitType) => string, open: string, close: string, number: string): string {
  const holdsNumber = [...NUMBER_KINDS].every((k) => t.types.some((m) => m.kind === k));
  let out = `Union${open}`;
  let printed = false;
  t.types.forEach((m, i) => {
    if (holdsNumber && NUMBER_KINDS.has(m.kind)) return;
    if (i > 0) {
      out += ", ";
      printed = true;
    }
    out += each(m);
  });
  if (holdsNumber) out += (printed ? ", " : "") + number;
  return out + close;
}

function unreachable(t: never): never {
  throw new Error(`type printer: unknown type ${JSON.stringify(t)}`);
}
