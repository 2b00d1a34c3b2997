/**
 * Grad mode: whether ops record a backward graph. TypeScript has no `with`, so the context
 * managers are functions that run a callback: `torch.no_grad(() => model(x))`.
 */
export const gradState = { enabled: true };

export function is_grad_enabled(): boolean {
  return gradState.enabled;
}

export function set_grad_enabled(mode: boolean): void {
  gradState.enabled = mode;
}

function withGradMode<T>(mode: boolean, fn: () => T): T {
  const prev = gradState.enabled;
  gradState.enabled = mode;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    gradState.enabled = prev;
    throw e;
  }
  if (result instanceof Promise) {
    // An async body keeps the mode until it settles.
    return result.finally(() => {
      gradState.enabled = prev;
    }) as T;
  }
  gradState.enabled = prev;
  return result;
}

/** Runs `fn` without recording gradients: `torch.no_grad(() => ...)`. */
export function no_grad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with gradient recording on, even inside no_grad. */
export function enable_grad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/** `torch.inference_mode` behaves as no_grad here (there is no separate inference tensor kind). */
export const inference_mode = no_grad;
