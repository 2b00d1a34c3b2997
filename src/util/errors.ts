/**
 * Errors raised by the engine carry PyTorch's exception class names, so a user who reads
 * `RuntimeError: The size of tensor a (3) must match ...` recognises it from PyTorch.
 */
export class TorchError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class RuntimeError extends TorchError {
  constructor(message: string) {
    super("RuntimeError", message);
  }
}

export class IndexError extends TorchError {
  constructor(message: string) {
    super("IndexError", message);
  }
}

export class TypeError_ extends TorchError {
  constructor(message: string) {
    super("TypeError", message);
  }
}

export class ValueError extends TorchError {
  constructor(message: string) {
    super("ValueError", message);
  }
}

export class NotImplementedError extends TorchError {
  constructor(message: string) {
    super("NotImplementedError", message);
  }
}

/** Throws a RuntimeError when `cond` is false; the message is built lazily (hot paths). */
export function check(cond: boolean, message: () => string): asserts cond {
  if (!cond) throw new RuntimeError(message());
}
