"""The small modules a generated PyTorch file defines when it uses them: operations torch.nn
has no class for, written so that every spec layer is a submodule (and can be hooked)."""

HELPERS = {
    "Add": '''
class Add(nn.Module):
    """The element-wise sum of its inputs (a residual connection); size-1 axes broadcast."""

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = out + x
        return out
''',
    "Multiply": '''
class Multiply(nn.Module):
    """The element-wise product of its inputs (a squeeze-excitation gate); size-1 axes broadcast."""

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = out * x
        return out
''',
    "Concat": '''
class Concat(nn.Module):
    """torch.cat of its inputs along `dim` (1: the channels)."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return torch.cat(inputs, dim=self.dim)
''',
    "Split": '''
class Split(nn.Module):
    """torch.split into sections of the given sizes: a tuple, one tensor per section."""

    def __init__(self, sizes: tuple[int, ...], dim: int) -> None:
        super().__init__()
        self.sizes, self.dim = list(sizes), dim

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, ...]:
        parts = torch.split(x, self.sizes, dim=self.dim)
        return parts if len(parts) > 1 else parts[0]  # one section: the layer's one output
''',
    "Chunk": '''
class Chunk(nn.Module):
    """torch.chunk into `chunks` parts of ceil(size / chunks), the last smaller."""

    def __init__(self, chunks: int, dim: int) -> None:
        super().__init__()
        self.chunks, self.dim = chunks, dim

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, ...]:
        parts = torch.chunk(x, self.chunks, dim=self.dim)
        return parts if len(parts) > 1 else parts[0]  # one chunk: the layer's one output
''',
    "Reshape": '''
class Reshape(nn.Module):
    """x.reshape(batch, *shape): one -1 is worked out from the count."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)
''',
    "ChannelShuffle": '''
class ChannelShuffle(nn.Module):
    """ShuffleNet's channel shuffle as torchvision writes it (reshape, transpose, reshape), which
    every exporter reads; the same values as nn.ChannelShuffle."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, *rest = x.shape
        x = x.reshape(n, self.groups, c // self.groups, *rest).transpose(1, 2)
        return x.reshape(n, c, *rest)
''',
    "Permute": '''
class Permute(nn.Module):
    """x.permute(*dims), the batch axis 0 first."""

    def __init__(self, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.dims = tuple(dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(*self.dims)
''',
    "LayerNorm2d": '''
class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels at every position (torchvision's ConvNeXt LayerNorm2d, any
    rank): channels moved last, normalised, moved back."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = x.ndim - 1  # axes by their positive numbers: ONNX's Transpose refuses a -1
        x = x.permute(0, *range(2, x.ndim), 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, last, *range(1, last))
''',
    "LayerScale": '''
class LayerScale(nn.Module):
    """A learned factor per channel (ConvNeXt's layer scale), shaped to broadcast: (C, 1, 1)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(shape))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight
''',
    "StochasticDepth": '''
class StochasticDepth(nn.Module):
    """torchvision.ops.StochasticDepth: while training, drops the whole input per sample
    ("row") or per batch with probability p and scales the rest; at inference, the input."""

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p, self.mode = p, mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        size = [x.shape[0]] + [1] * (x.ndim - 1) if self.mode == "row" else [1] * x.ndim
        keep = torch.empty(size, dtype=x.dtype, device=x.device).bernoulli_(1.0 - self.p)
        return x * keep.div_(1.0 - self.p)
''',
}
