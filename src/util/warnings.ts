/**
 * Python-style warnings: `TracerWarning: ...` printed to stderr, and observable by tests and the
 * kernel (which shows them in the cell's stderr) through `warningListeners`.
 */
export interface WarningRecord {
  category: string;
  message: string;
}

export const warningListeners = new Set<(w: WarningRecord) => void>();

export function warn(category: string, message: string): void {
  const record = { category, message };
  if (warningListeners.size > 0) {
    for (const l of warningListeners) l(record);
    return;
  }
  process.stderr.write(`${category}: ${message}\n`);
}

/** Runs `fn` and returns the warnings it raised (instead of printing them). */
export function catchWarnings<T>(fn: () => T): [T, WarningRecord[]] {
  const seen: WarningRecord[] = [];
  const l = (w: WarningRecord) => void seen.push(w);
  warningListeners.add(l);
  try {
    return [fn(), seen];
  } finally {
    warningListeners.delete(l);
  }
}
