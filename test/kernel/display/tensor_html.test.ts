import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { tensorHtml, mimeBundleOf } from "../../../src/kernel/display/index.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";

/** The text of the value cells (not headers, not ellipsis cells), in document order. */
function valueCells(html: string): string[] {
  return [...html.matchAll(/<td style="([^"]*)">([^<]*)<\/td>/g)].filter((m) => !(m[1] ?? "").includes("center")).map((m) => m[2] ?? "");
}
const captions = (html: string): string[] => [...html.matchAll(/<caption[^>]*>([^<]*)<\/caption>/g)].map((m) => m[1] ?? "");

/** The element texts of a PyTorch repr, in order, without the "..." of summarisation. */
function reprElements(repr: string): string[] {
  const body = repr.slice("tensor(".length, repr.lastIndexOf("]") + 1);
  return body.split(/[\s,[\]]+/).filter((s) => s !== "" && s !== "...");
}

describe("tensor text/html", () => {
  it("1-D: one row of values under index headers, with shape, dtype and requires_grad", () => {
    const t = torch.tensor([1.5, -2, 3.25]);
    const html = tensorHtml(t);
    expect(valueCells(html)).toEqual(["1.5000", "-2.0000", "3.2500"]);
    expect(captions(html)).toEqual(["tensor torch.Size([3]), dtype=torch.float32, requires_grad=False"]);
    expect(html).toContain("<th");
  });

  it("2-D: rows × columns, values formatted together as PyTorch formats them", () => {
    const t = torch.tensor([[1, 2], [3, 4000]], { dtype: torch.float32 });
    const html = tensorHtml(t);
    expect(valueCells(html)).toEqual(reprElements(String(t)));
    expect((html.match(/<tr>/g) ?? []).length).toBe(3); // header + 2 rows
  });

  it("caption shows grad_fn, or requires_grad on a leaf", () => {
    const leaf = torch.ones(2, { requires_grad: true });
    expect(captions(tensorHtml(leaf))[0]).toContain("requires_grad=True");
    expect(captions(tensorHtml(leaf.mul(2)))[0]).toContain("grad_fn=&lt;MulBackward0&gt;"); // escaped in HTML
  });

  it("3-D: one table per 2-D slice, labelled [i, :, :]", () => {
    const t = torch.arange(24).reshape(2, 3, 4);
    const html = tensorHtml(t);
    expect(captions(html)).toEqual(["[0, :, :]", "[1, :, :]"]);
    expect(html).toContain("tensor torch.Size([2, 3, 4]), dtype=torch.int64");
    expect(valueCells(html)).toEqual(reprElements(String(t)));
  });

  it("4-D slices are labelled by both leading indices", () => {
    const html = tensorHtml(torch.zeros(2, 2, 1, 3));
    expect(captions(html)).toEqual(["[0, 0, :, :]", "[0, 1, :, :]", "[1, 0, :, :]", "[1, 1, :, :]"]);
  });

  it("summarises past 1000 elements: 3 edge items around an ellipsis per dimension", () => {
    const t = torch.arange(2000 * 3).reshape(2000, 3).float();
    const html = tensorHtml(t);
    expect(html).toContain("summarized");
    expect(valueCells(html)).toEqual(reprElements(String(t)));
    expect(valueCells(html)).toHaveLength(6 * 3);
    expect(html).toContain(">⋮<");
    expect(html).toContain("<th style=\"padding:1px 6px;text-align:right;color:#888;font-weight:normal;border-right:1px solid #ccc\">1999</th>");
  });

  it("summarises slices of a large 3-D tensor, eliding middle slices", () => {
    const t = torch.arange(10 * 20 * 30).reshape(10, 20, 30);
    const html = tensorHtml(t);
    expect(captions(html).slice(1)).toEqual(["[0, :, :]", "[1, :, :]", "[2, :, :]", "[7, :, :]", "[8, :, :]", "[9, :, :]"].slice(1));
    expect(html).toContain(">...</div>");
    expect(valueCells(html)).toEqual(reprElements(String(t)));
  });

  it("bool and int64 print as PyTorch prints them", () => {
    expect(valueCells(tensorHtml(torch.tensor([true, false])))).toEqual(["True", "False"]);
    const big = torch.tensor([2 ** 53, -7], { dtype: torch.int64 });
    expect(valueCells(tensorHtml(big))).toEqual(["9007199254740992", "-7"]);
  });

  it("scientific mode applies to the whole tensor", () => {
    const t = torch.tensor([1e-8, 1, 1e6]);
    expect(valueCells(tensorHtml(t))).toEqual(reprElements(String(t)));
    expect(valueCells(tensorHtml(t))[0]).toMatch(/e-08$/);
  });

  it("0-D and empty tensors", () => {
    expect(valueCells(tensorHtml(torch.tensor(3.5)))).toEqual(["3.5000"]);
    expect(tensorHtml(torch.zeros(0, 3))).toContain("(no elements)");
  });

  it("is self-contained: no <style>, <script> or external resources", () => {
    const html = tensorHtml(torch.rand(3, 3, 3));
    expect(html).not.toMatch(/<style|<script|<link|https?:/);
  });

  it("the bundle's text/plain is exactly String(tensor)", () => {
    const t = torch.rand(2, 2);
    expect(mimeBundleOf(t)?.data["text/plain"]).toBe(String(t));
  });

  it.skipIf(!hasTorch)("cells equal the elements of PyTorch's own repr (summarised 3-D)", () => {
    const theirs = runTorch<string>("t = torch.arange(0, 3000, dtype=torch.float32).reshape(10, 15, 20) * 0.25 - 500\nprint(json.dumps(repr(t)))");
    const ours = torch.arange(0, 3000, { dtype: torch.float32 }).reshape(10, 15, 20).mul(0.25).sub(500);
    expect(valueCells(tensorHtml(ours))).toEqual(reprElements(theirs));
  });
});
