/**
 * torch.nn.MultiheadAttention, as PyTorch 1.13's torch/nn/modules/activation.py; the
 * computation is F.multi_head_attention_forward (attention_functional.ts), always on its
 * composite path (Note [mha fast path]).
 */
import { TorchError } from "../../util/errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { bool } from "../../tensor/dtype.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { Linear } from "./linear.js";
import { factoryTensor, pySignature, type Call, type FactoryKwargs } from "./utils.js";
import { multi_head_attention_forward, pyAssert } from "./attention_functional.js";
import { register_source, sourceOf } from "../../jit/source_registry.js";
import { MULTIHEAD_ATTENTION_SOURCE } from "./attention_script_source.js";

/**
 * torch.nn.modules.linear.NonDynamicallyQuantizableLinear: a Linear that only marks
 * MultiheadAttention's out_proj for the quantization tooling; it prints under its own name.
 */
export class NonDynamicallyQuantizableLinear extends Linear {}

export interface MultiheadAttentionOptions extends FactoryKwargs {
  dropout?: number;
  bias?: boolean;
  add_bias_kv?: boolean;
  add_zero_attn?: boolean;
  kdim?: number | null;
  vdim?: number | null;
  batch_first?: boolean;
}

export interface MHACallOptions {
  key_padding_mask?: Tensor | null;
  need_weights?: boolean;
  attn_mask?: Tensor | null;
  average_attn_weights?: boolean;
}

const FORWARD = pySignature("forward",
  "query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None, average_attn_weights=True");

/**
 * torch.nn.MultiheadAttention(embed_dim, num_heads, {dropout, bias, add_bias_kv, add_zero_attn,
 * kdim, vdim, batch_first}). Parameters are registered and initialised in PyTorch's order: the
 * out_proj Linear draws its default init when created, then in_proj_weight (or q/k/v_proj_weight)
 * gets xavier_uniform_, the biases are zeroed and bias_k / bias_v get xavier_normal_.
 *
 * @example
 * const mha = new nn.MultiheadAttention(8, 2);
 * const [out, weights] = mha(q, k, v, {need_weights: true});
 */
export class MultiheadAttention extends Module {
  embed_dim: number;
  kdim: number;
  vdim: number;
  _qkv_same_embed_dim: boolean;
  num_heads: number;
  dropout: number;
  batch_first: boolean;
  head_dim: number;
  declare in_proj_weight: Parameter | null;
  declare q_proj_weight: Parameter | null;
  declare k_proj_weight: Parameter | null;
  declare v_proj_weight: Parameter | null;
  declare in_proj_bias: Parameter | null;
  declare out_proj: NonDynamicallyQuantizableLinear;
  declare bias_k: Parameter | null;
  declare bias_v: Parameter | null;
  declare add_zero_attn: boolean;

  constructor(embed_dim: number, num_heads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    this.embed_dim = embed_dim;
    this.kdim = opts.kdim ?? embed_dim;
    this.vdim = opts.vdim ?? embed_dim;
    this._qkv_same_embed_dim = this.kdim === embed_dim && this.vdim === embed_dim;
    this.num_heads = num_heads;
    this.dropout = opts.dropout ?? 0;
    this.batch_first = opts.batch_first ?? false;
    this.head_dim = Math.floor(embed_dim / num_heads);
    pyAssert(this.head_dim * num_heads === embed_dim, "embed_dim must be divisible by num_heads");
    const param = (shape: number[]) => new Parameter(factoryTensor(shape, opts));
    if (!this._qkv_same_embed_dim) {
      this.q_proj_weight = param([embed_dim, embed_dim]);
      this.k_proj_weight = param([embed_dim, this.kdim]);
      this.v_proj_weight = param([embed_dim, this.vdim]);
      this.register_parameter("in_proj_weight", null);
    } else {
      this.in_proj_weight = param([3 * embed_dim, embed_dim]);
      for (const n of ["q_proj_weight", "k_proj_weight", "v_proj_weight"]) this.register_parameter(n, null);
    }
    const bias = opts.bias ?? true;
    if (bias) this.in_proj_bias = param([3 * embed_dim]);
    else this.register_parameter("in_proj_bias", null);
    this.out_proj = new NonDynamicallyQuantizableLinear(embed_dim, embed_dim, { bias, dtype: opts.dtype, device: opts.device });
    if (opts.add_bias_kv) {
      this.bias_k = param([1, 1, embed_dim]);
      this.bias_v = param([1, 1, embed_dim]);
    } else {
      this.bias_k = null;
      this.bias_v = null;
    }
    this.add_zero_attn = opts.add_zero_attn ?? false;
    this._reset_parameters();
  }

  _reset_parameters(): void {
    if (this._qkv_same_embed_dim) {
      init.xavier_uniform_(this.in_proj_weight!);
    } else {
      init.xavier_uniform_(this.q_proj_weight!);
      init.xavier_uniform_(this.k_proj_weight!);
      init.xavier_uniform_(this.v_proj_weight!);
    }
    if (this.in_proj_bias !== null) {
      init.constant_(this.in_proj_bias, 0);
      init.constant_(this.out_proj.bias!, 0);
    }
    if (this.bias_k !== null) init.xavier_normal_(this.bias_k);
    if (this.bias_v !== null) init.xavier_normal_(this.bias_v);
  }

  /**
   * forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
   * average_attn_weights=True) -> [attn_output, attn_weights or null].
   */
  override forward(
    query: Tensor, key: Tensor, value: Tensor,
    ...rest: Call<[key_padding_mask: Tensor | null, need_weights: boolean, attn_mask: Tensor | null, average_attn_weights: boolean], MHACallOptions>
  ): [Tensor, Tensor | null] {
    const [, , , kpmArg, needWeights, maskArg, average] = FORWARD.bind(query, [key, value, ...rest]) as
      [Tensor, Tensor, Tensor, Tensor | null, boolean, Tensor | null, boolean];
    const isBatched = query.dim() === 3;
    if (kpmArg !== null && kpmArg.dtype !== bool && !kpmArg.is_floating_point()) {
      throw new TorchError("AssertionError", "only bool and floating types of key_padding_mask are supported");
    }
    if (this.batch_first && isBatched) [query, key, value] = transposeKeepingIdentity(query, key, value);
    const common = {
      training: this.training, key_padding_mask: kpmArg, need_weights: needWeights, attn_mask: maskArg,
      average_attn_weights: average,
    };
    const separate = this._qkv_same_embed_dim ? {} : {
      use_separate_proj_weight: true, q_proj_weight: this.q_proj_weight,
      k_proj_weight: this.k_proj_weight, v_proj_weight: this.v_proj_weight,
    };
    const [out, weights] = multi_head_attention_forward(
      query, key, value, this.embed_dim, this.num_heads, this.in_proj_weight, this.in_proj_bias,
      this.bias_k, this.bias_v, this.add_zero_attn, this.dropout, this.out_proj.weight, this.out_proj.bias,
      { ...common, ...separate },
    );
    return this.batch_first && isBatched ? [out.transpose(1, 0), weights] : [out, weights];
  }
}

/** batch_first's transposes, keeping `query is key is value` true when it was (self-attention). */
function transposeKeepingIdentity(q: Tensor, k: Tensor, v: Tensor): [Tensor, Tensor, Tensor] {
  if (k === v) {
    if (q === k) {
      const t = q.transpose(1, 0);
      return [t, t, t];
    }
    const [tq, tk] = [q.transpose(1, 0), k.transpose(1, 0)];
    return [tq, tk, tk];
  }
  return [q.transpose(1, 0), k.transpose(1, 0), v.transpose(1, 0)];
}

// what torch.jit.script compiles (attention_script_source.ts); out_proj scripts as a Linear
register_source(MultiheadAttention, MULTIHEAD_ATTENTION_SOURCE, { file: "<torch.nn.MultiheadAttention>" });
register_source(NonDynamicallyQuantizableLinear, sourceOf(Linear)!.text.replace("class Linear", "class NonDynamicallyQuantizableLinear"),
  { file: "<torch.nn.modules.linear.NonDynamicallyQuantizableLinear>" });
