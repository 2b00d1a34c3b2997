/**
 * Registers every TorchScript builtin in the op registry (importing this module is enough).
 * One file per family; see builtin_registry.ts for how they are registered and run.
 */
import "./builtins_number.js";
import "./builtins_tensor.js";
import "./builtins_list.js";
import "./builtins_dict.js";
import "./builtins_str.js";
import "./builtins_enum.js";
import "./calls.js";
