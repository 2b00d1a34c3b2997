/**
 * The slice of the WebAssembly JS API the kernels use, typed here because the project compiles
 * against ES2022 + Node types, which do not declare the `WebAssembly` global. Undefined where the
 * runtime has no WebAssembly at all (the kernels then stay on plain JS).
 */
import { FunctionBuilder, VALTYPE, encodeModule } from "./wasm_emitter.js";

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Grows by `deltaPages` 64 KiB pages; returns the old size in pages; detaches old views. */
  grow(deltaPages: number): number;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

export const WASM_PAGE_BYTES = 65536;

/**
 * Grows `memory` to hold at least `bytes` (views of it are detached when it grows); false when the
 * runtime refuses the memory (a RangeError), so the caller can fall back to its JS kernel.
 */
export function reserveBytes(memory: WasmMemory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  try {
    memory.grow(Math.ceil((bytes - have) / WASM_PAGE_BYTES));
    return true;
  } catch (e) {
    if (e instanceof RangeError) return false;
    throw e;
  }
}

const wasmApi: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Compiles and instantiates synchronously (the modules are a few KiB, so this is sub-millisecond). */
export function instantiate(bytes: Uint8Array, imports: Record<string, unknown> = {}): WasmInstance {
  if (!wasmApi) throw new Error("this runtime has no WebAssembly");
  return new wasmApi.Instance(new wasmApi.Module(bytes), imports);
}

/**
 * A shared memory (its buffer is a SharedArrayBuffer that never detaches: growing it in one
 * thread lengthens `memory.buffer` everywhere); undefined where the runtime refuses one.
 */
export function createSharedMemory(initialPages: number, maximumPages: number): WasmMemory | undefined {
  try {
    return wasmApi ? new wasmApi.Memory({ initial: initialPages, maximum: maximumPages, shared: true }) : undefined;
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) return undefined;
    throw e;
  }
}

export function validate(bytes: Uint8Array): boolean {
  return wasmApi?.validate(bytes) ?? false;
}

/** A one-function module that splats and adds f32x4 vectors: valid only where SIMD is supported. */
export function simdProbeModule(): Uint8Array {
  const f = new FunctionBuilder([VALTYPE.f32], []);
  f.localGet(0).simd("f32x4.splat").f32x4Const(1).simd("f32x4.add").op("drop");
  return encodeModule({ functions: [{ name: "probe", body: f }] });
}

let simdSupported: boolean | undefined;

/** Whether WebAssembly with fixed-width SIMD is available (checked once, by validation). */
export function hasWasmSimd(): boolean {
  simdSupported ??= validate(simdProbeModule());
  return simdSupported;
}
