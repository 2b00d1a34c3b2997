/**
 * The error torch.jit.script raises (errors.ts builds it from a TypeScript node).
 *
 * Note [typings without TypeScript]: the package's public typings (dist/index.d.ts and what it
 * reaches) must not import "typescript": every kernel cell is type-checked against them, and
 * TypeScript's own typings (typescript.d.ts, ~11,000 lines) would be part of every check. So
 * what public API names from the script compiler (this class, ScriptOptions) lives in files of
 * its own; test/package.test.ts checks the typings.
 */
import { RuntimeError } from "../../util/errors.js";

export class ScriptError extends RuntimeError {
  constructor(
    readonly what: string,
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly excerpt: string,
  ) {
    super(`${what}:\n  File "${file}", line ${line}, column ${column}\n${excerpt}`);
  }
}
