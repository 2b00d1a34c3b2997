/**
 * A notebook open in Jupyter Notebook 6's page, driven the way a user would ("Run All") through
 * the page's own JavaScript API, and read back from the DOM it rendered. The page's code runs in
 * the browser, so the few browser objects used here are described by the small structural types
 * below rather than by TypeScript's DOM library (which this project's tsconfig leaves out).
 */
import type { Page } from "playwright-core";

/** The part of Notebook 6's `window.Jupyter` the test uses. */
interface NotebookPageGlobals {
  Jupyter?: {
    notebook?: {
      _fully_loaded?: boolean;
      kernel?: { info_reply?: { implementation?: string } } | null;
      execute_all_cells(): void;
      get_cells(): { cell_type: string; input_prompt_number?: unknown }[];
    };
  };
}

/** The page's `document`, as far as the scrolling of `#site` goes. */
interface PageDocument {
  document: { querySelector(selector: string): { scrollTop: number; scrollHeight: number; clientHeight: number } | null };
}

const KERNEL_READY_MS = 120_000;
const RUN_ALL_MS = 420_000;

/** Opens `/notebooks/<name>` and waits until its tsjit kernel has answered kernel_info. */
export async function openNotebook(page: Page, serverUrl: string, token: string, name: string): Promise<void> {
  await page.goto(`${serverUrl}/notebooks/${encodeURIComponent(name)}?token=${token}`, { waitUntil: "load" });
  await page.waitForFunction(
    () => {
      const notebook = (globalThis as unknown as NotebookPageGlobals).Jupyter?.notebook;
      return notebook?._fully_loaded === true && notebook.kernel?.info_reply?.implementation === "tsjit";
    },
    undefined,
    { timeout: KERNEL_READY_MS, polling: 250 },
  );
}

/**
 * "Run All", then waits until no cell is queued or running (prompt `*`; an aborted cell's prompt
 * goes back to empty, so a failing cell does not make this wait forever) and the kernel
 * indicator shows idle.
 */
export async function runAllCells(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as NotebookPageGlobals).Jupyter?.notebook?.execute_all_cells());
  await page.waitForFunction(
    () => {
      const browser = globalThis as unknown as NotebookPageGlobals & PageDocument;
      const cells = browser.Jupyter?.notebook?.get_cells() ?? [];
      const running = cells.some((c) => c.cell_type === "code" && c.input_prompt_number === "*");
      return !running && browser.document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null;
    },
    undefined,
    { timeout: RUN_ALL_MS, polling: 500 },
  );
}

/** Each code cell's execution count as the page shows it (null where it has none). */
export async function executionCounts(page: Page): Promise<(number | null)[]> {
  return page.evaluate(() =>
    ((globalThis as unknown as NotebookPageGlobals).Jupyter?.notebook?.get_cells() ?? [])
      .filter((c) => c.cell_type === "code")
      .map((c) => (typeof c.input_prompt_number === "number" ? c.input_prompt_number : null)),
  );
}

/** The computed colour and weight of the elements whose whole text is `word`: what the reader sees. */
export async function computedTextStyle(page: Page, selector: string, word: string): Promise<{ color: string; fontWeight: string }[]> {
  const wholeText = new RegExp(`^${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  return page.locator(selector, { hasText: wholeText }).evaluateAll((elements) =>
    elements.map((element) => {
      const view = (element as unknown as { ownerDocument: { defaultView: { getComputedStyle(e: unknown): { color: string; fontWeight: string } } } }).ownerDocument.defaultView;
      const style = view.getComputedStyle(element);
      return { color: style.color, fontWeight: style.fontWeight };
    }),
  );
}

/**
 * A screenshot of the whole notebook. Notebook 6 scrolls its cells inside `#site`, not the page,
 * so a "full page" screenshot would stop at the viewport: the viewport is first made as tall as
 * the header plus the notebook.
 */
export async function screenshotWholeNotebook(page: Page, path: string, width: number): Promise<void> {
  const header = await page.locator("#header").boundingBox();
  const notebook = await page.locator("#notebook-container").boundingBox();
  if (header !== null && notebook !== null) {
    await page.setViewportSize({ width, height: Math.ceil(header.height + notebook.height + 40) });
    // The page sizes #site on its resize event; a picture taken before would be cut off.
    await page
      .waitForFunction(() => {
        const site = (globalThis as unknown as PageDocument).document.querySelector("#site");
        return site === null || site.scrollHeight <= site.clientHeight + 1;
      }, undefined, { timeout: 10_000 })
      .catch(() => undefined); // then the picture shows what fits
  }
  await page.evaluate(() => {
    const site = (globalThis as unknown as PageDocument).document.querySelector("#site");
    if (site !== null) site.scrollTop = 0; // Run All leaves the last cell in view
  });
  await page.screenshot({ path, fullPage: true });
}
