/**
 * Shared by the printer tests: loads the op registry (the printer reads schemas from it), and
 * reads the `# ==== <title> ====` sections of the conformance cases' graph.txt / code.txt.
 *
 * The op files are imported one by one rather than through src/torch.ts so these tests do not
 * depend on the rest of the JIT being importable.
 */
import "../../../src/autograd/tensor_methods.js";
import "../../../src/tensor/ops/arith.js";
import "../../../src/tensor/ops/unary.js";
import "../../../src/tensor/ops/compare.js";
import "../../../src/tensor/ops/convert.js";
import "../../../src/tensor/ops/view.js";
import "../../../src/tensor/ops/indexing.js";
import "../../../src/tensor/ops/join.js";
import "../../../src/tensor/ops/reduce.js";
import "../../../src/tensor/ops/softmax.js";
import "../../../src/tensor/ops/linalg.js";
import "../../../src/tensor/ops/conv.js";
import "../../../src/tensor/ops/pool.js";
import "../../../src/tensor/ops/norm.js";
import "../../../src/tensor/ops/loss.js";
import "../../../src/tensor/ops/embedding.js";
import "../../../src/tensor/ops/dropout.js";
import "../../../src/tensor/ops/pad.js";
import "../../../src/tensor/ops/creation.js";
import "../../../src/tensor/ops/random.js";
import { readFileSync, readdirSync } from "node:fs";
import type { Node } from "../../../src/jit/ir/index.js";

export const shared = new URL("../../../../shared/", import.meta.url);
export const casesDir = new URL("conformance/cases/", shared);

export function caseNames(): string[] {
  return readdirSync(casesDir).filter((c) => {
    try {
      readFileSync(new URL(`${c}/code.txt`, casesDir));
      return true;
    } catch {
      return false;
    }
  });
}

export function readCase(name: string, file: string): string {
  return readFileSync(new URL(`${name}/${file}`, casesDir), "utf8");
}

/** `# ==== <title> ====` sections, each ending in exactly one newline. */
export function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const heads = [...text.matchAll(/^# ==== (.*) ====\n/gm)];
  heads.forEach((m, i) => {
    const start = m.index + m[0].length;
    const end = heads[i + 1]?.index ?? text.length;
    out.set(m[1]!, text.slice(start, end).replace(/\n+$/, "\n"));
  });
  return out;
}

/** Mangled class names differ from run to run (torchscript-format.md §7): compare without N. */
export function unmangle(code: string): string {
  return code.replace(/___torch_mangle_\d+/g, "___torch_mangle_N");
}

/**
 * Graph text prints a Function constant by its short name (`prim::Constant[name="relu"]`);
 * the script compiler knows the qualified one. These are the torch.nn.functional functions the
 * cases call; anything else was defined in the generating script's `__main__`.
 */
const FUNCTIONAL = new Set(["relu", "batch_norm", "_max_pool2d", "_verify_batch_size", "softmax", "dropout", "layer_norm"]);

export function qualifyFunction(node: Node): string {
  const a = node.attr("name");
  const name = a?.kind === "s" ? a.value : "?";
  return FUNCTIONAL.has(name) ? `__torch__.torch.nn.functional.${name}` : `__torch__.${name}`;
}
