# lenet5: PyTorch code written by `convcalc export` from the spec's layers.
# input 1×32×32 -> output 10 (channels first, batch left out)
# params 61,706 (trainable 61,706, non-trainable 0) · MACs 416,520 · FLOPs 833,040
# every spec layer is the submodule of its name: dict(model.named_modules())['<spec name>']

import torch
from torch import nn
from torch.nn import functional as F


class Lenet5(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv2d_1 = nn.Conv2d(1, 6, kernel_size=5, stride=1, padding=0, dilation=1, groups=1, bias=True)
        self.tanh_1 = nn.Tanh()
        self.avgpool2d_1 = nn.AvgPool2d(kernel_size=2, stride=2, padding=0, ceil_mode=False, count_include_pad=True)
        self.conv2d_2 = nn.Conv2d(6, 16, kernel_size=5, stride=1, padding=0, dilation=1, groups=1, bias=True)
        self.tanh_2 = nn.Tanh()
        self.avgpool2d_2 = nn.AvgPool2d(kernel_size=2, stride=2, padding=0, ceil_mode=False, count_include_pad=True)
        self.conv2d_3 = nn.Conv2d(16, 120, kernel_size=5, stride=1, padding=0, dilation=1, groups=1, bias=True)
        self.tanh_3 = nn.Tanh()
        self.flatten_1 = nn.Flatten()
        self.dense_1 = nn.Linear(120, 84, bias=True)
        self.tanh_4 = nn.Tanh()
        self.dense_2 = nn.Linear(84, 10, bias=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        conv2d_1 = self.conv2d_1(x)
        tanh_1 = self.tanh_1(conv2d_1)
        avgpool2d_1 = self.avgpool2d_1(tanh_1)
        conv2d_2 = self.conv2d_2(avgpool2d_1)
        tanh_2 = self.tanh_2(conv2d_2)
        avgpool2d_2 = self.avgpool2d_2(tanh_2)
        conv2d_3 = self.conv2d_3(avgpool2d_2)
        tanh_3 = self.tanh_3(conv2d_3)
        flatten_1 = self.flatten_1(tanh_3)
        dense_1 = self.dense_1(flatten_1)
        tanh_4 = self.tanh_4(dense_1)
        dense_2 = self.dense_2(tanh_4)
        return dense_2


INPUT_SHAPE = (1, 32, 32)  # channels first, batch left out


if __name__ == "__main__":
    model = Lenet5().eval()
    with torch.no_grad():
        out = model(torch.zeros(1, *INPUT_SHAPE))
    print("params", sum(p.numel() for p in model.parameters()))
    print("output", *(tuple(t.shape[1:]) for t in (out if isinstance(out, tuple) else (out,))))
