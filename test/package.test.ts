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
});
