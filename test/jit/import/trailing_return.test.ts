/**
 * Note [a trailing return needs no exit lowering] (src/jit/import/trailing_return.ts): for a
 * graph whose only exit is its final return, the shortcut followed by inlineConsecutiveIfs and
 * DCE gives the graph the importer's full step gives (transformExits with raises hidden, Note
 * [raise is not an exit here]) + DCE, up to value numbers; any other exit is left for
 * transformExits, untouched.
 */
import { describe, expect, it } from "vitest";
import { transformExits } from "../../../src/jit/frontend/exits.js";
import { inlineConsecutiveIfs } from "../../../src/jit/frontend/inline_consecutive_ifs.js";
import { eliminateDeadCodeFully } from "../../../src/jit/import/dead_code.js";
import { withRaisesAsPlainNodes } from "../../../src/jit/import/emit_function.js";
import { lowerTrailingReturn } from "../../../src/jit/import/trailing_return.js";
import { parseGraph, printGraph, type Graph } from "../../../src/jit/ir/index.js";

/** The graph's text with unnamed values renumbered by first appearance. */
function normalized(g: Graph): string {
  const numbers = new Map<string, number>();
  return printGraph(g).replace(/%(\d+)\b/g, (_m, n: string) => {
    if (!numbers.has(n)) numbers.set(n, numbers.size);
    return `%v${numbers.get(n)}`;
  });
}

function viaShortcut(text: string): { taken: boolean; text: string } {
  const g = parseGraph(text);
  const taken = lowerTrailingReturn(g);
  if (taken) inlineConsecutiveIfs(g);
  eliminateDeadCodeFully(g);
  return { taken, text: normalized(g) };
}

function viaTransformExits(text: string): string {
  const g = parseGraph(text);
  withRaisesAsPlainNodes(g, () => transformExits(g));
  eliminateDeadCodeFully(g);
  return normalized(g);
}

// graphs as the importer has them after emitBody and convertToSSA: the return, then the
// placeholder output emitBody registers
const TRAILING: Record<string, string> = {
  "straight-line code": `graph(%x : Tensor):
  %r : Tensor = aten::neg(%x)
   = prim::ReturnStmt(%r)
  %p : Tensor = prim::Uninitialized()
  return (%p)`,
  "an if with outputs, one branch raising": `graph(%x : Tensor, %c : bool):
  %y : Tensor = prim::If(%c)
    block0():
      %a : Tensor = aten::neg(%x)
      -> (%a)
    block1():
      %m : str = prim::Constant[value="bad"]()
       = prim::RaiseException(%m)
      %u : Tensor = prim::Uninitialized()
      -> (%u)
   = prim::ReturnStmt(%y)
  %p : Tensor = prim::Uninitialized()
  return (%p)`,
  "a loop carrying a value": `graph(%x : Tensor, %n : int):
  %t : bool = prim::Constant[value=1]()
  %h : Tensor = prim::Loop(%n, %t, %x)
    block0(%i : int, %h.1 : Tensor):
      %h.2 : Tensor = aten::tanh(%h.1)
      -> (%t, %h.2)
   = prim::ReturnStmt(%h)
  %p : Tensor = prim::Uninitialized()
  return (%p)`,
  "consecutive ifs deciding each other": `graph(%x : Tensor, %c : bool):
  %true : bool = prim::Constant[value=1]()
  %false : bool = prim::Constant[value=0]()
  %y : Tensor, %e : bool = prim::If(%c)
    block0():
      -> (%x, %true)
    block1():
      %b : Tensor = aten::neg(%x)
      -> (%b, %false)
  %z : Tensor = prim::If(%e)
    block0():
      -> (%y)
    block1():
      %w : Tensor = aten::relu(%y)
      -> (%w)
   = prim::ReturnStmt(%z)
  %p : Tensor = prim::Uninitialized()
  return (%p)`,
};

const OTHER_EXITS: Record<string, string> = {
  "a return inside an if": `graph(%x : Tensor, %c : bool):
   = prim::If(%c)
    block0():
       = prim::ReturnStmt(%x)
      -> ()
    block1():
      -> ()
  %r : Tensor = aten::neg(%x)
   = prim::ReturnStmt(%r)
  %p : Tensor = prim::Uninitialized()
  return (%p)`,
  "a loop continuation": `graph(%x : Tensor, %n : int):
  %t : bool = prim::Constant[value=1]()
  %f : bool = prim::Constant[value=0]()
  %h : Tensor = prim::Loop(%n, %t, %x)
    block0(%i : int, %h.1 : Tensor):
       = prim::LoopContinuation(%f, %h.1)
      -> (%t, %h.1)
   = prim::ReturnStmt(%h)
  %p : Tensor = prim::Uninitialized()
  return (%p)`,
};

describe("lowerTrailingReturn", () => {
  it.each(Object.entries(TRAILING))("%s: the graph transformExits gives", (_what, text) => {
    const short = viaShortcut(text);
    expect(short.taken).toBe(true);
    expect(short.text).toBe(viaTransformExits(text));
    expect(short.text).not.toMatch(/ReturnStmt|Uninitialized\(\)\n\s+return/);
  });

  it.each(Object.entries(OTHER_EXITS))("%s: left to transformExits, untouched", (_what, text) => {
    const g = parseGraph(text);
    const before = printGraph(g);
    expect(lowerTrailingReturn(g)).toBe(false);
    expect(printGraph(g)).toBe(before);
  });

  it("the consecutive ifs are inlined (the shortcut keeps transformExits' last step)", () => {
    expect(viaShortcut(TRAILING["consecutive ifs deciding each other"]!).text.match(/prim::If/g)).toHaveLength(1);
  });
});
