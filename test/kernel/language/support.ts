// Shared by the language service tests.

import { fileURLToPath } from "node:url";
import type { CellDiagnostic } from "../../../src/kernel/language/index.js";

/**
 * The test notebook's folder: no tsconfig.json of its own (so the defaults apply), a module
 * beside it (units.ts), and node_modules (apache-arrow, @types/node) above it.
 */
export const notebookDir = fileURLToPath(new URL("./notebook", import.meta.url));

/** Diagnostics as short strings, so a failure shows them all. */
export const brief = (ds: CellDiagnostic[]): string[] => ds.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);
