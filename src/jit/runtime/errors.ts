/**
 * Errors raised while a graph runs, in the shape PyTorch's interpreter reports them
 * (InterpreterStateImpl::handleError): a fixed first line, a traceback with one entry per
 * call frame (outermost first), each naming the node that was running, then the error
 * class and the original message.
 *
 *   The following operation failed in the TorchScript interpreter.
 *   Traceback of TorchScript (most recent call last):
 *     File "/corpus/gen.py", line 170, in forward
 *       %8 : bool = aten::Bool(%6)
 *   RuntimeError: Boolean value of Tensor with more than one value is ambiguous
 *
 * Note [error frames]: the innermost block that catches an error wraps it once, naming the
 * failing node; a prim::CallMethod / prim::CallFunction step that sees a wrapped error from
 * its callee adds its own node in front; each frame's function name is filled in by the
 * graph invocation that owns it. So one error object travels out, gaining frames.
 */
import { TorchError } from "../../util/errors.js";
import { nodeHeader, type Node } from "../ir/index.js";

export interface TraceFrame {
  /** The function (method) the frame runs; null until the owning invocation names it. */
  fn: string | null;
  readonly node: Node;
}

export interface TorchScriptErrorInit {
  readonly originalMessage: string;
  /** The Python exception class a `raise` named (`builtins.ValueError`); null otherwise. */
  readonly pythonClassName: string | null;
  /** Raised by prim::RaiseException (PyTorch's JITException, surfacing as torch.jit.Error). */
  readonly isJitException: boolean;
  readonly cause?: unknown;
}

export class TorchScriptError extends TorchError {
  readonly frames: TraceFrame[] = [];
  readonly originalMessage: string;
  readonly pythonClassName: string | null;
  readonly isJitException: boolean;

  constructor(init: TorchScriptErrorInit, node: Node) {
    super(init.isJitException ? "torch.jit.Error" : "RuntimeError", "");
    this.originalMessage = init.originalMessage;
    this.pythonClassName = init.pythonClassName;
    this.isJitException = init.isJitException;
    if (init.cause !== undefined) (this as { cause?: unknown }).cause = init.cause;
    this.frames.push({ fn: null, node });
    this.refresh();
  }

  /** Note [error frames]: a caller's frame, in front. */
  addCallerFrame(node: Node): void {
    this.frames.unshift({ fn: null, node });
    this.refresh();
  }

  /** Note [error frames]: names the outermost frame still unnamed. */
  nameFrame(fn: string): void {
    const f = this.frames.find((x) => x.fn === null);
    if (f) {
      f.fn = fn;
      this.refresh();
    }
  }

  private refresh(): void {
    const lines = ["The following operation failed in the TorchScript interpreter.", "Traceback of TorchScript (most recent call last):"];
    for (const f of this.frames) lines.push(...formatFrame(f));
    lines.push(`${this.pythonClassName ?? "RuntimeError"}: ${this.originalMessage}`);
    this.message = lines.join("\n") + "\n";
  }
}

function formatFrame(f: TraceFrame): string[] {
  const r = f.node.sourceRange;
  const fn = f.fn ?? "<unknown>";
  const out = [r ? `  File "${r.file}", line ${r.line}, in ${fn}` : `  File "<unknown>", in ${fn}`];
  if (r?.source) out.push(...highlight(r.source.text, r.source.start, r.source.end));
  out.push(`    ${nodeHeader(f.node, 0, { sourceLocations: false, scopes: false })}`);
  return out;
}

/** The source line of the range with `~` under it, as PyTorch's ErrorReport highlights. */
function highlight(text: string, start: number, end: number): string[] {
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const nl = text.indexOf("\n", start);
  const lineEnd = nl < 0 ? text.length : nl;
  const col = start - lineStart;
  const width = Math.max(1, Math.min(end, lineEnd) - start);
  return [`    ${text.slice(lineStart, lineEnd)}`, `    ${" ".repeat(col)}${"~".repeat(width)} <--- HERE`];
}

/** Wraps any error thrown while `node` ran (Note [error frames]); a wrapped one passes through. */
export function wrapNodeError(e: unknown, node: Node): TorchScriptError {
  if (e instanceof TorchScriptError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new TorchScriptError({ originalMessage: message, pythonClassName: null, isJitException: false, cause: e }, node);
}
