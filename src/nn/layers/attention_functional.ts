/**
 * F.multi_head_attention_forward, as PyTorch 1.13's torch/nn/functional.py, written with
 * registered ops so autograd and tracing see what PyTorch's would. nn.MultiheadAttention
 * (attention.ts) calls it.
 *
 * Note [mha fast path]: in eval mode without grad, PyTorch's module may route batch_first
 * self-attention to the fused `_native_multi_head_attention` kernel. It computes the same
 * function, so only float rounding differs; tsjit always takes the path written here.
 */
import { RuntimeError, TorchError } from "../../util/errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { bool, uint8, type DType } from "../../tensor/dtype.js";
import * as F from "../functional.js";
import * as linalg from "../../tensor/ops/linalg.js";
import { cat } from "../../tensor/ops/join.js";
import { REGISTRY } from "../../tensor/registry.js";
import { zeros, zeros_like } from "../../tensor/ops/creation.js";

type Opt<T> = T | null | undefined;

/** Python's `assert cond, message`. */
export function pyAssert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new TorchError("AssertionError", message);
}

/** Python's repr of a torch.Size and of a tuple of ints. */
const size = (s: readonly number[]): string => `torch.Size([${s.join(", ")}])`;
const tuple = (s: readonly number[]): string => (s.length === 1 ? `(${s[0]},)` : `(${s.join(", ")})`);
const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
const dtypeName = (d: DType): string => `torch.${d.name}`;

/** The keyword arguments of F.multi_head_attention_forward after out_proj_bias. */
export interface MHAForwardOptions {
  training?: boolean;
  key_padding_mask?: Opt<Tensor>;
  need_weights?: boolean;
  attn_mask?: Opt<Tensor>;
  use_separate_proj_weight?: boolean;
  q_proj_weight?: Opt<Tensor>;
  k_proj_weight?: Opt<Tensor>;
  v_proj_weight?: Opt<Tensor>;
  static_k?: Opt<Tensor>;
  static_v?: Opt<Tensor>;
  average_attn_weights?: boolean;
}

/** _mha_shape_check: whether the query is batched, with PyTorch's assertion messages. */
function mhaShapeCheck(q: Tensor, k: Tensor, v: Tensor, kpm: Tensor | null, mask: Tensor | null, numHeads: number): boolean {
  if (q.dim() === 3) {
    pyAssert(k.dim() === 3 && v.dim() === 3,
      `For batched (3-D) \`query\`, expected \`key\` and \`value\` to be 3-D but found ${k.dim()}-D and ${v.dim()}-D tensors respectively`);
    if (kpm !== null) {
      pyAssert(kpm.dim() === 2,
        `For batched (3-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 2-D but found ${kpm.dim()}-D tensor instead`);
    }
    if (mask !== null) {
      pyAssert(mask.dim() === 2 || mask.dim() === 3,
        `For batched (3-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${mask.dim()}-D tensor instead`);
    }
    return true;
  }
  if (q.dim() === 2) {
    pyAssert(k.dim() === 2 && v.dim() === 2,
      `For unbatched (2-D) \`query\`, expected \`key\` and \`value\` to be 2-D but found ${k.dim()}-D and ${v.dim()}-D tensors respectively`);
    if (kpm !== null) {
      pyAssert(kpm.dim() === 1,
        `For unbatched (2-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 1-D but found ${kpm.dim()}-D tensor instead`);
    }
    if (mask !== null) {
      pyAssert(mask.dim() === 2 || mask.dim() === 3,
        `For unbatched (2-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${mask.dim()}-D tensor instead`);
      const expected = [numHeads, q.size(0), k.size(0)];
      if (mask.dim() === 3) {
        pyAssert(sameShape(mask.shape, expected), `Expected \`attn_mask\` shape to be ${tuple(expected)} but got ${size(mask.shape)}`);
      }
    }
    return false;
  }
  throw new TorchError("AssertionError",
    `query should be unbatched 2D or batched 3D tensor but received ${q.dim()}-D query tensor`);
}

/** _in_projection_packed: q, k, v projections from one packed [3E, E] weight. */
function inProjectionPacked(q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | null): Tensor[] {
  const E = q.size(-1);
  if (k === v) {
    if (q === k) return linalg.linear(q, w, b).chunk(3, -1);
    const [wq, wkv] = w.split([E, E * 2]) as [Tensor, Tensor];
    const [bq, bkv] = b === null ? [null, null] : (b.split([E, E * 2]) as [Tensor, Tensor]);
    return [linalg.linear(q, wq, bq), ...linalg.linear(k, wkv, bkv).chunk(2, -1)];
  }
  const [wq, wk, wv] = w.chunk(3) as [Tensor, Tensor, Tensor];
  const [bq, bk, bv] = b === null ? [null, null, null] : b.chunk(3);
  return [linalg.linear(q, wq, bq), linalg.linear(k, wk, bk ?? null), linalg.linear(v, wv, bv ?? null)];
}

/** _in_projection: separate q, k, v weights (kdim / vdim differ from embed_dim). */
function inProjection(q: Tensor, k: Tensor, v: Tensor, w: [Tensor, Tensor, Tensor], b: (Tensor | null)[]): Tensor[] {
  const [Eq, Ek, Ev] = [q.size(-1), k.size(-1), v.size(-1)];
  const names = ["query", "key", "value"];
  const wantW = [[Eq, Eq], [Eq, Ek], [Eq, Ev]];
  for (let i = 0; i < 3; i++) {
    pyAssert(sameShape(w[i]!.shape, wantW[i]!),
      `expecting ${names[i]} weights shape of ${tuple(wantW[i]!)}, but got ${size(w[i]!.shape)}`);
  }
  for (let i = 0; i < 3; i++) {
    const bi = b[i] ?? null;
    pyAssert(bi === null || sameShape(bi.shape, [Eq]), `expecting ${names[i]} bias shape of ${tuple([Eq])}, but got ${size(bi?.shape ?? [])}`);
  }
  return [linalg.linear(q, w[0], b[0] ?? null), linalg.linear(k, w[1], b[1] ?? null), linalg.linear(v, w[2], b[2] ?? null)];
}

/** Checks a 2-D / 3-D attn_mask and makes it 3-D (uint8 masks become bool, with PyTorch's warning). */
function prepareAttnMask(mask: Tensor, tgtLen: number, srcLen: number, bszHeads: number): Tensor {
  if (mask.dtype === uint8) {
    console.warn("UserWarning: Byte tensor for attn_mask in nn.MultiheadAttention is deprecated. Use bool tensor instead.");
    mask = mask.to(bool);
  } else {
    pyAssert(mask.is_floating_point() || mask.dtype === bool,
      `Only float, byte, and bool types are supported for attn_mask, not ${dtypeName(mask.dtype)}`);
  }
  if (mask.dim() === 2) {
    const want = [tgtLen, srcLen];
    if (!sameShape(mask.shape, want)) {
      throw new RuntimeError(`The shape of the 2D attn_mask is ${size(mask.shape)}, but should be ${tuple(want)}.`);
    }
    return mask.unsqueeze(0);
  }
  if (mask.dim() === 3) {
    const want = [bszHeads, tgtLen, srcLen];
    if (!sameShape(mask.shape, want)) {
      throw new RuntimeError(`The shape of the 3D attn_mask is ${size(mask.shape)}, but should be ${tuple(want)}.`);
    }
    return mask;
  }
  throw new RuntimeError(`attn_mask's dimension ${mask.dim()} is not supported`);
}

/** Folds the key padding mask into attn_mask and turns a bool mask into an additive float one. */
function mergeMasks(mask: Tensor | null, kpm: Tensor | null, bsz: number, heads: number, srcLen: number, dtype: DType): Tensor | null {
  if (kpm !== null) {
    pyAssert(sameShape(kpm.shape, [bsz, srcLen]),
      `expecting key_padding_mask shape of ${tuple([bsz, srcLen])}, but got ${size(kpm.shape)}`);
    kpm = kpm.view(bsz, 1, 1, srcLen).expand(-1, heads, -1, -1).reshape(bsz * heads, 1, srcLen);
    if (mask === null) mask = kpm;
    else if (mask.dtype === bool) mask = mask.logical_or(kpm);
    else mask = mask.masked_fill(kpm, -Infinity);
  }
  if (mask !== null && mask.dtype === bool) {
    const additive = zeros_like(mask, { dtype });
    additive.masked_fill_(mask, -Infinity);
    mask = additive;
  }
  return mask;
}

/** Splits [L, N, E] into N*heads batches of [L, head_dim]: (N*heads, L, head_dim). */
function splitHeads(t: Tensor, bszHeads: number, headDim: number): Tensor {
  return t.contiguous().view(t.size(0), bszHeads, headDim).transpose(0, 1);
}

/** Keys, values and masks as the forward extends them (bias_k / bias_v, zero attention). */
interface KV {
  k: Tensor;
  v: Tensor;
  mask: Tensor | null;
  kpm: Tensor | null;
}

/**
 * F.multi_head_attention_forward (PyTorch 1.13): inputs are (L, N, E) or unbatched (L, E);
 * returns [attn_output, attn_weights or null].
 */
export function multi_head_attention_forward(
  query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: number, num_heads: number,
  in_proj_weight: Opt<Tensor>, in_proj_bias: Opt<Tensor>, bias_k: Opt<Tensor>, bias_v: Opt<Tensor>,
  add_zero_attn: boolean, dropout_p: number, out_proj_weight: Tensor, out_proj_bias: Opt<Tensor>,
  opts: MHAForwardOptions = {},
): [Tensor, Tensor | null] {
  let kpm = opts.key_padding_mask ?? null;
  let mask = opts.attn_mask ?? null;
  const isBatched = mhaShapeCheck(query, key, value, kpm, mask, num_heads);
  if (!isBatched) {
    [query, key, value] = [query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)];
    if (kpm !== null) kpm = kpm.unsqueeze(0);
  }
  const [tgtLen, bsz, embedDim] = query.shape as [number, number, number];
  const headDim = checkDims(key, value, kpm, embedDim, embed_dim_to_check, num_heads, opts);
  const [q, k, v] = project(query, key, value, in_proj_weight, in_proj_bias, opts);
  if (mask !== null) mask = prepareAttnMask(mask, tgtLen, key.size(0), bsz * num_heads);
  const kv: KV = { k, v, mask, kpm };
  appendBiasKV(kv, bias_k, bias_v, bsz, opts);
  const bszHeads = bsz * num_heads;
  const qh = splitHeads(q, bszHeads, headDim); // in PyTorch's op order (traces match)
  kv.k = staticOr(opts.static_k, "static_k", kv.k, bszHeads, headDim);
  kv.v = staticOr(opts.static_v, "static_v", kv.v, bszHeads, headDim);
  if (add_zero_attn) appendZeroAttn(kv, [bszHeads, 1, headDim]);
  const srcLen = kv.k.size(1);
  const merged = mergeMasks(kv.mask, kv.kpm, bsz, num_heads, srcLen, q.dtype);
  const training = opts.training ?? true;
  const [out, weights] = attend(qh, kv.k, kv.v, merged, training ? dropout_p : 0);
  let attnOutput = out.transpose(0, 1).contiguous().view(tgtLen * bsz, embedDim);
  attnOutput = linalg.linear(attnOutput, out_proj_weight, out_proj_bias ?? null);
  attnOutput = attnOutput.view(tgtLen, bsz, attnOutput.size(1));
  if (!(opts.need_weights ?? true)) return [isBatched ? attnOutput : attnOutput.squeeze(1), null];
  let w = weights.view(bsz, num_heads, tgtLen, srcLen);
  if (opts.average_attn_weights ?? true) w = w.sum(1).div(num_heads);
  return isBatched ? [attnOutput, w] : [attnOutput.squeeze(1), w.squeeze(0)];
}

/** The forward's dimension checks; returns head_dim. */
function checkDims(
  key: Tensor, value: Tensor, kpm: Tensor | null, embedDim: number, expected: number, heads: number,
  opts: MHAForwardOptions,
): number {
  if (kpm !== null && kpm.dtype !== bool && !kpm.is_floating_point()) {
    throw new TorchError("AssertionError", "only bool and floating types of key_padding_mask are supported");
  }
  pyAssert(embedDim === expected, `was expecting embedding dimension of ${expected}, but got ${embedDim}`);
  const headDim = Math.floor(embedDim / heads);
  pyAssert(headDim * heads === embedDim, `embed_dim ${embedDim} not divisible by num_heads ${heads}`);
  if (opts.use_separate_proj_weight) {
    pyAssert(sameShape(key.shape.slice(0, 2), value.shape.slice(0, 2)),
      `key's sequence and batch dims ${size(key.shape.slice(0, 2))} do not match value's ${size(value.shape.slice(0, 2))}`);
  } else {
    pyAssert(sameShape(key.shape, value.shape), `key shape ${size(key.shape)} does not match value shape ${size(value.shape)}`);
  }
  return headDim;
}

/** The q, k, v input projections, packed or separate. */
function project(
  query: Tensor, key: Tensor, value: Tensor, inW: Opt<Tensor>, inB: Opt<Tensor>, opts: MHAForwardOptions,
): [Tensor, Tensor, Tensor] {
  if (!opts.use_separate_proj_weight) {
    pyAssert(inW != null, "use_separate_proj_weight is False but in_proj_weight is None");
    return inProjectionPacked(query, key, value, inW, inB ?? null) as [Tensor, Tensor, Tensor];
  }
  const w = [opts.q_proj_weight, opts.k_proj_weight, opts.v_proj_weight];
  ["q", "k", "v"].forEach((n, i) => pyAssert(w[i] != null, `use_separate_proj_weight is True but ${n}_proj_weight is None`));
  const b = inB == null ? [null, null, null] : inB.chunk(3);
  return inProjection(query, key, value, w as [Tensor, Tensor, Tensor], b) as [Tensor, Tensor, Tensor];
}

/** add_bias_kv: one more key and value position (the learned biases), masks padded to match. */
function appendBiasKV(kv: KV, biasK: Opt<Tensor>, biasV: Opt<Tensor>, bsz: number, opts: MHAForwardOptions): void {
  if (biasK == null || biasV == null) {
    pyAssert(biasK == null, "");
    pyAssert(biasV == null, "");
    return;
  }
  pyAssert(opts.static_k == null, "bias cannot be added to static key.");
  pyAssert(opts.static_v == null, "bias cannot be added to static value.");
  kv.k = cat([kv.k, repeatBatch(biasK, bsz)]);
  kv.v = cat([kv.v, repeatBatch(biasV, bsz)]);
  padMasks(kv);
}

/** add_zero_attn: a zero key and value appended to every head's batch. */
function appendZeroAttn(kv: KV, shape: number[]): void {
  kv.k = cat([kv.k, zeros(shape, { dtype: kv.k.dtype })], 1);
  kv.v = cat([kv.v, zeros(shape, { dtype: kv.v.dtype })], 1);
  padMasks(kv);
}

function padMasks(kv: KV): void {
  if (kv.mask !== null) kv.mask = padLast(kv.mask);
  if (kv.kpm !== null) kv.kpm = padLast(kv.kpm);
}

/**
 * `bias.repeat(1, bsz, 1)` for a (1, 1, E) bias. Until aten::repeat is registered, the
 * equal-valued expand stands in (same numbers and gradients; a trace would show aten::expand).
 */
function repeatBatch(bias: Tensor, bsz: number): Tensor {
  if (REGISTRY.has("aten::repeat")) return (bias as Tensor & { repeat(...sizes: number[]): Tensor }).repeat(1, bsz, 1);
  return bias.expand(1, bsz, bias.size(2));
}

/**
 * `pad(t, (0, 1))`: one zero (False) column after the last dim. Until aten::constant_pad_nd is
 * registered (F.pad's constant mode needs it), cat with a zero column stands in.
 */
function padLast(t: Tensor): Tensor {
  if (REGISTRY.has("aten::constant_pad_nd")) return F.pad(t, [0, 1]);
  return cat([t, zeros([...t.shape.slice(0, -1), 1], { dtype: t.dtype })], -1);
}

/** The heads-split k or v, or the caller's static_k / static_v after PyTorch's size checks. */
function staticOr(stat: Opt<Tensor>, name: string, t: Tensor, bszHeads: number, headDim: number): Tensor {
  if (stat == null) return splitHeads(t, bszHeads, headDim);
  pyAssert(stat.size(0) === bszHeads, `expecting ${name}.size(0) of ${bszHeads}, but got ${stat.size(0)}`);
  pyAssert(stat.size(2) === headDim, `expecting ${name}.size(2) of ${headDim}, but got ${stat.size(2)}`);
  return stat;
}

/** Scaled dot-product attention on (B, L, E) batches: [softmax(q k^T / sqrt(E) + mask) v, weights]. */
function attend(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, dropoutP: number): [Tensor, Tensor] {
  const E = q.size(2);
  const qScaled = q.div(Math.sqrt(E));
  const kt = k.transpose(-2, -1);
  let weights = mask !== null ? linalg.baddbmm(mask, qScaled, kt) : linalg.bmm(qScaled, kt);
  weights = F.softmax(weights, -1);
  if (dropoutP > 0) weights = F.dropout(weights, { p: dropoutP });
  return [linalg.bmm(weights, v), weights];
}

