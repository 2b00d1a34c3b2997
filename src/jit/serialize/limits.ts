/**
 * Limits on what an archive from elsewhere may make us do (see README.md, "Limits"). Each is
 * far above what any real archive needs and low enough that a hostile one fails fast with a
 * TorchScriptArchiveError instead of exhausting memory or time.
 */
export interface ArchiveLimits {
  /** Zip entries (a large model has a few thousand: one per storage and code file). */
  readonly maxEntries: number;
  /** Uncompressed bytes of one entry (a JS Buffer cannot exceed 4 GiB anyway). */
  readonly maxEntryBytes: number;
  /** Uncompressed bytes read from one archive, all entries together. */
  readonly maxTotalBytes: number;
  /** Nesting of containers and objects in a pickle (PyTorch's own objects nest a few dozen deep). */
  readonly maxPickleDepth: number;
  /** Items on the pickle stack plus the memo (bounds the work a small pickle can cause). */
  readonly maxPickleItems: number;
  /** Dimensions of one tensor. */
  readonly maxTensorDims: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = {
  maxEntries: 65_536,
  maxEntryBytes: 2 ** 32 - 1,
  maxTotalBytes: 2 ** 36,
  maxPickleDepth: 1_000,
  maxPickleItems: 10_000_000,
  maxTensorDims: 64,
};

export function withLimits(overrides: Partial<ArchiveLimits> | undefined): ArchiveLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}
