// History across kernel restarts (two evaluators on one file), as history_request asks for it.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HistoryStore } from "../../../src/kernel/evaluator/index.js";
import { newSession, tempDir } from "./support.js";

describe("history", () => {
  it("is kept across evaluators: tail, range of the previous session, search", async () => {
    const dir = tempDir("tsjit-history-");
    const historyFile = join(dir, "history.jsonl");

    const first = newSession({ cwd: dir, historyFile });
    await first.run("const a = 1");
    await first.run("a + 1");
    await first.run("'not stored'", { storeHistory: false });
    await first.evaluator.shutdown(true);

    const second = newSession({ cwd: dir, historyFile });
    await second.run("const b = 2");
    await second.run("b * 10");
    const h = (q: Parameters<typeof second.evaluator.history>[0]) => second.evaluator.history(q);

    expect(await h({ hist_access_type: "tail", n: 3, output: false, raw: true })).toEqual([
      [1, 2, "a + 1"],
      [2, 1, "const b = 2"],
      [2, 2, "b * 10"],
    ]);
    // session -1: the one before this; stop is exclusive, as IPython's get_range
    expect(await h({ hist_access_type: "range", session: -1, start: 1, stop: 2, output: false, raw: true })).toEqual([[1, 1, "const a = 1"]]);
    expect(await h({ hist_access_type: "range", session: 0, start: 1, stop: 10, output: true, raw: true })).toEqual([
      [2, 1, ["const b = 2", null]],
      [2, 2, ["b * 10", "20"]],
    ]);
    expect(await h({ hist_access_type: "search", pattern: "const *", n: 10, unique: false, output: false, raw: true })).toEqual([
      [1, 1, "const a = 1"],
      [2, 1, "const b = 2"],
    ]);
    await second.evaluator.shutdown(false);

    const lines = readFileSync(historyFile, "utf8").trim().split("\n");
    expect(lines.length).toBe(4); // one line per stored cell, nothing for the unstored one
  });

  it("search: globs with ? and *, the last n, repeats dropped with unique", () => {
    const dir = tempDir("tsjit-history-");
    const store = new HistoryStore(join(dir, "nested", "h.jsonl"));
    for (const [i, source] of ["x = 1", "y = 2", "x = 1", "x = 3"].entries()) store.append(i + 1, source);
    const search = (pattern: string, n: number, unique: boolean) => store.query({ hist_access_type: "search", pattern, n, unique, output: false, raw: true });
    expect(search("x = ?", 0, false).map((t) => t[1])).toEqual([1, 3, 4]);
    expect(search("x*", 0, true).map((t) => t[1])).toEqual([3, 4]);
    expect(search("*", 2, false).map((t) => t[1])).toEqual([3, 4]);
  });
});
