"""convcalc layer arguments → the `torch.nn` module PyTorch users would write for them.

This is the oracle's side: shapes and parameter counts come from running these modules, never
from convcalc's formulas. Configurations that only Keras defines (`same` with stride > 1,
`causal`, transposed `valid`/`same`) raise KerasOnly and are checked against Keras instead.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class KerasOnly(Exception):
    """PyTorch has no layer with these semantics."""


# Registered types with no torch.nn module of their own, and where the oracle checks them
# instead (tests/oracle/test_registry.py holds every other type to a mapping in torch_module).
MERGES = ("add", "multiply", "concat")  # built as tensor operations by TorchNetwork
KERAS_ONLY: dict[str, str] = {}


class Sections(nn.Module):
    """torch.split or torch.chunk as a module: its forward returns the tuple they return."""

    def __init__(self, cut) -> None:
        super().__init__()
        self.cut = cut

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return self.cut(x)


def sections(type_: str, args: dict) -> Sections:
    """convcalc's `axis` counts the non-batch axes from 0; PyTorch's `dim` counts the batch too."""
    dim = args.get("axis", 0) + 1
    if type_ == "split":
        return Sections(lambda x: torch.split(x, list(args["sizes"]), dim=dim))
    return Sections(lambda x: torch.chunk(x, args["chunks"], dim=dim))
class LayerNorm2d(nn.LayerNorm):
    """torchvision.models.convnext.LayerNorm2d (channels moved last, normalised, moved back),
    for any rank: torchvision is not a dependency of the oracle extra."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.movedim(x, 1, -1)
        x = nn.functional.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return torch.movedim(x, -1, 1)


class LayerScale(nn.Module):
    """torchvision's CNBlock `layer_scale`: a parameter of shape (C, 1, 1) multiplying the input."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(shape))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight


class StochasticDepth(nn.Module):
    """torchvision.ops.StochasticDepth, as torchvision writes it: at inference (or p = 0) the
    input itself; while training a Bernoulli(1 − p) mask per sample (row) or batch, scaled."""

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p, self.mode = p, mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        size = [x.shape[0]] + [1] * (x.ndim - 1) if self.mode == "row" else [1] * x.ndim
        noise = torch.empty(size, dtype=x.dtype).bernoulli_(1.0 - self.p)
        return x * noise.div_(1.0 - self.p)


ACTIVATIONS = {
    "relu": lambda a: nn.ReLU(),
    "relu6": lambda a: nn.ReLU6(),
    "leaky_relu": lambda a: nn.LeakyReLU(a.get("negative_slope", 0.01)),
    "elu": lambda a: nn.ELU(a.get("alpha", 1.0)),
    "gelu": lambda a: nn.GELU(),
    "silu": lambda a: nn.SiLU(),
    "sigmoid": lambda a: nn.Sigmoid(),
    "tanh": lambda a: nn.Tanh(),
    "softmax": lambda a: nn.Softmax(dim=1),
    "dropout": lambda a: nn.Dropout(a.get("rate", 0.5)),
    "hardsigmoid": lambda a: nn.Hardsigmoid(),
    "hardswish": lambda a: nn.Hardswish(),
    "mish": lambda a: nn.Mish(),
    "identity": lambda a: nn.Identity(),
    "prelu": lambda a: nn.PReLU(a.get("num_parameters", 1)),
    "stochastic_depth": lambda a: StochasticDepth(a.get("rate", 0.5), a.get("mode", "row")),
}


# Keras' function names (the `activation` layer type and `activation:` argument) → torch.nn
KERAS_FUNCTIONS = {
    "linear": nn.Identity, "relu": nn.ReLU, "relu6": nn.ReLU6, "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "elu": nn.ELU, "gelu": nn.GELU, "silu": nn.SiLU, "swish": nn.SiLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh,
    "softmax": lambda: nn.Softmax(dim=1), "hard_sigmoid": nn.Hardsigmoid, "hard_silu": nn.Hardswish,
    "hard_swish": nn.Hardswish, "mish": nn.Mish,
}


def _conv_padding(args: dict, dims: int):
    padding = args.get("padding", 0)
    if padding == "causal" or (padding == "same" and any(s != 1 for s in _tuple(args.get("stride", 1), dims))):
        raise KerasOnly(padding)
    return padding


def _tuple(value, dims: int) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,) * dims


def _layernorm(args: dict, c: int, rank: int) -> nn.Module:
    affine, bias = args.get("elementwise_affine", True), args.get("bias", True)
    if args.get("normalized_shape") is None:
        return LayerNorm2d(c, args.get("eps", 1e-5), affine, bias)
    return nn.LayerNorm(args["normalized_shape"], args.get("eps", 1e-5), affine, bias)


def _instancenorm(args: dict, c: int, rank: int) -> nn.Module:
    if rank == 0:  # InstanceNorm1d would read [C] as one unbatched channel of length C
        raise ValueError("instance normalisation needs spatial axes")
    return getattr(nn, f"InstanceNorm{rank}d")(c, args.get("eps", 1e-5), args.get("momentum", 0.1),
                                                args.get("affine", False), args.get("track_running_stats", False)).eval()


NORMS = {
    "layernorm": _layernorm,
    "groupnorm": lambda a, c, rank: nn.GroupNorm(a["num_groups"], c, a.get("eps", 1e-5), a.get("affine", True)),
    "instancenorm": _instancenorm,
    "scale": lambda a, c, rank: LayerScale((c, *(1,) * rank)),
}


def torch_module(type_: str, args: dict, input_shape: tuple[int, ...]) -> nn.Module:
    """The module for one layer; PyTorch's own errors propagate (ValueError, RuntimeError)."""
    c = input_shape[0]
    rank = len(input_shape) - 1
    if type_ in ACTIVATIONS:
        return ACTIVATIONS[type_](args)
    if type_ == "activation":
        return KERAS_FUNCTIONS[args["activation"]]()
    if type_.startswith("conv_transpose"):
        dims = int(type_[-2])
        if isinstance(args.get("padding", 0), str):
            raise KerasOnly("transposed valid/same")
        cls = getattr(nn, f"ConvTranspose{dims}d")
        return cls(c, args["filters"], args["kernel_size"], args.get("stride", 1), args.get("padding", 0),
                   args.get("output_padding") or 0, args.get("groups", 1), args.get("bias", True), args.get("dilation", 1))
    if type_ in ("conv1d", "conv2d", "conv3d"):
        dims = int(type_[-2])
        cls = getattr(nn, f"Conv{dims}d")
        return cls(c, args["filters"], args["kernel_size"], args.get("stride", 1), _conv_padding(args, dims),
                   args.get("dilation", 1), args.get("groups", 1), args.get("bias", True))
    if type_ == "depthwise_conv2d":
        m = args.get("depth_multiplier", 1)
        return nn.Conv2d(c, c * m, args["kernel_size"], args.get("stride", 1), _conv_padding(args, 2),
                         args.get("dilation", 1), groups=c, bias=args.get("bias", True))
    if type_ == "separable_conv2d":
        m = args.get("depth_multiplier", 1)
        return nn.Sequential(
            nn.Conv2d(c, c * m, args["kernel_size"], args.get("stride", 1), _conv_padding(args, 2),
                      args.get("dilation", 1), groups=c, bias=False),
            nn.Conv2d(c * m, args["filters"], 1, bias=args.get("bias", True)),
        )
    if type_[:7] in ("maxpool", "avgpool"):
        dims = int(type_[-2])
        padding = args.get("padding", 0)
        if padding == "same":
            raise KerasOnly("pool same")
        padding = 0 if padding == "valid" else padding
        k = args["pool_size"]
        stride = args.get("stride") or k
        if type_.startswith("max"):
            return getattr(nn, f"MaxPool{dims}d")(k, stride, padding, args.get("dilation", 1), ceil_mode=args.get("ceil_mode", False))
        return getattr(nn, f"AvgPool{dims}d")(k, stride, padding, args.get("ceil_mode", False), args.get("count_include_pad", True))
    if type_ in ("global_avgpool", "global_maxpool"):
        kind = "Avg" if type_ == "global_avgpool" else "Max"
        return nn.Sequential(getattr(nn, f"Adaptive{kind}Pool{rank}d")(1), nn.Flatten())
    if type_.startswith("adaptive_"):
        kind = "Avg" if "avg" in type_ else "Max"
        return getattr(nn, f"Adaptive{kind}Pool{type_[-2]}d")(args["output_size"])
    if type_ in ("split", "chunk"):
        return sections(type_, args)
    if type_ == "flatten":
        return nn.Flatten()
    if type_ == "dense":
        return nn.Linear(input_shape[-1], args["units"], args.get("bias", True))
    if type_ == "batchnorm":
        return getattr(nn, f"BatchNorm{max(rank, 1)}d")(c, eps=args.get("eps", 1e-5)).eval()
    if type_ in NORMS:
        return NORMS[type_](args, c, rank)
    if type_ == "lrn":
        return nn.LocalResponseNorm(args.get("size", 5), args.get("alpha", 1e-4), args.get("beta", 0.75), args.get("k", 1.0))
    if type_.startswith("zeropad"):
        return getattr(nn, f"ZeroPad{type_[-2]}d")(torch_pad_order(args.get("padding", 1), rank))
    if type_ in REARRANGE:
        return REARRANGE[type_](args, input_shape)
    raise KeyError(type_)


class Reshape(nn.Module):
    """`x.reshape(batch, *shape)`: PyTorch's own view rule, -1 included."""

    def __init__(self, shape) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


class Permute(nn.Module):
    """`x.permute(0, *dims)`: Keras' numbering (batch left out) gets the batch's 0 put first."""

    def __init__(self, dims) -> None:
        super().__init__()
        self.dims = tuple(dims) if dims and dims[0] == 0 else (0, *dims)

    def forward(self, x):
        return x.permute(*self.dims)


def _crop(args: dict, input_shape) -> nn.Module:
    """Keras' `cropping` as PyTorch writes it: a ZeroPad with negative padding."""
    if args.get("size") is not None:
        raise KerasOnly("a centre crop to `size`: Keras' CenterCrop is the oracle")
    rank = len(input_shape) - 1
    pads = torch_pad_order(args.get("cropping") or 0, rank)
    return getattr(nn, f"ZeroPad{rank}d")(tuple(-p for p in pads))


def _upsample(args: dict, input_shape) -> nn.Module:
    size, scale = args.get("size"), args.get("scale_factor")
    rank = len(input_shape) - 1
    return nn.Upsample(size=None if size is None else _tuple(size, rank),
                       scale_factor=None if size is not None else tuple(float(f) for f in _tuple(scale or 2, rank)),
                       mode=args.get("mode", "nearest"), align_corners=args.get("align_corners"))


def _keras_upsampling(args: dict, input_shape) -> nn.Module:
    """Keras on the torch backend: nearest repeats (an integer scale_factor), bilinear resizes to N·size."""
    rank = len(input_shape) - 1
    factors = _tuple(args.get("size", 2), rank)
    if args.get("interpolation", "nearest") == "nearest":
        return nn.Upsample(scale_factor=tuple(float(f) for f in factors), mode="nearest")
    return nn.Upsample(size=tuple(n * f for n, f in zip(input_shape[1:], factors)), mode="bilinear", align_corners=False)


REARRANGE = {
    "channel_shuffle": lambda a, shape: nn.ChannelShuffle(a["groups"]),
    "reshape": lambda a, shape: Reshape(a["shape"]),
    "permute": lambda a, shape: Permute(a["dims"]),
    "crop": _crop,
    "pixel_shuffle": lambda a, shape: nn.PixelShuffle(a["upscale_factor"]),
    "pixel_unshuffle": lambda a, shape: nn.PixelUnshuffle(a["downscale_factor"]),
    "upsample": _upsample,
    "upsampling": _keras_upsampling,
}


def torch_pad_order(padding, rank: int) -> tuple[int, ...]:
    """Per-axis (before, after), first axis first → PyTorch's F.pad order, last axis first."""
    if isinstance(padding, (list, tuple)) and padding and isinstance(padding[0], (list, tuple)):
        pairs = [tuple(p) for p in padding]
    else:
        pairs = [(p, p) for p in _tuple(padding, rank)]
    return tuple(v for pair in reversed(pairs) for v in pair)


def run_torch(type_: str, args: dict, input_shape: tuple[int, ...]) -> tuple[tuple, int]:
    """(output shape without the batch axis, trainable parameters) from a forward pass on zeros;
    for a module that returns several tensors, a tuple of their shapes (one: its shape)."""
    module = torch_module(type_, args, input_shape)
    with torch.no_grad():
        out = module(torch.zeros(1, *input_shape))
    shapes = tuple(tuple(o.shape[1:]) for o in outputs(out))
    return shapes[0] if len(shapes) == 1 else shapes, sum(p.numel() for p in module.parameters())


def outputs(out) -> tuple[torch.Tensor, ...]:
    """A module's result as a tuple of tensors: torch.split and torch.chunk give several."""
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


class TorchNetwork:
    """A convcalc Spec as torch.nn modules, built on the first forward from the tensors' own
    shapes (never from convcalc's) and reused after, so a benchmark times the forward alone."""

    def __init__(self, spec) -> None:
        self.spec = spec
        self.modules: dict[str, nn.Module] = {}
        self.output_shapes: dict[str, tuple[tuple[int, ...], ...]] = {}  # every output's, by layer

    def __call__(self, x: torch.Tensor) -> list[tuple[tuple[int, ...], int]]:
        """Output shape (without batch; a split's first) and parameter count per layer. A layer
        that gives several tensors names them `<name>.k`, as PyTorch indexes its tuple."""
        tensors = {"input": x}
        results = []
        with torch.no_grad():
            for layer in self.spec.layers:
                inputs = [tensors[n] for n in layer.inputs]
                if layer.type == "add":
                    out, params = sum(inputs[1:], inputs[0]), 0
                elif layer.type == "multiply":
                    out, params = math.prod(inputs[1:], start=inputs[0]), 0
                elif layer.type == "concat":
                    out, params = torch.cat(inputs, dim=1), 0
                else:
                    if layer.name not in self.modules:
                        self.modules[layer.name] = torch_module(layer.type, dict(layer.args), tuple(inputs[0].shape[1:])).eval()
                    module = self.modules[layer.name]
                    out, params = module(inputs[0]), sum(p.numel() for p in module.parameters())
                outs = outputs(out)
                tensors.update({layer.name: outs[0]} if len(outs) == 1 else
                               {f"{layer.name}.{k}": o for k, o in enumerate(outs)})
                self.output_shapes[layer.name] = tuple(tuple(o.shape[1:]) for o in outs)
                results.append((tuple(outs[0].shape[1:]), params))
        return results


def run_torch_network(spec) -> list[tuple[tuple[int, ...], int]]:
    """Every layer of a convcalc Spec built in torch.nn and run on zeros: (output shape, params)."""
    return TorchNetwork(spec)(torch.zeros(1, *spec.input_shape))


def weight_targets(module: nn.Module, type_: str) -> dict:
    """The module's tensor for each of the runner's weight names (None where it has none)."""
    if type_ == "separable_conv2d":
        return {"depthwise": module[0].weight, "pointwise": module[1].weight,
                "bias": module[1].bias if module[1].bias is not None else None}
    if type_ == "instancenorm":
        return {name: getattr(module, name) for name in ("weight", "bias", "running_mean", "running_var")}
    if type_ == "batchnorm":
        return {"scale": module.weight, "shift": module.bias,
                "running_mean": module.running_mean, "running_var": module.running_var}
    return {"weight": getattr(module, "weight", None), "bias": getattr(module, "bias", None)}


def load_weights(module: nn.Module, type_: str, weights: dict) -> None:
    """Copy the runner's arrays into the module, so both compute with identical weights."""
    targets = weight_targets(module, type_)
    with torch.no_grad():
        for name, array in weights.items():
            target = targets[name]
            assert tuple(target.shape) == array.shape, f"{type_} {name}: torch {tuple(target.shape)} vs runner {array.shape}"
            target.copy_(torch.from_numpy(array))
