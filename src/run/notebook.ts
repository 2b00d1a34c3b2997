// Notebooks on disk (nbformat 4): reading, the outputs of one executed cell, writing back.
//
// Only what `tsjit run` needs is typed; every other field of a notebook or a cell is kept as it
// was read, so running a notebook changes nothing but outputs, execution counts and
// language_info. Written the way Jupyter writes them (nbformat's writer): keys sorted, one-space
// indent, multi-line strings as lists of lines, so a re-run notebook diffs cleanly in git.

import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One nbformat 4 output, as stored in a code cell's `outputs`. */
export type Output =
  | { output_type: "stream"; name: string; text: string }
  | { output_type: "display_data"; data: JsonObject; metadata: JsonObject }
  | { output_type: "execute_result"; execution_count: number | null; data: JsonObject; metadata: JsonObject }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

export interface Cell {
  cell_type: string;
  id?: string;
  source: string;
  metadata: JsonObject;
  outputs?: Output[];
  execution_count?: number | null;
  [other: string]: unknown;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: JsonObject;
  cells: Cell[];
}

export class NotebookFormatError extends Error {
  override name = "NotebookFormatError";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** nbformat stores multi-line strings either whole or as a list of lines; both mean the joined text. */
export function joinText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map((line) => (typeof line === "string" ? line : "")).join("");
  return "";
}

/** Parses notebook JSON; the cells' sources and outputs are joined into plain strings. @throws NotebookFormatError */
export function parseNotebook(text: string, path: string): Notebook {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    throw new NotebookFormatError(`${path}: not JSON: ${(e as Error).message}`);
  }
  if (!isObject(value) || !Array.isArray(value["cells"])) throw new NotebookFormatError(`${path}: not a notebook (no "cells" list)`);
  if (value["nbformat"] !== 4) throw new NotebookFormatError(`${path}: nbformat ${JSON.stringify(value["nbformat"])} is not supported (only 4)`);
  const cells = value["cells"].map((cell: unknown, index): Cell => {
    if (!isObject(cell) || typeof cell["cell_type"] !== "string") throw new NotebookFormatError(`${path}: cell ${index} has no cell_type`);
    const parsed = { ...cell, source: joinText(cell["source"]), metadata: isObject(cell["metadata"]) ? (cell["metadata"] as JsonObject) : {} } as Cell;
    if (Array.isArray(cell["outputs"])) parsed.outputs = (cell["outputs"] as unknown[]).map(joinOutput);
    return parsed;
  });
  return {
    ...value,
    nbformat: 4,
    nbformat_minor: typeof value["nbformat_minor"] === "number" ? value["nbformat_minor"] : 4,
    metadata: isObject(value["metadata"]) ? (value["metadata"] as JsonObject) : {},
    cells,
  };
}

function joinOutput(output: unknown): Output {
  if (!isObject(output)) return output as Output;
  const joined: Record<string, unknown> = { ...output };
  if ("text" in output) joined["text"] = joinText(output["text"]);
  if (isObject(output["data"])) {
    const data: JsonObject = {};
    for (const [mime, v] of Object.entries(output["data"])) data[mime] = Array.isArray(v) && !mime.endsWith("json") ? joinText(v) : (v as Json);
    joined["data"] = data;
  }
  return joined as Output;
}

export async function readNotebook(path: string): Promise<Notebook> {
  return parseNotebook(await readFile(path, "utf8"), path);
}

/** "a\nb\n" → ["a\n", "b\n"], as nbformat's writer splits multi-line strings. */
function splitLines(text: string): string[] {
  return text.split(/(?<=\n)/).filter((line) => line.length > 0);
}

/** Keys sorted at every level (nbformat writes with sort_keys), strings of text split into lines. */
function forDisk(value: unknown, key?: string): unknown {
  if (typeof value === "string" && (key === "source" || key === "text" || key === "mime")) return splitLines(value);
  if (Array.isArray(value)) return value.map((v) => forDisk(v));
  if (!isObject(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) {
    const v = value[k];
    if (key === "data" && typeof v === "string" && !k.endsWith("json")) sorted[k] = forDisk(v, "mime");
    else sorted[k] = forDisk(v, k);
  }
  return sorted;
}

/** The notebook as Jupyter would write it (cells get an id if they lack one: nbformat 4.5 requires it). */
export function formatNotebook(notebook: Notebook): string {
  for (const cell of notebook.cells) cell.id ??= randomUUID().slice(0, 8);
  if (notebook.nbformat_minor < 5) notebook.nbformat_minor = 5;
  return `${JSON.stringify(forDisk(notebook), null, 1)}\n`;
}

export async function writeNotebook(path: string, notebook: Notebook): Promise<void> {
  await writeFile(path, formatNotebook(notebook));
}
