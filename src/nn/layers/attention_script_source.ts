/**
 * What torch.jit.script compiles for nn.MultiheadAttention (Note [layer script sources] in
 * rnn_cells_script_source.ts): PyTorch 1.13's forward with F.multi_head_attention_forward's body
 * written in (the frontend resolves `F.name` to aten ops, so PyTorch's Python helper functions
 * cannot be called by name), on the composite path eager takes (Note [mha fast path] in
 * attention_functional.ts). Where PyTorch's helpers branch on tensor identity (`q is k`) to save
 * a matmul, this takes the general branch, which computes the same numbers. dtypes are their
 * TorchScript ints, as PyTorch's graph shows them: 0 is torch.uint8, 11 is torch.bool.
 * static_k / static_v are not module inputs, so they are left out.
 */

export const MULTIHEAD_ATTENTION_SOURCE = `class MultiheadAttention {
  batch_first: Final<boolean>;
  embed_dim: int;
  num_heads: int;
  head_dim: int;
  dropout: float;
  add_zero_attn: boolean;
  in_proj_weight: Tensor | null;
  in_proj_bias: Tensor | null;
  q_proj_weight: Tensor | null;
  k_proj_weight: Tensor | null;
  v_proj_weight: Tensor | null;
  bias_k: Tensor | null;
  bias_v: Tensor | null;
  forward(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | null = null, need_weights: boolean = true,
    attn_mask: Tensor | null = null, average_attn_weights: boolean = true): [Tensor, Tensor | null] {
    const is_batched = query.dim() === 3;
    if (key_padding_mask !== null) {
      if (key_padding_mask.dtype !== 11 && !key_padding_mask.is_floating_point()) {
        throw new AssertionError("only bool and floating types of key_padding_mask are supported");
      }
    }
    if (this.batch_first && is_batched) {
      query = query.transpose(1, 0);
      key = key.transpose(1, 0);
      value = value.transpose(1, 0);
    }
    const num_heads = this.num_heads;
    if (query.dim() === 3) {
      assert(key.dim() === 3 && value.dim() === 3, \`For batched (3-D) \\\`query\\\`, expected \\\`key\\\` and \\\`value\\\` to be 3-D but found \${key.dim()}-D and \${value.dim()}-D tensors respectively\`);
    } else if (query.dim() === 2) {
      assert(key.dim() === 2 && value.dim() === 2, \`For unbatched (2-D) \\\`query\\\`, expected \\\`key\\\` and \\\`value\\\` to be 2-D but found \${key.dim()}-D and \${value.dim()}-D tensors respectively\`);
      query = query.unsqueeze(1);
      key = key.unsqueeze(1);
      value = value.unsqueeze(1);
      if (key_padding_mask !== null) {
        key_padding_mask = key_padding_mask.unsqueeze(0);
      }
    } else {
      throw new AssertionError(\`query should be unbatched 2D or batched 3D tensor but received \${query.dim()}-D query tensor\`);
    }
    const tgt_len = query.size(0);
    const bsz = query.size(1);
    const embed_dim = query.size(2);
    const src_len = key.size(0);
    assert(embed_dim === this.embed_dim, \`was expecting embedding dimension of \${this.embed_dim}, but got \${embed_dim}\`);
    const head_dim = Math.floor(embed_dim / num_heads);
    assert(head_dim * num_heads === embed_dim, \`embed_dim \${embed_dim} not divisible by num_heads \${num_heads}\`);
    let b_q: Tensor | null = null;
    let b_k: Tensor | null = null;
    let b_v: Tensor | null = null;
    const in_proj_bias = this.in_proj_bias;
    if (in_proj_bias !== null) {
      const b_chunks = in_proj_bias.chunk(3);
      b_q = b_chunks[0];
      b_k = b_chunks[1];
      b_v = b_chunks[2];
    }
    let w_q: Tensor;
    let w_k: Tensor;
    let w_v: Tensor;
    const in_proj_weight = this.in_proj_weight;
    const q_proj_weight = this.q_proj_weight;
    const k_proj_weight = this.k_proj_weight;
    const v_proj_weight = this.v_proj_weight;
    // PyTorch passes use_separate_proj_weight = not _qkv_same_embed_dim, which is in_proj_weight is None
    if (in_proj_weight !== null) {
      assert(key.size() === value.size(), \`key shape \${key.size()} does not match value shape \${value.size()}\`);
      const w_chunks = in_proj_weight.chunk(3);
      w_q = w_chunks[0];
      w_k = w_chunks[1];
      w_v = w_chunks[2];
    } else {
      assert(key.size(0) === value.size(0) && key.size(1) === value.size(1), "key's sequence and batch dims do not match value's");
      if (q_proj_weight === null || k_proj_weight === null || v_proj_weight === null) {
        throw new AssertionError("use_separate_proj_weight is True but q_proj_weight, k_proj_weight or v_proj_weight is None");
      }
      w_q = q_proj_weight;
      w_k = k_proj_weight;
      w_v = v_proj_weight;
    }
    const q = torch.linear(query, w_q, b_q);
    let k = torch.linear(key, w_k, b_k);
    let v = torch.linear(value, w_v, b_v);
    if (attn_mask !== null) {
      if (attn_mask.dtype === 0) {
        attn_mask = attn_mask.to(11);
      } else {
        assert(attn_mask.is_floating_point() || attn_mask.dtype === 11, \`Only float, byte, and bool types are supported for attn_mask, not \${attn_mask.dtype}\`);
      }
      if (attn_mask.dim() === 2) {
        if (attn_mask.size(0) !== tgt_len || attn_mask.size(1) !== src_len) {
          throw new RuntimeError(\`The shape of the 2D attn_mask is \${attn_mask.size()}, but should be \${[tgt_len, src_len]}.\`);
        }
        attn_mask = attn_mask.unsqueeze(0);
      } else if (attn_mask.dim() === 3) {
        if (attn_mask.size(0) !== bsz * num_heads || attn_mask.size(1) !== tgt_len || attn_mask.size(2) !== src_len) {
          throw new RuntimeError(\`The shape of the 3D attn_mask is \${attn_mask.size()}, but should be \${[bsz * num_heads, tgt_len, src_len]}.\`);
        }
      } else {
        throw new RuntimeError(\`attn_mask's dimension \${attn_mask.dim()} is not supported\`);
      }
    }
    const bias_k = this.bias_k;
    const bias_v = this.bias_v;
    if (bias_k !== null && bias_v !== null) {
      k = torch.cat([k, bias_k.repeat([1, bsz, 1])]);
      v = torch.cat([v, bias_v.repeat([1, bsz, 1])]);
      if (attn_mask !== null) {
        attn_mask = torch.constant_pad_nd(attn_mask, [0, 1]);
      }
      if (key_padding_mask !== null) {
        key_padding_mask = torch.constant_pad_nd(key_padding_mask, [0, 1]);
      }
    }
    const q_heads = q.reshape([tgt_len, bsz * num_heads, head_dim]).transpose(0, 1);
    k = k.reshape([k.size(0), bsz * num_heads, head_dim]).transpose(0, 1);
    v = v.reshape([v.size(0), bsz * num_heads, head_dim]).transpose(0, 1);
    if (this.add_zero_attn) {
      const zero_attn_shape = [bsz * num_heads, 1, head_dim];
      k = torch.cat([k, torch.zeros(zero_attn_shape, {dtype: k.dtype, device: k.device})], 1);
      v = torch.cat([v, torch.zeros(zero_attn_shape, {dtype: v.dtype, device: v.device})], 1);
      if (attn_mask !== null) {
        attn_mask = torch.constant_pad_nd(attn_mask, [0, 1]);
      }
      if (key_padding_mask !== null) {
        key_padding_mask = torch.constant_pad_nd(key_padding_mask, [0, 1]);
      }
    }
    const kv_len = k.size(1);
    if (key_padding_mask !== null) {
      assert(key_padding_mask.size(0) === bsz && key_padding_mask.size(1) === kv_len, \`expecting key_padding_mask shape of \${[bsz, kv_len]}, but got \${key_padding_mask.size()}\`);
      const kpm = key_padding_mask.view([bsz, 1, 1, kv_len]).expand([-1, num_heads, -1, -1]).reshape([bsz * num_heads, 1, kv_len]);
      if (attn_mask === null) {
        attn_mask = kpm;
      } else if (attn_mask.dtype === 11) {
        attn_mask = attn_mask.logical_or(kpm);
      } else {
        attn_mask = attn_mask.masked_fill(kpm, Number("-inf"));
      }
    }
    if (attn_mask !== null && attn_mask.dtype === 11) {
      const new_attn_mask = torch.zeros_like(attn_mask, {dtype: q.dtype});
      new_attn_mask.masked_fill_(attn_mask, Number("-inf"));
      attn_mask = new_attn_mask;
    }
    let dropout_p = this.dropout;
    if (!this.training) {
      dropout_p = 0.0;
    }
    const q_scaled = q_heads.div(Math.sqrt(q_heads.size(2)));
    let attn_output_weights: Tensor;
    if (attn_mask !== null) {
      attn_output_weights = torch.baddbmm(attn_mask, q_scaled, k.transpose(-2, -1));
    } else {
      attn_output_weights = torch.bmm(q_scaled, k.transpose(-2, -1));
    }
    attn_output_weights = torch.softmax(attn_output_weights, -1);
    if (dropout_p > 0.0) {
      attn_output_weights = torch.dropout(attn_output_weights, dropout_p, true);
    }
    let attn_output = torch.bmm(attn_output_weights, v);
    attn_output = attn_output.transpose(0, 1).reshape([tgt_len * bsz, embed_dim]);
    attn_output = torch.linear(attn_output, this.out_proj.weight, this.out_proj.bias);
    attn_output = attn_output.view([tgt_len, bsz, attn_output.size(1)]);
    if (!is_batched) {
      attn_output = attn_output.squeeze(1);
    }
    if (this.batch_first && is_batched) {
      attn_output = attn_output.transpose(1, 0);
    }
    if (!need_weights) {
      return [attn_output, null];
    }
    let weights = attn_output_weights.view([bsz, num_heads, tgt_len, kv_len]);
    if (average_attn_weights) {
      weights = weights.sum(1).div(num_heads);
    }
    if (!is_batched) {
      weights = weights.squeeze(0);
    }
    return [attn_output, weights];
  }
}`;

