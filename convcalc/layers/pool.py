"""Pooling: windows that work on each channel alone and have no weights."""

from __future__ import annotations

from functools import partial
from math import gcd, prod

from convcalc import formulas
from convcalc.layers.base import (GLOBAL, Arg, Axis, Backward, FieldStep, Geometry, LayerType, RuleContext, RuleResult,
                                  Saved, input_gradients, saves_nothing, shape_text)
from convcalc.messages import Message
from convcalc.layers.windows import (
    dilation_arg,
    field_step,
    kernel_arg,
    padded_twice,
    padded_values,
    padding_arg,
    course_step,
    resolve_window,
    teach_general_form,
    warn_uncovered,
)
from convcalc.record import record

POOL_SIZE = kernel_arg("pool_size", ("kernel_size", "kernel"))
STRIDE = Arg("stride", "sizes", None, aliases=("strides",), help="step between windows; default pool_size")
CEIL = Arg("ceil_mode", "bool", False, help="round the output size up (PyTorch rule)")


@record
class Reduction:
    """What a pool computes over each window, bound to its types where they are registered."""

    name: str  # the type names' prefix: maxpool2d, global_maxpool, adaptive_maxpool2d
    keras: str  # Keras' word in its class names: MaxPooling2D, AveragePooling2D
    note: str  # the catalogue's note for a windowed pool
    global_note: str  # and for global pooling
    backward_note: str  # how its gradient goes back: to the argmax, or 1/K to every cell


MAX = Reduction(name="max", keras="max", note="note.max_pool", global_note="note.global_max_pool",
                backward_note="back.max_pool")
AVG = Reduction(name="avg", keras="average", note="note.avg_pool", global_note="note.global_avg_pool",
                backward_note="back.avg_pool")


def _pool_size(ctx: RuleContext, axis: str, n: int, window: Axis) -> int:
    """The output size on one axis, from the resolved window: PyTorch's rule with the symmetric
    padding P (its `before`), or Keras' ceil(N/S) for `same`."""
    ceil_mode = ctx.args["ceil_mode"]
    k, s, d, pad = window.kernel, window.stride, window.dilation, window.before
    span = formulas.effective_kernel(k, d)
    if ctx.args["padding"] == "same":  # Keras: out = ceil(N/S), whatever the window
        size = formulas.SAME_OUTPUT.function(n, s)
        return ctx.step("pool_output_same", size, axis=axis, n=n, s=s)
    if 2 * pad > k:  # PyTorch checks against the kernel size, not the dilated span
        raise ctx.fail("error.pool_padding_too_large", pad=pad, axis=axis, k=k)
    size = formulas.pool_output_size(n, k, s, pad, d, ceil_mode)
    values = {"axis": axis, "rounding": "ceil" if ceil_mode else "floor", "n": n, "pad": pad, "d": d, "k": k, "s": s}
    if size < 1:  # with ceil_mode PyTorch accepts a window that hangs past the end
        raise ctx.fail("error.pool_window_too_large", span=span, axis=axis, padded=n + 2 * pad, n=n, pad_total=2 * pad,
                       s=s, size=size)
    if ceil_mode and size != formulas.ceil_div(n + 2 * pad - span, s) + 1:
        ctx.warn("warn.ceil_mode_dropped", axis=axis)
        return ctx.step("pool_output_dropped", size, **values)
    if ceil_mode and (n + 2 * pad - span) % s:
        ctx.note("note.ceil_mode_hangs", axis=axis)
    if not ceil_mode:
        warn_uncovered(ctx, axis, n, k, s, d, 2 * pad, pad)
    if formulas.is_course_case(pad, pad, d, ceil_mode):
        return course_step(ctx, axis, n, k, s, pad, size)
    return ctx.step("pool_output", size, **values)


def _pool_args(ctx: RuleContext) -> tuple[tuple, tuple, tuple]:
    """kernel, stride (default: the kernel), dilation (1 for average pools) per axis."""
    kernel = ctx.per_axis("pool_size")
    stride = kernel if ctx.args["stride"] is None else ctx.per_axis("stride")
    dilation = ctx.per_axis("dilation") if "dilation" in ctx.args else (1,) * len(kernel)
    return kernel, stride, dilation


def _check_ceil_mode(ctx: RuleContext) -> None:
    """ceil_mode is PyTorch's rounding for numeric padding; `valid` and `same` are Keras' rules,
    which have no ceil_mode (Keras: floor for valid, ceil(N/S) for same), so the pair means nothing."""
    padding = ctx.args["padding"]
    if ctx.args["ceil_mode"] and isinstance(padding, str):
        raise ctx.fail(f"error.ceil_mode_with_{padding}")


def infer_pool(reduction: Reduction, ctx: RuleContext, *, window_within_input: bool = False) -> RuleResult:
    """window_within_input: PyTorch's avg_pool3d refuses an input axis smaller than its window
    before padding, unlike every other pool."""
    _check_ceil_mode(ctx)
    kernel, stride, dilation = _pool_args(ctx)
    geometry = resolve_window(ctx, kernel, stride, dilation, ctx.args["ceil_mode"])
    if window_within_input and ctx.args["padding"] != "same":
        for axis, n, k in zip(ctx.axis_names(), ctx.spatial, kernel):
            if n < k:
                raise ctx.fail("error.avgpool3d_window", axis=axis, n=n, k=k)
    out = tuple(_pool_size(ctx, axis, n, window) for axis, n, window in zip(ctx.axis_names(), ctx.spatial, geometry.axes))
    if ctx.args["padding"] != "same":  # Keras' ceil(N/S) is its own rule
        teach_general_form(ctx, Geometry(axes=tuple(a._replace(after=a.before) for a in geometry.axes)),
                           ctx.args["ceil_mode"])
    ctx.note(reduction.note, kernel=shape_text(kernel), channels=ctx.channels)
    ctx.step("pool_parameters", 0)
    return RuleResult(output_shape=(ctx.channels, *out), rf=field_step(kernel, stride, dilation), geometry=geometry)


def _counted(ctx: RuleContext, g: Geometry) -> tuple[tuple[int, int], ...]:
    """The span of cells that count for an average, (start, end) per axis: Keras' `same`
    averages over the real cells only, PyTorch over the padding too unless count_include_pad
    is false."""
    include_pad = ctx.args["padding"] != "same" and ctx.args.get("count_include_pad", True)
    return tuple((0, n + 2 * lo) if include_pad else (lo, lo + n) for n, (lo, _) in zip(ctx.spatial, g.pads))


def forward_max_pool(run):
    from convcalc import numpy_ops

    g = run.result.geometry
    return numpy_ops.max_pool(run.x, g.kernel, g.stride, g.pads, g.dilation)


def forward_avg_pool(run):
    from convcalc import numpy_ops

    g = run.result.geometry
    return numpy_ops.avg_pool(run.x, g.kernel, g.stride, g.pads, _divisor_mask(run))


def _divisor_mask(run):
    """Ones over the padded input where a cell counts towards a window's divisor."""
    import numpy as np

    g = run.result.geometry
    mask = np.ones((), dtype=np.float32)
    for n, (lo, hi), (start, end) in zip(run.x.shape[2:], g.pads, _counted(run.context(), g)):
        axis = np.zeros(lo + n + hi, dtype=np.float32)
        axis[start:end] = 1
        mask = np.multiply.outer(mask, axis)
    return mask


def forward_global_avg(run):
    return run.x.mean(axis=tuple(range(2, run.x.ndim)))


def forward_global_max(run):
    return run.x.max(axis=tuple(range(2, run.x.ndim)))


def _adaptive_bins(run) -> tuple[tuple[tuple[int, int], ...], ...]:
    """PyTorch's [start, end) of every output cell's bin, per axis."""
    sizes = run.context().per_axis("output_size")
    return tuple(tuple(formulas.adaptive_bin_bounds(n, o, i) for i in range(o)) for n, o in zip(run.x.shape[2:], sizes))


def forward_adaptive_avg(run):
    from convcalc import numpy_ops

    return numpy_ops.adaptive_avg_pool(run.x, _adaptive_bins(run))


def forward_adaptive_max(run):
    from convcalc import numpy_ops

    return numpy_ops.adaptive_max_pool(run.x, _adaptive_bins(run))


def backprop_max_pool(run, grads):
    from convcalc import numpy_ops

    g = run.result.geometry
    return (numpy_ops.max_pool_grad(run.x, run.outputs[0], grads[0], g.kernel, g.stride, g.pads, g.dilation),)


def backprop_avg_pool(run, grads):
    from convcalc import numpy_ops

    g = run.result.geometry
    return (numpy_ops.avg_pool_grad(grads[0], run.x.shape, g.kernel, g.stride, g.pads, _divisor_mask(run)),)


def backprop_global_avg(run, grads):
    """Every cell gets 1/(its map's size) of its channel's gradient."""
    import numpy as np

    spatial = run.x.shape[2:]
    share = grads[0].reshape(*grads[0].shape, *(1,) * len(spatial)) / np.float32(prod(spatial))
    return (np.ascontiguousarray(np.broadcast_to(share, run.x.shape)),)


def backprop_global_max(run, grads):
    """A global max is an adaptive max with one bin as wide as the map."""
    from convcalc import numpy_ops

    spatial = run.x.shape[2:]
    grad = grads[0].reshape(*grads[0].shape, *(1,) * len(spatial))
    return (numpy_ops.adaptive_max_pool_grad(run.x, grad, tuple(((0, n),) for n in spatial)),)


def backprop_adaptive_avg(run, grads):
    from convcalc import numpy_ops

    return (numpy_ops.adaptive_avg_pool_grad(grads[0], run.x.shape, _adaptive_bins(run)),)


def backprop_adaptive_max(run, grads):
    from convcalc import numpy_ops

    return (numpy_ops.adaptive_max_pool_grad(run.x, grads[0], _adaptive_bins(run)),)


def max_pool_temporaries(r, batch: int) -> int:
    """The input padded with −inf."""
    return padded_values(batch, r.input_shapes[0], r.geometry.pads)


def avg_pool_temporaries(r, batch: int) -> int:
    """The zero-padded input, the divisor mask over the padded cells, the window sums (an
    output) and the window counts."""
    spatial = tuple(n + lo + hi for n, (lo, hi) in zip(r.input_shapes[0][1:], r.geometry.pads))
    padded = padded_values(batch, r.input_shapes[0], r.geometry.pads)
    return padded + prod(spatial) + batch * prod(r.output_shape) + prod(r.output_shape[1:])


def adaptive_avg_temporaries(r, batch: int) -> int:
    """Per axis, a float64 cumulative sum and two float64 gathers of it at the bin ends."""
    return _adaptive_temporaries(r, batch, lambda n, o, before, after: 2 * before + 4 * after)


def adaptive_max_temporaries(r, batch: int) -> int:
    """Per axis, every bin's cells side by side."""
    return _adaptive_temporaries(r, batch, lambda n, o, before, after: after * formulas.adaptive_max_bin(n, o))


def avg_bins_backward_temporaries(r, batch: int) -> int:
    """Adaptive average pooling's backprop takes ∂L/∂Y back one axis at a time: between axes
    it spans the larger of input and output on each, and each product may copy (3 of them)."""
    spans = prod(max(n, o) for n, o in zip(r.input_shapes[0][1:], r.output_shape[1:]))
    return 3 * batch * r.input_shapes[0][0] * spans


def max_bins_backward_temporaries(r, batch: int) -> int:
    """Adaptive and global max pooling's backprop gathers every bin whole on all axes at once,
    O·W cells an axis (W: the widest bin), and reorders that (twice its size); it then traces
    each maximum to its cell with int64 arrays — the argmax, one index per axis, the flat
    target, (3 + rank) of them, 2 float32 values each per output — and sums the gradients in
    float64 (2 per input value)."""
    channels, *spatial = r.input_shapes[0]
    bins = r.output_shape[1:] or (1,) * len(spatial)  # a global pool: one bin an axis
    gathered = batch * channels * prod(o * formulas.adaptive_max_bin(n, o) for n, o in zip(spatial, bins))
    out, values = batch * prod(r.output_shape), batch * prod(r.input_shapes[0])
    return 2 * gathered + 2 * (3 + len(spatial)) * out + 2 * values


def _adaptive_temporaries(r, batch: int, gathered) -> int:
    """Axis by axis, at the largest: the previous axis' result, what the reduction gathers
    (`gathered(n, o, values before, values after)`), and this axis' result."""
    shape = [batch, *r.input_shapes[0]]
    largest = 0
    for axis, o in enumerate(r.output_shape[1:], start=2):
        n, before = shape[axis], prod(shape)
        after = before // n * o
        largest = max(largest, (before if axis > 2 else 0) + gathered(n, o, before, after) + after)
        shape[axis] = o
    return largest


def infer_global(reduction: Reduction, ctx: RuleContext) -> RuleResult:
    if not ctx.spatial:
        raise ctx.fail("error.global_pool_needs_spatial", shape=str(list(ctx.shape)))
    ctx.note(reduction.global_note, channels=ctx.channels, spatial=shape_text(ctx.spatial))
    ctx.step("global_features", ctx.channels, channels=ctx.channels)
    return RuleResult(output_shape=(ctx.channels,), rf=GLOBAL)


def infer_adaptive(ctx: RuleContext) -> RuleResult:
    from fractions import Fraction  # a sub-cell step: rarely needed, and a few ms to import

    sizes = ctx.per_axis("output_size")
    kernel = tuple(formulas.adaptive_max_bin(n, o) for n, o in zip(ctx.spatial, sizes))
    for axis, n, o, k in zip(ctx.axis_names(), ctx.spatial, sizes, kernel):
        step = "widest_bin_even" if n % o == 0 else "widest_bin_ceil" if n % o == gcd(n, o) else "widest_bin_ceil_plus"
        ctx.step(step, k, axis=axis, n=n, o=o)
    ctx.note("note.adaptive_pool", sizes=shape_text(sizes))
    stride = tuple(Fraction(n, o) for n, o in zip(ctx.spatial, sizes))
    return RuleResult(output_shape=(ctx.channels, *sizes), rf=FieldStep(kernel=kernel, stride=stride))


def backward_pool(reduction: Reduction, r) -> Backward:
    """No weights: the gradient goes to each window's argmax, or 1/K to each of its K cells (a
    global pool's window is the whole map)."""
    cells = prod(r.geometry.kernel) if r.geometry is not None else prod(r.input_shapes[0][1:])
    note = Message(reduction.backward_note, input=shape_text(r.input_shapes[0]), cells=cells)
    return Backward(gradients=input_gradients(r), notes=(note,))


def max_pool_saved(r) -> Saved:
    """The input, and where each maximum came from: one int64 index per output value (PyTorch's
    max_pool*_with_indices), in whatever dtype the values are."""
    return Saved(what="saved.input_and_argmax", inputs=True, fixed_bytes=8 * prod(r.output_shape))


def adaptive_avg_saved(r) -> Saved:
    """To an output of 1 PyTorch takes the mean, whose gradient needs no tensor; else the input."""
    if all(size == 1 for size in r.output_shape[1:]):
        return saves_nothing(r)
    return Saved(what="saved.input", inputs=True)


def _max_pool_type(dims: int) -> LayerType:
    return _pool_type(MAX, dims, (dilation_arg(),), infer=partial(infer_pool, MAX), forward=forward_max_pool,
                      backprop=backprop_max_pool, temporaries=max_pool_temporaries, saved=max_pool_saved)


def _avg_pool_type(dims: int) -> LayerType:
    include_pad = Arg("count_include_pad", "bool", True, help="average over padding cells too (PyTorch default)")
    return _pool_type(AVG, dims, (include_pad,), infer=partial(infer_pool, AVG, window_within_input=dims == 3),
                      forward=forward_avg_pool, backprop=backprop_avg_pool, temporaries=avg_pool_temporaries)


def _pool_type(reduction: Reduction, dims: int, extra: tuple[Arg, ...], *, infer, forward, backprop,
               temporaries, saved=None) -> LayerType:
    return LayerType(
        f"{reduction.name}pool{dims}d",
        f"{dims}-D {reduction.name} pooling, per channel, no parameters",
        (POOL_SIZE, STRIDE, padding_arg(), CEIL, *extra),
        infer,
        rank=dims,
        forward=forward,
        backprop=backprop,
        aliases=(f"{reduction.keras}_pooling{dims}d",),  # Keras' MaxPooling2D, AveragePooling2D
        temporaries=temporaries,
        backward_temporaries=padded_twice,
        backward=partial(backward_pool, reduction),
        saved=saved,
    )


def _global_type(reduction: Reduction, summary: str, forward, backprop, saved=None) -> LayerType:
    """Keras' GlobalAveragePooling2D and GlobalAvgPool2D, for 1 to 3 axes, are its aliases."""
    spellings = (f"{reduction.keras}_pooling", f"{reduction.name}pool")
    return LayerType(f"global_{reduction.name}pool", summary, (), partial(infer_global, reduction), forward=forward,
                     backprop=backprop, backward=partial(backward_pool, reduction), saved=saved,
                     backward_temporaries=max_bins_backward_temporaries if reduction is MAX else None,
                     aliases=tuple(f"global_{spelling}{d}d" for spelling in spellings for d in (1, 2, 3)))


def _adaptive_type(reduction: Reduction, dims: int, forward, backprop, temporaries, saved=None) -> LayerType:
    return LayerType(
        f"adaptive_{reduction.name}pool{dims}d",
        f"{dims}-D adaptive {reduction.name} pooling to a fixed output size (PyTorch's bin rule)",
        (Arg("output_size", "sizes", help="output size, int or one per axis"),),
        infer_adaptive,
        rank=dims,
        forward=forward,
        backprop=backprop,
        temporaries=temporaries,
        backward_temporaries=max_bins_backward_temporaries if reduction is MAX else avg_bins_backward_temporaries,
        saved=saved,
    )


TYPES = (
    *(_max_pool_type(d) for d in (1, 2, 3)),
    *(_avg_pool_type(d) for d in (1, 2, 3)),
    # a mean's gradient is 1/K everywhere: PyTorch's mean (adaptive_avg_pool to 1 is one) keeps no tensor
    _global_type(AVG, "mean over all spatial positions → [C]", forward_global_avg, backprop_global_avg, saves_nothing),
    _global_type(MAX, "max over all spatial positions → [C]", forward_global_max, backprop_global_max, max_pool_saved),
    *(_adaptive_type(AVG, d, forward_adaptive_avg, backprop_adaptive_avg, adaptive_avg_temporaries, adaptive_avg_saved)
      for d in (1, 2, 3)),
    *(_adaptive_type(MAX, d, forward_adaptive_max, backprop_adaptive_max, adaptive_max_temporaries, max_pool_saved)
      for d in (1, 2, 3)),
)
