/** torch.optim.SGD with PyTorch 1.13's single-tensor update (Note [update kernels]). */
import { ValueError } from "../util/errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { Optimizer, arithFor, pyRepr, required, withFlat, zerosLike, type ParamsInput } from "./optimizer.js";

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weight_decay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  foreach?: boolean | null;
  differentiable?: boolean;
}

interface SGDGroup {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
  maximize: boolean;
}

/**
 * Stochastic gradient descent, optionally with momentum.
 *
 * @example
 * const opt = new torch.optim.SGD(model.parameters(), {lr: 0.1, momentum: 0.9});
 * opt.zero_grad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer {
  constructor(params: ParamsInput, lr?: number | SGDOptions, opts: SGDOptions = {}) {
    const o: SGDOptions = typeof lr === "object" ? lr : { ...opts, ...(lr === undefined ? {} : { lr }) };
    const rate = o.lr ?? required;
    const momentum = o.momentum ?? 0;
    const weightDecay = o.weight_decay ?? 0;
    if (rate !== required && rate < 0) throw new ValueError(`Invalid learning rate: ${pyRepr(rate)}`);
    if (momentum < 0) throw new ValueError(`Invalid momentum value: ${pyRepr(momentum)}`);
    if (weightDecay < 0) throw new ValueError(`Invalid weight_decay value: ${pyRepr(weightDecay)}`);
    const defaults = {
      lr: rate, momentum, dampening: o.dampening ?? 0, weight_decay: weightDecay,
      nesterov: o.nesterov ?? false, maximize: o.maximize ?? false, foreach: o.foreach ?? null,
      differentiable: o.differentiable ?? false,
    };
    if (defaults.nesterov && (momentum <= 0 || defaults.dampening !== 0)) {
      throw new ValueError("Nesterov momentum requires a momentum and zero dampening");
    }
    super(params, defaults);
  }

  protected override setstateDefaults(): Record<string, unknown> {
    return { nesterov: false, maximize: false, foreach: null, differentiable: false };
  }

  override step(closure?: () => unknown): unknown {
    const loss = this.runClosure(closure);
    this.withoutGrad(() => {
      for (const group of this.param_groups) {
        const opts = group as unknown as SGDGroup;
        for (const p of group.params) {
          if (p.grad === null) continue;
          const state = this.stateOf(p);
          const buf = (state["momentum_buffer"] as Tensor | null | undefined) ?? null;
          state["momentum_buffer"] = sgdUpdate(p, p.grad, buf, opts);
        }
      }
    });
    return loss;
  }
}

/**
 * One parameter's update, element by element:
 *   d = maximize ? -g : g;  d = d.add(p, alpha=wd)
 *   buf = clone(d) | buf.mul_(momentum).add_(d, alpha=1-dampening);  d = nesterov ? d.add(buf, alpha=momentum) : buf
 *   p.add_(d, alpha=-lr)
 * Returns the momentum buffer (null without momentum).
 */
function sgdUpdate(p: Tensor, grad: Tensor, buf: Tensor | null, o: SGDGroup): Tensor | null {
  const A = arithFor(p.dtype);
  const g = grad.contiguousData();
  const hasMomentum = o.momentum !== 0;
  const fresh = hasMomentum && buf === null;
  const b = hasMomentum ? (buf ?? zerosLike(p)) : null;
  const bd = b === null ? null : b.storage.data;
  const bo = b === null ? 0 : b.offset;
  const wd = A.s(o.weight_decay), m = A.s(o.momentum), keep = A.s(1 - o.dampening), step = A.s(-o.lr);
  const decay = o.weight_decay !== 0, neg = o.maximize, nesterov = o.nesterov;
  withFlat(p, (pd, po, n) => {
    for (let i = 0; i < n; i++) {
      let d = neg ? -g[i]! : g[i]!;
      if (decay) d = A.fma(pd[po + i]!, wd, d);
      if (bd !== null) {
        const bv = fresh ? d : A.fma(d, keep, A.r(bd[bo + i]! * m));
        bd[bo + i] = bv;
        d = nesterov ? A.fma(bv, m, d) : bv;
      }
      pd[po + i] = A.fma(d, step, pd[po + i]!);
    }
  });
  if (b !== null) b.storage.version++;
  return b;
}
