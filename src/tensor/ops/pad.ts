/**
 * Padding: aten::constant_pad_nd (what F.pad's "constant" mode and MultiheadAttention use).
 * `pad` lists (before, after) pairs starting from the last dimension, as PyTorch does; negative
 * amounts crop. The gradient is the same op with the amounts negated. The other modes
 * (reflect, replicate, circular) live in join.ts.
 */
import { RuntimeError } from "../../util/errors.js";
import { Tensor } from "../tensor.js";
import { defineOp, installMethods } from "../registry.js";
import { copyInto } from "../kernels/apply.js";
import { filled } from "./creation.js";

/** The view of `t` starting at `starts` with sizes `lens`. */
function window(t: Tensor, starts: readonly number[], lens: readonly number[]): Tensor {
  let offset = t.offset;
  for (let d = 0; d < starts.length; d++) offset += starts[d]! * t._strides[d]!;
  return new Tensor(t.storage, lens.slice(), t._strides, offset, t.dtype);
}

function constantPadNd(self: Tensor, pad: readonly number[], value: number): Tensor {
  const nd = self.dim();
  if (pad.length % 2 !== 0) throw new RuntimeError(`Length of pad must be even but instead it equals ${pad.length}`);
  if (pad.length / 2 > nd) {
    throw new RuntimeError(
      `Length of pad should be no more than twice the number of dimensions of the input. Pad length is ${pad.length} while the input has ${nd} dimensions.`,
    );
  }
  const outShape = self.shape.slice();
  const srcStart = new Array<number>(nd).fill(0);
  const dstStart = new Array<number>(nd).fill(0);
  const len = self.shape.slice();
  for (let i = 0; i < pad.length / 2; i++) {
    const d = nd - 1 - i;
    const before = pad[2 * i]!;
    const after = pad[2 * i + 1]!;
    const size = self.shape[d]! + before + after;
    if (size < 0) {
      throw new RuntimeError(
        `The input size ${self.shape[d]}, plus negative padding ${before} and ${after} resulted in a negative output size, which is invalid. Check dimension ${d} of your input.`,
      );
    }
    outShape[d] = size;
    srcStart[d] = Math.max(0, -before);
    dstStart[d] = Math.max(0, before);
    len[d] = Math.max(0, Math.min(self.shape[d]! - srcStart[d]!, size - dstStart[d]!));
  }
  const out = filled(outShape, value, self.dtype);
  if (len.every((l) => l > 0)) copyInto(window(out, dstStart, len), window(self, srcStart, len));
  return out;
}

type PadFn = (input: Tensor, pad: number[], value?: number) => Tensor;
export const constant_pad_nd: PadFn = defineOp<(input: Tensor, pad: number[], value?: number) => Tensor>("constant_pad_nd", [{
  schema: "aten::constant_pad_nd(Tensor self, int[] pad, Scalar value=0) -> Tensor",
  gradName: "ConstantPadNdBackward0",
  forward: constantPadNd,
  backward: (g: Tensor, args: [Tensor, number[], number]): (Tensor | null)[] => [constant_pad_nd(g, args[1].map((p) => -p)), null, null],
}]);

declare module "../tensor.js" {
  interface Tensor {
    constant_pad_nd(pad: number[], value?: number): Tensor;
  }
}

installMethods({ constant_pad_nd });
