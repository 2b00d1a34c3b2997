/** Archive I/O: torch.jit.save / torch.jit.load, torch.save / torch.load (see README.md). */
export { save, serializeModule, type SaveOptions } from "./jit_save.js";
export { load, type JitLoadOptions } from "./jit_load.js";
export { save as torchSave, load as torchLoad, type LoadOptions } from "./torch_save.js";
export { TorchScriptArchiveError } from "./errors.js";
export { DEFAULT_LIMITS, type ArchiveLimits } from "./limits.js";
export { tuple, isTuple } from "./pickle_values.js";
