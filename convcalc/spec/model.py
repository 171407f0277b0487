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

    @property
    def where(self) -> str:
        return layer_where(self.index, self.name, self.line)


@dataclass(frozen=True)
class Spec:
    name: str
    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...]


def frozen_args(args: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(args))
