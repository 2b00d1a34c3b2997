// What tsjit says about itself in `kernel_info_reply`: the frontend picks the editor's
// highlighting, the file extension of "Download as" and the Help menu from this.
//
// Note [codemirror mode]: the mode is the plain string "typescript", not CodeMirror 5's
// `{name: "javascript", typescript: true}`. JupyterLab 4 (CodeMirror 6) resolves the mode with
// `EditorLanguageRegistry.findBest`, which looks the object's `name` up first: "javascript" finds
// the JavaScript language and type annotations are highlighted as errors, while "typescript"
// finds its TypeScript language. The classic Notebook 6 (CodeMirror 5) resolves "typescript"
// through `CodeMirror.findModeByName` to the javascript mode with mime "application/typescript",
// which is `{name: "javascript", typescript: true}`; so one string serves both.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { kernelInfoContent } from "./protocol/messages.js";
import type { HelpLink, KernelInfoReplyContent } from "./protocol/messages.js";

function versionIn(packageJson: URL | string, what: string): string {
  let text: string;
  try {
    text = readFileSync(packageJson, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${what}'s package.json (${String(packageJson)}): ${(e as Error).message}`);
  }
  const version = (JSON.parse(text) as { version?: unknown }).version;
  if (typeof version !== "string") throw new Error(`${what}'s package.json (${String(packageJson)}) has no "version" string`);
  return version;
}

/** The package's own version (`package.json` sits two levels up from src/kernel and dist/kernel). */
export function packageVersion(): string {
  return versionIn(new URL("../../package.json", import.meta.url), "tsjit");
}

/**
 * The version of the TypeScript compiler the evaluator compiles cells with. Read from its
 * package.json rather than `ts.version`: importing the compiler takes most of a second, and
 * kernel_info must be answered before the evaluator has finished loading it.
 */
export function typescriptVersion(): string {
  return versionIn(createRequire(import.meta.url).resolve("typescript/package.json"), "typescript");
}

export const HELP_LINKS: readonly HelpLink[] = [
  // The README as published with the package (the project has no other home page yet).
  { text: "tsjit README", url: "https://www.npmjs.com/package/tsjit#readme" },
  { text: "TypeScript handbook", url: "https://www.typescriptlang.org/docs/handbook/intro.html" },
  { text: "TorchScript (PyTorch)", url: "https://pytorch.org/docs/1.13/jit.html" },
  { text: "PyTorch", url: "https://pytorch.org/docs/1.13/" },
];

/** The `kernel_info_reply` content for this process: the real TypeScript version, the package version. */
export function tsjitKernelInfo(): KernelInfoReplyContent {
  const version = packageVersion();
  const tsVersion = typescriptVersion();
  const info = kernelInfoContent({
    languageVersion: tsVersion,
    implementationVersion: version,
    banner: `tsjit ${version}: TypeScript ${tsVersion} notebooks with PyTorch-style tensors, autograd, nn and torch.jit (Node ${process.versions.node})`,
    helpLinks: [...HELP_LINKS],
  });
  return {
    ...info,
    language_info: { ...info.language_info, codemirror_mode: "typescript" }, // Note [codemirror mode]
  };
}
