import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../src/index.js";
import { hasTorch, runTorch } from "../support/pytorch.js";

const { nn } = torch;
type Module = InstanceType<typeof nn.Module>;

class AddOne extends nn.Module {
  override forward(x: Tensor): Tensor {
    return x.add(1);
  }
}
class Twice extends nn.Module {
  override forward(x: Tensor): Tensor {
    return x.mul(2);
  }
}

describe("Sequential", () => {
  it("chains its children in order", () => {
    const seq = new nn.Sequential(new AddOne(), new Twice());
    expect(Array.from((seq(torch.tensor([1.5])) as Tensor).contiguousData())).toEqual([5]);
  });

  it("indexes, iterates, appends, inserts and deletes like PyTorch", () => {
    const a = new AddOne(), b = new Twice(), c = new nn.ReLU();
    const seq = new nn.Sequential(a, b);
    expect(seq.length).toBe(2);
    expect(seq.at(0)).toBe(a);
    expect(seq.get(-1)).toBe(b);
    expect(seq[1]).toBe(b);
    expect([...seq]).toEqual([a, b]);
    seq.append(c);
    expect(seq.named_children().map(([n]) => n)).toEqual(["0", "1", "2"]);
    seq.insert(1, new nn.Identity());
    expect(seq.at(1)).toBeInstanceOf(nn.Identity);
    expect(seq.at(2)).toBe(b);
    seq.delete(1);
    expect([...seq]).toEqual([a, b, c]);
    expect(seq.named_children().map(([n]) => n)).toEqual(["0", "1", "2"]);
    expect(seq.pop(0)).toBe(a);
    expect(seq.named_children()).toEqual([["0", b], ["1", c]]);
    seq.set(0, a);
    expect(seq.at(0)).toBe(a);
    const sliced = seq.slice(1);
    expect(sliced).toBeInstanceOf(nn.Sequential);
    expect(sliced.named_children()).toEqual([["1", c]]);
    expect(seq.extend([b]).length).toBe(3);
  });

  it("raises PyTorch's index errors", () => {
    const seq = new nn.Sequential(new AddOne());
    expect(() => seq.at(1)).toThrow("index 1 is out of range");
    expect(() => seq.at(-2)).toThrow("index -2 is out of range");
    expect(() => seq.insert(3, new AddOne())).toThrow("Index out of range: 3");
  });

  it("keeps the names of a Map (PyTorch's OrderedDict form), integer-like ones included", () => {
    const seq = new nn.Sequential(new Map<string, Module>([["fc", new nn.Linear(2, 2)], ["1", new nn.ReLU()], ["out", new nn.Linear(2, 1)]]));
    expect(seq.named_children().map(([n]) => n)).toEqual(["fc", "1", "out"]);
    expect([...seq.state_dict().keys()]).toEqual(["fc.weight", "fc.bias", "out.weight", "out.bias"]);
    expect((seq.at(1) as Module)._name()).toBe("ReLU");
  });

  it("rejects what add_module rejects", () => {
    const seq = new nn.Sequential();
    expect(() => seq.add_module("a.b", new AddOne())).toThrow(`module name can't contain ".", got: a.b`);
    expect(() => seq.add_module("", new AddOne())).toThrow(`module name can't be empty string ""`);
    expect(() => seq.add_module("training", new AddOne())).toThrow("attribute 'training' already exists");
    expect(() => seq.add_module("x", 3 as unknown as Module)).toThrow("int is not a Module subclass");
  });
});

describe("ModuleList", () => {
  it("holds registered modules with list operations", () => {
    const l1 = new nn.Linear(2, 2), l2 = new nn.Linear(2, 3), l3 = new nn.Linear(3, 1);
    const list = new nn.ModuleList([l1, l2]);
    expect(list.length).toBe(2);
    list.append(l3);
    expect(list.at(-1)).toBe(l3);
    list.insert(0, new nn.ReLU());
    expect(list.named_children().map(([n, m]) => `${n}:${m._name()}`)).toEqual(["0:ReLU", "1:Linear", "2:Linear", "3:Linear"]);
    expect(list.parameters().length).toBe(6);
    list.delete(0);
    expect([...list]).toEqual([l1, l2, l3]);
    list.extend([new nn.Tanh()]);
    expect(list.get(3)).toBeInstanceOf(nn.Tanh);
    expect(list.pop()._name()).toBe("Tanh");
    expect([...list.state_dict().keys()]).toEqual(["0.weight", "0.bias", "1.weight", "1.bias", "2.weight", "2.bias"]);
  });

  it("has no forward, as PyTorch", () => {
    expect(() => new nn.ModuleList([new AddOne()])(torch.zeros(1))).toThrow(
      'Module [ModuleList] is missing the required "forward" function',
    );
  });

  it("extend requires an iterable", () => {
    expect(() => new nn.ModuleList().extend(5 as unknown as Module[])).toThrow(
      "ModuleList.extend should be called with an iterable, but got int",
    );
  });
});

describe("ModuleDict", () => {
  it("keeps insertion order, even for integer-like keys", () => {
    const d = new nn.ModuleDict([["b", new AddOne()], ["1", new Twice()], ["a", new nn.ReLU()], ["0", new nn.Tanh()]]);
    expect(d.keys()).toEqual(["b", "1", "a", "0"]);
    expect(d.named_children().map(([n]) => n)).toEqual(["b", "1", "a", "0"]);
    expect([...d]).toEqual(["b", "1", "a", "0"]);
    expect(d.values().map((m: Module) => m._name())).toEqual(["AddOne", "Twice", "ReLU", "Tanh"]);
    expect(String(d)).toBe("ModuleDict(\n  (b): AddOne()\n  (1): Twice()\n  (a): ReLU()\n  (0): Tanh()\n)");
  });

  it("supports get / set / has / delete / pop / items / update / clear", () => {
    const d = new nn.ModuleDict({ relu: new nn.ReLU() });
    d.set("lin", new nn.Linear(2, 2));
    expect(d.has("lin")).toBe(true);
    expect(d.get("relu")).toBeInstanceOf(nn.ReLU);
    expect(d.items().map(([k]) => k)).toEqual(["relu", "lin"]);
    expect([...d.state_dict().keys()]).toEqual(["lin.weight", "lin.bias"]);
    d.update(new Map([["relu", new nn.Tanh()], ["z", new AddOne()]]));
    expect(d.keys()).toEqual(["relu", "lin", "z"]);
    expect(d.get("relu")).toBeInstanceOf(nn.Tanh);
    expect(d.pop("lin")).toBeInstanceOf(nn.Linear);
    d.delete("z");
    expect(d.length).toBe(1);
    expect(() => d.get("nope")).toThrow("'nope'");
    d.clear();
    expect(d.length).toBe(0);
    expect(d.parameters()).toEqual([]);
  });

  it("rejects keys that shadow attributes, as PyTorch", () => {
    expect(() => new nn.ModuleDict({ forward: new AddOne() })).toThrow("attribute 'forward' already exists");
    expect(() => new nn.ModuleDict([["x", new AddOne(), new AddOne()]] as unknown as [string, Module][])).toThrow(
      "ModuleDict update sequence element #0 has length 3; 2 is required",
    );
  });
});

describe.skipIf(!hasTorch)("container printing and names against PyTorch", () => {
  it("prints nested containers as PyTorch", () => {
    const ref = runTorch<string[]>(`
import torch.nn as nn
from collections import OrderedDict
a = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Sequential(nn.Linear(8, 2), nn.Tanh()))
b = nn.ModuleList([nn.Linear(2, 2), nn.Dropout(0.1)])
c = nn.ModuleDict(OrderedDict([("b", nn.ReLU()), ("1", nn.Sigmoid())]))
d = nn.Sequential()
e = nn.Sequential(OrderedDict([("conv", nn.Conv2d(1, 2, 3)), ("act", nn.ReLU())]))
print(json.dumps([repr(m) for m in (a, b, c, d, e)] + [list(a.state_dict().keys()), list(b.state_dict().keys())]))
`);
    const a = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Sequential(new nn.Linear(8, 2), new nn.Tanh()));
    const b = new nn.ModuleList([new nn.Linear(2, 2), new nn.Dropout(0.1)]);
    const c = new nn.ModuleDict([["b", new nn.ReLU()], ["1", new nn.Sigmoid()]]);
    const d = new nn.Sequential();
    const e = new nn.Sequential(new Map<string, Module>([["conv", new nn.Conv2d(1, 2, 3)], ["act", new nn.ReLU()]]));
    expect([a, b, c, d, e].map(String)).toEqual(ref.slice(0, 5));
    expect([...a.state_dict().keys()]).toEqual(ref[5]);
    expect([...b.state_dict().keys()]).toEqual(ref[6]);
  });
});
