"""Convolutions: conv1d/2d/3d, their transposes, depthwise and separable conv2d."""

from __future__ import annotations

from fractions import Fraction
from math import prod

from convcalc import formulas
from convcalc.layers import activations
from convcalc.layers.base import Arg, Call, Geometry, Inference, LayerType, Window, check_declared, shape_text
from convcalc.layers.windows import (
    dilation_arg,
    kernel_arg,
    padded_values,
    padding_arg,
    resolve_padding,
    rf_window,
    stride_arg,
    window_output,
)

FILTERS = Arg("filters", "int", aliases=("out_channels",), help="number of filters = output channels")
GROUPS = Arg("groups", "int", 1, help="split channels into groups; groups = C is depthwise")
BIAS = Arg("bias", "bool", True, aliases=("use_bias",), help="add one bias per output channel")
MULTIPLIER = Arg("depth_multiplier", "int", 1, help="filters per input channel")
IN_CHANNELS = Arg("in_channels", "int", None, help="PyTorch's: checked against the input's channels")
ACTIVATION = activations.activation_arg()


def _check_in_channels(call: Call) -> None:
    check_declared(call, "in_channels", call.channels, "channels", "a kernel is as deep as its input")


def _window_args(call: Call) -> tuple[tuple, tuple, tuple]:
    return call.per_axis("kernel_size"), call.per_axis("stride"), call.per_axis("dilation")


def _padded_window(call: Call) -> tuple[tuple, tuple, tuple, tuple]:
    """kernel, stride, dilation and the resolved (before, after) pads: what the rule and the
    NumPy forward of a convolution both start from."""
    kernel, stride, dilation = _window_args(call)
    return kernel, stride, dilation, resolve_padding(call, kernel, stride, dilation)


def _check_groups(call: Call, filters: int) -> int:
    groups = call.args["groups"]
    for what, count in (("input channels", call.channels), ("filters", filters)):
        if count % groups:
            raise call.fail(f"groups {groups} must divide the {what} {count} ({count} mod {groups} = {count % groups})")
    return groups


def _count(call: Call, kernel_shape: tuple, biases: int, formula: str = "filters × (C_in/groups) × kernel") -> int:
    weights = call.step("weights", formula, " × ".join(str(d) for d in kernel_shape), prod(kernel_shape))
    if biases:
        call.step("biases", "one per output channel", str(biases), biases)
    return call.step("parameters", "weights + biases", f"{weights} + {biases}", weights + biases)


def _macs(call: Call, out_shape: tuple, per_output: tuple) -> int:
    return call.step(
        "MACs", "output elements × weights per output", f"{shape_text(out_shape)} × {shape_text(per_output)}",
        prod(out_shape) * prod(per_output),
    )


def _teach_kernel(call: Call, filters: int, groups: int, kernel: tuple) -> None:
    c, k = call.channels, shape_text(kernel)
    weights = filters * (c // groups) * prod(kernel)
    if groups == 1:
        spans = f"all {c} input channels" if c > 1 else "the 1 input channel"
        call.note(
            f"Every filter spans {spans}: the kernel depth equals the input's channel count, "
            f"so each of the {filters} filters is a {c}×{k} block. Weight tensor {filters}×{c}×{k} = "
            f"{weights:,} weights. The output has one channel per filter: {filters}."
        )
        if c > 1 and filters % c == 0:
            per_channel = filters * prod(kernel)
            call.note(
                f"The per-channel alternative: with groups = {c} each filter sees 1 channel, "
                f"{filters}×1×{k} = {per_channel:,} weights instead of {weights:,} ({c}× fewer) — "
                f"that is a depthwise convolution, which never mixes channels."
            )
    else:
        full = filters * c * prod(kernel)
        call.note(
            f"With groups = {groups} the {c} input channels are split into {groups} groups of {c // groups}: "
            f"each filter sees only its group's {c // groups} channel{'s' if c // groups > 1 else ''}. "
            f"Weight tensor {filters}×{c // groups}×{k} = {weights:,} weights, against {full:,} for a standard "
            f"convolution (groups = 1) — {groups}× fewer."
        )
    if all(d == 1 for d in kernel) and groups == 1:
        call.note(
            f"A 1×1 convolution is a dense layer applied at every pixel: it mixes {c} channels into {filters} "
            f"without looking at neighbours."
        )


def _teach_padding(call: Call, kernel: tuple, stride: tuple, dilation: tuple) -> None:
    padding = call.args["padding"]
    if padding == "same":
        even = [k for k in kernel if k % 2 == 0]
        if even:
            call.note(
                f"An even kernel ({even[0]}) has no centre cell, so `same` cannot pad both sides equally: "
                f"the extra pad cell goes at the end (after), as TensorFlow does."
            )
        elif all(s == 1 for s in stride):
            call.note(
                "Odd kernels have a centre cell: at stride 1, `same` pads (D·(K−1))/2 on each side "
                "and the output keeps the input's size."
            )
    elif padding == "causal":
        k, d = kernel[0], dilation[0]
        call.step("causal padding (before)", "D·(K−1)", f"{d}·({k}−1)", d * (k - 1))
        call.note(
            f"`causal` pads {d * (k - 1)} cells on the left only, so output t sees inputs up to t and never the future."
        )


def infer_conv(call: Call) -> Inference:
    _check_in_channels(call)
    filters = call.args["filters"]
    kernel, stride, dilation = _window_args(call)
    groups = _check_groups(call, filters)
    _teach_kernel(call, filters, groups, kernel)
    _teach_padding(call, kernel, stride, dilation)
    pads = resolve_padding(call, kernel, stride, dilation)
    out_spatial = window_output(call, kernel, stride, dilation, pads)
    call.step("output channels", "one per filter", str(filters), filters)
    kernel_shape = (filters, call.channels // groups, *kernel)
    params = _count(call, kernel_shape, filters if call.args["bias"] else 0)
    out_shape = (filters, *out_spatial)
    macs = _macs(call, out_shape, kernel_shape[1:])
    workspace = prod(out_spatial) * call.channels * prod(kernel)
    return Inference(out_shape, kernel_shape, params, 0, macs, rf_window(kernel, stride, dilation), workspace=workspace,
                     geometry=Geometry(kernel, stride, dilation, pads), extra=activations.applied(call))


def _transposed_size(call: Call, axis: str, n: int, k: int, s: int, d: int, padding: int | str, op: int | None) -> int:
    if isinstance(padding, str):  # Keras semantics for valid/same
        size = formulas.keras_transposed_output_size(n, k, s, padding, d, op)
        if op is None:
            formula = "N·S + max(D·(K−1) + 1 − S, 0)" if padding == "valid" else "N·S"
            text = f"{n}·{s} + max({d}·({k}−1) + 1 − {s}, 0)" if padding == "valid" else f"{n}·{s}"
        else:
            pad = formulas.effective_kernel(k, d) // 2 if padding == "same" else 0
            formula = "(N−1)·S + D·(K−1) + 1 − 2P + output_padding"
            text = f"({n}−1)·{s} + {d}·({k}−1) + 1 − 2·{pad} + {op}"
    else:
        size = formulas.transposed_output_size(n, k, s, padding, d, op or 0)
        formula = "(N−1)·S − 2P + D·(K−1) + output_padding + 1"
        text = f"({n}−1)·{s} − 2·{padding} + {d}·({k}−1) + {op or 0} + 1"
    if size < 1:
        raise call.fail(f"output {axis} {text} = {size} < 1")
    return call.step(f"output {axis}", formula, text, size)


def infer_conv_transpose(call: Call) -> Inference:
    _check_in_channels(call)
    filters = call.args["filters"]
    kernel, stride, dilation = _window_args(call)
    groups = _check_groups(call, filters)
    padding = call.args["padding"]
    pads = (padding,) * len(kernel) if isinstance(padding, str) else call.per_axis("padding")
    output_padding = call.args["output_padding"]
    ops = (None,) * len(kernel) if output_padding is None else call.per_axis("output_padding")
    for axis, op, s, d in zip(call.axis_names(), ops, stride, dilation):
        if op is not None and op >= max(s, d):
            raise call.fail(f"output_padding {op} on the {axis} must be smaller than the stride {s} or the dilation {d}")
    out_spatial = tuple(
        _transposed_size(call, axis, n, k, s, d, p, op)
        for axis, n, k, s, d, p, op in zip(call.axis_names(), call.spatial, kernel, stride, dilation, pads, ops)
    )
    kernel_shape = (call.channels, filters // groups, *kernel)  # PyTorch stores (in, out/groups, *k)
    params = _count(call, kernel_shape, filters if call.args["bias"] else 0, "C_in × (filters/groups) × kernel")
    # every input element is multiplied by each of its (out/groups)·K weights
    macs = call.step("MACs", "input elements × (filters/groups) × kernel",
                     f"{shape_text(call.shape)} × {shape_text(kernel_shape[1:])}", prod(call.shape) * prod(kernel_shape[1:]))
    call.note(
        f"A transposed convolution runs a convolution backwards: each input cell is spread {shape_text(stride)} apart "
        f"and stamps a {shape_text(kernel)} kernel onto the output, so the output grows. PyTorch stores its weight "
        f"as (in, out/groups, *kernel) = {shape_text(kernel_shape)} — input channels first."
    )
    rf = Window(
        tuple(formulas.ceil_div(formulas.effective_kernel(k, d), s) for k, s, d in zip(kernel, stride, dilation)),
        tuple(Fraction(1, s) for s in stride),
    )
    # the runner convolves the stride-spread input over the full, uncropped output
    full = prod(max(o, (n - 1) * s + formulas.effective_kernel(k, d))
                for o, n, k, s, d in zip(out_spatial, call.spatial, kernel, stride, dilation))
    workspace = full * call.channels * prod(kernel)
    return Inference((filters, *out_spatial), kernel_shape, params, 0, macs, rf, workspace=workspace,
                     extra=activations.applied(call))


def infer_depthwise(call: Call) -> Inference:
    _check_in_channels(call)
    out_channels = call.channels * call.args["depth_multiplier"]
    kernel, stride, dilation, pads = _padded_window(call)
    out_spatial = window_output(call, kernel, stride, dilation, pads)
    kernel_shape = (out_channels, 1, *kernel)
    params = _count(call, kernel_shape, out_channels if call.args["bias"] else 0, "C·m × 1 × kernel")
    out_shape = (out_channels, *out_spatial)
    macs = _macs(call, out_shape, kernel)
    standard = out_channels * call.channels * prod(kernel)
    call.note(
        f"A depthwise convolution gives each of the {call.channels} input channels its own "
        f"{shape_text(kernel)} filter{'s' if call.args['depth_multiplier'] > 1 else ''} "
        f"(× depth_multiplier {call.args['depth_multiplier']}): channels never mix. {prod(kernel_shape):,} weights, against "
        f"{standard:,} for a standard convolution to the same {out_channels} channels."
    )
    return Inference(out_shape, kernel_shape, params, 0, macs, rf_window(kernel, stride, dilation),
                     workspace=prod(out_spatial) * call.channels * prod(kernel),
                     geometry=Geometry(kernel, stride, dilation, pads), extra=activations.applied(call))


def infer_separable(call: Call) -> Inference:
    _check_in_channels(call)
    filters = call.args["filters"]
    mid = call.channels * call.args["depth_multiplier"]
    kernel, stride, dilation, pads = _padded_window(call)
    out_spatial = window_output(call, kernel, stride, dilation, pads)
    depthwise = (mid, 1, *kernel)
    pointwise = (filters, mid, *(1 for _ in kernel))
    biases = filters if call.args["bias"] else 0
    dw = call.step("depthwise weights", "C·m × 1 × kernel", " × ".join(map(str, depthwise)), prod(depthwise))
    pw = call.step("pointwise weights", "filters × C·m × 1×1", f"{filters} × {mid}", prod(pointwise))
    params = call.step("parameters", "depthwise + pointwise + biases", f"{dw} + {pw} + {biases}", dw + pw + biases)
    pixels = prod(out_spatial)
    macs = call.step("MACs", "output pixels × (C·m × kernel + filters × C·m)",
                     f"{pixels} × ({mid} × {prod(kernel)} + {filters} × {mid})", pixels * mid * prod(kernel) + pixels * filters * mid)
    standard = filters * call.channels * prod(kernel) + biases
    call.note(
        f"Separable = depthwise {shape_text(kernel)} per channel, then a 1×1 pointwise conv mixing {mid} channels into "
        f"{filters}: {params:,} parameters, against {standard:,} for a standard convolution "
        f"({standard / params:.1f}× more)."
    )
    return Inference(
        (filters, *out_spatial), depthwise, params, 0, macs, rf_window(kernel, stride, dilation),
        extra=(("kernel_shapes", [list(depthwise), list(pointwise)]), *activations.applied(call)),
        workspace=pixels * max(call.channels * prod(kernel), mid),  # the larger of the two im2col gathers
        geometry=Geometry(kernel, stride, dilation, pads),
    )


def forward_conv(run):
    from convcalc import numpy_ops

    call = run.call()
    kernel, stride, dilation, pads = _padded_window(call)
    weight = run.param("weight", run.result.kernel_shape)
    bias = run.param("bias", (call.args["filters"],), "bias") if call.args["bias"] else None
    out = numpy_ops.conv(run.x, weight, bias, stride, pads, dilation, call.args["groups"])
    return activations.apply(call.args.get("activation"), out)


def _transpose_plan(call: Call) -> tuple[tuple, tuple, tuple]:
    """How the runner computes a transposed convolution: per axis the output size, the
    (before, after) pads of the stride-spread input — a negative pad crops — and the length of
    the convolution over it, whose first `output size` cells are the output."""
    kernel, stride, dilation = _window_args(call)
    padding, op = call.args["padding"], call.args["output_padding"]
    ops = (op,) * len(kernel) if op is None or isinstance(op, int) else op
    paddings = (padding,) * len(kernel) if isinstance(padding, (int, str)) else padding
    sizes, pads, lengths = [], [], []
    for n, k, s, d, o, p in zip(call.spatial, kernel, stride, dilation, ops, paddings):
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
        lo, hi = edge - offset, edge + max(size + offset - full, 0)
        sizes.append(size)
        pads.append((lo, hi))
        lengths.append((n - 1) * s + 1 + lo + hi - edge)
    return tuple(sizes), tuple(pads), tuple(lengths)


def forward_conv_transpose(run):
    from convcalc import numpy_ops

    call = run.call()
    _, stride, dilation = _window_args(call)
    sizes, pads, _ = _transpose_plan(call)
    weight = run.param("weight", run.result.kernel_shape)
    bias = run.param("bias", (call.args["filters"],), "bias") if call.args["bias"] else None
    out = numpy_ops.conv_transpose(run.x, weight, bias, stride, dilation, call.args["groups"], pads, sizes)
    return activations.apply(call.args.get("activation"), out)


def forward_depthwise(run):
    from convcalc import numpy_ops

    call = run.call()
    kernel, stride, dilation, pads = _padded_window(call)
    weight = run.param("weight", run.result.kernel_shape)
    bias = run.param("bias", (weight.shape[0],), "bias") if call.args["bias"] else None
    out = numpy_ops.conv(run.x, weight, bias, stride, pads, dilation, call.channels)
    return activations.apply(call.args.get("activation"), out)


def forward_separable(run):
    from convcalc import numpy_ops

    call = run.call()
    kernel, stride, dilation, pads = _padded_window(call)
    depthwise_shape, pointwise_shape = dict(run.result.extra)["kernel_shapes"]
    depthwise = run.param("depthwise", tuple(depthwise_shape))
    pointwise = run.param("pointwise", tuple(pointwise_shape))
    bias = run.param("bias", (call.args["filters"],), "bias") if call.args["bias"] else None
    mid = numpy_ops.conv(run.x, depthwise, None, stride, pads, dilation, call.channels)
    ones = (1,) * len(kernel)
    out = numpy_ops.conv(mid, pointwise, bias, ones, tuple((0, 0) for _ in kernel), ones)
    return activations.apply(call.args.get("activation"), out)


def _activation_values(r, batch: int) -> int:
    return activations.temporaries(r.spec.args.get("activation"), batch * prod(r.output_shape))


def conv_temporaries(r, batch: int) -> int:
    """A padded copy of the input and one GEMM product (at most the output)."""
    return (padded_values(batch, r.input_shapes[0], r.geometry.pads) + batch * prod(r.output_shape)
            + _activation_values(r, batch))


def separable_temporaries(r, batch: int) -> int:
    """The padded input, the depthwise result and its GEMM product, then the pointwise product."""
    mid = batch * r.kernel_shape[0] * prod(r.output_shape[1:])
    return (padded_values(batch, r.input_shapes[0], r.geometry.pads) + 2 * mid + batch * prod(r.output_shape)
            + _activation_values(r, batch))


def transpose_temporaries(r, batch: int) -> int:
    """The flipped weight; the stride-spread input, its padded and its cut copy (C channels
    each); the uncropped convolution and its GEMM product (filters channels each)."""
    call = Call(r.spec.type, dict(r.spec.args), r.input_shapes)
    _, stride, _ = _window_args(call)
    _, pads, lengths = _transpose_plan(call)
    spread = [(n - 1) * s + 1 for n, s in zip(call.spatial, stride)]
    padded = prod(n + max(lo, 0) + max(hi, 0) for n, (lo, hi) in zip(spread, pads))
    cut = prod(n + lo + hi for n, (lo, hi) in zip(spread, pads))
    return (r.params + batch * call.channels * (prod(spread) + padded + cut) + 2 * batch * r.output_shape[0] * prod(lengths)
            + _activation_values(r, batch))


def _conv_type(dims: int) -> LayerType:
    causal = ("valid", "same", "causal") if dims == 1 else ("valid", "same")
    return LayerType(
        f"conv{dims}d",
        f"{dims}-D convolution: every filter spans all input channels (per group)",
        (FILTERS, kernel_arg(), stride_arg(), padding_arg(causal), dilation_arg(), GROUPS, BIAS, ACTIVATION,
         IN_CHANNELS),
        infer_conv,
        rank=dims,
        forward=forward_conv,
        aliases=(f"convolution{dims}d",),
        temporaries=conv_temporaries,
        standard_conv2d=dims == 2,
    )


def _transpose_type(dims: int) -> LayerType:
    return LayerType(
        f"conv_transpose{dims}d",
        f"{dims}-D transposed convolution (PyTorch rule for int padding, Keras for valid/same)",
        (
            FILTERS, kernel_arg(), stride_arg(), padding_arg(), dilation_arg(),
            Arg("output_padding", "sizes", None, minimum=0, help="extra cells on one side of the output"),
            GROUPS, BIAS, ACTIVATION, IN_CHANNELS,
        ),
        infer_conv_transpose,
        rank=dims,
        forward=forward_conv_transpose,
        temporaries=transpose_temporaries,
        aliases=(f"conv{dims}d_transpose", f"convolution{dims}d_transpose"),
    )


TYPES = (
    *(_conv_type(d) for d in (1, 2, 3)),
    *(_transpose_type(d) for d in (1, 2, 3)),
    LayerType(
        "depthwise_conv2d",
        "one k×k filter per input channel (× depth_multiplier); channels never mix",
        (MULTIPLIER, kernel_arg(), stride_arg(), padding_arg(), dilation_arg(), BIAS, ACTIVATION, IN_CHANNELS),
        infer_depthwise,
        rank=2,
        forward=forward_depthwise,
        temporaries=conv_temporaries,
    ),
    LayerType(
        "separable_conv2d",
        "Keras SeparableConv2D: depthwise k×k, then pointwise 1×1 to `filters`; bias on the pointwise",
        (FILTERS, kernel_arg(), stride_arg(), padding_arg(), dilation_arg(), MULTIPLIER, BIAS, ACTIVATION, IN_CHANNELS),
        infer_separable,
        rank=2,
        forward=forward_separable,
        aliases=("separable_convolution2d",),
        temporaries=separable_temporaries,
    ),
)
