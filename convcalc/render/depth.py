"""`summary --depth N`: the layers collapsed to block level, as torchinfo's `depth` does.

A group (a block instance, or the repetitions of a named entry) above depth N is a row of its
own with its layers' totals, its members below it; a group at depth N is one row standing for
all its layers; layers above depth N are rows as before. A group's row sums its layers'
parameters and MACs and shows its last layer's output and receptive field.
"""

from __future__ import annotations

from functools import cached_property

from convcalc.engine import LayerResult, Network
from convcalc.record import record
from convcalc.spec.model import Group


@record
class Row:
    """One row of a summary by block: one layer, or a group's layers taken together."""

    name: str
    kind: str  # the layer's type, `bottleneck` for an instance, `bottleneck ×4` for repetitions
    level: int  # how deep it sits: 0 at the top
    layers: tuple[LayerResult, ...]
    group: bool

    @property
    def first(self) -> LayerResult:
        return self.layers[0]

    @property
    def last(self) -> LayerResult:
        return self.layers[-1]

    @property
    def index_text(self) -> str:
        """`7`, or `5–16` for a group."""
        first, last = self.first.spec.index, self.last.spec.index
        return f"{first}–{last}" if self.group and last != first else str(first)

    @cached_property
    def trainable(self) -> int:
        return sum(r.trainable for r in self.layers)

    @cached_property
    def non_trainable(self) -> int:
        return sum(r.non_trainable for r in self.layers)

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable

    @cached_property
    def macs(self) -> int:
        return sum(r.macs for r in self.layers)


def chain(group: Group | None) -> list[Group]:
    """The groups a layer is in, outermost first."""
    groups = []
    while group is not None:
        groups.append(group)
        group = group.parent
    return groups[::-1]


def block_rows(net: Network, depth: int) -> list[Row]:
    """The rows of `net` at `depth`, in the order their first layers come."""
    members: dict[str, list[LayerResult]] = {}  # a group's name → its layers
    children: dict[str, dict[str, None]] = {}  # a group's name → what its members are, in order
    order: list[tuple[Group | LayerResult, int]] = []  # each row's subject and level, as first seen
    for r in net.layers:
        groups = chain(r.spec.group)
        for level, g in enumerate(groups[:depth]):
            if g.name not in members:
                members[g.name], children[g.name] = [], {}
                order.append((g, level))
            members[g.name].append(r)
            children[g.name][groups[level + 1].name if level + 1 < len(groups) else r.spec.name] = None
        if len(groups) < depth:
            order.append((r, len(groups)))
    return [_row(subject, level, members, children) for subject, level in order]


def _row(subject: Group | LayerResult, level: int, members: dict, children: dict) -> Row:
    if isinstance(subject, LayerResult):
        return Row(name=subject.spec.name, kind=subject.spec.type, level=level, layers=(subject,), group=False)
    kind = subject.kind if subject.instance else f"{subject.kind} ×{len(children[subject.name])}"
    return Row(name=subject.name, kind=kind, level=level, layers=tuple(members[subject.name]), group=True)
