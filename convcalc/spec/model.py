"""Layer descriptors: what the parser hands the engine. Immutable."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

from convcalc.errors import echo, layer_where, printable
from convcalc.messages import Message
from convcalc.record import record

MAX_LAYERS = 10_000  # layers in a spec, blocks and repeats expanded
MAX_NAME = 128  # characters in a layer or network name
CONTEXT_WIDTH = 80  # characters of a block's parameter values an error's place shows at most


@record(slots=True)
class Group:
    """A node above the layers in the spec's tree: one block instance (`layer2.0`, a use of
    `bottleneck`), or the repetitions of one named entry (`layer2`). Its layers share it."""

    name: str  # its full name, the element it adds to a layer's block path
    kind: str  # the block's name, or the repeated layer's type
    instance: bool  # a block instance (else the repetitions of an entry)
    parent: Group | None
    path: tuple[str, ...]  # the names from the outermost group down to this one
    line: int | None = None  # the YAML line of the use
    params: tuple[tuple[str, Any], ...] = ()  # an instance's parameter values

    def context(self) -> str:
        """` in block 'bottleneck' used at line 30 (channels=128, stride=2)`: the innermost
        block instance, for an error's place; "" outside blocks."""
        group = self
        while group is not None and not group.instance:
            group = group.parent
        if group is None:
            return ""
        values = ", ".join(f"{name}={echo(value, 24)}" for name, value in group.params)
        values = f" ({printable(values, CONTEXT_WIDTH)})" if values else ""
        block = printable(group.kind, 40)
        if group.line:
            return Message("where.in_block_line", block=block, line=group.line, values=values)
        return Message("where.in_block", block=block, values=values)


@record(kw_only=False)
class LayerSpec:
    index: int  # 1-based position in the spec
    name: str
    type: str  # canonical type name from the registry
    args: Mapping[str, Any]  # canonical argument names, defaults filled in
    inputs: tuple[str, ...]
    line: int | None  # YAML line of the entry
    outputs: int = 1  # tensors it gives (split, chunk: several, named `<name>.0`, `<name>.1`, …)
    block: tuple[str, ...] = ()  # the block path, outermost first: ("layer2", "layer2.0")
    group: Group | None = None  # the innermost group it belongs to

    @property
    def where(self) -> str:
        where = layer_where(self.index, self.name, self.line)
        return where + self.group.context() if self.group else where

    @property
    def output_names(self) -> tuple[str, ...]:
        """What `inputs` call its tensors: its name, or `<name>.k` for each of several."""
        if self.outputs == 1:
            return (self.name,)
        return tuple(f"{self.name}.{k}" for k in range(self.outputs))


@record(kw_only=False)
class Spec:
    name: str
    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...]
    notes: tuple[str, ...] = ()  # what an import changed (a model file's channels-last order, folded batchnorm)


def frozen_args(args: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(args))
