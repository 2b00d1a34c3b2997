/**
 * What a value looks like in a notebook: its MIME bundle. Formatters are a table tried in
 * order (house style: objects display themselves; vocabularies are data):
 *   1. objects with `[Symbol.for("Jupyter.display")]()` (Deno's convention; ScriptModule,
 *      ScriptFunction, Graph, TimeitResult implement it) give their own bundle;
 *   2. tensors: PyTorch's repr, an HTML table, an Arrow IPC file;
 *   3. everything else: `util.inspect` without colours (no ANSI codes in text/plain).
 * Every bundle has `text/plain`.
 */
import { inspect } from "node:util";
import { Tensor } from "../../tensor/tensor.js";
import { tensorHtml } from "./tensor_html.js";
import { ARROW_MIME, tensorArrowBase64 } from "./tensor_arrow.js";

/** A display's content: MIME type → data, and MIME type → metadata (`display_data`'s fields). */
export type MimeBundle = { data: Record<string, unknown>; metadata: Record<string, unknown> };

export const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

interface Formatter {
  name: string;
  applies(value: unknown): boolean;
  bundle(value: unknown): MimeBundle;
}

/** text/plain as Node's REPL shows a value, minus colours. */
export function plainText(value: unknown): string {
  return inspect(value, { colors: false, depth: 4 });
}

function hasDisplaySymbol(value: unknown): value is { [JUPYTER_DISPLAY](): unknown } {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as { [JUPYTER_DISPLAY]?: unknown })[JUPYTER_DISPLAY] === "function";
}

/**
 * The bundle from `[Symbol.for("Jupyter.display")]()`: Deno's convention is a plain MIME map
 * (`{"text/html": ...}`); `{data, metadata}` is accepted too. text/plain is added if missing.
 */
function selfDisplayBundle(value: unknown): MimeBundle {
  const owner = value as { [JUPYTER_DISPLAY](): unknown };
  let result: unknown;
  try {
    result = owner[JUPYTER_DISPLAY]();
  } catch (e) {
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new Error(`display: [Symbol.for("Jupyter.display")]() of ${Object.prototype.toString.call(value)} threw ${what}`);
  }
  if (typeof result !== "object" || result === null) {
    throw new TypeError(`display: [Symbol.for("Jupyter.display")]() must return a MIME bundle object, got ${typeof result}`);
  }
  const r = result as Record<string, unknown>;
  const isPair = typeof r["data"] === "object" && r["data"] !== null && Object.keys(r).every((k) => k === "data" || k === "metadata");
  const data = { ...(isPair ? (r["data"] as Record<string, unknown>) : r) };
  const metadata = isPair && typeof r["metadata"] === "object" && r["metadata"] !== null ? { ...(r["metadata"] as Record<string, unknown>) } : {};
  if (data["text/plain"] === undefined) data["text/plain"] = fallbackText(value);
  return { data, metadata };
}

/** text/plain for an object that displays itself but gave none: its toString if it has its own. */
function fallbackText(value: unknown): string {
  const own = (value as { toString?: unknown }).toString;
  return own !== Object.prototype.toString && own !== Function.prototype.toString ? String(value) : plainText(value);
}

/** The tensor bundle: PyTorch's repr, an HTML table, and (up to a size) an Arrow IPC file. */
export function tensorBundle(t: Tensor): MimeBundle {
  const data: Record<string, unknown> = { "text/plain": String(t), "text/html": tensorHtml(t) };
  const arrow = tensorArrowBase64(t);
  if (arrow !== undefined) data[ARROW_MIME] = arrow;
  return { data, metadata: {} };
}

const FORMATTERS: readonly Formatter[] = [
  { name: "Jupyter.display symbol", applies: hasDisplaySymbol, bundle: selfDisplayBundle },
  { name: "Tensor", applies: (v) => v instanceof Tensor, bundle: (v) => tensorBundle(v as Tensor) },
  { name: "inspect", applies: () => true, bundle: (v) => ({ data: { "text/plain": plainText(v) }, metadata: {} }) },
];

/** The bundle of any value, `undefined` included (display(undefined) shows "undefined"). */
export function bundleOf(value: unknown): MimeBundle {
  for (const f of FORMATTERS) if (f.applies(value)) return f.bundle(value);
  throw new Error("display: no formatter applies"); // unreachable: the last formatter takes anything
}

/**
 * The `execute_result` bundle of a cell's last value: undefined for `undefined` (nothing is
 * shown, as IPython shows nothing for None), else `bundleOf(value)`.
 *
 * @example mimeBundleOf(torch.ones(2)).data["text/plain"] // "tensor([1., 1.])"
 */
export function mimeBundleOf(value: unknown): MimeBundle | undefined {
  return value === undefined ? undefined : bundleOf(value);
}
