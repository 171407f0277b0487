"""Memory for a batch: inference (every activation at once, as `summary` has always counted) and a
training step — parameters, their gradients, the optimizer's state, and what each layer keeps
from its forward pass for its backward pass (its registry entry's `saved` rule).

A tensor two layers keep (a ReLU's output is the next conv's input) is one tensor in PyTorch's
autograd: it is counted once, at the first layer that keeps it; a view (flatten's output) is the
tensor it views.
"""

from __future__ import annotations

from math import prod
from typing import Any

from convcalc.engine import LayerResult, Network
from convcalc.layers import REGISTRY
from convcalc.layers.base import default_saved
from convcalc.record import record

DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}
# copies of the trainable parameters an optimizer keeps: SGD none, momentum its velocity, Adam
# the first and second moments; PyTorch keeps them in the parameters' dtype
STATE_COPIES = {"sgd": 0, "momentum": 1, "adam": 2}


@record
class Setting:
    batch: int = 1
    dtype: str = "float32"
    training: bool = False
    optimizer: str = "sgd"


@record
class LayerSaved:
    what: str  # catalogue id: which tensors
    bytes: int  # batch × (values × dtype bytes + fixed_bytes) + once_bytes
    values: int = 0  # per example, in the dtype: the tensors first counted here and values of its own
    fixed_bytes: int = 0  # per example, whatever the dtype (int64 argmax, 1-byte masks)
    once_bytes: int = 0  # whatever the batch (batchnorm's float32 statistics)


@record
class TrainingMemory:
    param_bytes: int
    gradient_bytes: int
    optimizer_bytes: int
    saved_bytes: int
    layers: tuple[LayerSaved, ...]

    @property
    def total_bytes(self) -> int:
        return self.param_bytes + self.gradient_bytes + self.optimizer_bytes + self.saved_bytes


def inference_bytes(net: Network, setting: Setting) -> tuple[int, int]:
    """(every layer's outputs, the input) for the batch in the dtype."""
    size = DTYPE_BYTES[setting.dtype] * setting.batch
    outputs = sum(prod(s) for r in net.layers for s in r.output_shapes)
    return size * outputs, size * prod(net.input_shape)


def training_memory(net: Network, setting: Setting) -> TrainingMemory:
    size = DTYPE_BYTES[setting.dtype]
    trainable = net.totals.trainable_params
    kept: set[str] = set()  # the graph's tensors already counted
    storage: dict[str, tuple[str, int]] = {}  # a view's name → the tensor it views, and its values
    layers = tuple(_layer_saved(r, setting, kept, storage) for r in net.layers)
    return TrainingMemory(
        param_bytes=size * net.totals.params,
        gradient_bytes=size * trainable,
        optimizer_bytes=size * trainable * STATE_COPIES[setting.optimizer],
        saved_bytes=sum(s.bytes for s in layers),
        layers=layers,
    )


def _layer_saved(r: LayerResult, setting: Setting, kept: set[str], storage: dict[str, tuple[str, int]]) -> LayerSaved:
    rule = REGISTRY[r.spec.type].saved or default_saved
    saved = rule(r)
    if saved.view:  # keeping a view (one of split's sections) keeps all of the tensor it views
        root = storage.get(r.spec.inputs[0], (r.spec.inputs[0], prod(r.input_shapes[0])))
        storage.update((name, root) for name in r.spec.output_names)
    tensors = list(zip(r.spec.inputs, r.input_shapes)) if saved.inputs else []
    if saved.output:
        tensors.append((r.spec.output_names[0], r.output_shape))
    values = saved.values
    for name, shape in tensors:
        name, count = storage.get(name, (name, prod(shape)))
        if name not in kept:
            kept.add(name)
            values += count
    per_example = values * DTYPE_BYTES[setting.dtype] + saved.fixed_bytes
    return LayerSaved(what=saved.what, bytes=setting.batch * per_example + saved.once_bytes, values=values,
                      fixed_bytes=saved.fixed_bytes, once_bytes=saved.once_bytes)


def totals_dict(net: Network, setting: Setting) -> dict[str, Any]:
    """The JSON totals' additive keys: `inference` with --batch/--dtype/--training, `training`
    with --training."""
    activations, given = inference_bytes(net, setting)
    d: dict[str, Any] = {"inference": {"batch": setting.batch, "dtype": setting.dtype,
                                       "activation_bytes": activations, "input_bytes": given}}
    if setting.training:
        m = training_memory(net, setting)
        d["training"] = {"batch": setting.batch, "dtype": setting.dtype, "optimizer": setting.optimizer,
                         "state_dtype": setting.dtype, "param_bytes": m.param_bytes,
                         "gradient_bytes": m.gradient_bytes, "optimizer_bytes": m.optimizer_bytes,
                         "saved_bytes": m.saved_bytes, "total_bytes": m.total_bytes}
    return d
