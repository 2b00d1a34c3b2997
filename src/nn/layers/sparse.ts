/** torch.nn.Embedding: a lookup table initialised from N(0, 1), with the padding row zeroed. */
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { Tensor } from "../../tensor/tensor.js";
import { TorchError } from "../../util/errors.js";
import { copyInto } from "../../tensor/kernels/apply.js";
import * as init from "../init.js";
import * as F from "../functional.js";
import { factoryTensor, pyBool, pyFloat, type FactoryKwargs } from "./utils.js";

export interface EmbeddingOptions extends FactoryKwargs {
  padding_idx?: number | null;
  max_norm?: number | null;
  norm_type?: number;
  scale_grad_by_freq?: boolean;
  sparse?: boolean;
  _weight?: Tensor | null;
}

function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new TorchError("AssertionError", message);
}

/** PyTorch's padding_idx normalisation: a negative index counts from the end. */
function normalizePaddingIdx(padding_idx: number | null | undefined, num: number): number | null {
  if (padding_idx === null || padding_idx === undefined) return null;
  if (padding_idx > 0) assert(padding_idx < num, "Padding_idx must be within num_embeddings");
  else if (padding_idx < 0) {
    assert(padding_idx >= -num, "Padding_idx must be within num_embeddings");
    return num + padding_idx;
  }
  return padding_idx;
}

/** torch.nn.Embedding(num_embeddings, embedding_dim, {padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse}). */
export class Embedding extends Module {
  num_embeddings: number;
  embedding_dim: number;
  padding_idx: number | null;
  max_norm: number | null;
  norm_type: number;
  scale_grad_by_freq: boolean;
  weight: Parameter;
  sparse: boolean;

  constructor(num_embeddings: number, embedding_dim: number, opts: EmbeddingOptions = {}) {
    super();
    this.num_embeddings = num_embeddings;
    this.embedding_dim = embedding_dim;
    this.padding_idx = normalizePaddingIdx(opts.padding_idx, num_embeddings);
    this.max_norm = opts.max_norm ?? null;
    this.norm_type = opts.norm_type ?? 2.0;
    this.scale_grad_by_freq = opts.scale_grad_by_freq ?? false;
    const given = opts._weight ?? null;
    if (given === null) {
      this.weight = new Parameter(factoryTensor([num_embeddings, embedding_dim], opts));
      this.reset_parameters();
    } else {
      assert(given.shape.length === 2 && given.shape[0] === num_embeddings && given.shape[1] === embedding_dim,
        "Shape of weight does not match num_embeddings and embedding_dim");
      this.weight = new Parameter(given);
    }
    this.sparse = opts.sparse ?? false;
  }

  /** torch.nn.Embedding.from_pretrained(embeddings, {freeze = true, ...}). */
  static from_pretrained(embeddings: Tensor, opts: Omit<EmbeddingOptions, "_weight"> & { freeze?: boolean } = {}): Embedding {
    assert(embeddings.dim() === 2, "Embeddings parameter is expected to be 2-dimensional");
    const [rows, cols] = embeddings.shape as [number, number];
    const e = new Embedding(rows, cols, { ...opts, _weight: embeddings });
    e.weight.requires_grad = !(opts.freeze ?? true);
    return e;
  }

  reset_parameters(): void {
    init.normal_(this.weight);
    this._fill_padding_idx_with_zero();
  }

  _fill_padding_idx_with_zero(): void {
    if (this.padding_idx === null) return;
    const d = this.embedding_dim;
    const row = new Tensor(this.weight.storage, [d], [this.weight.stride(1)], this.weight.offset + this.padding_idx * this.weight.stride(0), this.weight.dtype);
    copyInto(row, 0);
    this.weight.storage.version++;
  }

  override forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, this.padding_idx, this.max_norm, this.norm_type, this.scale_grad_by_freq, this.sparse);
  }

  override extra_repr(): string {
    let s = `${this.num_embeddings}, ${this.embedding_dim}`;
    if (this.padding_idx !== null) s += `, padding_idx=${this.padding_idx}`;
    if (this.max_norm !== null) s += `, max_norm=${pyFloat(this.max_norm)}`;
    if (this.norm_type !== 2) s += `, norm_type=${pyFloat(this.norm_type)}`;
    if (this.scale_grad_by_freq) s += `, scale_grad_by_freq=${pyBool(this.scale_grad_by_freq)}`;
    if (this.sparse) s += ", sparse=True";
    return s;
  }
}
