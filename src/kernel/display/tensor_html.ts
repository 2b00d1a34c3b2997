/**
 * A tensor as an HTML table (the `text/html` of its display bundle): self-contained (inline
 * styles only: a notebook may strip <style> and scripts, and must work offline), with a caption
 * giving shape, dtype and autograd state. Beyond 2-D it shows one table per 2-D slice, each
 * labelled by its leading indices as PyTorch groups them (`[0, :, :]`). Large tensors are
 * summarised by PyTorch's rule (more than `threshold` elements: the first and last `edgeitems`
 * of each dimension around an ellipsis), and values are formatted as PyTorch prints them.
 */
import type { Tensor } from "../../tensor/tensor.js";
import { printOptions } from "../../tensor/print.js";
import { contiguousStrides, displayedElements, shownIndices, type ShownIndex } from "./tensor_values.js";

const STYLE = {
  table: "border-collapse:collapse;font-family:monospace;font-size:12px;margin:2px 0 8px 0",
  // nowrap: a narrow table would otherwise wrap its caption into a column (Notebook 6 does)
  caption: "caption-side:top;text-align:left;white-space:nowrap;font-family:monospace;font-size:12px;padding:2px 0;color:#555",
  header: "font-family:monospace;font-size:12px;padding:2px 0;color:#555",
  th: "padding:1px 6px;text-align:right;color:#888;font-weight:normal;border-bottom:1px solid #ccc",
  rowTh: "padding:1px 6px;text-align:right;color:#888;font-weight:normal;border-right:1px solid #ccc",
  td: "padding:1px 6px;text-align:right;white-space:pre",
  gap: "padding:1px 6px;text-align:center;color:#888",
  vgap: "font-family:monospace;color:#888;padding:0 0 6px 12px",
} as const;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

/** `torch.Size([2, 3])`, as PyTorch prints a shape. */
function shapeText(shape: readonly number[]): string {
  return `torch.Size([${shape.join(", ")}])`;
}

/** The caption: what kind of tensor this is, in PyTorch's words. */
export function tensorCaption(t: Tensor, summarized: boolean): string {
  const parts = [`tensor ${shapeText(t.shape)}`, `dtype=torch.${t.dtype.name}`];
  if (t.grad_fn) parts.push(`grad_fn=<${t.grad_fn.name()}>`);
  else parts.push(`requires_grad=${t.requires_grad ? "True" : "False"}`);
  if (summarized) parts.push(`summarized: first and last ${printOptions.edgeitems} of each dimension`);
  return parts.join(", ");
}

interface SliceContext {
  text: Map<number, string>;
  shape: readonly number[];
  strides: number[];
  summarized: boolean;
}

function cell(ctx: SliceContext, offset: number): string {
  return `<td style="${STYLE.td}">${escapeHtml(ctx.text.get(offset) ?? "")}</td>`;
}

/** One 2-D (or 1-D, or 0-D) table of the elements starting at `offset`, over the last dims. */
function sliceTable(ctx: SliceContext, offset: number, caption: string): string {
  const rank = ctx.shape.length;
  const cap = `<caption style="${STYLE.caption}">${escapeHtml(caption)}</caption>`;
  if (rank === 0) return `<table style="${STYLE.table}">${cap}<tbody><tr>${cell(ctx, offset)}</tr></tbody></table>`;
  const cols = shownIndices(ctx.shape[rank - 1] ?? 0, ctx.summarized);
  const colStride = ctx.strides[rank - 1] ?? 1;
  const head = `<thead><tr>${rank >= 2 ? `<th style="${STYLE.th}"></th>` : ""}${cols
    .map((c) => `<th style="${STYLE.th}">${c === null ? "…" : c}</th>`)
    .join("")}</tr></thead>`;
  const row = (rowOffset: number): string =>
    cols.map((c) => (c === null ? `<td style="${STYLE.gap}">…</td>` : cell(ctx, rowOffset + c * colStride))).join("");
  let body: string;
  if (rank === 1) {
    body = `<tr>${row(offset)}</tr>`;
  } else {
    const rows = shownIndices(ctx.shape[rank - 2] ?? 0, ctx.summarized);
    const rowStride = ctx.strides[rank - 2] ?? 1;
    body = rows
      .map((r) =>
        r === null
          ? `<tr><th style="${STYLE.rowTh}">⋮</th>${cols.map((c) => `<td style="${STYLE.gap}">${c === null ? "⋱" : "⋮"}</td>`).join("")}</tr>`
          : `<tr><th style="${STYLE.rowTh}">${r}</th>${row(offset + r * rowStride)}</tr>`,
      )
      .join("");
  }
  return `<table style="${STYLE.table}">${cap}${head}<tbody>${body}</tbody></table>`;
}

/** The label of a 2-D slice: `[0, 1, :, :]`. */
function sliceLabel(leading: readonly number[]): string {
  return `[${[...leading, ":", ":"].join(", ")}]`;
}

/** Tables for every shown 2-D slice of a tensor of rank ≥ 3, with "⋮" where slices are elided. */
function sliceTables(ctx: SliceContext): string[] {
  const out: string[] = [];
  const leadingDims = ctx.shape.length - 2;
  const visit = (dim: number, leading: number[], offset: number): void => {
    if (dim === leadingDims) {
      out.push(sliceTable(ctx, offset, sliceLabel(leading)));
      return;
    }
    const indices: ShownIndex[] = shownIndices(ctx.shape[dim] ?? 0, ctx.summarized);
    for (const i of indices) {
      // PyTorch prints "..." where summarisation elides whole blocks.
      if (i === null) out.push(`<div style="${STYLE.vgap}">...</div>`);
      else visit(dim + 1, [...leading, i], offset + i * (ctx.strides[dim] ?? 1));
    }
  };
  visit(0, [], 0);
  return out;
}

/** The `text/html` of a tensor's display bundle. */
export function tensorHtml(t: Tensor): string {
  const { text, summarized } = displayedElements(t);
  const ctx: SliceContext = { text, shape: t.shape, strides: contiguousStrides(t.shape), summarized };
  const caption = tensorCaption(t, summarized);
  if (t.numel() === 0) {
    return `<div><div style="${STYLE.header}">${escapeHtml(caption)}</div><div style="${STYLE.vgap}">(no elements)</div></div>`;
  }
  if (t.shape.length <= 2) return `<div>${sliceTable(ctx, 0, caption)}</div>`;
  return `<div><div style="${STYLE.header}">${escapeHtml(caption)}</div>${sliceTables(ctx).join("")}</div>`;
}
