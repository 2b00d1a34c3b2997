/** Module behaviour through the layers: calls, hooks, names, state_dict, modes, dtype, printing. */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../src/index.js";
import { hasTorch, runTorch } from "../support/pytorch.js";

const { nn } = torch;
type Module = InstanceType<typeof nn.Module>;
const vals = (t: Tensor): number[] => Array.from(t.contiguousData());

/** A custom module as users write it: fields in registration order, a forward. */
class Block extends nn.Module {
  fc = new nn.Linear(4, 3);
  bn = new nn.BatchNorm1d(3);
  scale = new nn.Parameter(torch.ones(3));

  override forward(x: Tensor): Tensor {
    return this.bn(this.fc(x)).mul(this.scale);
  }
}

class Net extends nn.Module {
  embed = new nn.Linear(2, 4, { bias: false });
  block = new Block();
  head = new nn.Sequential(new nn.ReLU(), new nn.Linear(3, 2));

  constructor() {
    super();
    this.register_buffer("steps", torch.zeros(1));
  }
}

const NET_PY = `
import torch.nn as nn
class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.bn = nn.BatchNorm1d(3)
        self.scale = nn.Parameter(torch.ones(3))
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(2, 4, bias=False)
        self.block = Block()
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(3, 2))
        self.register_buffer("steps", torch.zeros(1))
`;

describe("callable modules", () => {
  it("is a function and an instance of its class", () => {
    const lin = new nn.Linear(4, 4);
    expect(typeof lin).toBe("function");
    expect(lin).toBeInstanceOf(nn.Linear);
    expect(lin).toBeInstanceOf(nn.Module);
    expect(lin.in_features).toBe(4);
  });
  it("calls forward, with pre-hooks and hooks around it", () => {
    class Double extends nn.Module {
      override forward(x: Tensor): Tensor {
        return x.mul(2);
      }
    }
    const m = new Double();
    const seen: string[] = [];
    const pre = m.register_forward_pre_hook((_mod, input) => {
      seen.push("pre");
      return [(input[0] as Tensor).add(1)];
    });
    const post = m.register_forward_hook((_mod, _input, out) => {
      seen.push("post");
      return (out as Tensor).add(10);
    });
    expect(vals(m(torch.tensor([1.5])))).toEqual([15]);
    expect(seen).toEqual(["pre", "post"]);
    pre.remove();
    post.remove();
    expect(vals(m(torch.tensor([1.5])))).toEqual([3]);
    // removing twice must not hide another module's hook (calls skip hook maps only while none is live)
    const other = new Double();
    const kept = other.register_forward_hook((_mod, _input, out) => (out as Tensor).neg());
    post.remove();
    pre.remove();
    expect(vals(other(torch.tensor([1.5])))).toEqual([-3]);
    expect(vals(m(torch.tensor([1.5])))).toEqual([3]);
    kept.remove();
    expect(vals(other(torch.tensor([1.5])))).toEqual([3]);
  });
  it("a module without forward raises NotImplementedError-style message", () => {
    const list = new nn.ModuleList();
    expect(() => list(torch.zeros(1))).toThrow('Module [ModuleList] is missing the required "forward" function');
  });
});

describe("registration order", () => {
  it("named_parameters / named_buffers / named_modules follow assignment order", () => {
    const net = new Net();
    expect(net.named_parameters().map(([n, p]) => [n, p.shape])).toEqual([
      ["embed.weight", [4, 2]],
      ["block.scale", [3]],
      ["block.fc.weight", [3, 4]],
      ["block.fc.bias", [3]],
      ["block.bn.weight", [3]],
      ["block.bn.bias", [3]],
      ["head.1.weight", [2, 3]],
      ["head.1.bias", [2]],
    ]);
    expect(net.named_buffers().map(([n]) => n)).toEqual([
      "steps", "block.bn.running_mean", "block.bn.running_var", "block.bn.num_batches_tracked",
    ]);
    expect(net.named_modules().map(([n]) => n)).toEqual(["", "embed", "block", "block.fc", "block.bn", "head", "head.0", "head.1"]);
  });

  it.skipIf(!hasTorch)("matches PyTorch's names, shapes and state_dict keys", () => {
    const ref = runTorch<{ params: [string, number[]][]; state: string[]; modules: string[] }>(`${NET_PY}
net = Net()
print(json.dumps({"params": [[n, list(p.shape)] for n, p in net.named_parameters()],
                  "state": list(net.state_dict().keys()),
                  "modules": [n for n, _ in net.named_modules()]}))
`);
    const net = new Net();
    expect(net.named_parameters().map(([n, p]) => [n, p.shape])).toEqual(ref.params);
    expect([...net.state_dict().keys()]).toEqual(ref.state);
    expect(net.named_modules().map(([n]) => n)).toEqual(ref.modules);
  });
});

describe("state_dict", () => {
  it("round-trips through load_state_dict", () => {
    torch.manual_seed(1);
    const a = new Net();
    torch.manual_seed(2);
    const b = new Net();
    expect(vals(b.block.fc.weight)).not.toEqual(vals(a.block.fc.weight));
    const res = b.load_state_dict(a.state_dict());
    expect(res).toEqual({ missing_keys: [], unexpected_keys: [] });
    for (const [k, v] of a.state_dict()) expect(vals(b.state_dict().get(k)!)).toEqual(vals(v));
    // the loaded values are copies: a's tensors stay independent
    a.block.fc.weight.data.mul_(0);
    expect(vals(b.block.fc.weight).some((x) => x !== 0)).toBe(true);
  });

  it("detaches entries unless keep_vars", () => {
    const lin = new nn.Linear(2, 2);
    expect(lin.state_dict().get("weight")!.requires_grad).toBe(false);
    expect(lin.state_dict({ keep_vars: true }).get("weight")).toBe(lin.weight);
  });

  it("reports missing and unexpected keys (strict) as PyTorch", () => {
    const lin = new nn.Linear(2, 2);
    const sd = lin.state_dict();
    sd.delete("bias");
    sd.set("extra", torch.zeros(1));
    expect(() => lin.load_state_dict(sd)).toThrow(
      'Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias". \n\tUnexpected key(s) in state_dict: "extra". ',
    );
    expect(lin.load_state_dict(sd, false)).toEqual({ missing_keys: ["bias"], unexpected_keys: ["extra"] });
  });

  it.skipIf(!hasTorch)("matches PyTorch's strict-loading messages", () => {
    const ref = runTorch<{ keys: string; shape: string }>(`
lin = torch.nn.Linear(2, 2)
sd = lin.state_dict(); del sd["bias"]; sd["extra"] = torch.zeros(1)
out = {}
try: lin.load_state_dict(sd)
except RuntimeError as e: out["keys"] = str(e)
sd = torch.nn.Linear(3, 2).state_dict()
try: lin.load_state_dict(sd)
except RuntimeError as e: out["shape"] = str(e)
print(json.dumps(out))
`);
    const lin = new nn.Linear(2, 2);
    const sd = lin.state_dict();
    sd.delete("bias");
    sd.set("extra", torch.zeros(1));
    expect(() => lin.load_state_dict(sd)).toThrow(ref.keys);
    expect(() => lin.load_state_dict(new nn.Linear(3, 2).state_dict())).toThrow(ref.shape);
  });
});

describe("modes and bulk operations", () => {
  it("train / eval reach every submodule", () => {
    const net = new Net();
    expect(net.modules().every((m: Module) => m.training)).toBe(true);
    net.eval();
    expect(net.modules().every((m: Module) => !m.training)).toBe(true);
    net.train();
    expect(net.block.bn.training).toBe(true);
  });

  it("zero_grad zeroes gradients (PyTorch 1.13 default) or drops them", () => {
    const lin = new nn.Linear(3, 2);
    lin.weight.grad = torch.ones(2, 3);
    lin.zero_grad();
    expect(vals(lin.weight.grad!)).toEqual([0, 0, 0, 0, 0, 0]);
    lin.zero_grad(true);
    expect(lin.weight.grad).toBeNull();
  });

  it("apply visits children before the module itself, as PyTorch", () => {
    const net = new Net();
    const order: string[] = [];
    net.apply((m) => void order.push(m._name()));
    expect(order).toEqual(["Linear", "Linear", "BatchNorm1d", "Block", "ReLU", "Linear", "Sequential", "Net"]);
  });

  it("apply can re-initialise weights", () => {
    const net = new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 1));
    net.apply((m) => {
      if (m instanceof nn.Linear) torch.nn.init.constant_(m.weight, 0.25);
    });
    expect(vals((net.at(1) as InstanceType<typeof nn.Linear>).weight)).toEqual([0.25, 0.25]);
  });

  it("to(float64) / double() converts floating parameters and buffers only", () => {
    const net = new Net().double();
    expect(net.parameters().every((p: Tensor) => p.dtype === torch.float64)).toBe(true);
    expect(net.block.bn.running_mean!.dtype).toBe(torch.float64);
    expect(net.block.bn.num_batches_tracked!.dtype).toBe(torch.int64);
    expect(net.block.fc.weight).toBeInstanceOf(nn.Parameter);
    expect(net.block.fc.weight.requires_grad).toBe(true);
    net.float();
    expect(net.block.fc.weight.dtype).toBe(torch.float32);
  });

  it("requires_grad_(false) freezes every parameter", () => {
    const net = new Net().requires_grad_(false);
    expect(net.parameters().some((p: Tensor) => p.requires_grad)).toBe(false);
  });
});

describe.skipIf(!hasTorch)("printing a custom model", () => {
  it("String(model) equals print(model)", () => {
    const ref = runTorch<string>(`${NET_PY}
print(json.dumps(repr(Net())))
`);
    expect(String(new Net())).toBe(ref);
  });
});
