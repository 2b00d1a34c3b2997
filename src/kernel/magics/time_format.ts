/**
 * IPython's time formatting (IPython/core/magics/execution.py): `_format_time` and
 * `TimeitResult`, so %timeit and %time print exactly what IPython prints.
 */
import { formatExp, formatFixed } from "../../tensor/print.js";

/** Python's `'%.*g' % (precision, x)` for a finite non-negative x (rounding as Python does). */
export function formatG(x: number, precision: number): string {
  const p = Math.max(precision, 1);
  const exp = formatExp(x, p - 1); // Python-exact rounding; its exponent decides the style
  const e = Number(exp.slice(exp.indexOf("e") + 1));
  if (e < -4 || e >= p) {
    const [mantissa = "0", exponent = "+00"] = exp.split("e");
    return `${stripZeros(mantissa)}e${exponent}`;
  }
  return stripZeros(formatFixed(x, p - 1 - e));
}

function stripZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** The units of _format_time, from seconds down (IPython uses U+00B5 MICRO SIGN). */
const UNITS = ["s", "ms", "\u00b5s", "ns"] as const;
const SCALING = [1, 1e3, 1e6, 1e9] as const;
const LONG_UNITS: readonly [string, number][] = [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]];

/** Python's `//` on integers. */
const floorDiv = (a: number, b: number): number => Math.floor(a / b);

/**
 * IPython's `_format_time(timespan, precision=3)`: `13.6 ms`, `815 µs`, `1.5 s`; from a minute
 * on, `1min 5s` / `2h 3min 4s`.
 */
export function formatTime(timespan: number, precision = 3): string {
  if (timespan >= 60) {
    const parts: string[] = [];
    let leftover = timespan;
    for (const [suffix, length] of LONG_UNITS) {
      const value = Math.trunc(leftover / length);
      if (value > 0) {
        leftover = leftover % length;
        parts.push(`${value}${suffix}`);
      }
      if (leftover < 1) break;
    }
    return parts.join(" ");
  }
  const order = timespan > 0 ? Math.min(-floorDiv(Math.floor(Math.log10(timespan)), 3), 3) : 3;
  const index = Math.max(order, 0); // IPython would index from the end for negative orders (never: timespan < 60)
  return `${formatG(timespan * (SCALING[index] ?? 1), precision)} ${UNITS[index] ?? "s"}`;
}

/** Python's `'{:,}'.format(n)` for an integer. */
function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Python's math.fsum is exact; a compensated sum is as exact as these few timings need. */
function fsum(xs: readonly number[]): number {
  let sum = 0;
  let c = 0;
  for (const x of xs) {
    const y = x - c;
    const t = sum + y;
    c = t - sum - y;
    sum = t;
  }
  return sum;
}

/**
 * What `%timeit -o` returns: IPython's TimeitResult (fields with IPython's names; times in
 * seconds; `all_runs` holds the total time of each run of `loops` loops).
 */
export class TimeitResult {
  readonly timings: number[];

  constructor(
    readonly loops: number,
    readonly repeat: number,
    readonly best: number,
    readonly worst: number,
    readonly all_runs: number[],
    readonly compile_time: number,
    private readonly precision: number = 3,
  ) {
    this.timings = all_runs.map((dt) => dt / loops);
  }

  get average(): number {
    return fsum(this.timings) / this.timings.length;
  }

  get stdev(): number {
    const mean = this.average;
    return Math.sqrt(fsum(this.timings.map((x) => (x - mean) ** 2)) / this.timings.length);
  }

  /** `13.6 ms ± 815 µs per loop (mean ± std. dev. of 7 runs, 100 loops each)` */
  toString(): string {
    const runs = `${this.repeat} run${this.repeat === 1 ? "" : "s"}`;
    const loops = `${groupThousands(this.loops)} loop${this.loops === 1 ? "" : "s"}`;
    return `${formatTime(this.average, this.precision)} \u00b1 ${formatTime(this.stdev, this.precision)} per loop (mean \u00b1 std. dev. of ${runs}, ${loops} each)`;
  }

  /** IPython's _repr_pretty_: `<TimeitResult : ...>`. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return { "text/plain": `<TimeitResult : ${this.toString()}>` };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `<TimeitResult : ${this.toString()}>`;
  }
}
