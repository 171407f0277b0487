"""What a layer type is: its arguments, and the rule that turns input shapes into numbers.

Each layer module registers `LayerType`s here. The parser validates arguments with `Arg`, the
engine calls `infer`, `convcalc layers` prints the catalogue — all from the same entries.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Mapping, NamedTuple

from convcalc.errors import SpecError, echo, printable
from convcalc.english import StepText
from convcalc.messages import Message, Word, step_text
from convcalc.record import field, record

if TYPE_CHECKING:
    from fractions import Fraction

REQUIRED = object()
MAX_DIM = 2**31 - 1  # a bound on every size, so hostile specs cannot make numbers explode
MAX_OUTPUTS = 1024  # outputs of one layer (split, chunk): each is a named tensor the parser lists
FLOAT32_MAX = 3.4028234663852886e38  # the largest float32: the runner computes in float32
# Words: a message shows them in the reader's language
AXIS_NAMES = {1: (Word("length"),), 2: (Word("height"), Word("width")), 3: (Word("depth"), Word("height"), Word("width"))}

Shape = tuple[int, ...]


@record(kw_only=False)
class Arg:
    """One argument of a layer type.

    kind: `int` (whole number ≥ minimum, ≤ `high` if given), `sizes` (int or per-axis list),
    `int_list` (a list of 1 to MAX_OUTPUTS whole numbers ≥ minimum: split's sections), `factors` (a number
    in `low`..`high` or a per-axis list of them), `shape` (1 to 4 whole numbers, one may be −1),
    `axes` (a list of 1 to 5 whole numbers ≥ 0), `padding` (int,
    per-axis list or one of `choices`), `pads` (zero padding: int, per-axis list, or per-axis
    [before, after] pairs), `dims` (sizes of a tensor's axes: int or a list of 1 to 4), `bool`,
    `float` (a number in the range `low`..`high`, each end closed unless `low_open`/`high_open`;
    None: no bound but float32's), `choice`, and
    `refused`: a spelling from another framework that convcalc answers with `help`, whatever
    the value (`LayerType.arg` makes these; they are never in a type's `args`).
    """

    name: str
    kind: str
    default: Any = REQUIRED
    aliases: tuple[str, ...] = ()
    minimum: int = 1
    choices: tuple[str, ...] = ()
    help: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    refused_by: str = ""  # `refused`: the layer type that refuses it (`help` is the error's id)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def range_text(self) -> str:
        """`in [0, 1)`, `> 0`, `≥ 0`, or "" for a float argument with no bound of its own."""
        if self.low is not None and self.high is not None:
            left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
            return f"in {left}{_num(self.low)}, {_num(self.high)}{right}"
        if self.low is not None:
            return f"{'>' if self.low_open else '≥'} {_num(self.low)}"
        if self.high is not None:
            return f"{'<' if self.high_open else '≤'} {_num(self.high)}"
        return ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"argument kind {self.kind!r} is not one of {', '.join(KINDS)}")  # a programming error

    def check(self, value: Any) -> Any:
        """The value in canonical form (lists become tuples), or SpecError saying what is wrong."""
        if value is None and self.default is None:  # `stride: null` asks for the default, as in PyTorch
            return None
        return KINDS[self.kind].check(self, value)

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of this argument's values (`convcalc schema`), without null or a description."""
        return KINDS[self.kind].schema(self)

    def _number(self, value: Any) -> float:
        """A float in this argument's range; compared before converting, so a 5,000-digit
        integer is refused, not overflowed."""
        number = {"name": self.name, "range": self.range_text, "value": echo(value)}
        wanted = "error.arg_number_in" if self.range_text else "error.arg_number"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise SpecError(wanted, **number)
        below = self.low is not None and (value <= self.low if self.low_open else value < self.low)
        above = self.high is not None and (value >= self.high if self.high_open else value > self.high)
        if below or above:
            raise SpecError(wanted, **number)
        if abs(value) > FLOAT32_MAX:  # the runner computes in float32
            bound = f"≤ {FLOAT32_MAX:.4g}" if value > 0 else f"≥ {-FLOAT32_MAX:.4g}"
            raise SpecError(wanted + "_float32", bound=bound, **number)
        return float(value)

    @property
    def low_whole(self) -> int:
        """The smallest whole number this argument takes: 0 for a padding, else `minimum`."""
        return 0 if self.kind in ("padding", "pads") else self.minimum

    @property
    def high_whole(self) -> int:
        """The largest whole number this argument takes: `high` where it has one, else MAX_DIM."""
        return MAX_DIM if self.high is None else int(self.high)

    def _whole(self, value: Any) -> int:
        low, high = self.low_whole, self.high_whole
        if isinstance(value, bool) or not isinstance(value, int):
            raise SpecError("error.arg_whole", name=self.name, low=low, high=high, value=echo(value))
        if value < low:
            raise SpecError("error.arg_too_small", name=self.name, low=low, value=echo(value))
        if value > high:
            raise SpecError("error.arg_too_large", name=self.name, high=high, value=echo(value))
        return value

    def _pair(self, value: Any) -> tuple[int, int]:
        if not isinstance(value, list) or len(value) != 2:
            raise SpecError("error.arg_pair", name=self.name, value=echo(value))
        return self._whole(value[0]), self._whole(value[1])

    def describe_default(self) -> str:
        if self.required:
            return "required"
        if isinstance(self.default, bool):
            return str(self.default).lower()
        if self.default is None:
            return "—"
        return str(self.default)


def _per_axis(arg: Arg, value: Any) -> tuple[int, ...]:
    if not 1 <= len(value) <= 3:
        raise SpecError("error.arg_axes", name=arg.name, count=len(value))
    return tuple(arg._whole(v) for v in value)


def _check_int_list(arg: Arg, value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_OUTPUTS:
        raise SpecError("error.arg_int_list", name=arg.name, most=MAX_OUTPUTS, value=echo(value))
    return tuple(arg._whole(v) for v in value)


def _check_refused(arg: Arg, value: Any) -> Any:
    raise SpecError(arg.help, type=arg.refused_by)


def _check_bool(arg: Arg, value: Any) -> bool:
    if not isinstance(value, bool):
        raise SpecError("error.arg_bool", name=arg.name, value=echo(value))
    return value


def _check_choice(arg: Arg, value: Any) -> str:
    if value not in arg.choices:
        raise SpecError("error.arg_choice", name=arg.name, choices=", ".join(arg.choices), value=echo(value))
    return value


def _check_sizes(arg: Arg, value: Any) -> int | tuple[int, ...]:
    return _per_axis(arg, value) if isinstance(value, list) else arg._whole(value)


def _check_factors(arg: Arg, value: Any) -> float | int | tuple:
    """A factor stays an int when it is whole (`2`), so shapes stay exact; else a float."""
    def one(v: Any) -> float | int:
        number = arg._number(v)
        return v if isinstance(v, int) else number
    if isinstance(value, list):
        if not 1 <= len(value) <= 3:
            raise SpecError("error.arg_axes", name=arg.name, count=len(value))
        return tuple(one(v) for v in value)
    return one(value)


def _check_shape(arg: Arg, value: Any) -> tuple[int, ...]:
    """A target shape: whole numbers, one of which may be −1 (worked out from the count)."""
    if not isinstance(value, list) or not 1 <= len(value) <= 4:
        raise SpecError("error.arg_shape", name=arg.name, high=MAX_DIM, value=echo(value))
    unknown = [v for v in value if type(v) is int and v == -1]
    if len(unknown) > 1:
        raise SpecError("error.arg_shape_two_unknown", name=arg.name, value=echo(value))
    return tuple(-1 if type(v) is int and v == -1 else arg._whole(v) for v in value)


def _check_axes(arg: Arg, value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= 5:
        raise SpecError("error.arg_axes_list", name=arg.name, value=echo(value))
    return tuple(arg._whole(v) for v in value)


def _check_padding(arg: Arg, value: Any) -> int | str | tuple[int, ...]:
    if isinstance(value, str):
        if value not in arg.choices:
            raise SpecError("error.arg_padding", name=arg.name, choices=", ".join(arg.choices), value=echo(value))
        return value
    return _check_sizes(arg, value)


def _check_pads(arg: Arg, value: Any) -> int | tuple:
    if isinstance(value, list) and any(isinstance(v, list) for v in value):
        return tuple(arg._pair(v) for v in value)
    return _check_sizes(arg, value)


def _check_dims(arg: Arg, value: Any) -> tuple[int, ...]:
    """A tensor's sizes without the batch axis (LayerNorm's normalized_shape): an int or 1 to 4 of them."""
    if not isinstance(value, list):
        return (arg._whole(value),)
    if not 1 <= len(value) <= 4:
        raise SpecError("error.arg_dims", name=arg.name, count=len(value))
    return tuple(arg._whole(v) for v in value)


def _number_schema(arg: Arg) -> dict[str, Any]:
    """A float argument's range as the parser checks it (float32's bounds aside)."""
    schema: dict[str, Any] = {"type": "number"}
    if arg.low is not None:
        schema["exclusiveMinimum" if arg.low_open else "minimum"] = arg.low
    if arg.high is not None:
        schema["exclusiveMaximum" if arg.high_open else "maximum"] = arg.high
    return schema


def _whole_schema(arg: Arg) -> dict[str, Any]:
    return {"type": "integer", "maximum": arg.high_whole, "minimum": arg.low_whole}


def _per_axis_schema(item: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [item, {"type": "array", "items": item, "minItems": 1, "maxItems": 3}]}


def _pads_schema(arg: Arg) -> dict[str, Any]:
    whole = _whole_schema(arg)
    pair = {"type": "array", "items": whole, "minItems": 2, "maxItems": 2}
    return {"oneOf": [whole, {"type": "array", "items": {"oneOf": [whole, pair]}, "minItems": 1, "maxItems": 3}]}


@record
class ArgKind:
    """One kind of argument value: how it is checked and its JSON Schema, side by side."""

    check: Callable[[Arg, Any], Any]  # the value in canonical form, or SpecError
    schema: Callable[[Arg], dict[str, Any]]  # `convcalc schema`'s fragment for it


def _shape_schema(arg: Arg) -> dict[str, Any]:
    item = {"oneOf": [{"const": -1}, _whole_schema(arg)]}
    return {"type": "array", "items": item, "minItems": 1, "maxItems": 4}


KINDS: dict[str, ArgKind] = {
    "int": ArgKind(check=lambda arg, value: arg._whole(value), schema=_whole_schema),
    "sizes": ArgKind(check=_check_sizes, schema=lambda arg: _per_axis_schema(_whole_schema(arg))),
    "padding": ArgKind(check=_check_padding, schema=lambda arg: {
        "oneOf": [*_per_axis_schema(_whole_schema(arg))["oneOf"], {"enum": list(arg.choices)}]}),
    "pads": ArgKind(check=_check_pads, schema=_pads_schema),
    "int_list": ArgKind(check=_check_int_list, schema=lambda arg: {
        "type": "array", "items": _whole_schema(arg), "minItems": 1, "maxItems": MAX_OUTPUTS}),
    "dims": ArgKind(check=_check_dims, schema=lambda arg: {"oneOf": [
        _whole_schema(arg), {"type": "array", "items": _whole_schema(arg), "minItems": 1, "maxItems": 4}]}),
    "factors": ArgKind(check=_check_factors, schema=lambda arg: _per_axis_schema(_number_schema(arg))),
    "shape": ArgKind(check=_check_shape, schema=_shape_schema),
    "axes": ArgKind(check=_check_axes, schema=lambda arg: {
        "type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 4}, "minItems": 1, "maxItems": 5}),
    "bool": ArgKind(check=_check_bool, schema=lambda arg: {"type": "boolean"}),
    "float": ArgKind(check=lambda arg, value: arg._number(value), schema=lambda arg: _number_schema(arg)),
    "choice": ArgKind(check=_check_choice, schema=lambda arg: {"enum": list(arg.choices)}),
    # a spelling from another framework, answered with its `help` whatever the value; never
    # in a type's `args`, so never in the schema: no value is valid
    "refused": ArgKind(check=_check_refused, schema=lambda arg: {"not": {}}),
}


def _num(x: float) -> str:
    """0 for 0.0, 1e-05 stays 1e-05: a bound as a person writes it."""
    return str(int(x)) if float(x).is_integer() else repr(x)


@record
class FieldStep:
    """A receptive-field step (Araujo et al. 2019): each output sees `kernel` input cells
    spaced one input jump apart, and the jump grows by `stride` (a fraction for upsampling)."""

    kernel: tuple[int, ...]
    stride: tuple[int | Fraction, ...]


GLOBAL = "global"  # the output sees the whole of its input (global pooling, dense)
# a step the field cannot follow (a reshape or permute that moves values between axes): no
# kernel for the input's axes, so the engine stops tracking the field there (None)
UNTRACKED = FieldStep(kernel=(), stride=())


class Axis(NamedTuple):
    """A sliding window along one spatial axis: its size, step, tap spacing and the padding
    added before and after (after extended for ceil_mode)."""

    kernel: int
    stride: int
    dilation: int
    before: int
    after: int


@record
class Geometry:
    """A sliding window as the engine resolved it, one Axis per spatial axis: what explain's
    picture draws and the NumPy forwards slide, so no forward derives it again."""

    axes: tuple[Axis, ...]
    # explain draws the windows over the padded input; not for zero padding (no window) nor a
    # transposed conv (its pads are the stride-spread input's, negative to crop, at stride 1)
    drawn: bool = True

    @property
    def kernel(self) -> tuple[int, ...]:
        return tuple(a.kernel for a in self.axes)

    @property
    def stride(self) -> tuple[int, ...]:
        return tuple(a.stride for a in self.axes)

    @property
    def dilation(self) -> tuple[int, ...]:
        return tuple(a.dilation for a in self.axes)

    @property
    def pads(self) -> tuple[tuple[int, int], ...]:
        return tuple((a.before, a.after) for a in self.axes)


@record
class Step:
    """One line of a derivation: a catalogue id, the numbers it is rendered with, the value.
    The label, formula and substituted formula are rendered from the catalogue."""

    id: str
    params: tuple[tuple[str, Any], ...]
    value: Any

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.params)

    @cached_property
    def text(self) -> StepText:
        """The label, formula and substituted formula, rendered once (explain reads each often)."""
        return step_text(self.id, self.values)

    @property
    def what(self) -> str:
        return self.text.what

    @property
    def formula(self) -> str:
        return self.text.formula

    @property
    def substituted(self) -> str:
        return self.text.substituted


@record
class RuleResult:
    """Everything a layer type's shape rule computes from its input shapes. `output_shapes`:
    one per output (split, chunk), given by a rule with several; else `(output_shape,)`.
    `output_shape` is always the first, for whatever reads one."""

    output_shape: Shape
    output_shapes: tuple[Shape, ...] = ()
    kernel_shape: Shape | None = None
    trainable: int = 0
    non_trainable: int = 0
    macs: int = 0
    rf: FieldStep | str | None = None  # None: the receptive field passes through unchanged
    extra: tuple[tuple[str, Any], ...] = ()
    workspace: int = 0  # im2col values per batch item the runner gathers (memory estimate)
    geometry: "Geometry | None" = None  # the sliding window, for explain's picture

    def __post_init__(self) -> None:
        if len(self.output_shapes) <= 1:  # one output: output_shape says it (and `replace` may change it)
            object.__setattr__(self, "output_shapes", (self.output_shape,))
        assert self.output_shapes[0] == self.output_shape, "output_shape is the first of output_shapes"


@record(frozen=False)
class RuleContext:
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

    def fail(self, id: str, **params: Any) -> SpecError:
        return SpecError(id, **params)

    def per_axis(self, name: str, rank: int | None = None) -> tuple:
        """An int argument repeated per spatial axis, or a list checked for its length."""
        rank = len(self.spatial) if rank is None else rank
        value = self.args[name]
        if isinstance(value, tuple):
            if len(value) != rank:
                raise self.fail("error.per_axis_count", name=name, count=len(value), rank=rank)
            return value
        return (value,) * rank

    def step(self, id: str, value: Any, **params: Any) -> Any:
        """Record the derivation step `id` (a catalogue entry) with its numbers; returns value."""
        self.steps.append(Step(id=id, params=tuple(params.items()), value=value))
        return value

    def note(self, id: str, **params: Any) -> None:
        self.notes.append(Message(id, **params))

    def warn(self, id: str, **params: Any) -> None:
        self.warnings.append(Message(id, **params))

    def axis_names(self) -> tuple[str, ...]:
        return AXIS_NAMES.get(len(self.spatial), tuple(f"axis {i + 1}" for i in range(len(self.spatial))))


@record
class Gradient:
    """One gradient of the backward pass: `∂L/∂X`, `∂L/∂W`, `∂L/∂b`, … and its shape (per example
    for ∂L/∂X, whole for a parameter's)."""

    name: str
    shape: Shape


@record
class Backward:
    """What a layer's backward pass computes: its gradients, how (notes and steps, catalogue
    ids like the forward's) and its multiply-accumulates per example."""

    gradients: tuple[Gradient, ...]
    macs: int = 0
    notes: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()


def step(id: str, value: Any, **params: Any) -> Step:
    """A derivation step outside a rule's context (the backward pass's)."""
    return Step(id=id, params=tuple(params.items()), value=value)


def input_gradients(r: Any) -> tuple[Gradient, ...]:
    """∂L/∂X for each input, with that input's shape (∂L/∂X1, ∂L/∂X2, … for a merge)."""
    if len(r.input_shapes) == 1:
        return (Gradient(name="∂L/∂X", shape=r.input_shapes[0]),)
    return tuple(Gradient(name=f"∂L/∂X{i}", shape=s) for i, s in enumerate(r.input_shapes, 1))


def weighted_macs(r: Any) -> Step:
    """∂L/∂X and ∂L/∂W each repeat every multiplication of the forward pass once."""
    return step("backward_macs", 2 * r.macs, macs=r.macs)


def default_backward(r: Any) -> Backward:
    """A type without its own rule: the gradient goes back with the input's shape (element-wise
    layers, rearrangements, merges); learned values, if any, get a gradient of their count."""
    shapes = " + ".join(shape_text(s) for s in r.input_shapes)
    notes = [Message("back.through_weights" if r.trainable else "back.passes", input=shapes)]
    gradients = input_gradients(r)
    if r.trainable:
        notes.append(Message("back.parameters", count=r.trainable))
        gradients += (Gradient(name="∂L/∂θ", shape=(r.trainable,)),)
    steps = (weighted_macs(r),) if r.macs else ()
    return Backward(gradients=gradients, macs=2 * r.macs, notes=tuple(notes), steps=steps)


@record
class Saved:
    """What a layer keeps from its forward pass for its backward pass (PyTorch's saved tensors),
    per example. Its inputs and its output are tensors of the graph another layer may keep too
    (a ReLU's output is the next conv's input), so they are named, and counted once; values of
    its own are not shared. `what` is the catalogue id that says which tensors they are."""

    what: str
    inputs: bool = False
    output: bool = False
    values: int = 0  # of its own, in the training dtype (a stochastic-depth sample's keep flag)
    fixed_bytes: int = 0  # of its own, whatever the dtype: int64 argmax indices, 1-byte masks
    once_bytes: int = 0  # whatever the batch: batchnorm's float32 mean and 1/std per channel
    view: bool = False  # its outputs are views of its input (flatten, split): the same storage


def default_saved(r: Any) -> Saved:
    """A type without its own rule keeps its inputs (a weighted layer needs X for ∂L/∂W), and its
    output too when an `activation:` is applied inside it (ReLU's gradient reads its output)."""
    if dict(r.extra).get("activation"):
        return Saved(what="saved.input_and_output", inputs=True, output=True)
    return Saved(what="saved.input", inputs=True)


def saves_nothing(r: Any) -> Saved:
    """Rearrangements, padding, sums and concatenations: the backward pass needs only shapes."""
    return Saved(what="saved.nothing")


def saves_nothing_a_view(r: Any) -> Saved:
    """Flatten, reshape, identity, split: the outputs share the input's storage, so a layer that
    keeps one of them keeps all of that tensor."""
    return Saved(what="saved.nothing", view=True)


def saves_output(r: Any) -> Saved:
    """ReLU, sigmoid, tanh, softmax: the gradient is computed from the output alone."""
    return Saved(what="saved.output", output=True)


@record(kw_only=False)
class LayerType:
    name: str
    summary: str
    args: tuple[Arg, ...]
    infer: Callable[[RuleContext], RuleResult]
    rank: int | None = None  # required spatial rank (conv2d: 2); None accepts any
    min_inputs: int = 1
    max_inputs: int = 1
    aliases: tuple[str, ...] = ()
    forward: Callable[..., Any] | None = None  # NumPy forward pass, imported lazily by the runner
    # NumPy backward pass beside it (`verify --backward`): from the run (its inputs, weights and
    # `outputs`) and ∂L/∂(each output), ∂L/∂(each input) as a tuple; each trainable weight's
    # gradient is handed to `run.grad(name, array)`, under the name the forward gave `run.param`
    backprop: Callable[..., tuple[Any, ...]] | None = None
    # float32-sized values the forward holds at once besides its inputs, output, weights and
    # im2col band — padded copies, float64 sums — from (LayerResult, batch): the memory estimate
    temporaries: Callable[[Any, int], int] | None = None
    # float32-sized values its backprop holds beyond what `verify --backward`'s estimate already
    # allows every type (runner/memory.py's BACKWARD_COPIES × its inputs and outputs)
    backward_temporaries: Callable[[Any, int], int] | None = None
    # what `explain` says of a layer from the rest of the network: a fully connected layer's share
    # of the parameters; the MACs a 1×1 standard 2-D convolution saves as a bottleneck
    fully_connected: bool = False
    standard_conv2d: bool = False
    # how many tensors it gives, from its checked arguments alone (known while parsing, so
    # `inputs` can name them: `split_1.0`); its rule returns as many `output_shapes`
    outputs: Callable[[Mapping[str, Any]], int] = lambda args: 1
    # the backward pass from the analysed layer (a LayerResult): gradients, how, MACs; None:
    # `default_backward` (the gradient passes with the input's shape)
    backward: Callable[[Any], Backward] | None = None
    # what it keeps for the backward pass, from the analysed layer; None: `default_saved` (its
    # inputs) — the training memory of `summary --training`
    saved: Callable[[Any], Saved] | None = None

    def arg(self, key: str) -> Arg | None:
        """The argument spelled `key`; for a habit from Keras or PyTorch that this type does
        not take, an Arg that refuses it with the reason; else None (an unknown argument)."""
        for a in self.args:
            if key == a.name or key in a.aliases:
                return a
        return Arg(key, "refused", help=FOREIGN[key], refused_by=self.name) if key in FOREIGN else None


FOREIGN = {key: f"error.foreign_{key}" for key in ("activation", "input_shape", "data_format")}


def check_declared(ctx: RuleContext, arg: str, found: int, what: str, why: str) -> None:
    """A size the user declared (PyTorch's `in_channels`, `in_features`) must be the input's."""
    declared = ctx.args.get(arg)
    if declared is None or declared == found:
        return
    name = ctx.input_names[0] if ctx.input_names else "input"
    source = Message("phrase.network_input") if name == "input" else Message("phrase.layer_gives", name=printable(name, 40))
    raise ctx.fail("error.declared_size", arg=arg, declared=declared, found=found, what=Message(what),
                   source=source, shape=shape_text(ctx.shape), why=Message(why))


def channels_last_hint(shape: Shape) -> str:
    """` (the input 28×28×1 looks channels-last; convcalc reads [C, H, W]: try 1x28x28)` when the
    last axis is 1, 3 or 4 (grey, RGB, RGBA) and every other axis is much larger; else ""."""
    *rest, last = shape
    if not 2 <= len(shape) <= 4 or last not in (1, 3, 4) or any(d < max(8, 4 * last) for d in rest):
        return ""
    layout = ("[C, L]", "[C, H, W]", "[C, D, H, W]")[len(shape) - 2]
    first = "x".join(map(str, (last, *rest)))
    return Message("hint.channels_last", shape=shape_text(shape), layout=layout, first=first)


def shape_text(shape: Shape) -> str:
    return "×".join(str(d) for d in shape)
