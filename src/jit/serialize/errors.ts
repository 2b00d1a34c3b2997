/**
 * The one error type of archive reading: whatever is wrong with an archive from elsewhere
 * (zip structure, pickle, storages, version, missing records) surfaces as a
 * TorchScriptArchiveError naming the entry and the problem, never as a RangeError or a hang.
 */
import { TorchError } from "../../util/errors.js";

export class TorchScriptArchiveError extends TorchError {
  constructor(
    /** The entry (or "<zip>" for the container itself) the problem was found in. */
    readonly entry: string,
    readonly problem: string,
  ) {
    super("TorchScriptArchiveError", `${entry}: ${problem}`);
  }
}

/** Throws a TorchScriptArchiveError unless `cond` holds. */
export function archiveCheck(cond: boolean, entry: string, problem: () => string): asserts cond {
  if (!cond) throw new TorchScriptArchiveError(entry, problem());
}
