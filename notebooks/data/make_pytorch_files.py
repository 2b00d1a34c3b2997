# Writes the PyTorch-side files notebooks/07_from_pytorch.ipynb loads: run with Debian's
# python3-torch (PyTorch 1.13):  cd notebooks/data && /usr/bin/python3 make_pytorch_files.py
import torch


class MyDecisionGate(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x
        else:
            return -x


class MyCell(torch.nn.Module):
    def __init__(self, dg):
        super().__init__()
        self.dg = dg
        self.linear = torch.nn.Linear(4, 4)

    def forward(self, x, h):
        new_h = torch.tanh(self.dg(self.linear(x)) + h)
        return new_h, new_h


class MyRNNLoop(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = torch.jit.trace(MyCell(torch.jit.script(MyDecisionGate())), (torch.rand(3, 4), torch.rand(3, 4)))

    def forward(self, xs):
        h, y = torch.zeros(3, 4), torch.zeros(3, 4)
        for i in range(xs.size(0)):
            y, h = self.cell(xs[i], h)
        return y, h


torch.manual_seed(42)
rnn_loop = torch.jit.script(MyRNNLoop())
rnn_loop.save("rnn_loop_pytorch.pt")
xs = torch.rand(10, 3, 4)
y, h = rnn_loop(xs)

cell = MyCell(MyDecisionGate())
torch.save(cell.state_dict(), "my_cell_state.pt")
x, h0 = torch.rand(3, 4), torch.rand(3, 4)
cell_out, _ = cell(x, h0)

# inputs and PyTorch's outputs, for the notebook to compare against
torch.save({"xs": xs, "y": y.detach(), "h": h.detach(), "x": x, "h0": h0, "cell_out": cell_out.detach()}, "pytorch_io.pt")
print("wrote rnn_loop_pytorch.pt, my_cell_state.pt, pytorch_io.pt")
