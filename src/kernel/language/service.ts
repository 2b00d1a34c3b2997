// CellLanguageService: what the kernel asks of TypeScript about cells.

import type ts from "typescript";
import type { CompleteResult, InspectResult, IsCompleteResult } from "../protocol/evaluator.js";
import { CheckReuse } from "./check_reuse.js";
import { byPosition, cellDiagnostics, lineAndColumn, type CellDiagnostic } from "./cell_diagnostics.js";
import { outlineCell, type CellOutline } from "./cell_outline.js";
import { parseCell } from "./cell_parser.js";
import { CellProgram, type CellSource } from "./cell_program.js";
import { cellCompilerOptions, nodeTypingsOnDemand, readNotebookTsconfig, withoutNodeTypings } from "./compiler_options.js";
import { completeAt, identifierBefore } from "./completion.js";
import { inspectAt } from "./inspect.js";
import { isCellComplete } from "./is_complete.js";
import { checkMissedNode, mayCompleteToNode, mentionsNode } from "./node_typings.js";
import { tsjitTypings } from "./package_paths.js";
import { typescript } from "./typescript.js";
import { findTensorTruthiness, TENSOR_TRUTHINESS_CODE, TENSOR_TRUTHINESS_MESSAGE } from "./tensor_truthiness.js";

/**
 * A cell like those a notebook runs: a Module subclass, torch calls, a condition. It names
 * nothing of Node's, so the warm-up does not load Node's typings (Note [node typings on demand]).
 */
const WARM_UP_CELL = `class WarmUp extends nn.Module {
  fc = new nn.Linear(2, 2);
  forward(x: Tensor): Tensor { return F.relu(this.fc(x)); }
}
const warm = new WarmUp()(torch.zeros(1, 2));
if (warm.sum().item() > Math.max(0, 1)) display(warm.shape);`;

export interface CellLanguageServiceOptions {
  /** The notebook's folder: relative imports, node_modules and tsconfig.json are found from here. */
  cwd: string;
  /** Replaces what `<cwd>/tsconfig.json` says (Note [forced options] still applies). */
  compilerOptions?: ts.CompilerOptions;
}

/**
 * Type checking, completion, inspection and is_complete for notebook cells, each cell seeing
 * the cells that ran before it (Note [how later cells see a name] in cell_program.ts).
 *
 * Construction is free: TypeScript, lib.d.ts and tsjit's typings load on first use or on
 * `warmUp()`, which the kernel can call once it has answered kernel_info.
 *
 * @example
 * const cells = new CellLanguageService({ cwd: process.cwd() });
 * cells.commit("class Net extends nn.Module { fc = new nn.Linear(2, 2) }");
 * cells.check("const n: string = new Net().fc");
 * // → [{ line: 1, column: 7, message: "Type 'Linear' is not assignable to type 'string'.", category: "error", code: 2322 }]
 */
export class CellLanguageService {
  private programState: CellProgram | undefined;
  private tsconfigProblems: string[] = [];
  private lastParse: { code: string; cell: ts.SourceFile; outline: CellOutline } | undefined;
  private readonly reuse = new CheckReuse();
  /** Node's typings: left out until a cell needs them, or as tsconfig.json's `types` says (Note [node typings on demand]). */
  private nodeTypings: "on demand, off" | "on" | "as configured" = "as configured";
  private fullOptions: ts.CompilerOptions | undefined;

  constructor(private readonly opts: CellLanguageServiceOptions) {}

  /**
   * Loads the compiler, lib and typings, and runs a check and a completion over them once, so
   * the next request is fast (V8 has compiled the checker's hot paths). Synchronous: call it
   * when the kernel is idle, e.g. right after kernel_info.
   */
  warmUp(): void {
    for (const step of this.warmUpSteps()) step();
  }

  /**
   * `warmUp` as separate synchronous steps, for a caller that lets a waiting request go between
   * them. The first builds the program from nothing and is most of the cost.
   */
  warmUpSteps(): Array<() => void> {
    return [
      () => void this.check(WARM_UP_CELL),
      () => void this.complete(WARM_UP_CELL, WARM_UP_CELL.indexOf(".zeros") + 1),
      () => void this.check(""),
    ];
  }

  /**
   * Problems in `code`, given the committed cells. Syntax errors alone when there are any.
   * Re-checking a text before any commit changed what it sees gives the kept result (Note
   * [reusing a check] in check_reuse.ts).
   */
  check(code: string): CellDiagnostic[] {
    const kept = this.reuse.get(code);
    if (kept !== undefined) return kept;
    const diagnostics = this.checkAfresh(code);
    this.reuse.keep(code, diagnostics);
    return diagnostics;
  }

  private checkAfresh(code: string): CellDiagnostic[] {
    const { cell, outline } = this.parse(code);
    const program = this.program();
    this.needsNodeIf(mentionsNode(cell, outline));
    const source = program.prepare(code, outline, { purpose: "check" });
    if (program.service.getSyntacticDiagnostics(source.fileName).length > 0) {
      // Parsed alone, so that no error comes from the generated header or trailer.
      const parsed = parseCell(code);
      return cellDiagnostics(parsed.diagnostics, { cell: parsed.sourceFile, offset: 0, length: code.length }).sort(byPosition);
    }
    const semantic = program.service.getSemanticDiagnostics(source.fileName);
    if (this.nodeTypings === "on demand, off" && checkMissedNode(program.service.getProgram()!, semantic)) {
      this.needsNodeIf(true);
      return this.checkAfresh(code);
    }
    const diagnostics = cellDiagnostics(semantic, { cell, offset: source.offset, length: code.length });
    diagnostics.push(...this.tensorTruthiness(program, source, cell));
    return diagnostics.sort(byPosition);
  }

  /** Turns Node's typings on for good when `needed` and they are off (Note [node typings on demand]). */
  private needsNodeIf(needed: boolean): void {
    if (!needed || this.nodeTypings !== "on demand, off") return;
    this.nodeTypings = "on";
    this.program().setCompilerOptions(this.fullOptions!);
    this.reuse.clear();
  }

  /** The cell ran: its top-level declarations are visible to later cells, replacing earlier ones. */
  commit(code: string): void {
    const { cell, outline } = this.parse(code);
    const program = this.program();
    this.needsNodeIf(mentionsNode(cell, outline)); // a cell run unchecked (type-check mode off) may still need them later
    program.commit(code, outline);
    this.reuse.committed(cell, outline);
  }

  /** Completions at `cursorPos` (a UTF-16 index into `code`). */
  complete(code: string, cursorPos: number): CompleteResult {
    const program = this.program();
    const typed = identifierBefore(code, cursorPos);
    // After a dot only members are offered, and the object is named in the cell already.
    const member = code.slice(0, typed.start).trimEnd().endsWith(".");
    const { cell, outline } = this.parse(code);
    // A bare name completes to the globals starting with what was typed, Node's among them.
    this.needsNodeIf((!member && mayCompleteToNode(typed.text)) || mentionsNode(cell, outline));
    const source = program.prepare(code, outline, { purpose: "edit", ...(member ? {} : { namePrefix: typed.text }) });
    // A name the cell declares itself is not an import, whatever an earlier cell made of it.
    return completeAt(program.service, source, code, cursorPos, (name) => (outline.declared.has(name) ? undefined : program.nounOf(name)));
  }

  /** Signature and documentation of what the cursor is on. */
  inspect(code: string, cursorPos: number, detailLevel: 0 | 1): InspectResult {
    const program = this.program();
    const { cell, outline } = this.parse(code);
    this.needsNodeIf(mentionsNode(cell, outline));
    const source = program.prepare(code, outline, { purpose: "edit" });
    return inspectAt(program.service, source, cursorPos, detailLevel);
  }

  /** Whether the console should run `code` now (magic lines count as complete). */
  isComplete(code: string): IsCompleteResult {
    return isCellComplete(code);
  }

  /** Whether checks include Node's typings now (Note [node typings on demand]). */
  get nodeTypingsLoaded(): boolean {
    return this.nodeTypings !== "on demand, off" && (this.fullOptions?.types ?? []).includes("node");
  }

  /** How many cells have been committed. */
  get committedCells(): number {
    return this.programState?.committedCells ?? 0;
  }

  /**
   * Problems in `<cwd>/tsconfig.json` (unknown options, bad JSON), as `file: message` lines for
   * the kernel to show; the options that could be read are used anyway.
   */
  configurationProblems(): string[] {
    this.program();
    return [...this.tsconfigProblems];
  }

  private program(): CellProgram {
    if (!this.programState) {
      let fromTsconfig = this.opts.compilerOptions;
      if (fromTsconfig === undefined) {
        const tsconfig = readNotebookTsconfig(this.opts.cwd);
        fromTsconfig = tsconfig.compilerOptions;
        this.tsconfigProblems = tsconfig.errors;
      }
      const options = cellCompilerOptions(this.opts.cwd, fromTsconfig);
      this.fullOptions = options;
      const onDemand = nodeTypingsOnDemand(fromTsconfig);
      this.nodeTypings = onDemand ? "on demand, off" : "as configured";
      this.programState = new CellProgram(this.opts.cwd, onDemand ? withoutNodeTypings(options) : options, tsjitTypings());
    }
    return this.programState;
  }

  /**
   * The cell's outline, from a quick parse (once for a check and the commit that follows).
   * A script parse is enough here: `await x` at top level still parses as an await expression.
   */
  private parse(code: string): { cell: ts.SourceFile; outline: CellOutline } {
    if (this.lastParse?.code !== code) {
      const ts = typescript();
      const cell = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
      this.lastParse = { code, cell, outline: outlineCell(cell) };
    }
    return this.lastParse;
  }

  private tensorTruthiness(program: CellProgram, source: CellSource, cell: ts.SourceFile): CellDiagnostic[] {
    const tsProgram = program.service.getProgram();
    const file = tsProgram?.getSourceFile(source.fileName);
    if (!tsProgram || !file) return [];
    return findTensorTruthiness(tsProgram, file, program.preludeFile, source.offset).map((f) => ({
      ...lineAndColumn(cell, f.start - source.offset),
      message: TENSOR_TRUTHINESS_MESSAGE,
      category: "error",
      code: TENSOR_TRUTHINESS_CODE,
    }));
  }
}
