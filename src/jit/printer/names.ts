/**
 * How the printer names values (python_print.cpp's genName and friends).
 *
 * Note [printer names]: a value that must be written as a variable takes its debug name made
 * into an identifier (`x.1` -> `x`, `self.fc.bias` -> `self_fc_bias`), or `_` when it has none.
 * A name that is taken, or reserved, gets a counter appended: `x` -> `x0` -> `x1`; `_` is
 * reserved, so unnamed values become `_0`, `_1`, ... The counters are kept per *candidate
 * string being retried*, not per base name, exactly as PyTorch keeps them, which is what makes
 * `_3` follow debug-named `_0`, `_1`, `_2` (nn.Sequential's `getattr(self, "0")` values):
 * "_" -> "_0" (taken) -> "_0" again from the counter of "_0" (taken) -> "_1" ... -> "_3".
 *
 * Taken names are forgotten at the start of each function, but the counters are not: within
 * one printer (one archive code file) the temporaries of the second method continue after
 * those of the first (`_check_input_dim` of BatchNorm prints `_4` after forward's `_3`), while
 * every `.code` uses a fresh printer and starts at `_0`.
 */

/** Names the printer never gives a value: the environment of the importer and Python keywords. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  "_", "as", "aten", "attribute", "CONSTANTS", "fork", "getattr", "inf", "nan", "infj", "nanj", "ops",
  "__torch__", "and", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
  "else", "except", "False", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
  "None", "nonlocal", "not", "or", "pass", "raise", "return", "True", "try", "with", "while", "yield",
  "uninitialized", "unchecked_cast",
]);

/** ASCII letters, `_`, and digits after the first character (python_print.cpp's rule). */
export function isValidIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** Turns a debug name into an identifier: other characters become `_`, a leading digit gets `_`. */
export function makeValidIdentifier(candidate: string): string {
  const prefix = candidate === "" || /^[0-9]/.test(candidate) ? "_" : "";
  return prefix + candidate.replace(/[^A-Za-z0-9_]/g, "_");
}

/** Generates unique identifiers (Note [printer names]). */
export class NameGenerator {
  private readonly used = new Set<string>();
  private readonly nextId = new Map<string, number>();

  /** Forgets the names taken so far (a new function), keeping the counters. */
  newScope(): void {
    this.used.clear();
  }

  /** `candidate`, or `candidate` + a counter when it is taken or reserved; the result is taken. */
  generate(candidate: string): string {
    let name = candidate;
    while (this.used.has(name) || RESERVED_NAMES.has(name)) {
      const n = this.nextId.get(name) ?? 0;
      this.nextId.set(name, n + 1);
      name = candidate + String(n);
    }
    this.used.add(name);
    return name;
  }
}
