"""The shape engine: propagates shapes through the spec's graph and counts everything.

Pure Python: no numpy, rich or typer here, so `summary` starts fast.
"""

from __future__ import annotations

from functools import cached_property
from math import ceil, prod
from typing import TYPE_CHECKING, Any

from convcalc.errors import SpecError
from convcalc.messages import Message
from convcalc.layers import REGISTRY
from convcalc.layers.base import (GLOBAL, MAX_DIM, Backward, FieldStep, default_backward, Geometry, RuleContext, RuleResult, Shape, Step,
                                  channels_last_hint, shape_text)
from convcalc.record import record
from convcalc.spec.model import LayerSpec, Spec

if TYPE_CHECKING:
    from fractions import Fraction

    Exact = int | Fraction  # ints while every step is whole; Fractions after upsampling

BYTES_PER_VALUE = 4  # float32
RANK_NAMES = {0: "[F]", 1: "[C, L]", 2: "[C, H, W]", 3: "[C, D, H, W]"}
RF_BOUND = MAX_DIM  # a receptive field this wide or wider is reported as RF_BOUND ("at least")


@record
class Field:
    """Receptive field of one tensor per spatial axis of the network input (Araujo et al. 2019):
    `size` input cells seen by one cell, `jump` input cells between neighbouring cells, and the
    spatial `extent` of the last spatial tensor (flatten keeps it for the dense layer after).

    Bounded: a size grows along every path, so once it reaches RF_BOUND it stays there and
    means "at least RF_BOUND" (the true value, or more); a jump that reaches RF_BOUND stays
    there too, meaning "at least" (it only matters once a kernel wider than 1 turns it into a
    size). Denominators stay ≤ RF_BOUND. Where the exact value is lost — a jump at the bound
    divided by upsampling, or a denominator past the bound — the field is not tracked (None).
    """

    size: tuple[Exact, ...]
    jump: tuple[Exact, ...]
    extent: tuple[int, ...]


@record
class LayerResult:
    """One analysed layer: its spec, what its type's shape rule computed (`math`), and what the
    engine adds — the receptive field and the rule's recorded steps, notes and warnings. The
    rule's numbers are read through properties, so each is stored once."""

    spec: LayerSpec
    input_shapes: tuple[Shape, ...]
    math: RuleResult
    receptive_field: tuple[int, ...] | None
    warnings: tuple[str, ...]
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()

    @property
    def output_shape(self) -> Shape:
        """The first output's shape: the only one, for all but split and chunk."""
        return self.math.output_shape

    @property
    def output_shapes(self) -> tuple[Shape, ...]:
        """One shape per output, in the order `spec.output_names` names them."""
        return self.math.output_shapes

    @property
    def kernel_shape(self) -> Shape | None:
        return self.math.kernel_shape

    @property
    def trainable(self) -> int:
        return self.math.trainable

    @property
    def non_trainable(self) -> int:
        return self.math.non_trainable

    @property
    def macs(self) -> int:
        return self.math.macs

    @property
    def extra(self) -> tuple[tuple[str, Any], ...]:
        return self.math.extra

    @property
    def workspace(self) -> int:
        """im2col values per batch item the runner gathers (memory estimate)."""
        return self.math.workspace

    @property
    def geometry(self) -> Geometry | None:
        return self.math.geometry

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable

    @cached_property
    def backward(self) -> Backward:
        """The backward pass, from the layer type's registry entry (or the pass-through default)."""
        return (REGISTRY[self.spec.type].backward or default_backward)(self)


@record
class Totals:
    params: int
    trainable_params: int
    non_trainable_params: int
    macs: int
    flops: int
    param_bytes: int
    activation_bytes: int
    input_bytes: int


@record
class Network:
    name: str
    input_shape: Shape
    layers: tuple[LayerResult, ...]

    @property
    def output_shape(self) -> Shape:
        return self.layers[-1].output_shape

    @cached_property
    def totals(self) -> Totals:
        trainable = sum(r.trainable for r in self.layers)
        non_trainable = sum(r.non_trainable for r in self.layers)
        macs = sum(r.macs for r in self.layers)
        return Totals(
            params=trainable + non_trainable,
            trainable_params=trainable,
            non_trainable_params=non_trainable,
            macs=macs,
            flops=2 * macs,
            param_bytes=BYTES_PER_VALUE * (trainable + non_trainable),
            activation_bytes=BYTES_PER_VALUE * sum(prod(s) for r in self.layers for s in r.output_shapes),
            input_bytes=BYTES_PER_VALUE * prod(self.input_shape),
        )

    @cached_property
    def by_name(self) -> dict[str, LayerResult]:
        return {r.spec.name: r for r in self.layers}

    @cached_property
    def consumers(self) -> dict[str, tuple[LayerResult, ...]]:
        """For each tensor name, the layers that read it, in order."""
        readers: dict[str, list[LayerResult]] = {}
        for r in self.layers:
            for name in dict.fromkeys(r.spec.inputs):
                readers.setdefault(name, []).append(r)
        return {name: tuple(rs) for name, rs in readers.items()}

    def layer(self, key: str) -> LayerResult:
        """A layer by name or 1-based index."""
        if key in self.by_name:
            return self.by_name[key]
        if key.isdigit() and 1 <= int(key) <= len(self.layers):
            return self.layers[int(key) - 1]
        raise SpecError("error.no_layer", key=key, count=len(self.layers))


def analyze(spec: Spec) -> Network:
    shapes: dict[str, Shape] = {"input": spec.input_shape}  # by tensor name: a layer's, or `split_1.0`
    fields: dict[str, Field | None] = {"input": _input_field(spec.input_shape)}
    rules: dict[tuple, Rule] = {}
    results = []
    for layer in spec.layers:
        try:
            result, field = _analyze_layer(layer, shapes, fields, rules)
        except SpecError as e:
            hint = channels_last_hint(spec.input_shape)
            if e.where and not hint:
                raise
            raise e.at(e.where or layer.where, hint) from None
        for name, shape in zip(layer.output_names, result.output_shapes, strict=True):
            shapes[name] = shape
            fields[name] = field  # every output keeps the input's field: a split mixes nothing
        results.append(result)
    return Network(name=spec.name, input_shape=spec.input_shape, layers=tuple(results))


@record
class Rule:
    """What a layer type's rule gave for one (type, arguments, input shapes): every layer that
    repeats them (a stage of identical blocks, a generated 10,000-layer stack) shares it."""

    math: RuleResult
    warnings: tuple[Message, ...]
    steps: tuple[Step, ...]
    notes: tuple[Message, ...]


def _analyze_layer(layer: LayerSpec, shapes: dict[str, Shape], fields: dict,
                   rules: dict[tuple, Rule]) -> tuple[LayerResult, Field | None]:
    input_shapes = tuple(shapes[n] for n in layer.inputs)
    # a merge's messages name its inputs; a one-input rule reads only shapes and arguments
    key = (layer.type, tuple(layer.args.items()), input_shapes, layer.inputs if len(layer.inputs) > 1 else None)
    rule = rules.get(key)
    if rule is None:
        rule = rules[key] = _run_rule(layer, input_shapes)
    field = _next_field(rule.math.rf, [fields[n] for n in layer.inputs], rule.math.output_shape)
    result = LayerResult(
        spec=layer,
        input_shapes=input_shapes,
        math=rule.math,
        receptive_field=tuple(ceil(s) for s in field.size) if field else None,
        warnings=rule.warnings,
        steps=rule.steps,
        notes=rule.notes,
    )
    return result, field


def _run_rule(layer: LayerSpec, input_shapes: tuple[Shape, ...]) -> Rule:
    layer_type = REGISTRY[layer.type]
    rank = len(input_shapes[0]) - 1
    if layer_type.rank is not None and rank != layer_type.rank:
        raise SpecError("error.rank_flat" if rank == 0 else "error.rank", type=layer.type,
                        rank=RANK_NAMES[layer_type.rank], shape=shape_text(input_shapes[0]))
    ctx = RuleContext(type_name=layer.type, args=dict(layer.args), input_shapes=input_shapes, input_names=layer.inputs)
    math = layer_type.infer(ctx)
    for d in math.output_shape:
        if d > MAX_DIM:
            raise SpecError("error.output_too_large", size=d, limit=MAX_DIM)
    return Rule(math=math, warnings=tuple(ctx.warnings), steps=tuple(ctx.steps), notes=tuple(ctx.notes))


def _input_field(shape: Shape) -> Field | None:
    spatial = shape[1:]
    if not spatial:
        return None
    return Field(size=(1,) * len(spatial), jump=(1,) * len(spatial), extent=spatial)


def _next_field(rf: FieldStep | str | None, inputs: list[Field | None], out_shape: Shape) -> Field | None:
    if any(f is None for f in inputs) or len({len(f.size) for f in inputs}) > 1:
        return None
    if rf is None:  # pass-through, or a merge: where paths meet, the largest field
        if len(inputs) == 1:
            return inputs[0]
        size = tuple(max(axis) for axis in zip(*(f.size for f in inputs)))
        jump = tuple(max(axis) for axis in zip(*(f.jump for f in inputs)))
        return _bounded(size, jump, out_shape[1:] or inputs[0].extent)
    (f,) = inputs
    if rf == GLOBAL:  # one output sees every cell of its input
        size = tuple(s + (n - 1) * j for s, n, j in zip(f.size, f.extent, f.jump))
        return _bounded(size, f.jump, (1,) * len(size))
    if len(rf.kernel) != len(f.size):
        return None
    if any(j >= RF_BOUND > s and st < 1 for s, j, st in zip(f.size, f.jump, rf.stride)):
        return None  # a jump known only as "at least the bound", divided: no longer known
    size = tuple(s + (k - 1) * j for s, k, j in zip(f.size, rf.kernel, f.jump))
    jump = tuple(j * st for j, st in zip(f.jump, rf.stride))
    return _bounded(size, jump, out_shape[1:])


def _bounded(size: tuple, jump: tuple, extent: tuple[int, ...]) -> Field | None:
    """The field with sizes and jumps capped at RF_BOUND (a capped size caps its jump: it can
    only stay at the bound), whole values as ints, or None past the denominator bound."""
    sizes, jumps = [], []
    for s, j in zip(size, jump):
        if s >= RF_BOUND:
            s = j = RF_BOUND
        j = min(j, RF_BOUND)
        if _denominator(s) > RF_BOUND or _denominator(j) > RF_BOUND:
            return None
        sizes.append(_whole(s))
        jumps.append(_whole(j))
    return Field(size=tuple(sizes), jump=tuple(jumps), extent=extent)


def _denominator(x: Exact) -> int:
    return x.denominator  # an int's is 1


def _whole(x: Exact) -> Exact:
    """A Fraction that has become whole, as an int (upsampling ×2 after a stride 2)."""
    return x.numerator if x.denominator == 1 else x
