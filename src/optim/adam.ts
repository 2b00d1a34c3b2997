/**
 * torch.optim.Adam and AdamW with PyTorch 1.13's single-tensor updates (Note [update kernels]):
 * the step counter is a float32 tensor, bias corrections are computed in double from
 * `step.item()`, and every tensor op rounds where PyTorch's does.
 */
import { RuntimeError, TorchError, ValueError } from "../util/errors.js";
import type { Tensor } from "../tensor/tensor.js";
import {
  Optimizer, arithFor, pyRepr, scalarTensor, withFlat, zerosLike, type ParamState, type ParamsInput,
} from "./optimizer.js";

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weight_decay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  foreach?: boolean | null;
  capturable?: boolean;
  differentiable?: boolean;
  fused?: boolean;
}

interface AdamGroup {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
  maximize: boolean;
  capturable: boolean;
}

function optionsOf(lr: number | AdamOptions | undefined, opts: AdamOptions): AdamOptions {
  return typeof lr === "object" ? lr : { ...opts, ...(lr === undefined ? {} : { lr }) };
}

function validate(o: Required<Pick<AdamOptions, "lr" | "betas" | "eps" | "weight_decay">>): void {
  if (!(o.lr >= 0)) throw new ValueError(`Invalid learning rate: ${pyRepr(o.lr)}`);
  if (!(o.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${pyRepr(o.eps)}`);
  if (!(o.betas[0] >= 0 && o.betas[0] < 1)) throw new ValueError(`Invalid beta parameter at index 0: ${pyRepr(o.betas[0])}`);
  if (!(o.betas[1] >= 0 && o.betas[1] < 1)) throw new ValueError(`Invalid beta parameter at index 1: ${pyRepr(o.betas[1])}`);
  if (!(o.weight_decay >= 0)) throw new ValueError(`Invalid weight_decay value: ${pyRepr(o.weight_decay)}`);
}

/** Shared stepping of Adam and AdamW; `decoupled` selects AdamW's weight decay. */
abstract class AdamBase extends Optimizer {
  protected abstract readonly decoupled: boolean;

  /** Also turns the plain-number steps of pre-1.12 state dicts into step tensors. */
  protected override upgradeState(): void {
    super.upgradeState();
    for (const s of this.state.values()) {
      if (typeof s["step"] === "number") s["step"] = scalarTensor(s["step"]);
    }
  }

  override step(closure?: () => unknown): unknown {
    const loss = this.runClosure(closure);
    this.withoutGrad(() => {
      for (const group of this.param_groups) {
        const opts = group as unknown as AdamGroup;
        for (const p of group.params) {
          if (p.grad === null) continue;
          const state = this.stateOf(p);
          if (Object.keys(state).length === 0) initState(state, p, opts.amsgrad);
          if (opts.capturable) {
            throw new TorchError("AssertionError", "If capturable=True, params and state_steps must be CUDA tensors.");
          }
          adamUpdate(p, p.grad, state, opts, this.decoupled);
        }
      }
    });
    return loss;
  }
}

function initState(state: ParamState, p: Tensor, amsgrad: boolean): void {
  state["step"] = scalarTensor(0);
  state["exp_avg"] = zerosLike(p);
  state["exp_avg_sq"] = zerosLike(p);
  if (amsgrad) state["max_exp_avg_sq"] = zerosLike(p);
}

/**
 * One parameter's update, element by element (PyTorch 1.13 _single_tensor_adam / adamw):
 *   step += 1;  AdamW: p.mul_(1 - lr*wd)  |  Adam: g = g.add(p, alpha=wd)
 *   m.mul_(b1).add_(g, alpha=1-b1);  v.mul_(b2).addcmul_(g, g, value=1-b2)
 *   denom = (v.sqrt() / sqrt(1 - b2**step)).add_(eps)      (amsgrad: max(vmax, v) for v)
 *   p.addcdiv_(m, denom, value=-(lr / (1 - b1**step)))
 */
function adamUpdate(p: Tensor, grad: Tensor, state: ParamState, o: AdamGroup, decoupled: boolean): void {
  const stepT = state["step"] as Tensor;
  stepT.storage.data[stepT.offset] = Math.fround(stepT.storage.data[stepT.offset]! + 1);
  stepT.storage.version++;
  const step = stepT.storage.data[stepT.offset]!;
  const [beta1, beta2] = o.betas;
  const A = arithFor(p.dtype);
  const stepSize = o.lr / (1 - powCR(beta1, step));
  const bc2Sqrt = A.s(Math.sqrt(1 - powCR(beta2, step)));
  const negStep = A.s(-stepSize), eps = A.s(o.eps);
  const b1 = A.s(beta1), b2 = A.s(beta2), oneMinusB1 = A.s(1 - beta1), oneMinusB2 = A.s(1 - beta2);
  const wd = A.s(o.weight_decay), decayFactor = A.s(1 - o.lr * o.weight_decay);
  const coupledDecay = !decoupled && o.weight_decay !== 0;
  const g = grad.contiguousData();
  const m = dataOf(state["exp_avg"]), v = dataOf(state["exp_avg_sq"]);
  const vmax = o.amsgrad ? dataOf(state["max_exp_avg_sq"]) : null;
  const neg = o.maximize;
  withFlat(p, (pd, po, n) => {
    for (let i = 0; i < n; i++) {
      let x = pd[po + i]!;
      let gi = neg ? -g[i]! : g[i]!;
      if (decoupled) x = A.r(x * decayFactor);
      else if (coupledDecay) gi = A.fma(x, wd, gi);
      const mi = A.fma(gi, oneMinusB1, A.r(m[i]! * b1));
      m[i] = mi;
      // addcmul: self + value * t1 * t2, the last multiply-add contracted to an fma
      const vi = A.fma(A.r(oneMinusB2 * gi), gi, A.r(v[i]! * b2));
      v[i] = vi;
      let base = vi;
      if (vmax !== null) {
        const prev = vmax[i]!;
        base = prev > vi || prev !== prev ? prev : vi; // torch.maximum propagates NaN
        vmax[i] = base;
      }
      const denom = A.r(A.r(A.r(Math.sqrt(base)) / bc2Sqrt) + eps);
      pd[po + i] = A.r(x + A.r(A.r(negStep * mi) / denom));
    }
  });
  for (const k of ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]) {
    const t = state[k];
    if (t && typeof t === "object") t.storage.version++;
  }
}

/**
 * Python's `beta ** step`: C's pow, correctly rounded in practice, where V8's `**` can be one
 * ulp off (0.9 ** 4 is 0.6561 in Python, 0.6561000000000001 in V8). Step counts are integers,
 * so square-and-multiply in double-double arithmetic (error ~2^-100) rounds to the same double.
 */
export function powCR(x: number, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 53 || !Number.isFinite(x)) return x ** n;
  let rh = 1, rl = 0, bh = x, bl = 0;
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) [rh, rl] = ddMul(rh, rl, bh, bl);
    if (k > 1) [bh, bl] = ddMul(bh, bl, bh, bl);
  }
  return rh + rl;
}

const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp)

/** (ah + al) * (bh + bl) in double-double: Dekker's exact product of the high parts plus cross terms. */
function ddMul(ah: number, al: number, bh: number, bl: number): [number, number] {
  const p = ah * bh;
  const ca = SPLITTER * ah, cb = SPLITTER * bh;
  const a1 = ca - (ca - ah), a2 = ah - a1;
  const b1 = cb - (cb - bh), b2 = bh - b1;
  let e = a1 * b1 - p + a1 * b2 + a2 * b1 + a2 * b2;
  e += ah * bl + al * bh;
  const s = p + e;
  return [s, e - (s - p)];
}

/** The contiguous data of a state buffer (created here contiguous, or copied so by load_state_dict). */
function dataOf(t: Tensor | number | null | undefined): Float32Array | Float64Array {
  if (t === null || t === undefined || typeof t === "number" || !t.is_contiguous()) {
    throw new RuntimeError("optimizer state buffers must be contiguous tensors");
  }
  const d = t.storage.data as Float32Array | Float64Array;
  return t.offset === 0 ? d : d.subarray(t.offset);
}

/**
 * Adam (Kingma & Ba), with L2 weight decay added to the gradient.
 *
 * @example
 * const opt = new torch.optim.Adam(model.parameters(), {lr: 1e-3});
 */
export class Adam extends AdamBase {
  protected readonly decoupled = false;

  protected override setstateDefaults(): Record<string, unknown> {
    return { amsgrad: false, maximize: false, foreach: null, capturable: false, differentiable: false, fused: false };
  }

  constructor(params: ParamsInput, lr?: number | AdamOptions, opts: AdamOptions = {}) {
    const o = optionsOf(lr, opts);
    const defaults = {
      lr: o.lr ?? 1e-3, betas: o.betas ?? [0.9, 0.999], eps: o.eps ?? 1e-8,
      weight_decay: o.weight_decay ?? 0, amsgrad: o.amsgrad ?? false, maximize: o.maximize ?? false,
      foreach: o.foreach ?? null, capturable: o.capturable ?? false,
      differentiable: o.differentiable ?? false, fused: o.fused ?? false,
    };
    validate(defaults);
    super(params, defaults);
    if (defaults.fused) {
      if (defaults.differentiable) throw new RuntimeError("`fused` cannot be `differentiable`");
      throw new RuntimeError("FusedAdam requires all the params to be CUDA, floating point");
    }
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay (default 1e-2).
 *
 * @example
 * const opt = new torch.optim.AdamW(model.parameters(), {lr: 1e-3, weight_decay: 0.01});
 */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;

  protected override setstateDefaults(): Record<string, unknown> {
    return { amsgrad: false, maximize: false, foreach: null, capturable: false };
  }

  constructor(params: ParamsInput, lr?: number | AdamOptions, opts: AdamOptions = {}) {
    const o = optionsOf(lr, opts);
    const defaults = {
      lr: o.lr ?? 1e-3, betas: o.betas ?? [0.9, 0.999], eps: o.eps ?? 1e-8,
      weight_decay: o.weight_decay ?? 1e-2, amsgrad: o.amsgrad ?? false,
      foreach: o.foreach ?? null, maximize: o.maximize ?? false, capturable: o.capturable ?? false,
    };
    validate(defaults);
    super(params, defaults);
  }
}
