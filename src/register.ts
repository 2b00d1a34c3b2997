/**
 * `tsjit/register`: run a TypeScript program under Node with its typed source visible to
 * torch.jit.script, as the notebook kernel does for cells.
 *
 * @example
 * // node --import tsjit/register app.ts
 * // app.ts:
 * import { torch, Tensor } from "tsjit";
 * type int = number;
 * class Repeat extends torch.nn.Module {
 *   forward(x: Tensor, n: int): Tensor { for (let i = 0; i < n; i++) { x = x.mul(2); } return x; }
 * }
 * console.log(torch.jit.script(new Repeat()).code); // def forward(self, x: Tensor, n: int) -> Tensor: ...
 *
 * Each .ts/.mts/.cts file is transpiled with the TypeScript compiler (no type check), and every
 * top-level class and function is registered with its exact TypeScript text, file and line
 * (src/jit/source_registry.ts); stack traces point at .ts lines through inline source maps.
 * See docs/script-language.md, "Scripting from a Node program".
 */
import { register } from "node:module";
import { installSourceRegistryGlobal } from "./jit/source_registry_global.js";

// before any transpiled module runs (Note [registry through a global])
installSourceRegistryGlobal();
// the hooks emit inline source maps; this makes Node use them without --enable-source-maps
process.setSourceMapsEnabled(true);
register("./jit/register_hooks.js", import.meta.url);
