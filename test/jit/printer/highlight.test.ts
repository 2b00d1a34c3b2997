/** Notebook display: highlighted HTML with inline styles, escaping, and the MIME bundle. */
import { describe, expect, it } from "vitest";
import { displayBundle, highlightTorchScript } from "../../../src/jit/printer/highlight.js";
import { tokenizeTorchScript } from "../../../src/jit/printer/highlight.js";

const code = `def forward(self,
    x: Tensor) -> Tensor:
  _0 = "a<b>&'c'" # note
  if bool(torch.gt(torch.sum(x), 0)):
    _1 = ops.prim.dtype(x)
  return __torch__.f(x, 1.5, CONSTANTS.c0, )
`;

describe("highlightTorchScript", () => {
  it("tokenizes without losing text", () => {
    expect(tokenizeTorchScript(code).map(([t]) => t).join("")).toBe(code);
  });

  it("colours keywords, strings, numbers, comments and torch./ops./__torch__ names with inline styles", () => {
    const html = highlightTorchScript(code);
    const span = (text: string): RegExp => new RegExp(`<span style="[^"]+">${text.replace(/[.()[\]]/g, "\\$&")}</span>`);
    for (const t of ["def", "return", "if", "torch.gt", "torch.sum", "ops.prim.dtype", "__torch__.f", "1.5", "0", "Tensor", "# note"]) {
      expect(html).toMatch(span(t));
    }
    expect(html).not.toMatch(/<style|<script|class=/);
  });

  it("escapes HTML in every token", () => {
    const html = highlightTorchScript(code);
    expect(html).toContain("&quot;a&lt;b&gt;&amp;&#39;c&#39;&quot;");
    expect(html).not.toContain("<b>");
    expect(highlightTorchScript("x = 1 < 2 & 3")).toContain("&lt;");
  });
});

describe("displayBundle", () => {
  it("returns text/plain and text/html, the graph collapsed in <details>", () => {
    const bundle = displayBundle("def f(x: Tensor) -> Tensor:\n  return x\n", "graph(%x : Tensor):\n  return (%x)\n");
    expect(bundle["text/plain"]).toBe("def f(x: Tensor) -> Tensor:\n  return x\n");
    expect(bundle["text/html"]).toMatch(/<details[^>]*><summary[^>]*>graph<\/summary><pre[^>]*>graph\(%x : Tensor\):/);
    expect(displayBundle("pass\n")["text/html"]).not.toContain("<details");
  });
});
