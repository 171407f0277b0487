"""torchvision's classifiers as the oracle for the bundled specs, compared layer by layer by name.

The bundled specs name their layers as torchvision names its modules (`layer2.0.conv1`), so each
spec layer with weights is checked against the torchvision module of the same name: its
trainable parameters, its output shape (a forward hook on zeros) and, for convolutions and
linear layers, its MACs worked out from the module's own weight and output. A parameter held
directly by a container (ConvNeXt's `layer_scale`) is owned by `<container>.<parameter>`.

The PyPI torchvision wheel's compiled ops do not load with the CPU build of torch; the model
definitions only need the two operator schemas its meta registrations refer to, defined here
before the import. Run as a script to print a network's owners — a guide for writing a spec:

    python -m tests.oracle.torchvision_nets efficientnet_b0
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from math import prod

import torch
from torch import nn

_SCHEMAS = {"nms": "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
            "qnms": "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor"}


def _define_missing_ops() -> None:
    """Define torchvision::nms and ::qnms unless its compiled extension already did."""
    missing = [op for op in _SCHEMAS if not _has_schema(op)]
    if missing:
        library = torch.library.Library("torchvision", "DEF")
        for op in missing:
            library.define(_SCHEMAS[op])
        _LIBRARIES.append(library)  # a Library's definitions live as long as the object


def _has_schema(op: str) -> bool:
    try:
        torch._C._get_schema(f"torchvision::{op}", "")
        return True
    except RuntimeError:
        return False


_LIBRARIES: list = []
_define_missing_ops()

import torchvision.models as models  # noqa: E402


@dataclass(frozen=True, kw_only=True)
class TorchvisionNet:
    """A bundled spec and the torchvision constructor it must equal."""

    spec: str
    builder: str
    trainable: int  # torchvision's sum(p.numel()), written out: the figures
    size: int = 224
    kwargs: tuple[tuple[str, object], ...] = ()

    def build(self) -> nn.Module:
        return getattr(models, self.builder)(weights=None, **dict(self.kwargs)).eval()


NO_AUX = (("aux_logits", False), ("init_weights", False))
NETS = (
    TorchvisionNet(spec="resnet18", builder="resnet18", trainable=11_689_512),
    TorchvisionNet(spec="resnet50", builder="resnet50", trainable=25_557_032),
    TorchvisionNet(spec="resnext50_32x4d", builder="resnext50_32x4d", trainable=25_028_904),
    TorchvisionNet(spec="googlenet", builder="googlenet", trainable=6_624_904, kwargs=NO_AUX),
    TorchvisionNet(spec="inception_v3", builder="inception_v3", trainable=23_834_568, size=299, kwargs=NO_AUX),
    TorchvisionNet(spec="mobilenet_v2", builder="mobilenet_v2", trainable=3_504_872),
    TorchvisionNet(spec="mobilenet_v3_large", builder="mobilenet_v3_large", trainable=5_483_032),
    TorchvisionNet(spec="mobilenet_v3_small", builder="mobilenet_v3_small", trainable=2_542_856),
    TorchvisionNet(spec="efficientnet_b0", builder="efficientnet_b0", trainable=5_288_548),
    TorchvisionNet(spec="shufflenet_v2_x1_0", builder="shufflenet_v2_x1_0", trainable=2_278_604),
    TorchvisionNet(spec="convnext_tiny", builder="convnext_tiny", trainable=28_589_128),
    TorchvisionNet(spec="regnet_y_400mf", builder="regnet_y_400mf", trainable=4_344_144),
    TorchvisionNet(spec="densenet121", builder="densenet121", trainable=7_978_856),
    TorchvisionNet(spec="squeezenet1_1", builder="squeezenet1_1", trainable=1_235_496),
)


@dataclass(frozen=True, kw_only=True)
class Owner:
    """What torchvision says of one named owner of parameters (or of a module that ran once)."""

    name: str
    kind: str  # the module's class name, or `parameter`
    trainable: int
    output_shape: tuple[int, ...] | None  # without the batch axis; None when not run exactly once
    macs: int | None  # convolutions and linear layers only


def owners(net: TorchvisionNet) -> dict[str, Owner]:
    """Every module that holds parameters directly, every parameter held by a container, and
    every leaf module that ran exactly once, by name — from one forward pass on zeros."""
    model = net.build()
    calls: dict[str, list[torch.Tensor]] = {}
    hooks = [module.register_forward_hook(_recorder(calls, name)) for name, module in model.named_modules() if name]
    with torch.no_grad():
        model(torch.zeros(1, 3, net.size, net.size))
    for hook in hooks:
        hook.remove()
    found: dict[str, Owner] = {}
    for name, module in model.named_modules():
        if not name:
            continue
        direct = dict(module.named_parameters(recurse=False))
        leaf = not any(True for _ in module.children())
        outputs = calls.get(name, [])
        shape = tuple(outputs[0].shape[1:]) if len(outputs) == 1 else None
        if leaf and (direct or shape is not None):
            found[name] = Owner(name=name, kind=type(module).__name__, trainable=_count(direct.values()),
                                output_shape=shape, macs=_macs(module, outputs))
        elif direct:
            for pname, p in direct.items():
                found[f"{name}.{pname}"] = Owner(name=f"{name}.{pname}", kind="parameter", trainable=p.numel(),
                                                 output_shape=None, macs=None)
    return found


def _recorder(calls: dict, name: str):
    def hook(module, args, output):
        if isinstance(output, torch.Tensor):
            calls.setdefault(name, []).append(output)
    return hook


def _count(params) -> int:
    return sum(p.numel() for p in params if p.requires_grad)


def _macs(module: nn.Module, outputs: list[torch.Tensor]) -> int | None:
    """Output elements × weights per output element, bias excluded: the count convcalc uses."""
    if len(outputs) != 1:
        return None
    out = outputs[0]
    if isinstance(module, nn.modules.conv._ConvNd):
        return out[0].numel() * (module.weight.numel() // module.weight.shape[0])
    if isinstance(module, nn.Linear):
        return prod(out.shape[1:-1]) * module.weight.numel()
    return None


if __name__ == "__main__":
    wanted = {n.spec: n for n in NETS}[sys.argv[1]]
    for owner in owners(wanted).values():
        shape = "×".join(map(str, owner.output_shape)) if owner.output_shape else "—"
        print(f"{owner.name:40} {owner.kind:24} {owner.trainable:>10,} {shape:>16} {owner.macs or ''}")
