import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("the tsjit package", () => {
  it("is importable by name from plain Node ESM, as a named and a default export", () => {
    expect(existsSync(`${root}/dist/index.js`), "dist/ is built by `npm install` / `npm test`").toBe(true);
    const script = `
      import torch, { torch as named } from "tsjit";
      if (torch !== named) throw new Error("default and named exports differ");
      torch.manual_seed(0);
      console.log(String(torch.rand(2)));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(out.trim()).toBe("tensor([0.4963, 0.7682])");
  });

  it("has public typings that do not pull in TypeScript's own typings (every kernel cell check reads them)", async () => {
    // Note [typings without TypeScript] (src/jit/frontend/script_error.ts)
    const ts = (await import("typescript")).default;
    const program = ts.createProgram([`${root}/dist/index.d.ts`], {
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
      types: [], noEmit: true,
    });
    const files = program.getSourceFiles().map((f) => f.fileName);
    expect(files.some((f) => f.endsWith("/dist/jit/script.d.ts"))).toBe(true);
    expect(files.filter((f) => f.endsWith("typescript/lib/typescript.d.ts"))).toEqual([]);
  });
});
