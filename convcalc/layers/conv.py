"""Convolutions: conv1d/2d/3d, their transposes, depthwise and separable conv2d."""

from __future__ import annotations

from fractions import Fraction
from math import prod

from convcalc import formulas
from convcalc.english import STEPS
from convcalc.messages import Message
from convcalc.layers import activations
from convcalc.layers.base import Arg, FieldStep, LayerType, RuleContext, RuleResult, check_declared, shape_text
from convcalc.layers.windows import (
    conv_geometry,
    dilation_arg,
    field_step,
    kernel_arg,
    output_sizes,
    padded_values,
    padding_arg,
    resolve_window,
    stride_arg,
)

FILTERS = Arg("filters", "int", aliases=("out_channels",), help="number of filters = output channels")
GROUPS = Arg("groups", "int", 1, help="split channels into groups; groups = C is depthwise")
BIAS = Arg("bias", "bool", True, aliases=("use_bias",), help="add one bias per output channel")
MULTIPLIER = Arg("depth_multiplier", "int", 1, help="filters per input channel")
IN_CHANNELS = Arg("in_channels", "int", None, help="PyTorch's: checked against the input's channels")
ACTIVATION = activations.activation_arg()


def _check_in_channels(call: RuleContext) -> None:
    check_declared(call, "in_channels", call.channels, "phrase.channels", "phrase.why_in_channels")


def _conv_args(call: RuleContext) -> tuple[tuple, tuple, tuple]:
    return call.per_axis("kernel_size"), call.per_axis("stride"), call.per_axis("dilation")


def _check_groups(call: RuleContext, filters: int) -> int:
    groups = call.args["groups"]
    for what, count in (("phrase.input_channels", call.channels), ("phrase.filters", filters)):
        if count % groups:
            raise call.fail("error.groups_divide", groups=groups, what=Message(what), count=count, rest=count % groups)
    return groups


def _count(call: RuleContext, kernel_shape: tuple, biases: int, weights_step: str = "conv_weights") -> int:
    weights = call.step(weights_step, prod(kernel_shape), dims=" × ".join(str(d) for d in kernel_shape))
    if biases:
        call.step("biases", biases, biases=biases)
    return call.step("parameters", weights + biases, weights=weights, biases=biases)


def _macs(call: RuleContext, out_shape: tuple, per_output: tuple) -> int:
    return call.step("conv_macs", prod(out_shape) * prod(per_output), output=shape_text(out_shape),
                     per_output=shape_text(per_output))


def _teach_kernel(call: RuleContext, filters: int, groups: int, kernel: tuple) -> None:
    c, k = call.channels, shape_text(kernel)
    weights = filters * (c // groups) * prod(kernel)
    if groups == 1:
        call.note("note.conv_spans_all", channels=c, filters=filters, kernel=k, weights=weights)
        if c > 1 and filters % c == 0:
            call.note("note.conv_per_channel", channels=c, filters=filters, kernel=k, weights=weights,
                      per_channel=filters * prod(kernel))
    else:
        call.note("note.conv_groups", groups=groups, channels=c, per_group=c // groups, filters=filters, kernel=k,
                  weights=weights, full=filters * c * prod(kernel))
    if all(d == 1 for d in kernel) and groups == 1:
        call.note("note.pointwise_is_dense", channels=c, filters=filters)


def _teach_padding(call: RuleContext, kernel: tuple, stride: tuple, dilation: tuple) -> None:
    padding = call.args["padding"]
    if padding == "same":
        even = [k for k in kernel if k % 2 == 0]
        if even:
            call.note("note.same_even_kernel", kernel=even[0])
        elif all(s == 1 for s in stride):
            call.note("note.same_odd_kernel")
    elif padding == "causal":
        k, d = kernel[0], dilation[0]
        call.step("causal_padding", d * (k - 1), d=d, k=k)
        call.note("note.causal", pad=d * (k - 1))


def infer_conv(call: RuleContext) -> RuleResult:
    _check_in_channels(call)
    filters = call.args["filters"]
    kernel, stride, dilation = _conv_args(call)
    groups = _check_groups(call, filters)
    _teach_kernel(call, filters, groups, kernel)
    _teach_padding(call, kernel, stride, dilation)
    geometry = conv_geometry(call)
    out_spatial = output_sizes(call, geometry)
    call.step("output_channels", filters, filters=filters)
    kernel_shape = (filters, call.channels // groups, *kernel)
    params = _count(call, kernel_shape, filters if call.args["bias"] else 0)
    out_shape = (filters, *out_spatial)
    macs = _macs(call, out_shape, kernel_shape[1:])
    workspace = prod(out_spatial) * call.channels * prod(kernel)
    return RuleResult(output_shape=out_shape, kernel_shape=kernel_shape, trainable=params, macs=macs,
                      rf=field_step(kernel, stride, dilation), workspace=workspace, geometry=geometry,
                      extra=activations.applied(call))


def _transposed_size(call: RuleContext, axis: str, n: int, k: int, s: int, d: int, padding: int | str, op: int | None) -> int:
    if isinstance(padding, str):  # Keras semantics for valid/same
        size = formulas.keras_transposed_output_size(n, k, s, padding, d, op)
        pad = formulas.effective_kernel(k, d) // 2 if padding == "same" else 0
        step = "keras_transposed_padded" if op is not None else f"keras_transposed_{padding}"
    else:
        size = formulas.transposed_output_size(n, k, s, padding, d, op or 0)
        pad, op, step = padding, op or 0, "transposed_output"
    if size < 1:
        text = STEPS[step].substituted.format(n=n, s=s, d=d, k=k, pad=pad, op=op)
        raise call.fail("error.transposed_output_too_small", axis=axis, text=text, size=size)
    return call.step(step, size, axis=axis, n=n, s=s, d=d, k=k, pad=pad, op=op)


def infer_conv_transpose(call: RuleContext) -> RuleResult:
    _check_in_channels(call)
    filters = call.args["filters"]
    kernel, stride, dilation = _conv_args(call)
    groups = _check_groups(call, filters)
    padding = call.args["padding"]
    pads = (padding,) * len(kernel) if isinstance(padding, str) else call.per_axis("padding")
    output_padding = call.args["output_padding"]
    ops = (None,) * len(kernel) if output_padding is None else call.per_axis("output_padding")
    for axis, op, s, d in zip(call.axis_names(), ops, stride, dilation):
        if op is not None and op >= max(s, d):
            raise call.fail("error.output_padding_too_large", op=op, axis=axis, s=s, d=d)
    out_spatial = tuple(
        _transposed_size(call, axis, n, k, s, d, p, op)
        for axis, n, k, s, d, p, op in zip(call.axis_names(), call.spatial, kernel, stride, dilation, pads, ops)
    )
    kernel_shape = (call.channels, filters // groups, *kernel)  # PyTorch stores (in, out/groups, *k)
    params = _count(call, kernel_shape, filters if call.args["bias"] else 0, "transposed_weights")
    # every input element is multiplied by each of its (out/groups)·K weights
    macs = call.step("transposed_macs", prod(call.shape) * prod(kernel_shape[1:]), input=shape_text(call.shape),
                     per_input=shape_text(kernel_shape[1:]))
    call.note("note.transposed", stride=shape_text(stride), kernel=shape_text(kernel), kernel_shape=shape_text(kernel_shape))
    rf = FieldStep(
        kernel=tuple(formulas.ceil_div(formulas.effective_kernel(k, d), s) for k, s, d in zip(kernel, stride, dilation)),
        stride=tuple(Fraction(1, s) for s in stride),
    )
    # the runner convolves the stride-spread input over the full, uncropped output
    full = prod(max(o, (n - 1) * s + formulas.effective_kernel(k, d))
                for o, n, k, s, d in zip(out_spatial, call.spatial, kernel, stride, dilation))
    workspace = full * call.channels * prod(kernel)
    return RuleResult(output_shape=(filters, *out_spatial), kernel_shape=kernel_shape, trainable=params, macs=macs,
                      rf=rf, workspace=workspace, extra=activations.applied(call),
                      geometry=resolve_window(call, kernel, stride, dilation, transposed=True))


def infer_depthwise(call: RuleContext) -> RuleResult:
    _check_in_channels(call)
    out_channels = call.channels * call.args["depth_multiplier"]
    geometry = conv_geometry(call)
    kernel, stride, dilation = geometry.kernel, geometry.stride, geometry.dilation
    out_spatial = output_sizes(call, geometry)
    kernel_shape = (out_channels, 1, *kernel)
    params = _count(call, kernel_shape, out_channels if call.args["bias"] else 0, "depthwise_conv_weights")
    out_shape = (out_channels, *out_spatial)
    macs = _macs(call, out_shape, kernel)
    standard = out_channels * call.channels * prod(kernel)
    call.note("note.depthwise", channels=call.channels, kernel=shape_text(kernel), multiplier=call.args["depth_multiplier"],
              weights=prod(kernel_shape), standard=standard, out_channels=out_channels)
    return RuleResult(output_shape=out_shape, kernel_shape=kernel_shape, trainable=params, macs=macs,
                      rf=field_step(kernel, stride, dilation), geometry=geometry, extra=activations.applied(call),
                      workspace=prod(out_spatial) * call.channels * prod(kernel))


def infer_separable(call: RuleContext) -> RuleResult:
    _check_in_channels(call)
    filters = call.args["filters"]
    mid = call.channels * call.args["depth_multiplier"]
    geometry = conv_geometry(call)
    kernel, stride, dilation = geometry.kernel, geometry.stride, geometry.dilation
    out_spatial = output_sizes(call, geometry)
    depthwise = (mid, 1, *kernel)
    pointwise = (filters, mid, *(1 for _ in kernel))
    biases = filters if call.args["bias"] else 0
    dw = call.step("depthwise_weights", prod(depthwise), dims=" × ".join(map(str, depthwise)))
    pw = call.step("pointwise_weights", prod(pointwise), filters=filters, mid=mid)
    params = call.step("separable_parameters", dw + pw + biases, depthwise=dw, pointwise=pw, biases=biases)
    pixels = prod(out_spatial)
    macs = call.step("separable_macs", pixels * mid * prod(kernel) + pixels * filters * mid, pixels=pixels, mid=mid,
                     kernel=prod(kernel), filters=filters)
    standard = filters * call.channels * prod(kernel) + biases
    call.note("note.separable", kernel=shape_text(kernel), mid=mid, filters=filters, params=params, standard=standard,
              ratio=standard / params)
    return RuleResult(
        output_shape=(filters, *out_spatial), kernel_shape=depthwise, trainable=params, macs=macs,
        rf=field_step(kernel, stride, dilation),
        extra=(("kernel_shapes", [list(depthwise), list(pointwise)]), *activations.applied(call)),
        workspace=pixels * max(call.channels * prod(kernel), mid),  # the larger of the two im2col gathers
        geometry=geometry,
    )


def forward_conv(run):
    from convcalc import numpy_ops

    call, g = run.context(), run.result.geometry
    weight = run.param("weight", run.result.kernel_shape)
    bias = run.param("bias", (call.args["filters"],), "bias") if call.args["bias"] else None
    out = numpy_ops.conv(run.x, weight, bias, g.stride, g.pads, g.dilation, call.args["groups"])
    return activations.apply(call.args.get("activation"), out)


def forward_conv_transpose(run):
    from convcalc import numpy_ops

    call, g = run.context(), run.result.geometry
    weight = run.param("weight", run.result.kernel_shape)
    bias = run.param("bias", (call.args["filters"],), "bias") if call.args["bias"] else None
    out = numpy_ops.conv_transpose(run.x, weight, bias, g.stride, g.dilation, call.args["groups"], g.pads,
                                 run.result.output_shape[1:])
    return activations.apply(call.args.get("activation"), out)


def forward_depthwise(run):
    from convcalc import numpy_ops

    call, g = run.context(), run.result.geometry
    weight = run.param("weight", run.result.kernel_shape)
    bias = run.param("bias", (weight.shape[0],), "bias") if call.args["bias"] else None
    out = numpy_ops.conv(run.x, weight, bias, g.stride, g.pads, g.dilation, call.channels)
    return activations.apply(call.args.get("activation"), out)


def forward_separable(run):
    from convcalc import numpy_ops

    call, g = run.context(), run.result.geometry
    depthwise_shape, pointwise_shape = dict(run.result.extra)["kernel_shapes"]
    depthwise = run.param("depthwise", tuple(depthwise_shape))
    pointwise = run.param("pointwise", tuple(pointwise_shape))
    bias = run.param("bias", (call.args["filters"],), "bias") if call.args["bias"] else None
    mid = numpy_ops.conv(run.x, depthwise, None, g.stride, g.pads, g.dilation, call.channels)
    ones = (1,) * len(g.axes)
    out = numpy_ops.conv(mid, pointwise, bias, ones, tuple((0, 0) for _ in g.axes), ones)
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
    g, (channels, *spatial) = r.geometry, r.input_shapes[0]
    spread = [(n - 1) * s + 1 for n, s in zip(spatial, g.stride)]
    padded = prod(n + max(lo, 0) + max(hi, 0) for n, (lo, hi) in zip(spread, g.pads))
    cut = prod(n + lo + hi for n, (lo, hi) in zip(spread, g.pads))
    lengths = prod(n + a.before + a.after - a.dilation * (a.kernel - 1) for n, a in zip(spread, g.axes))
    return (r.params + batch * channels * (prod(spread) + padded + cut) + 2 * batch * r.output_shape[0] * lengths
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
