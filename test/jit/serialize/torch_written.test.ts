/**
 * Archives PyTorch writes during the test run (not only the shared corpus) load in tsjit and
 * give PyTorch's outputs: every storage dtype with views sharing storage, a script class, a
 * NamedTuple, an enum, forward hooks, __getstate__/__setstate__, scripted nn.LSTM / nn.GRU
 * (overloaded forward__0 / forward__1, padded and packed), map_location, _extra_files.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import type { ScriptModule } from "../../../src/jit/script_module.js";
import { load } from "../../../src/jit/serialize/jit_load.js";
import { save } from "../../../src/jit/serialize/jit_save.js";
import { hasTorch } from "../../support/pytorch.js";
import { decodeValue, difference, runTorchFile, type Encoded } from "./values.js";

const dir = mkdtempSync(join(tmpdir(), "tsjit-torchwritten-"));



/** Saves the module PyTorch builds in `body` (as `m`) and returns its outputs for `calls`. */
function torchArchive(name: string, body: string, calls: string): { path: string; outputs: Encoded[]; inputs: Encoded[][] } {
  const path = join(dir, `${name}.pt`);
  const out = runTorchFile<{ outputs: Encoded[]; inputs: Encoded[][] }>(dir, name, `
from typing import List, Dict, Tuple, Optional, NamedTuple
from enum import Enum
torch.manual_seed(0)
${body}
torch.jit.save(m, ${JSON.stringify(path)}, _extra_files={"note.txt": "hello"})
calls = ${calls}
loaded = torch.jit.load(${JSON.stringify(path)})  # outputs of the loaded archive (__setstate__ has run)
outputs = []
for args in calls:
    outputs.append(enc(loaded(*args)))
print(json.dumps({"outputs": outputs, "inputs": [[enc(a) for a in args] for args in calls]}))
`);
  return { path, ...out };
}

/**
 * Loads PyTorch's archive and checks our outputs; then re-saves it with tsjit and checks that
 * PyTorch's torch.jit.load of our archive gives the outputs PyTorch's own archive gave.
 */
function expectSame(name: string, body: string, calls: string): ScriptModule {
  const { path, outputs, inputs } = torchArchive(name, body, calls);
  const m = load(path);
  inputs.forEach((args, i) => {
    expect(difference((m as unknown as (...a: unknown[]) => unknown)(...args.map(decodeValue)), outputs[i]!), `${name} call ${i}`).toBeNull();
  });
  const resaved = join(dir, `${name}_resaved.pt`);
  save(m, resaved);
  // PyTorch's own load → save → load of its archive is the reference (__setstate__ runs each load)
  const again = runTorchFile<{ ours: Encoded[]; theirs: Encoded[] }>(dir, `${name}_resaved`, `
import io
from typing import NamedTuple
ours = torch.jit.load(${JSON.stringify(resaved)})
buf = io.BytesIO()
torch.jit.save(torch.jit.load(${JSON.stringify(path)}), buf)
buf.seek(0)
theirs = torch.jit.load(buf)
calls = ${calls}
print(json.dumps({"ours": [enc(ours(*args)) for args in calls], "theirs": [enc(theirs(*args)) for args in calls]}))
`);
  expect(again.ours).toEqual(again.theirs);
  return m;
}

describe.skipIf(!hasTorch)("archives PyTorch writes at test time", () => {
  it("every storage dtype, views sharing a storage, offsets and strides", () => {
    const m = expectSame("dtypes_views", `
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        base = torch.arange(12, dtype=torch.float32).view(3, 4)
        self.register_buffer("base", base)
        self.register_buffer("col", base[:, 1])
        self.register_buffer("tr", base.t())
        self.register_buffer("f64", torch.tensor([1.5, -2.25], dtype=torch.float64))
        self.register_buffer("f16", torch.tensor([1.5, -2.25], dtype=torch.float16))
        self.register_buffer("bf16", torch.tensor([1.5, -2.25], dtype=torch.bfloat16))
        self.register_buffer("i64", torch.tensor([2**40, -3]))
        self.register_buffer("i32", torch.tensor([7, -8], dtype=torch.int32))
        self.register_buffer("i16", torch.tensor([7, -8], dtype=torch.int16))
        self.register_buffer("i8", torch.tensor([7, -8], dtype=torch.int8))
        self.register_buffer("u8", torch.tensor([7, 200], dtype=torch.uint8))
        self.register_buffer("b", torch.tensor([True, False]))
        self.register_buffer("empty", torch.zeros(0, 2))
    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        return (self.base + x, self.col, self.tr, self.f64, self.f16, self.bf16, self.i64, self.i32, self.i16, self.i8, self.u8, self.b, self.empty)
m = torch.jit.script(M())
`, "[(torch.ones(3, 4),)]");
    const attr = (n: string) => m.getAttr(n) as torch.Tensor;
    expect(attr("col").storage).toBe(attr("base").storage);
    expect(attr("tr").storage).toBe(attr("base").storage);
    expect([attr("col").offset, attr("col")._strides, attr("tr")._strides]).toEqual([1, [4], [1, 4]]);
  });

  it("a script class, a NamedTuple and a dict/list attribute", () => {
    expectSame("classes", `
class Out(NamedTuple):
    total: torch.Tensor
    count: int
@torch.jit.script
class Pair:
    def __init__(self, a: torch.Tensor, b: torch.Tensor):
        self.a = a
        self.b = b
    def total(self) -> torch.Tensor:
        return self.a + self.b
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.pair = Pair(torch.ones(2), torch.full((2,), 3.0))
        self.table: Dict[str, int] = {"a": 1, "b": 2}
        self.sizes: List[int] = [3, 4]
    def forward(self, x: torch.Tensor) -> Out:
        return Out(self.pair.total() + x, self.table["b"] + self.sizes[1])
m = torch.jit.script(M())
`, "[(torch.ones(2),)]");
  });

  it("forward hooks and __getstate__/__setstate__", () => {
    expectSame("hooks_state", `
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.k = 3
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.k
    @torch.jit.export
    def __getstate__(self) -> Tuple[int, bool]:
        return (self.k, self.training)
    @torch.jit.export
    def __setstate__(self, state: Tuple[int, bool]) -> None:
        self.k = state[0] + 1
        self.training = state[1]
def pre(mod: torch.nn.Module, inp: Tuple[torch.Tensor]) -> Tuple[torch.Tensor]:
    return (inp[0] + 1,)
mod = M()
mod.register_forward_pre_hook(pre)
m = torch.jit.script(mod)
`, "[(torch.ones(2),)]");
  });

  it("an interface-typed submodule and a forward hook", () => {
    expectSame("interface_hook", `
@torch.jit.interface
class OneOp(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pass
class DoubleIt(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * 2
class M(torch.nn.Module):
    sub: OneOp
    def __init__(self):
        super().__init__()
        self.sub = DoubleIt()
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.sub(x) + 1
def post(mod: torch.nn.Module, inp: Tuple[torch.Tensor], out: torch.Tensor) -> torch.Tensor:
    return out - 1
mod = M()
mod.register_forward_hook(post)
m = torch.jit.script(mod)
`, "[(torch.ones(2),)]");
  });

  it("an enum attribute compared and read in forward", () => {
    expectSame("enum_attribute", `
class Color(Enum):
    RED = 1
    GREEN = 2
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.color = Color.GREEN
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.color == Color.GREEN:
            x = x + self.color.value
        return x
m = torch.jit.script(M())
`, "[(torch.ones(2),)]");
  });

  // nn.LSTM / nn.GRU script to overloaded methods (forward__0 padded, forward__1 PackedSequence)
  // calling aten::lstm.input / .data with the module's _flat_weights list
  it("a scripted nn.LSTM (overloaded forward__0, no forward)", () => {
    expectSame("lstm", `
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(3, 4)
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(x)
        return out
m = torch.jit.script(M())
`, "[(torch.ones(2, 1, 3),), (torch.randn(4, 2, 3),)]");
  });

  it("a scripted nn.GRU with an initial state", () => {
    expectSame("gru", `
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(3, 4)
    def forward(self, x: torch.Tensor, h: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.gru(x, h)
m = torch.jit.script(M())
`, "[(torch.randn(5, 2, 3), torch.randn(1, 2, 4)), (torch.randn(3, 3), torch.randn(1, 4))]");
  });

  it("a scripted 2-layer bidirectional nn.LSTM with batch_first=True", () => {
    expectSame("lstm_bidirectional", `
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, Tuple[torch.Tensor, torch.Tensor]]:
        return self.lstm(x)
m = torch.jit.script(M())
`, "[(torch.randn(2, 5, 3),), (torch.randn(4, 3),)]");
  });

  it("a scripted bidirectional nn.LSTM on a PackedSequence (forward__1, aten::lstm.data)", () => {
    // batch sizes 3, 3, 2, 1: sequences of lengths 4, 3, 2 packed, so both directions change batch
    expectSame("lstm_packed", `
from torch.nn.utils.rnn import PackedSequence
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    def forward(self, data: torch.Tensor, batch_sizes: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        out, (h, c) = self.lstm(PackedSequence(data, batch_sizes, None, None))
        return out.data, h, c
m = torch.jit.script(M())
`, "[(torch.randn(9, 3), torch.tensor([3, 3, 2, 1])), (torch.randn(2, 3), torch.tensor([2]))]");
  });

  it("map_location and _extra_files", () => {
    const { path } = torchArchive("extra", "m = torch.jit.script(torch.nn.Linear(2, 2))", "[(torch.ones(2),)]");
    const extra = new Map([["note.txt", ""]]);
    const m = load(path, { map_location: "cpu", _extra_files: extra });
    expect(extra.get("note.txt")).toBe("hello");
    expect((m(torch.ones([2])) as torch.Tensor).shape).toEqual([2]);
  });
});
