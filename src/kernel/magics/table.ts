/**
 * The magics, as data: each entry names a magic, says how it is used, and lowers it to
 * TypeScript calling the runtime (`__tsjit_magics.<method>`, see runtime.ts). %lsmagic lists
 * this table; the rewriter looks names up here.
 *
 * A line magic lowers to one expression (its value is the magic's result, so
 * `const t = %trace cell(x, h)` binds it) or, for a statement body, to one statement.
 * A cell magic lowers its first line and keeps the body's lines where they are; it may add one
 * closing line after the body.
 */
import { parseOptions, UsageError } from "./options.js";
import { RUNTIME, awaitIf, escapeTemplateLine, lit, splitCall, splitDeclaration, thunk, usesAwait } from "./lowering.js";

/** A line magic's lowering: an expression (usable after `=`) or a whole statement. */
export type LineLowering = { expr: string } | { statement: string };

export interface LineMagic {
  name: string;
  usage: string;
  /** `assigned`: the magic's value is bound (`const t = %trace ...`), so it must return it. */
  lower(args: string, assigned: boolean): LineLowering;
}

export interface CellMagic {
  name: string;
  usage: string;
  /** The body is TypeScript (its line magics are lowered too), not text. */
  bodyIsCode: boolean;
  /** The new first line, and what closes the body (a line after it), if anything. */
  lower(args: string, body: readonly string[]): { head: string; body: string[]; closer?: string };
}

const call = (method: string, ...args: string[]): string => `${RUNTIME}.${method}(${args.join(", ")})`;

/** A runtime error at this line (the rewriter never throws: errors belong to the cell's run). */
export const failWith = (e: unknown): LineLowering => ({
  expr: call("fail", lit(e instanceof Error ? e.name : "Error"), lit(e instanceof Error ? e.message : String(e))),
});

/** The option letters %timeit takes (IPython's spec). */
const TIMEIT_SPEC = "n:r:tcp:qo";

/** Splits `-n 10 -r 3 f(x)` into the option text and the statement, as the runtime will parse it. */
function splitTimeitArgs(args: string): { options: string; stmt: string } {
  const parsed = parseOptions(args, TIMEIT_SPEC, "timeit");
  return { options: args.slice(0, args.length - parsed.rest.length).trim(), stmt: parsed.rest };
}

/** A verbatim body as a template literal: head ends with "`\", body lines escaped, closer "`". */
function templateBody(head: string, body: readonly string[], closerTail: string): { head: string; body: string[]; closer: string } {
  return { head: `${head}\`\\`, body: body.map(escapeTemplateLine), closer: `\`${closerTail}` };
}

export const LINE_MAGICS: readonly LineMagic[] = [
  {
    name: "timeit",
    usage: "%timeit [-n N] [-r R] [-p P] [-q] [-o] statement — time a statement (IPython's %timeit)",
    lower(args) {
      const { options, stmt } = splitTimeitArgs(args);
      if (stmt.trim() === "") return { expr: "undefined" };
      return { expr: `${awaitIf(usesAwait(stmt))}${call("timeit", lit(options), thunk(stmt))}` };
    },
  },
  {
    name: "time",
    usage: "%time statement-or-expression — CPU and wall time of one run; returns the expression's value",
    lower(args) {
      const decl = splitDeclaration(args);
      if (decl !== undefined) {
        return { statement: `${decl.binding} = ${awaitIf(usesAwait(decl.expr))}${call("time", lit(args.trim()), thunk(decl.expr))};` };
      }
      return { expr: `${awaitIf(usesAwait(args))}${call("time", lit(args.trim()), thunk(args))}` };
    },
  },
  {
    name: "trace",
    usage: "%trace module_or_fn(example, inputs) — torch.jit.trace it and show the TorchScript",
    lower(args, assigned) {
      const parts = splitCall(args);
      if (parts === undefined) return failWith(new UsageError(`%trace expects a call with example inputs, such as %trace cell(x, h); got '${args.trim()}'`));
      const [callee, inputs] = parts;
      return { expr: `${awaitIf(usesAwait(args))}${call("trace", lit(args.trim()), `${usesAwait(args) ? "async " : ""}() => [${callee}, [${inputs}]]`, String(assigned))}` };
    },
  },
  {
    name: "script",
    usage: "%script module_or_fn — torch.jit.script it and show the TorchScript",
    lower(args, assigned) {
      if (args.trim() === "") return failWith(new UsageError("%script expects a module instance or a function: %script gate"));
      return { expr: call("script", lit(args.trim()), `() => (${args.trim()})`, String(assigned)) };
    },
  },
  { name: "lsmagic", usage: "%lsmagic — list the magics", lower: () => ({ expr: call("lsmagic") }) },
  { name: "pwd", usage: "%pwd — the working directory", lower: () => ({ expr: call("pwd") }) },
  { name: "cd", usage: "%cd [-q] [dir | -] — change the working directory (no dir: home; -: the previous one)", lower: (args) => ({ expr: call("cd", lit(args)) }) },
  { name: "env", usage: "%env | %env VAR | %env VAR=value — read or set environment variables", lower: (args) => ({ expr: call("env", lit(args)) }) },
  { name: "typecheck", usage: "%typecheck error|warn|off — how type errors in later cells are reported", lower: (args) => ({ expr: call("typecheck", lit(args)) }) },
  { name: "sx", usage: "%sx command — run a shell command and return its output lines", lower: (args) => ({ expr: `await ${call("sx", lit(args))}` }) },
  { name: "system", usage: "%system command — the same as %sx", lower: (args) => ({ expr: `await ${call("sx", lit(args))}` }) },
];

export const CELL_MAGICS: readonly CellMagic[] = [
  {
    name: "timeit",
    bodyIsCode: true,
    usage: "%%timeit [-n N] [-r R] [-p P] [-q] [-o] [setup] — time the cell; the setup runs before each run, untimed",
    lower(args, body) {
      const { options, stmt: setup } = splitTimeitArgs(args);
      const bodyAwaits = body.some(usesAwait);
      const isAsync = bodyAwaits || usesAwait(setup);
      const setupCode = setup.trim() === "" ? "" : `${setup.trim().replace(/;\s*$/, "")}; `;
      const head = `${awaitIf(isAsync)}${RUNTIME}.timeitCell(${lit(options)}, ${usesAwait(setup) ? "async " : ""}() => { ${setupCode}return ${bodyAwaits ? "async " : ""}() => {`;
      return { head, body: [...body], closer: "}; });" };
    },
  },
  {
    name: "time",
    bodyIsCode: true,
    usage: "%%time — CPU and wall time of the cell",
    lower(args, body) {
      if (args.trim() !== "") return { head: `${call("fail", lit("UsageError"), lit("Can't use statement directly after '%%time'!"))};`, body: [...body] };
      return { head: `${call("timeStart")};`, body: [...body], closer: `${call("timeEnd")};` };
    },
  },
  {
    name: "writefile",
    bodyIsCode: false,
    usage: "%%writefile [-a] path — write (or with -a append) the cell's text to a file",
    lower: (args, body) => templateBody(`${RUNTIME}.writefile(${lit(args)}, `, body, ");"),
  },
  {
    name: "bash",
    bodyIsCode: false,
    usage: "%%bash — run the cell as a bash script",
    lower: (args, body) => templateBody(`await ${RUNTIME}.shellCell("bash", ${lit(args)}, `, body, ");"),
  },
  {
    name: "sh",
    bodyIsCode: false,
    usage: "%%sh — run the cell as a sh script",
    lower: (args, body) => templateBody(`await ${RUNTIME}.shellCell("sh", ${lit(args)}, `, body, ");"),
  },
];

export const LINE_MAGIC_BY_NAME: ReadonlyMap<string, LineMagic> = new Map(LINE_MAGICS.map((m) => [m.name, m]));
export const CELL_MAGIC_BY_NAME: ReadonlyMap<string, CellMagic> = new Map(CELL_MAGICS.map((m) => [m.name, m]));

/** Lowerings for names not in the tables: IPython's UsageError at run time. */
export function unknownLineMagic(name: string): LineLowering {
  return { expr: call("lineMagicNotFound", lit(name)) };
}

export function unknownCellMagic(name: string, body: readonly string[]): { head: string; body: string[]; closer: string } {
  // The body may not be TypeScript: keep it in a string so the cell still compiles.
  return templateBody(`${RUNTIME}.cellMagicNotFound(${lit(name)}, `, body, ");");
}
