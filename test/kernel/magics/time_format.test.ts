import { describe, expect, it } from "vitest";
import { TimeitResult, formatTime } from "../../../src/kernel/magics/index.js";
import { formatG } from "../../../src/kernel/magics/time_format.js";
import { mimeBundleOf } from "../../../src/kernel/display/index.js";
import { hasIPython, runIPython } from "./ipython.js";

describe("formatTime follows IPython's _format_time", () => {
  // Hand-derived from IPython's rule: order = min(-(floor(log10 t) // 3), 3) picks s/ms/µs/ns,
  // then '%.3g'; a minute or more reads as d/h/min/s parts.
  const cases: [number, string][] = [
    [0.0136, "13.6 ms"],
    [815e-6, "815 \u00b5s"],
    [1.5, "1.5 s"],
    [2, "2 s"],
    [123.4e-9, "123 ns"],
    [1e-10, "0.1 ns"],
    [0, "0 ns"],
    [9.999e-4, "1e+03 \u00b5s"], // IPython picks µs before rounding to 3 digits
    [0.012345, "12.3 ms"],
    [0.0125, "12.5 ms"],
    [59.99, "60 s"],
    [65.3, "1min 5s"],
    [3723.5, "1h 2min 3s"],
    [90061, "1d 1h 1min 1s"],
    [7200, "2h"],
  ];
  for (const [t, text] of cases) {
    it(`${t} s → ${text}`, () => expect(formatTime(t)).toBe(text));
  }

  it("takes a precision", () => {
    expect(formatTime(0.0136789, 5)).toBe("13.679 ms");
    expect(formatTime(0.0136789, 1)).toBe("1e+01 ms"); // Python: "%.1g" % 13.6789
  });

  it("formatG is Python's %g", () => {
    expect(formatG(0.0001, 3)).toBe("0.0001");
    expect(formatG(0.00001234, 3)).toBe("1.23e-05");
    expect(formatG(1234.5, 3)).toBe("1.23e+03");
    expect(formatG(100, 3)).toBe("100");
    expect(formatG(2.5, 1)).toBe("2"); // half to even on the exact binary value, as Python
  });

  it.skipIf(!hasIPython)("equals IPython's output on a sweep of timespans", () => {
    const spans = [0, 1e-12, 3.3e-10, 1e-9, 4.2e-9, 9.9949e-7, 9.9951e-7, 1e-6, 2.71828e-5, 0.00099949, 0.00099951,
      0.001, 0.0136, 0.0999, 0.99949, 0.99951, 1, 7.25, 59.4, 59.96, 60, 61.5, 3599.9, 3600, 86399, 86400.5, 100000];
    const ours = spans.map((t) => formatTime(t));
    const theirs = runIPython<string[]>(`print(json.dumps([_format_time(t) for t in ${JSON.stringify(spans)}]))`);
    expect(ours).toEqual(theirs);
  });
});

describe("TimeitResult has IPython's fields and text", () => {
  const r = new TimeitResult(100, 7, 0.0128, 0.0149, [1.28, 1.31, 1.49, 1.33, 1.36, 1.40, 1.35], 0, 3);

  it("derives per-loop timings, mean and population std. dev.", () => {
    expect(r.loops).toBe(100);
    expect(r.repeat).toBe(7);
    expect(r.all_runs).toHaveLength(7);
    expect(r.timings[0]).toBeCloseTo(0.0128, 15);
    const mean = r.timings.reduce((a, b) => a + b, 0) / 7;
    expect(r.average).toBeCloseTo(mean, 15);
    expect(r.stdev).toBeCloseTo(Math.sqrt(r.timings.reduce((a, t) => a + (t - mean) ** 2, 0) / 7), 15);
  });

  it("prints mean ± std with runs and loops in IPython's words", () => {
    expect(String(r)).toBe(`${formatTime(r.average)} \u00b1 ${formatTime(r.stdev)} per loop (mean \u00b1 std. dev. of 7 runs, 100 loops each)`);
  });

  it("uses singular forms and thousands separators", () => {
    expect(String(new TimeitResult(1, 1, 2, 2, [2], 0))).toBe("2 s \u00b1 0 ns per loop (mean \u00b1 std. dev. of 1 run, 1 loop each)");
    expect(String(new TimeitResult(1000000, 7, 1e-8, 1e-8, Array(7).fill(0.01), 0))).toContain("7 runs, 1,000,000 loops each");
  });

  it("displays itself as IPython's repr", () => {
    expect(mimeBundleOf(r)?.data["text/plain"]).toBe(`<TimeitResult : ${String(r)}>`);
  });

  it.skipIf(!hasIPython)("prints what IPython's TimeitResult prints", () => {
    const runs = [[100, 7, [1.28, 1.31, 1.49, 1.33, 1.36, 1.4, 1.35]], [1, 1, [0.5]], [1000, 3, [0.2, 0.21, 0.2005]], [10000000, 7, [0.07, 0.071, 0.069, 0.07, 0.07, 0.072, 0.07]]] as const;
    const ours = runs.map(([loops, repeat, all]) => String(new TimeitResult(loops, repeat, Math.min(...all) / loops, Math.max(...all) / loops, [...all], 0, 3)));
    const theirs = runIPython<string[]>(
      `runs = ${JSON.stringify(runs)}\nprint(json.dumps([str(TimeitResult(l, r, min(a)/l, max(a)/l, a, 0, 3)) for l, r, a in runs]))`,
    );
    expect(ours).toEqual(theirs);
  });
});
