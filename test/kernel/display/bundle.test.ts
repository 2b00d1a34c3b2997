import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { bundleOf, mimeBundleOf, ARROW_MIME } from "../../../src/kernel/display/index.js";

describe("mimeBundleOf", () => {
  it("undefined has no execute_result", () => {
    expect(mimeBundleOf(undefined)).toBeUndefined();
    expect(bundleOf(undefined).data["text/plain"]).toBe("undefined");
  });

  it("plain values: text/plain as Node shows them, never with ANSI colours", () => {
    expect(mimeBundleOf(42)?.data).toEqual({ "text/plain": "42" });
    expect(mimeBundleOf("abc")?.data["text/plain"]).toBe("'abc'");
    expect(mimeBundleOf(null)?.data["text/plain"]).toBe("null");
    const text = String(mimeBundleOf({ a: [1, 2], b: "x", c: new Map([[1, 2]]) })?.data["text/plain"]);
    expect(text).toBe("{ a: [ 1, 2 ], b: 'x', c: Map(1) { 1 => 2 } }");
    expect(text).not.toMatch(/\u001b\[/);
  });

  it("objects with Symbol.for('Jupyter.display') give their own bundle, text/plain added", () => {
    class Chart {
      [Symbol.for("Jupyter.display")](): Record<string, unknown> {
        return { "text/html": "<svg></svg>" };
      }
      toString(): string {
        return "Chart()";
      }
    }
    expect(mimeBundleOf(new Chart())).toEqual({ data: { "text/html": "<svg></svg>", "text/plain": "Chart()" }, metadata: {} });
  });

  it("accepts {data, metadata} from the display symbol", () => {
    const img = { [Symbol.for("Jupyter.display")]: () => ({ data: { "image/png": "AAAA", "text/plain": "<img>" }, metadata: { "image/png": { width: 4 } } }) };
    expect(mimeBundleOf(img)).toEqual({ data: { "image/png": "AAAA", "text/plain": "<img>" }, metadata: { "image/png": { width: 4 } } });
  });

  it("a display method that throws is reported with what threw", () => {
    const bad = { [Symbol.for("Jupyter.display")]: () => { throw new RangeError("no"); } };
    expect(() => mimeBundleOf(bad)).toThrow('[Symbol.for("Jupyter.display")]() of [object Object] threw RangeError: no');
  });

  it("tensors: PyTorch's repr, an HTML table and an Arrow file", () => {
    const t = torch.arange(4).reshape(2, 2);
    const b = mimeBundleOf(t);
    expect(Object.keys(b?.data ?? {}).sort()).toEqual([ARROW_MIME, "text/html", "text/plain"].sort());
    expect(b?.data["text/plain"]).toBe("tensor([[0, 1],\n        [2, 3]])");
  });

  it("traced modules and functions show their TorchScript (their own display symbol)", () => {
    const lin = new torch.nn.Linear(2, 2);
    const traced = torch.jit.trace(lin, [torch.ones(1, 2)]);
    const b = mimeBundleOf(traced);
    expect(b?.data["text/plain"]).toBe(traced.code);
    expect(String(b?.data["text/html"])).toContain("<div>");
  });
});
