/**
 * Note [broadcast reduction]: an input that was broadcast in forward receives a gradient of the
 * broadcast shape; summing it back over the expanded dims happens here, once, for every op.
 * These run on raw storage (not through the op registry) because they are autograd's own
 * bookkeeping, never recorded and never traced.
 */
import { Tensor } from "../tensor/tensor.js";
import { roundToDType, type DType } from "../tensor/dtype.js";
import { broadcastStrides, contiguousStrides, numel, sameShape } from "../tensor/shape.js";
import { gradState } from "./grad_mode.js";
import { lookupOverloads, runOverload } from "../tensor/registry.js";

export function reduceGradToInput(g: Tensor, shape: readonly number[], dtype: DType): Tensor {
  const out = new Float64Array(numel(shape));
  const src = g.contiguousData();
  const gshape = g.shape;
  if (sameShape(gshape, shape)) {
    for (let i = 0; i < src.length; i++) out[i] = src[i]!;
  } else {
    const strides = broadcastStrides(shape, contiguousStrides(shape), gshape);
    const nd = gshape.length;
    const idx = new Array<number>(nd).fill(0);
    let pos = 0;
    for (let i = 0; i < src.length; i++) {
      out[pos] = out[pos]! + src[i]!;
      for (let d = nd - 1; d >= 0; d--) {
        idx[d]!++;
        pos += strides[d]!;
        if (idx[d]! < gshape[d]!) break;
        pos -= strides[d]! * gshape[d]!;
        idx[d] = 0;
      }
    }
  }
  const data = new dtype.ArrayType(out.length);
  for (let i = 0; i < out.length; i++) data[i] = roundToDType(out[i]!, dtype);
  return Tensor.fromData(data, shape.slice(), dtype);
}

/** `.grad` accumulation: a fresh copy the first time, an out-of-place sum after. */
export function accumulateInto(old: Tensor | null, g: Tensor): Tensor {
  const src = g.contiguousData();
  if (old === null) return Tensor.fromData(src.slice(), g.shape.slice(), g.dtype);
  const prev = old.contiguousData();
  const data = new old.dtype.ArrayType(prev.length);
  for (let i = 0; i < data.length; i++) data[i] = prev[i]! + src[i]!;
  return Tensor.fromData(data, old.shape.slice(), old.dtype);
}

/**
 * Sums two gradients flowing into the same place. Under create_graph (grad mode on during
 * backward) the sum goes through the add op so it is itself differentiable.
 */
export function addGrads(a: Tensor, b: Tensor): Tensor {
  if (gradState.enabled && (a.requires_grad || b.requires_grad)) {
    // looked up at call time: the registry imports autograd, so autograd must not import ops
    return runOverload(lookupOverloads("aten::add")[0]!, [a, b, 1]) as Tensor;
  }
  if (!sameShape(a.shape, b.shape)) return addGrads(a, reduceGradToInput(b, a.shape, a.dtype));
  const x = a.contiguousData();
  const y = b.contiguousData();
  const data = new a.dtype.ArrayType(x.length);
  for (let i = 0; i < data.length; i++) data[i] = x[i]! + y[i]!;
  return Tensor.fromData(data, a.shape.slice(), a.dtype);
}
