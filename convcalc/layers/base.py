"""What a layer type is: its arguments, and the rule that turns input shapes into numbers.

Each layer module registers `LayerType`s here. The parser validates arguments with `Arg`, the
engine calls `infer`, `convcalc layers` prints the catalogue — all from the same entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

from convcalc.errors import SpecError

REQUIRED = object()
MAX_DIM = 2**31 - 1  # a bound on every size, so hostile specs cannot make numbers explode
AXIS_NAMES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Arg:
    """One argument of a layer type.

    kind: `int` (whole number ≥ minimum), `sizes` (int or per-axis list), `padding` (int,
    per-axis list or one of `choices`), `pads` (zero padding: int, per-axis list, or per-axis
    [before, after] pairs), `bool`, `float`, `choice`.
    """

    name: str
    kind: str
    default: Any = REQUIRED
    aliases: tuple[str, ...] = ()
    minimum: int = 1
    choices: tuple[str, ...] = ()
    help: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def check(self, value: Any) -> Any:
        """The value in canonical form (lists become tuples), or SpecError saying what is wrong."""
        if value is None and self.default is None:  # `stride: null` asks for the default, as in PyTorch
            return None
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise SpecError(f"'{self.name}' must be true or false, got {value!r}")
            return value
        if self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
                raise SpecError(f"'{self.name}' must be a number, got {value!r}")
            return float(value)
        if self.kind == "choice":
            if value not in self.choices:
                raise SpecError(f"'{self.name}' must be one of {', '.join(self.choices)}; got {value!r}")
            return value
        if self.kind == "padding" and isinstance(value, str):
            if value not in self.choices:
                raise SpecError(
                    f"'{self.name}' must be a whole number, a list per axis, or one of "
                    f"{', '.join(self.choices)}; got {value!r}"
                )
            return value
        if self.kind == "pads" and isinstance(value, list) and any(isinstance(v, list) for v in value):
            return tuple(self._pair(v) for v in value)
        if isinstance(value, list) and self.kind in ("sizes", "padding", "pads"):
            if not 1 <= len(value) <= 3:
                raise SpecError(f"'{self.name}' must have one value per spatial axis (1 to 3), got {len(value)}")
            return tuple(self._whole(v) for v in value)
        return self._whole(value)

    def _whole(self, value: Any) -> int:
        low = 0 if self.kind in ("padding", "pads") else self.minimum
        if isinstance(value, bool) or not isinstance(value, int):
            raise SpecError(f"'{self.name}' must be a whole number, got {value!r}")
        if value < low:
            raise SpecError(f"'{self.name}' must be ≥ {low}, got {value}")
        if value > MAX_DIM:
            raise SpecError(f"'{self.name}' = {value} exceeds the limit {MAX_DIM}")
        return value

    def _pair(self, value: Any) -> tuple[int, int]:
        if not isinstance(value, list) or len(value) != 2:
            raise SpecError(f"'{self.name}' pairs must be [before, after], got {value!r}")
        return self._whole(value[0]), self._whole(value[1])

    def describe_default(self) -> str:
        if self.required:
            return "required"
        if isinstance(self.default, bool):
            return str(self.default).lower()
        if self.default is None:
            return "—"
        return str(self.default)


@dataclass(frozen=True)
class Window:
    """A receptive-field step (Araujo et al. 2019): each output sees `kernel` input cells
    spaced one input jump apart, and the jump grows by `stride` (a fraction for upsampling)."""

    kernel: tuple[int, ...]
    stride: tuple[Fraction, ...]


GLOBAL = "global"  # the output sees the whole of its input (global pooling, dense)


@dataclass(frozen=True)
class Geometry:
    """A sliding window as the engine resolved it, per spatial axis."""

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]  # (before, after), after extended for ceil_mode


@dataclass(frozen=True)
class Step:
    """One line of a derivation: the formula, the same with this layer's numbers, the value."""

    what: str
    formula: str
    substituted: str
    value: Any


@dataclass(frozen=True)
class Inference:
    """Everything a layer type computes from its input shapes."""

    output_shape: Shape
    kernel_shape: Shape | None = None
    trainable: int = 0
    non_trainable: int = 0
    macs: int = 0
    rf: Window | str | None = None  # None: the receptive field passes through unchanged
    extra: tuple[tuple[str, Any], ...] = ()
    workspace: int = 0  # im2col values per batch item the runner gathers (memory estimate)
    geometry: "Geometry | None" = None  # the sliding window, for explain's picture


@dataclass
class Call:
    """The engine's view of one layer while its rule runs: arguments, input shapes, and a
    record of derivation steps. Rules raise errors through `fail` so messages name the layer."""

    type_name: str
    args: dict[str, Any]
    input_shapes: tuple[Shape, ...]
    input_names: tuple[str, ...] = ()
    steps: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the teaching points `explain` prints

    @property
    def shape(self) -> Shape:
        return self.input_shapes[0]

    @property
    def channels(self) -> int:
        return self.shape[0]

    @property
    def spatial(self) -> Shape:
        return self.shape[1:]

    def fail(self, message: str) -> SpecError:
        return SpecError(message)

    def per_axis(self, name: str, rank: int | None = None) -> tuple:
        """An int argument repeated per spatial axis, or a list checked for its length."""
        rank = len(self.spatial) if rank is None else rank
        value = self.args[name]
        if isinstance(value, tuple):
            if len(value) != rank:
                raise self.fail(f"'{name}' has {len(value)} values but the input has {rank} spatial axes")
            return value
        return (value,) * rank

    def step(self, what: str, formula: str, substituted: str, value: Any) -> Any:
        self.steps.append(Step(what, formula, substituted, value))
        return value

    def note(self, text: str) -> None:
        self.notes.append(text)

    def axis_names(self) -> tuple[str, ...]:
        return AXIS_NAMES.get(len(self.spatial), tuple(f"axis {i + 1}" for i in range(len(self.spatial))))


@dataclass(frozen=True)
class LayerType:
    name: str
    summary: str
    args: tuple[Arg, ...]
    infer: Callable[[Call], Inference]
    rank: int | None = None  # required spatial rank (conv2d: 2); None accepts any
    min_inputs: int = 1
    max_inputs: int = 1
    aliases: tuple[str, ...] = ()
    forward: Callable[..., Any] | None = None  # NumPy forward pass, imported lazily by the runner
    # float32-sized values the forward holds at once besides its inputs, output, weights and
    # im2col band — padded copies, float64 sums — from (LayerResult, batch): the memory estimate
    temporaries: Callable[[Any, int], int] | None = None

    def arg(self, key: str) -> Arg | None:
        for a in self.args:
            if key == a.name or key in a.aliases:
                return a
        return None


def shape_text(shape: Shape) -> str:
    return "×".join(str(d) for d in shape)
