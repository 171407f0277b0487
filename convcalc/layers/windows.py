"""Sliding windows, shared by convolutions and pools: padding, output size per axis, and the
warning when floor leaves input cells uncovered."""

from __future__ import annotations

from math import prod

from convcalc import formulas
from convcalc.layers.base import Arg, Axis, FieldStep, Geometry, RuleContext
from convcalc.messages import Message

PAD_STRINGS = ("valid", "same")
Pads = tuple[tuple[int, int], ...]


def kernel_arg(name: str = "kernel_size", aliases: tuple[str, ...] = ("kernel",)) -> Arg:
    return Arg(name, "sizes", aliases=aliases, help="window size, int or one per axis")


def stride_arg(default: object = 1) -> Arg:
    return Arg("stride", "sizes", default, aliases=("strides",), help="step between windows")


def dilation_arg() -> Arg:
    return Arg("dilation", "sizes", 1, aliases=("dilation_rate",), help="gap between kernel taps")


def padding_arg(choices: tuple[str, ...] = PAD_STRINGS) -> Arg:
    return Arg("padding", "padding", 0, choices=choices, help="int (symmetric per axis), per-axis list, or " + "/".join(choices))


def resolve_window(ctx: RuleContext, kernel: tuple, stride: tuple, dilation: tuple, ceil_mode: bool = False,
                   transposed: bool = False) -> Geometry:
    """The one window normaliser: kernel, stride, dilation and (before, after) pads per axis for
    every padding spelling — int, per axis, [before, after] pairs, `valid`, `same` (the extra
    cell after, as TensorFlow), `causal` — with `after` extended until PyTorch's ceil_mode's
    last window fits; for a transposed conv, the pads of its stride-spread input."""
    if transposed:
        return _transposed_geometry(ctx, kernel, stride, dilation)
    pads = _pads(ctx, kernel, stride, dilation)
    axes = []
    for n, k, s, d, (lo, hi) in zip(ctx.spatial, kernel, stride, dilation, pads):
        if ceil_mode:  # the last window may hang past the padding: pad on until it fits
            out = formulas.pool_output_size(n, k, s, lo, d, True)
            hi = max((out - 1) * s + formulas.effective_kernel(k, d) - n - lo, hi)
        axes.append(Axis(kernel=k, stride=s, dilation=d, before=lo, after=hi))
    return Geometry(axes=tuple(axes))


def _pads(ctx: RuleContext, kernel: tuple, stride: tuple, dilation: tuple) -> Pads:
    padding = ctx.args["padding"]
    if padding == "valid":
        return tuple((0, 0) for _ in kernel)
    if padding == "same":
        return tuple(formulas.same_padding(n, k, s, d) for n, k, s, d in zip(ctx.spatial, kernel, stride, dilation))
    if padding == "causal":
        if len(kernel) != 1:
            raise ctx.fail("error.causal_not_1d")
        return (formulas.causal_padding(kernel[0], dilation[0]),)
    if isinstance(padding, tuple) and isinstance(padding[0], tuple):
        if len(padding) != len(kernel):
            raise ctx.fail("error.padding_pairs", count=len(padding), rank=len(kernel))
        return padding
    return tuple((p, p) for p in ctx.per_axis("padding", len(kernel)))


def _transposed_geometry(ctx: RuleContext, kernel: tuple, stride: tuple, dilation: tuple) -> Geometry:
    """A transposed conv as the runner computes it: the input spread S apart, padded by
    (before, after) — a negative pad crops — and convolved at stride 1, whose first `output
    size` cells are the output."""
    padding, op = ctx.args["padding"], ctx.args["output_padding"]
    ops = (op,) * len(kernel) if op is None or isinstance(op, int) else op
    paddings = (padding,) * len(kernel) if isinstance(padding, (int, str)) else padding
    axes = []
    for n, k, s, d, o, p in zip(ctx.spatial, kernel, stride, dilation, ops, paddings):
        full = (n - 1) * s + formulas.effective_kernel(k, d)  # every cell the kernel stamps
        if isinstance(p, str):
            # Keras (TensorFlow): the gradient of a `p`-padded conv whose input has the output's
            # size, so the output starts where that conv's `same` padding would begin
            size = formulas.keras_transposed_output_size(n, k, s, p, d, o)
            offset = max(full - size, 0) // 2
        else:
            size, offset = formulas.transposed_output_size(n, k, s, p, d, o or 0), p
        edge = d * (k - 1)
        # cells of the wanted output beyond the full result are zeros (Keras `valid` with K < S)
        axes.append(Axis(kernel=k, stride=s, dilation=d, before=edge - offset, after=edge + max(size + offset - full, 0)))
    return Geometry(axes=tuple(axes), drawn=False)


def conv_geometry(ctx: RuleContext) -> Geometry:
    """A convolution's window from its arguments; `same` padding's derivation is recorded."""
    g = resolve_window(ctx, ctx.per_axis("kernel_size"), ctx.per_axis("stride"), ctx.per_axis("dilation"))
    if ctx.args["padding"] == "same":
        for axis, n, a in zip(ctx.axis_names(), ctx.spatial, g.axes):
            total = ctx.step("same_padding", a.before + a.after, axis=axis, n=n, k=a.kernel, s=a.stride, d=a.dilation)
            ctx.step("pad_before", a.before, axis=axis, total=total)
            ctx.step("pad_after", a.after, axis=axis, total=total, lo=a.before)
    return g


def output_sizes(ctx: RuleContext, g: Geometry) -> tuple[int, ...]:
    """floor((N + P − D·(K−1) − 1)/S) + 1 per axis; a window larger than the padded input is an
    error, and input cells that floor leaves uncovered become a warning."""
    out = []
    for axis, n, (k, s, d, lo, hi) in zip(ctx.axis_names(), ctx.spatial, g.axes):
        size = formulas.CONV_OUTPUT.function(n, k, s, lo + hi, d)
        span = formulas.effective_kernel(k, d)
        if span > n + lo + hi:
            raise ctx.fail("error.kernel_too_large" if d == 1 else "error.dilated_kernel_too_large", k=k, d=d, span=span,
                           axis=axis, padded=n + lo + hi, n=n, pad_total=lo + hi, s=s, size=size)
        if formulas.is_course_case(lo, hi, d):
            course_step(ctx, axis, n, k, s, lo, size)
        else:
            ctx.step("output_size", size, axis=axis, n=n, lo=lo, hi=hi, d=d, k=k, s=s)
        warn_uncovered(ctx, axis, n, k, s, d, lo + hi, hi)
        out.append(size)
    teach_general_form(ctx, g)
    return tuple(out)


def course_step(ctx: RuleContext, axis: str, n: int, k: int, s: int, pad: int, size: int) -> int:
    """The course's (N − K + 2P)/S + 1 with the numbers; when S does not divide, floor's form
    and a note on what it drops."""
    rest = formulas.course_remainder(n, k, s, pad)
    if rest:
        top = n - k + 2 * pad
        ctx.note("note.floor_drops", axis=axis, n=n, k=k, pad=pad, s=s, top=top, rest=rest, whole=top // s)
    return ctx.step("course_output_floor" if rest else "course_output", size, axis=axis, n=n, k=k, pad=pad, s=s)


def teach_general_form(ctx: RuleContext, g: Geometry, ceil_mode: bool = False) -> None:
    """Once per layer: why the general rule was needed, and how it reduces to the course's."""
    reason = general_reason(ctx.args.get("padding"), g, ceil_mode)
    if reason is not None:
        ctx.note("note.general_form", reason=reason)


def general_reason(padding: object, g: Geometry, ceil_mode: bool) -> Message | None:
    """What keeps the course's form from applying, or None when it applies on every axis."""
    if all(formulas.is_course_case(a.before, a.after, a.dilation, ceil_mode) for a in g.axes):
        return None
    if ceil_mode:
        return Message("reason.ceil_mode")
    dilated = next((a.dilation for a in g.axes if a.dilation > 1), None)
    if dilated:
        return Message("reason.dilation", d=dilated)
    return Message(f"reason.{padding}_uneven")  # only `same` and `causal` pad the two sides differently


UNITS = {"height": "unit.row", "width": "unit.column", "depth": "unit.slice"}


def warn_uncovered(ctx: RuleContext, axis: str, n: int, k: int, s: int, d: int, pad_total: int, pad_after: int) -> None:
    remainder = formulas.uncovered_cells(n, k, s, pad_total, d)
    left = remainder - pad_after
    if left > 0:
        unit = Message(UNITS.get(axis, "unit.cell"), count=left)
        ctx.warn("warn.uncovered", axis=axis, s=s, left=left, unit=unit, n=n, pad_total=pad_total,
                 span=formulas.effective_kernel(k, d), remainder=remainder)


def padded_values(batch: int, shape: tuple, pads: Pads) -> int:
    """Values of the zero-padded copy of a (batch, *shape) input a forward makes; 0 unpadded."""
    if not any(lo or hi for lo, hi in pads):
        return 0
    return batch * shape[0] * prod(n + lo + hi for n, (lo, hi) in zip(shape[1:], pads))


def padded_twice(r, batch: int) -> int:
    """A windowed layer's backprop (`verify --backward`): the input padded again and its
    gradient built padded, then cropped — two padded copies."""
    return 2 * padded_values(batch, r.input_shapes[0], r.geometry.pads)


def field_step(kernel: tuple, stride: tuple, dilation: tuple) -> FieldStep:
    return FieldStep(
        kernel=tuple(formulas.effective_kernel(k, d) for k, d in zip(kernel, dilation)),
        stride=tuple(stride),
    )
