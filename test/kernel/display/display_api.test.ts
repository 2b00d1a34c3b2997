import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { createDisplayApi, type DisplaySink, type MimeBundle } from "../../../src/kernel/display/index.js";

type Event =
  | { kind: "display"; bundle: MimeBundle; displayId?: string; update?: boolean }
  | { kind: "clear"; wait: boolean };

class RecordingSink implements DisplaySink {
  readonly events: Event[] = [];
  display(bundle: MimeBundle, opts: { displayId?: string; update?: boolean }): void {
    this.events.push({ kind: "display", bundle, ...opts });
  }
  clearOutput(wait: boolean): void {
    this.events.push({ kind: "clear", wait });
  }
}

function api(): { sink: RecordingSink } & ReturnType<typeof createDisplayApi> {
  const sink = new RecordingSink();
  return { sink, ...createDisplayApi(sink) };
}

describe("display()", () => {
  it("shows any value's bundle and returns nothing without a display_id", () => {
    const { sink, display } = api();
    expect(display(torch.ones(2))).toBeUndefined();
    expect(sink.events).toEqual([{ kind: "display", bundle: expect.objectContaining({ data: expect.objectContaining({ "text/plain": "tensor([1., 1.])" }) }) }]);
  });

  it("display_id: true makes a handle whose update replaces the same output", () => {
    const { sink, display } = api();
    const h = display("step 1", { display_id: true });
    expect(h?.display_id).toMatch(/^[0-9a-f]{32}$/);
    h?.update("step 2");
    expect(sink.events).toEqual([
      { kind: "display", bundle: { data: { "text/plain": "'step 1'" }, metadata: {} }, displayId: h?.display_id },
      { kind: "display", bundle: { data: { "text/plain": "'step 2'" }, metadata: {} }, displayId: h?.display_id, update: true },
    ]);
  });

  it("updates by a named display_id (Deno's form) and needs the id to update", () => {
    const { sink, display } = api();
    display.html("<b>0%</b>", { display_id: "progress" });
    display.html("<b>100%</b>", { display_id: "progress", update: true });
    expect(sink.events.map((e) => e.kind === "display" && [e.displayId, e.update ?? false, e.bundle.data["text/html"]])).toEqual([
      ["progress", false, "<b>0%</b>"],
      ["progress", true, "<b>100%</b>"],
    ]);
    expect(() => display("x", { update: true })).toThrow("needs the display_id");
  });

  it("raw sends a MIME map as it is; metadata is passed along", () => {
    const { sink, display } = api();
    display({ "text/html": "<i>raw</i>", "text/plain": "raw" }, { raw: true, metadata: { isolated: true } });
    expect(sink.events[0]).toEqual({ kind: "display", bundle: { data: { "text/html": "<i>raw</i>", "text/plain": "raw" }, metadata: { isolated: true } } });
  });

  it("helpers: markdown, svg, latex, json as an object, png bytes as base64", () => {
    const { sink, display } = api();
    display.markdown("# Title");
    display.svg("<svg/>");
    display.latex("$x^2$");
    display.json({ a: [1, 2] });
    display.png(new Uint8Array([137, 80, 78, 71]));
    display.jpeg("/9j/");
    const datas = sink.events.map((e) => (e.kind === "display" ? e.bundle.data : {}));
    expect(datas[0]?.["text/markdown"]).toBe("# Title");
    expect(datas[1]?.["image/svg+xml"]).toBe("<svg/>");
    expect(datas[2]?.["text/latex"]).toBe("$x^2$");
    expect(datas[3]?.["application/json"]).toEqual({ a: [1, 2] });
    expect(datas[4]?.["image/png"]).toBe(Buffer.from([137, 80, 78, 71]).toString("base64"));
    expect(datas[5]?.["image/jpeg"]).toBe("/9j/");
    for (const d of datas) expect(typeof d["text/plain"]).toBe("string");
  });

  it("clear_output(wait)", () => {
    const { sink, clear_output } = api();
    clear_output(true);
    clear_output();
    expect(sink.events).toEqual([{ kind: "clear", wait: true }, { kind: "clear", wait: false }]);
  });
});

describe("the tslab module", () => {
  it("tslab.display.* shows one MIME type each", () => {
    const { sink, tslab } = api();
    tslab.display.html("<b>x</b>");
    tslab.display.text("plain");
    tslab.display.raw("application/vnd.custom", new Uint8Array([1, 2]));
    tslab.display.javascript("1");
    const datas = sink.events.map((e) => (e.kind === "display" ? e.bundle.data : {}));
    expect(datas[0]?.["text/html"]).toBe("<b>x</b>");
    expect(datas[1]).toEqual({ "text/plain": "plain" });
    expect(datas[2]?.["application/vnd.custom"]).toBe("AQI=");
    expect(datas[3]?.["application/javascript"]).toBe("1");
    expect(sink.events.every((e) => e.kind === "display" && e.displayId === undefined)).toBe(true);
  });

  it("newDisplay(): the first call shows, later calls update the same output", () => {
    const { sink, tslab } = api();
    const d = tslab.newDisplay();
    d.text("v1");
    d.text("v2");
    d.html("<b>v3</b>");
    const shown = sink.events.map((e) => (e.kind === "display" ? [e.displayId, e.update ?? false] : []));
    const id = shown[0]?.[0];
    expect(typeof id).toBe("string");
    expect(shown).toEqual([[id, false], [id, true], [id, true]]);
    const other = tslab.newDisplay();
    other.text("w");
    const last = sink.events.at(-1);
    expect(last?.kind === "display" && last.displayId !== id && !last.update).toBe(true);
  });

  it("versions names node and typescript", () => {
    const { tslab } = api();
    expect(tslab.versions.node).toBe(process.version);
    expect(tslab.versions.typescript).toMatch(/^\d+\.\d+/);
  });
});
