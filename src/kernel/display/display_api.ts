/**
 * The display API a cell sees: `display(obj)`, `display.html(...)` and friends, updates by
 * `display_id`, `clear_output`, and a `tslab` module object with tslab's API so tslab
 * notebooks run unchanged. Output goes to a `DisplaySink` (the evaluator turns it into
 * display_data / update_display_data / clear_output on IOPub).
 */
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { bundleOf, type MimeBundle } from "./bundle.js";

export interface DisplaySink {
  display(bundle: MimeBundle, opts: { displayId?: string; update?: boolean }): void;
  clearOutput(wait: boolean): void;
}

export interface DisplayOptions {
  /** Name this output so it can be updated later; `true` makes a fresh id. */
  display_id?: string | boolean;
  /** Replace the output named `display_id` (update_display_data) instead of adding one. */
  update?: boolean;
  /** `obj` is already a MIME map (`{"text/html": "<b>hi</b>"}`) to send as it is. */
  raw?: boolean;
  /** Per-MIME metadata (`{"image/png": {width: 64}}`). */
  metadata?: Record<string, unknown>;
}

/** A named output, as IPython's DisplayHandle: display it, then update it in place. */
export interface DisplayHandle {
  readonly display_id: string;
  display(obj: unknown, opts?: Omit<DisplayOptions, "display_id" | "update">): void;
  update(obj: unknown, opts?: Omit<DisplayOptions, "display_id" | "update">): void;
}

type Shown = DisplayHandle | undefined;

/** Binary image/document data: bytes are base64-encoded; a string is taken as base64 already. */
export type BinaryData = Uint8Array | string;

export interface DisplayFunction {
  (obj: unknown, opts?: DisplayOptions): Shown;
  html(html: string, opts?: DisplayOptions): Shown;
  markdown(markdown: string, opts?: DisplayOptions): Shown;
  svg(svg: string, opts?: DisplayOptions): Shown;
  latex(latex: string, opts?: DisplayOptions): Shown;
  text(text: string, opts?: DisplayOptions): Shown;
  javascript(code: string, opts?: DisplayOptions): Shown;
  json(value: unknown, opts?: DisplayOptions): Shown;
  png(data: BinaryData, opts?: DisplayOptions): Shown;
  jpeg(data: BinaryData, opts?: DisplayOptions): Shown;
  gif(data: BinaryData, opts?: DisplayOptions): Shown;
  pdf(data: BinaryData, opts?: DisplayOptions): Shown;
}

/** tslab's `Display` interface (tslab/src/public.ts): each method shows one MIME type. */
export interface TslabDisplay {
  javascript(s: string): void;
  html(s: string): void;
  markdown(s: string): void;
  latex(s: string): void;
  svg(s: string): void;
  png(b: Uint8Array): void;
  jpeg(b: Uint8Array): void;
  gif(b: Uint8Array): void;
  pdf(b: Uint8Array): void;
  text(s: string): void;
  raw(contentType: string, b: string | Uint8Array): void;
}

export interface TslabModule {
  display: TslabDisplay;
  /** A display whose first call shows and whose later calls update the same output. */
  newDisplay(): TslabDisplay;
  versions: { tslab: string; typescript: string; node: string };
}

export interface DisplayApi {
  display: DisplayFunction;
  clear_output(wait?: boolean): void;
  tslab: TslabModule;
}

/** The text MIME types of the helpers, as data: helper name → MIME type. */
const TEXT_HELPERS = {
  html: "text/html",
  markdown: "text/markdown",
  svg: "image/svg+xml",
  latex: "text/latex",
  text: "text/plain",
  javascript: "application/javascript",
} as const;

const BINARY_HELPERS = {
  png: "image/png",
  jpeg: "image/jpeg",
  gif: "image/gif",
  pdf: "application/pdf",
} as const;

function base64(data: BinaryData): string {
  return typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
}

/** A single-MIME bundle; text/plain is added so every output has a plain form. */
function single(mime: string, data: unknown, plain: string): MimeBundle {
  return { data: mime === "text/plain" ? { "text/plain": data } : { [mime]: data, "text/plain": plain }, metadata: {} };
}

function newDisplayId(): string {
  return randomUUID().replace(/-/g, "");
}

const require = createRequire(import.meta.url);

/** Versions tslab notebooks may print; typescript's is read lazily (loading it costs ~100 ms). */
function versions(): TslabModule["versions"] {
  let typescript: string | undefined;
  return {
    tslab: "tsjit",
    get typescript(): string {
      if (typescript === undefined) {
        try {
          typescript = (require("typescript/package.json") as { version: string }).version;
        } catch {
          typescript = "unknown";
        }
      }
      return typescript;
    },
    node: process.version,
  };
}

/**
 * The display API writing to `sink`.
 *
 * @example
 * const { display } = createDisplayApi(sink);
 * const progress = display.html("<b>0%</b>", { display_id: true })!;   // display_data
 * display.html("<b>100%</b>", { display_id: progress.display_id, update: true }); // update_display_data
 * progress.update(torch.ones(2));                                        // update_display_data
 */
export function createDisplayApi(sink: DisplaySink): DisplayApi {
  const send = (bundle: MimeBundle, opts: DisplayOptions = {}): Shown => {
    if (opts.update === true && typeof opts.display_id !== "string") {
      throw new TypeError("display: {update: true} needs the display_id (a string) of the output to update");
    }
    const metadata = { ...bundle.metadata, ...(opts.metadata ?? {}) };
    const id = opts.display_id === true ? newDisplayId() : typeof opts.display_id === "string" ? opts.display_id : undefined;
    sink.display({ data: bundle.data, metadata }, { ...(id === undefined ? {} : { displayId: id }), ...(opts.update ? { update: true } : {}) });
    return id === undefined ? undefined : handle(id);
  };
  const bundleFor = (obj: unknown, raw: boolean | undefined): MimeBundle => {
    if (!raw) return bundleOf(obj);
    if (typeof obj !== "object" || obj === null) throw new TypeError("display(obj, {raw: true}): obj must be a MIME map such as {\"text/html\": \"<b>hi</b>\"}");
    return { data: { ...(obj as Record<string, unknown>) }, metadata: {} };
  };
  const handle = (id: string): DisplayHandle => ({
    display_id: id,
    display: (obj, opts = {}) => void send(bundleFor(obj, opts.raw), { ...opts, display_id: id }),
    update: (obj, opts = {}) => void send(bundleFor(obj, opts.raw), { ...opts, display_id: id, update: true }),
  });

  const display = ((obj: unknown, opts: DisplayOptions = {}) => send(bundleFor(obj, opts.raw), opts)) as DisplayFunction;
  for (const [name, mime] of Object.entries(TEXT_HELPERS)) {
    (display as unknown as Record<string, unknown>)[name] = (s: string, opts?: DisplayOptions) => send(single(mime, s, s), opts);
  }
  for (const [name, mime] of Object.entries(BINARY_HELPERS)) {
    (display as unknown as Record<string, unknown>)[name] = (b: BinaryData, opts?: DisplayOptions) =>
      send(single(mime, base64(b), `<${name.toUpperCase()} ${typeof b === "string" ? "base64" : `${b.byteLength} bytes`}>`), opts);
  }
  // application/json carries the value itself (tslab sends a string, which frontends show as text).
  display.json = (value, opts) => send({ data: { "application/json": value, "text/plain": JSON.stringify(value, null, 2) }, metadata: {} }, opts);

  const tslabDisplay = (opts: () => DisplayOptions): TslabDisplay => {
    const d: Partial<TslabDisplay> = {};
    for (const name of Object.keys(TEXT_HELPERS) as (keyof typeof TEXT_HELPERS)[]) d[name] = (s: string) => void display[name](s, opts());
    for (const name of Object.keys(BINARY_HELPERS) as (keyof typeof BINARY_HELPERS)[]) d[name] = (b: Uint8Array) => void display[name](b, opts());
    d.raw = (contentType, b) => void send(single(contentType, typeof b === "string" ? b : base64(b), `<${contentType}>`), opts());
    return d as TslabDisplay;
  };
  const tslab: TslabModule = {
    display: tslabDisplay(() => ({})),
    newDisplay: () => {
      const id = newDisplayId();
      let shown = false;
      return tslabDisplay(() => {
        const opts = { display_id: id, update: shown };
        shown = true;
        return opts;
      });
    },
    versions: versions(),
  };
  return { display, clear_output: (wait = false) => sink.clearOutput(wait), tslab };
}
