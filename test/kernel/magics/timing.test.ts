import { describe, expect, it } from "vitest";
import { TimeitResult } from "../../../src/kernel/magics/index.js";
import { runCell, setup } from "./support.js";

/** A clock the body drives: each call of `tick(s)` advances it by s seconds. */
function virtualClock(): { clock: () => number; tick: (s: number) => void } {
  let t = 0;
  return { clock: () => t, tick: (s) => void (t += s) };
}

const LINE = /(?:^|\n)(\S+) (ns|\u00b5s|ms|s) \u00b1 (\S+) (ns|\u00b5s|ms|s) per loop \(mean \u00b1 std\. dev\. of (\d+) runs?, ([\d,]+) loops? each\)\n$/;

describe("%timeit", () => {
  it("runs the statement loops × repeats times and prints IPython's line", async () => {
    const { host, runtime } = setup();
    let calls = 0;
    const out: { r?: unknown } = {};
    await runCell("out.r = %timeit -n 3 -r 2 -o work()", { work: () => void calls++, out }, runtime);
    expect(calls).toBe(6);
    expect(host.out).toMatch(LINE);
    const r = out.r as TimeitResult;
    expect(r).toBeInstanceOf(TimeitResult);
    expect([r.loops, r.repeat, r.all_runs.length]).toEqual([3, 2, 2]);
    expect(r.best).toBeLessThanOrEqual(r.worst);
    expect(host.out.endsWith(`${String(r)}\n`)).toBe(true);
  });

  it("chooses the loop count as IPython does: the first power of ten lasting 0.2 s", async () => {
    const { clock, tick } = virtualClock();
    const { host, runtime } = setup({ clock });
    let calls = 0;
    const out: { r?: TimeitResult } = {};
    // 2^-10 s per call keeps the virtual clock's sums exact.
    await runCell("out.r = %timeit -o step()", { step: () => { calls++; tick(1 / 1024); }, out }, runtime);
    // 1, 10, 100 loops last under 0.2 s; 1000 loops last 0.98 s: then 7 runs of 1000.
    expect(out.r?.loops).toBe(1000);
    expect(calls).toBe(1 + 10 + 100 + 1000 + 7 * 1000);
    expect(host.out).toBe("977 \u00b5s \u00b1 0 ns per loop (mean \u00b1 std. dev. of 7 runs, 1,000 loops each)\n");
  });

  it("without -o returns nothing; -q prints nothing", async () => {
    const { host, runtime } = setup();
    const out: { r?: unknown; q?: unknown } = { r: "unset", q: "unset" };
    await runCell("out.r = %timeit -n 1 -r 1 f()\nout.q = %timeit -q -o -n 1 -r 1 f()", { f: () => 1, out }, runtime);
    expect(out.r).toBeUndefined();
    expect(out.q).toBeInstanceOf(TimeitResult);
    expect(host.out.split("\n").filter((l) => l !== "")).toHaveLength(1);
    expect(host.out).toContain("of 1 run, 1 loop each)");
  });

  it("warns when the slowest run took over 4 times the fastest", async () => {
    const { clock, tick } = virtualClock();
    const { host, runtime } = setup({ clock });
    let run = 0;
    await runCell("%timeit -n 1 -r 3 step()", { step: () => tick(run++ === 0 ? 0.5 : 0.1), out: {} }, runtime);
    expect(host.out.split("\n")[0]).toBe("The slowest run took 5.00 times longer than the fastest. This could mean that an intermediate result is being cached.");
  });

  it("awaits async statements, one at a time", async () => {
    const { runtime } = setup();
    let running = 0;
    let overlapped = false;
    let done = 0;
    const tickAsync = async (): Promise<void> => {
      if (running > 0) overlapped = true;
      running++;
      await new Promise<void>((r) => setImmediate(r));
      running--;
      done++;
    };
    await runCell("%timeit -n 4 -r 2 await tickAsync()", { tickAsync }, runtime);
    expect(done).toBe(8);
    expect(overlapped).toBe(false);
  });

  it("stays synchronous for a synchronous statement (so SIGINT can stop it)", () => {
    const { runtime } = setup();
    const result = runtime.timeit("-n 2 -r 2 -o", () => 1);
    expect(result).toBeInstanceOf(TimeitResult);
  });

  it("%%timeit runs the setup before each run, untimed, and the body in the loop", async () => {
    const { clock, tick } = virtualClock();
    const { host, runtime } = setup({ clock });
    const events: string[] = [];
    await runCell("%%timeit -n 2 -r 3 const a = prepare()\nuse(a)", {
      prepare: () => { events.push("setup"); tick(10); return 1; },
      use: () => { events.push("body"); tick(0.25); },
    }, runtime);
    expect(events).toEqual(["setup", "body", "body", "setup", "body", "body", "setup", "body", "body"]);
    expect(host.out).toBe("250 ms \u00b1 0 ns per loop (mean \u00b1 std. dev. of 3 runs, 2 loops each)\n");
  });

  it("notes on stderr when the runs will take more than 2 s", async () => {
    const { clock, tick } = virtualClock();
    const { host, runtime } = setup({ clock });
    await runCell("%timeit -n 1 -r 7 step()", { step: () => tick(1) }, runtime);
    expect(host.err).toBe("%timeit: 7 runs of 1 loop; about 6 s left\n");
  });

  it("rejects bad options with IPython's UsageError", async () => {
    const { runtime } = setup();
    await expect(runCell("%timeit -x f()", { f: () => 1 }, runtime)).rejects.toMatchObject({ name: "UsageError" });
    await expect(runCell("%timeit -n ten f()", { f: () => 1 }, runtime)).rejects.toThrow("-n expects a non-negative integer");
    await expect(runCell("%%timeit -z\nf()", { f: () => 1 }, runtime)).rejects.toThrow("%timeit: option -z not recognized");
  });
});

describe("%time", () => {
  const TIMES = /^CPU times: user \S+ (ns|\u00b5s|ms|s), sys: \S+ (ns|\u00b5s|ms|s), total: \S+ (ns|\u00b5s|ms|s)\nWall time: \S+ (ns|\u00b5s|ms|s)\n$/;

  it("prints IPython's CPU and wall times and returns the value", async () => {
    const { host, runtime } = setup();
    const out: { v?: unknown } = {};
    await runCell("out.v = %time 6 * 7", { out }, runtime);
    expect(out.v).toBe(42);
    expect(host.out).toMatch(TIMES);
  });

  it("binds a declaration", async () => {
    const { host, runtime } = setup();
    const out: { y?: unknown } = {};
    await runCell("%time const y = [1, 2, 3].map((v) => v * 2)\nout.y = y;", { out }, runtime);
    expect(out.y).toEqual([2, 4, 6]);
    expect(host.out).toMatch(TIMES);
  });

  it("awaits an async expression before stopping the clock", async () => {
    const { host, runtime } = setup();
    const out: { v?: unknown } = {};
    await runCell("out.v = %time await Promise.resolve(5)", { out }, runtime);
    expect(out.v).toBe(5);
    expect(host.out).toMatch(TIMES);
  });

  it("%%time times the whole cell and keeps its declarations in the cell's scope", async () => {
    const { host, runtime } = setup();
    const out: { a?: unknown } = {};
    await runCell("%%time\nconst a = 1 + 1;\nout.a = a;\n", { out }, runtime);
    expect(out.a).toBe(2);
    expect(host.out).toMatch(TIMES);
  });

  it("%%time with a statement on its line is IPython's UsageError", async () => {
    const { runtime } = setup();
    await expect(runCell("%%time f()\ng()", {}, runtime)).rejects.toThrow("Can't use statement directly after '%%time'!");
  });
});
