"""Layer descriptors: what the parser hands the engine. Immutable."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from convcalc.errors import layer_where


@dataclass(frozen=True)
class LayerSpec:
    index: int  # 1-based position in the spec
    name: str
    type: str  # canonical type name from the registry
    args: Mapping[str, Any]  # canonical argument names, defaults filled in
    inputs: tuple[str, ...]
    line: int | None  # YAML line of the entry
    outputs: int = 1  # tensors it gives (split, chunk: several, named `<name>.0`, `<name>.1`, …)

    @property
    def where(self) -> str:
        return layer_where(self.index, self.name, self.line)

    @property
    def output_names(self) -> tuple[str, ...]:
        """What `inputs` call its tensors: its name, or `<name>.k` for each of several."""
        if self.outputs == 1:
            return (self.name,)
        return tuple(f"{self.name}.{k}" for k in range(self.outputs))


@dataclass(frozen=True)
class Spec:
    name: str
    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...]


def frozen_args(args: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(args))
