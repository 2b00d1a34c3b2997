/**
 * The allow-list: the only globals a pickle may name (torchscript-format.md §4.2). Anything
 * else, `torch.UntypedStorage` and `os.system` alike, is a TorchScriptArchiveError naming it.
 *
 * | global                                   | becomes                                   | mode          |
 * | torch._utils._rebuild_tensor_v2          | a Tensor view of a checked storage        | both          |
 * | torch._utils._rebuild_parameter          | an nn.Parameter                           | torch.save    |
 * | torch.<X>Storage                         | the storage type (inside a persistent id) | both          |
 * | collections.OrderedDict                  | a Map                                     | both          |
 * | torch.jit._pickle.build_{int,double,bool,tensor}list | the list, elements checked    | both          |
 * | torch.jit._pickle.restore_type_tag       | the container (its tag remembered)        | both          |
 * | torch.device                             | the device string ("cpu")                 | both          |
 * | any other module (`__torch__.M`)         | an object built by the class callback     | torchscript   |
 */
import { Parameter } from "../../nn/parameter.js";
import { Tensor } from "../../tensor/tensor.js";
import { TorchScriptArchiveError } from "./errors.js";
import type { ArchiveLimits } from "./limits.js";
import { STORAGE_TYPES } from "./storage_bytes.js";
import { rebuildTensor } from "./tensor_records.js";
import { PickleCallable } from "./unpickler.js";

/** Type tags of containers read through restore_type_tag (`'Dict[str, Tensor]'`), for re-saving. */
export const containerTypeTags = new WeakMap<object, string>();

export interface GlobalContext {
  readonly entry: string;
  readonly limits: ArchiveLimits;
  readonly mode: "torchscript" | "torch.save";
  /** TorchScript classes (`__torch__.M`), modules and enums: the callable to build them, or undefined. */
  resolveClass?(qualifiedName: string): PickleCallable | undefined;
}

type Check = (x: unknown) => boolean;
const LIST_BUILDERS: Readonly<Record<string, Check>> = {
  build_intlist: (x) => typeof x === "number" ? Number.isInteger(x) : typeof x === "bigint",
  build_doublelist: (x) => typeof x === "number",
  build_boollist: (x) => typeof x === "boolean",
  build_tensorlist: (x) => x instanceof Tensor,
};

export function globalResolver(ctx: GlobalContext): (module: string, name: string) => unknown {
  const fail = (why: string): never => {
    throw new TorchScriptArchiveError(ctx.entry, why);
  };
  const oneArg = (arg: unknown, what: string): unknown => {
    if (!Array.isArray(arg) || arg.length !== 1) fail(`${what} takes a 1-tuple`);
    return (arg as unknown[])[0];
  };
  return (module, name) => {
    const q = `${module}.${name}`;
    switch (q) {
      case "torch._utils._rebuild_tensor_v2":
        return new PickleCallable(q, (arg) => rebuildTensor(arg, ctx.entry, ctx.limits));
      case "torch._utils._rebuild_parameter":
        if (ctx.mode !== "torch.save") break;
        return new PickleCallable(q, (arg) => {
          if (!Array.isArray(arg) || arg.length < 2 || !(arg[0] instanceof Tensor) || typeof arg[1] !== "boolean") {
            fail("_rebuild_parameter takes (tensor, requires_grad, hooks)");
          }
          const [data, requiresGrad] = arg as [Tensor, boolean];
          return new Parameter(data, requiresGrad);
        });
      case "collections.OrderedDict":
        return new PickleCallable(q, (arg) => {
          if (!Array.isArray(arg) || arg.length !== 0) fail("OrderedDict() takes no arguments here");
          return new Map();
        });
      case "torch.device":
        return new PickleCallable(q, (arg) => {
          const d = oneArg(arg, "torch.device");
          if (typeof d !== "string" || !/^[a-z]+(:\d+)?$/.test(d)) fail(`torch.device(${JSON.stringify(d)}) is not a device`);
          return d;
        });
      case "torch.jit._pickle.restore_type_tag":
        return new PickleCallable(q, (arg) => {
          if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[1] !== "string") fail("restore_type_tag takes (container, type string)");
          const [container, tag] = arg as [unknown, string];
          if (typeof container === "object" && container !== null) containerTypeTags.set(container, tag);
          return container;
        });
    }
    if (module === "torch.jit._pickle" && name in LIST_BUILDERS) {
      const ok = LIST_BUILDERS[name]!;
      return new PickleCallable(q, (arg) => {
        const list = oneArg(arg, name);
        if (!Array.isArray(list)) fail(`${name} takes a list`);
        const items = list as unknown[];
        items.forEach((x, i) => {
          if (!ok(x)) fail(`${name}: element ${i} has the wrong type`);
        });
        return items;
      });
    }
    if (module === "torch" && name.endsWith("Storage")) {
      const st = STORAGE_TYPES.get(name);
      if (st) return st;
    }
    if (ctx.mode === "torchscript" && !module.startsWith("torch") && module !== "collections" && module !== "builtins" && module !== "__main__") {
      const cls = ctx.resolveClass?.(q);
      if (cls) return cls;
      fail(`Unknown type name '${q}'`);
    }
    return fail(`global '${module} ${name}' is not in the allow-list of loadable globals`);
  };
}
