// notebooks/02_script.ipynb in a real browser: Debian's Jupyter Notebook server (6.4) on loopback
// with the tsjit kernelspec install.js writes, Debian's chromium driven by playwright-core. The
// notebook is copied without its stored outputs and run with "Run All", so every table, code
// listing and error the test looks for in the DOM was rendered by this run. The screenshot is a
// test artifact (test-artifacts/), and with TSJIT_UPDATE_SCREENSHOT=1 the README's picture too.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasNotebookServer, installTempKernel, ROOT, type KernelInstall } from "../kernel/clients/support.js";
import { CHROMIUM, copyWithoutOutputs, hasChromium, startNotebookServer, type NotebookServer } from "./support.js";
import { computedTextStyle, executionCounts, openNotebook, runAllCells, screenshotWholeNotebook } from "./notebook_page.js";

const NOTEBOOK = "02_script.ipynb";
const SOURCE = join(ROOT, "notebooks", NOTEBOOK);
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];
const VIEWPORT_WIDTH = 1280;
const ARTIFACT = join(ROOT, "test-artifacts", "02_script.png");
const README_IMAGE = join(ROOT, "docs", "images", "02_script-in-jupyter.png");
const README_IMAGE_HEIGHT = 1400;

/** How highlight.ts styles a TorchScript keyword (`color:#a626a4;font-weight:bold`), as computed. */
const KEYWORD_STYLE = { color: "rgb(166, 38, 164)", fontWeight: "700" };

// Both probes run (each warns about what it misses), then the suite skips if either is absent.
const canRun = [hasNotebookServer(), hasChromium()].every(Boolean);

describe.skipIf(!canRun)(`${NOTEBOOK} run in chromium against the Jupyter Notebook server`, () => {
  let install: KernelInstall | undefined;
  let notebookDir: string | undefined;
  let server: NotebookServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    install = installTempKernel();
    notebookDir = mkdtempSync(join(tmpdir(), "tsjit-browser-"));
    copyWithoutOutputs(SOURCE, join(notebookDir, NOTEBOOK));
    server = await startNotebookServer(install, notebookDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
    page = await browser.newPage({ viewport: { width: VIEWPORT_WIDTH, height: 900 } });
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    const log = server.log;
    await openNotebook(page, server.url, server.token, NOTEBOOK).catch((error: unknown) => {
      throw new Error(`${String(error)}\nthe notebook server's log:\n${log.join("").slice(-4000)}`);
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop(); // the server shuts its kernel down
    if (notebookDir !== undefined) rmSync(notebookDir, { recursive: true, force: true });
    install?.cleanup();
  }, 60_000);

  it("runs every cell, renders a tensor table and highlighted TorchScript, and shows no error", async () => {
    mkdirSync(join(ROOT, "test-artifacts"), { recursive: true });
    try {
      await runAllCells(page);
    } catch (error) {
      // The picture shows where Run All stopped; the error that matters is the wait's.
      await screenshotWholeNotebook(page, ARTIFACT, VIEWPORT_WIDTH).catch(() => undefined);
      throw error;
    }
    await screenshotWholeNotebook(page, ARTIFACT, VIEWPORT_WIDTH);
    if (pageErrors.length > 0) console.warn(`[tsjit tests] the notebook page threw:\n${pageErrors.join("\n")}`);

    // Errors first: a failing cell also leaves the cells after it without a count (aborted).
    expect(await page.locator(".output_error").allInnerTexts(), "error outputs").toEqual([]);
    const counts = await executionCounts(page);
    expect(counts.length).toBeGreaterThan(0);
    // A fresh kernel runs every code cell once, in order.
    expect(counts, "execution counts of the code cells").toEqual(counts.map((_, i) => i + 1));

    // tensor_html.ts: a <table> captioned with PyTorch's description of the tensor, values in <td>s.
    const tensorTable = page.locator(".output_html table", { has: page.locator("caption", { hasText: /^tensor torch\.Size\(\[[\d, ]*\]\), dtype=torch\.\w+/ }) });
    expect(await tensorTable.count(), "tensor tables (text/html of a displayed tensor) in the outputs").toBeGreaterThan(0);
    const values = await tensorTable.first().locator("td").allInnerTexts();
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value.trim()).toMatch(/^-?\d+(\.\d*)?(e[+-]\d+)?$/);

    // highlight.ts: a module's code as a <pre> whose keywords are coloured spans.
    expect(await page.locator(".output_html pre", { hasText: /def forward\(self/ }).count(), "highlighted TorchScript (text/html of a displayed module) in the outputs").toBeGreaterThan(0);
    const keywords = await computedTextStyle(page, ".output_html pre span", "def");
    expect(keywords.length).toBeGreaterThan(0);
    for (const style of keywords) expect(style).toEqual(KEYWORD_STYLE);

    // Only a run that passed updates the README's picture: the top of the notebook, to keep it small.
    if (process.env["TSJIT_UPDATE_SCREENSHOT"] === "1") {
      mkdirSync(join(ROOT, "docs", "images"), { recursive: true });
      await page.screenshot({ path: README_IMAGE, clip: { x: 0, y: 0, width: VIEWPORT_WIDTH, height: README_IMAGE_HEIGHT } });
    }
  }, 600_000);
});
