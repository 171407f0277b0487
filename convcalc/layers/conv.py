"""Convolutions: conv1d/2d/3d, their transposes, depthwise and separable conv2d."""

from __future__ import annotations

from math import prod

from convcalc import formulas
from convcalc.english import STEPS
from convcalc.messages import Message
from convcalc.layers import activations
from convcalc.layers.base import (AXIS_NAMES, Arg, Backward, FieldStep, Gradient, LayerType, RuleContext, RuleResult,
                                  check_declared, input_gradients, shape_text, step,
                                  weighted_macs)
from convcalc.layers.windows import (
    conv_geometry,
    dilation_arg,
    field_step,
    kernel_arg,
    output_sizes,
    padded_twice,
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


def _check_in_channels(ctx: RuleContext) -> None:
    check_declared(ctx, "in_channels", ctx.channels, "phrase.channels", "phrase.why_in_channels")


def _conv_args(ctx: RuleContext) -> tuple[tuple, tuple, tuple]:
    return ctx.per_axis("kernel_size"), ctx.per_axis("stride"), ctx.per_axis("dilation")


def _check_groups(ctx: RuleContext, filters: int) -> int:
    groups = ctx.args["groups"]
    for what, count in (("phrase.input_channels", ctx.channels), ("phrase.filters", filters)):
        if count % groups:
            raise ctx.fail("error.groups_divide", groups=groups, what=Message(what), count=count, rest=count % groups)
    return groups


def _count(ctx: RuleContext, kernel_shape: tuple, biases: int, weights_step: str = "conv_weights") -> int:
    weights = ctx.step(weights_step, prod(kernel_shape), dims=" × ".join(str(d) for d in kernel_shape))
    if biases:
        ctx.step("biases", biases, biases=biases)
    return ctx.step("parameters", weights + biases, weights=weights, biases=biases)


def _count_standard(ctx: RuleContext, kernel_shape: tuple, groups: int) -> int:
    """A standard convolution's parameters as the seed formula n·(f·k·k + 1), when it has one
    bias per filter and no groups; otherwise weights + biases."""
    biases = kernel_shape[0] if ctx.args["bias"] else 0
    if groups > 1 or not biases:
        return _count(ctx, kernel_shape, biases)
    n, f, *kernel = kernel_shape
    ctx.step("conv_weights", prod(kernel_shape), dims=" × ".join(str(d) for d in kernel_shape))
    ctx.step("biases", n, biases=n)
    return ctx.step("seed_parameters", formulas.seed_parameters(n, f, prod(kernel)), n=n, f=f,
                    cells="·".join(map(str, kernel)), letters=_kernel_letters(kernel))


def _kernel_letters(kernel: list) -> str:
    """k, k·k or k·k·k for a square kernel; k_h·k_w (k_d·k_h·k_w) when its sides differ."""
    if len(set(kernel)) == 1:
        return "·".join("k" for _ in kernel)
    return "·".join(f"k_{axis[0]}" for axis in ("depth", "height", "width")[-len(kernel):])


def _teach_odd(ctx: RuleContext, kernel: tuple) -> None:
    """Why kernels are odd, wherever an even one appears (`same` padding says it its own way)."""
    if ctx.args["padding"] != "same" and any(k % 2 == 0 for k in kernel):
        ctx.note("note.even_kernel", kernel=shape_text(kernel))


def _macs(ctx: RuleContext, out_shape: tuple, per_output: tuple) -> int:
    return ctx.step("conv_macs", prod(out_shape) * prod(per_output), output=shape_text(out_shape),
                    per_output=shape_text(per_output))


def _teach_kernel(ctx: RuleContext, filters: int, groups: int, kernel: tuple) -> None:
    c, k = ctx.channels, shape_text(kernel)
    weights = filters * (c // groups) * prod(kernel)
    if groups == 1:
        ctx.note("note.conv_spans_all", channels=c, filters=filters, kernel=k, weights=weights)
        if c > 1 and filters % c == 0:
            ctx.note("note.conv_per_channel", channels=c, filters=filters, kernel=k, weights=weights,
                     per_channel=filters * prod(kernel))
    else:
        ctx.note("note.conv_groups", groups=groups, channels=c, per_group=c // groups, filters=filters, kernel=k,
                 weights=weights, full=filters * c * prod(kernel))
    if all(d == 1 for d in kernel) and groups == 1:
        ctx.note("note.pointwise_is_dense", channels=c, filters=filters)


def _teach_padding(ctx: RuleContext, kernel: tuple, stride: tuple, dilation: tuple) -> None:
    padding = ctx.args["padding"]
    if padding == "same":
        even = [k for k in kernel if k % 2 == 0]
        if even:
            ctx.note("note.same_even_kernel", kernel=even[0])
        elif all(s == 1 for s in stride):
            ctx.note("note.same_odd_kernel")
    elif padding == "causal":
        k, d = kernel[0], dilation[0]
        ctx.step("causal_padding", d * (k - 1), d=d, k=k)
        ctx.note("note.causal", pad=d * (k - 1))


def infer_conv(ctx: RuleContext) -> RuleResult:
    _check_in_channels(ctx)
    filters = ctx.args["filters"]
    kernel, stride, dilation = _conv_args(ctx)
    groups = _check_groups(ctx, filters)
    _teach_kernel(ctx, filters, groups, kernel)
    _teach_odd(ctx, kernel)
    _teach_padding(ctx, kernel, stride, dilation)
    geometry = conv_geometry(ctx)
    out_spatial = output_sizes(ctx, geometry)
    ctx.step("output_channels", filters, filters=filters)
    kernel_shape = (filters, ctx.channels // groups, *kernel)
    params = _count_standard(ctx, kernel_shape, groups)
    out_shape = (filters, *out_spatial)
    macs = _macs(ctx, out_shape, kernel_shape[1:])
    workspace = prod(out_spatial) * ctx.channels * prod(kernel)
    return RuleResult(output_shape=out_shape, kernel_shape=kernel_shape, trainable=params, macs=macs,
                      rf=field_step(kernel, stride, dilation), workspace=workspace, geometry=geometry,
                      extra=activations.applied(ctx))


def _transposed_size(ctx: RuleContext, axis: str, n: int, k: int, s: int, d: int, padding: int | str, op: int | None) -> int:
    if isinstance(padding, str):  # Keras semantics for valid/same
        size = formulas.keras_transposed_output_size(n, k, s, padding, d, op)
        pad = formulas.effective_kernel(k, d) // 2 if padding == "same" else 0
        step = "keras_transposed_padded" if op is not None else f"keras_transposed_{padding}"
    else:
        size = formulas.transposed_output_size(n, k, s, padding, d, op or 0)
        pad, op, step = padding, op or 0, "transposed_output"
    if size < 1:
        text = STEPS[step].substituted.format(n=n, s=s, d=d, k=k, pad=pad, op=op)
        raise ctx.fail("error.transposed_output_too_small", axis=axis, text=text, size=size)
    return ctx.step(step, size, axis=axis, n=n, s=s, d=d, k=k, pad=pad, op=op)


def infer_conv_transpose(ctx: RuleContext) -> RuleResult:
    from fractions import Fraction  # a sub-cell step: rarely needed, and a few ms to import

    _check_in_channels(ctx)
    filters = ctx.args["filters"]
    kernel, stride, dilation = _conv_args(ctx)
    groups = _check_groups(ctx, filters)
    padding = ctx.args["padding"]
    pads = (padding,) * len(kernel) if isinstance(padding, str) else ctx.per_axis("padding")
    output_padding = ctx.args["output_padding"]
    ops = (None,) * len(kernel) if output_padding is None else ctx.per_axis("output_padding")
    for axis, op, s, d in zip(ctx.axis_names(), ops, stride, dilation):
        if op is not None and op >= max(s, d):
            raise ctx.fail("error.output_padding_too_large", op=op, axis=axis, s=s, d=d)
    out_spatial = tuple(
        _transposed_size(ctx, axis, n, k, s, d, p, op)
        for axis, n, k, s, d, p, op in zip(ctx.axis_names(), ctx.spatial, kernel, stride, dilation, pads, ops)
    )
    kernel_shape = (ctx.channels, filters // groups, *kernel)  # PyTorch stores (in, out/groups, *k)
    params = _count(ctx, kernel_shape, filters if ctx.args["bias"] else 0, "transposed_weights")
    # every input element is multiplied by each of its (out/groups)·K weights
    macs = ctx.step("transposed_macs", prod(ctx.shape) * prod(kernel_shape[1:]), input=shape_text(ctx.shape),
                    per_input=shape_text(kernel_shape[1:]))
    ctx.note("note.transposed", stride=shape_text(stride), kernel=shape_text(kernel), kernel_shape=shape_text(kernel_shape))
    rf = FieldStep(
        kernel=tuple(formulas.ceil_div(formulas.effective_kernel(k, d), s) for k, s, d in zip(kernel, stride, dilation)),
        stride=tuple(Fraction(1, s) for s in stride),
    )
    # the runner convolves the stride-spread input over the full, uncropped output
    full = prod(max(o, (n - 1) * s + formulas.effective_kernel(k, d))
                for o, n, k, s, d in zip(out_spatial, ctx.spatial, kernel, stride, dilation))
    workspace = full * ctx.channels * prod(kernel)
    return RuleResult(output_shape=(filters, *out_spatial), kernel_shape=kernel_shape, trainable=params, macs=macs,
                      rf=rf, workspace=workspace, extra=activations.applied(ctx),
                      geometry=resolve_window(ctx, kernel, stride, dilation, transposed=True))


def infer_depthwise(ctx: RuleContext) -> RuleResult:
    _check_in_channels(ctx)
    out_channels = ctx.channels * ctx.args["depth_multiplier"]
    geometry = conv_geometry(ctx)
    kernel, stride, dilation = geometry.kernel, geometry.stride, geometry.dilation
    out_spatial = output_sizes(ctx, geometry)
    _teach_odd(ctx, kernel)
    kernel_shape = (out_channels, 1, *kernel)
    params = _count(ctx, kernel_shape, out_channels if ctx.args["bias"] else 0, "depthwise_conv_weights")
    out_shape = (out_channels, *out_spatial)
    macs = _macs(ctx, out_shape, kernel)
    standard = out_channels * ctx.channels * prod(kernel)
    ctx.note("note.depthwise", channels=ctx.channels, kernel=shape_text(kernel), multiplier=ctx.args["depth_multiplier"],
             weights=prod(kernel_shape), standard=standard, out_channels=out_channels)
    return RuleResult(output_shape=out_shape, kernel_shape=kernel_shape, trainable=params, macs=macs,
                      rf=field_step(kernel, stride, dilation), geometry=geometry, extra=activations.applied(ctx),
                      workspace=prod(out_spatial) * ctx.channels * prod(kernel))


def infer_separable(ctx: RuleContext) -> RuleResult:
    _check_in_channels(ctx)
    filters = ctx.args["filters"]
    mid = ctx.channels * ctx.args["depth_multiplier"]
    geometry = conv_geometry(ctx)
    kernel, stride, dilation = geometry.kernel, geometry.stride, geometry.dilation
    out_spatial = output_sizes(ctx, geometry)
    _teach_odd(ctx, kernel)
    depthwise = (mid, 1, *kernel)
    pointwise = (filters, mid, *(1 for _ in kernel))
    biases = filters if ctx.args["bias"] else 0
    dw = ctx.step("depthwise_weights", prod(depthwise), dims=" × ".join(map(str, depthwise)))
    pw = ctx.step("pointwise_weights", prod(pointwise), filters=filters, mid=mid)
    params = ctx.step("separable_parameters", dw + pw + biases, depthwise=dw, pointwise=pw, biases=biases)
    pixels = prod(out_spatial)
    macs = ctx.step("separable_macs", pixels * mid * prod(kernel) + pixels * filters * mid, pixels=pixels, mid=mid,
                    kernel=prod(kernel), filters=filters)
    standard = filters * ctx.channels * prod(kernel) + biases
    ctx.note("note.separable", kernel=shape_text(kernel), mid=mid, filters=filters, params=params, standard=standard,
             ratio=standard / params)
    return RuleResult(
        output_shape=(filters, *out_spatial), kernel_shape=depthwise, trainable=params, macs=macs,
        rf=field_step(kernel, stride, dilation),
        extra=(("kernel_shapes", [list(depthwise), list(pointwise)]), *activations.applied(ctx)),
        workspace=pixels * max(ctx.channels * prod(kernel), mid),  # the larger of the two im2col gathers
        geometry=geometry,
    )


def backward_conv(r) -> Backward:
    """∂L/∂X: a transposed conv of ∂L/∂Y with the same window, plus the output_padding floor
    makes necessary; ∂L/∂W: X correlated with ∂L/∂Y; ∂L/∂b: ∂L/∂Y summed."""
    g, (channels, *spatial), (filters, *out) = r.geometry, r.input_shapes[0], r.output_shape
    steps, notes = [], [Message("back.conv_input", input=shape_text(r.input_shapes[0]), output=shape_text(r.output_shape),
                                stride=shape_text(g.stride), dilation=shape_text(g.dilation), filters=filters,
                                channels=channels)]
    for axis, n, o, a in zip(AXIS_NAMES[len(g.axes)], spatial, out, g.axes):
        op = formulas.uncovered_cells(n, a.kernel, a.stride, a.before + a.after, a.dilation)
        if op:
            steps.append(step("grad_output_padding", op, axis=axis, n=n, pad_total=a.before + a.after, s=a.stride,
                              span=formulas.effective_kernel(a.kernel, a.dilation)))
            notes.append(Message("back.conv_output_padding", axis=axis, short=n - op, op=op, n=n))
        window = dict(axis=axis, n=o, s=a.stride, d=a.dilation, k=a.kernel, op=op)
        steps.append(step("grad_input_size", n, pad=a.before, **window) if a.before == a.after
                     else step("grad_input_size_uneven", n, lo=a.before, hi=a.after, **window))
    notes.append(Message("back.conv_weight", kernel=shape_text(r.kernel_shape), positions=prod(out)))
    gradients = (Gradient(name="∂L/∂X", shape=r.input_shapes[0]), Gradient(name="∂L/∂W", shape=r.kernel_shape))
    if r.spec.args["bias"]:
        notes.append(Message("back.bias", filters=filters))
        gradients += (Gradient(name="∂L/∂b", shape=(filters,)),)
    return Backward(gradients=gradients, macs=2 * r.macs, notes=tuple(notes), steps=(*steps, weighted_macs(r)))


def backward_kernels(r) -> Backward:
    """A transposed or separable conv: ∂L/∂X, one gradient per kernel with its shape (the
    depthwise ∂L/∂W₁, then the pointwise ∂L/∂W₂), and ∂L/∂b — each weight's own, not one ∂L/∂θ."""
    kernels = [tuple(s) for s in dict(r.extra).get("kernel_shapes", [r.kernel_shape])]
    names = ["∂L/∂W"] if len(kernels) == 1 else [f"∂L/∂W{i}" for i in "₁₂"]
    notes = [Message("back.through_weights", input=shape_text(r.input_shapes[0]))]
    gradients = (*input_gradients(r), *(Gradient(name=n, shape=s) for n, s in zip(names, kernels)))
    if r.spec.args["bias"]:
        notes.append(Message("back.bias", filters=r.output_shape[0]))
        gradients += (Gradient(name="∂L/∂b", shape=(r.output_shape[0],)),)
    return Backward(gradients=gradients, macs=2 * r.macs, notes=tuple(notes), steps=(weighted_macs(r),))


def forward_conv(run):
    from convcalc import numpy_ops

    ctx, g = run.context(), run.result.geometry
    weight = run.param("weight", run.result.kernel_shape)
    bias = run.param("bias", (ctx.args["filters"],), "bias") if ctx.args["bias"] else None
    out = numpy_ops.conv(run.x, weight, bias, g.stride, g.pads, g.dilation, ctx.args["groups"])
    return run.activate(out)


def forward_conv_transpose(run):
    from convcalc import numpy_ops

    ctx, g = run.context(), run.result.geometry
    weight = run.param("weight", run.result.kernel_shape)
    bias = run.param("bias", (ctx.args["filters"],), "bias") if ctx.args["bias"] else None
    out = numpy_ops.conv_transpose(run.x, weight, bias, g.stride, g.dilation, ctx.args["groups"], g.pads,
                                 run.result.output_shape[1:])
    return run.activate(out)


def forward_depthwise(run):
    from convcalc import numpy_ops

    ctx, g = run.context(), run.result.geometry
    weight = run.param("weight", run.result.kernel_shape)
    bias = run.param("bias", (weight.shape[0],), "bias") if ctx.args["bias"] else None
    out = numpy_ops.conv(run.x, weight, bias, g.stride, g.pads, g.dilation, ctx.channels)
    return run.activate(out)


def forward_separable(run):
    from convcalc import numpy_ops

    ctx, g = run.context(), run.result.geometry
    depthwise_shape, pointwise_shape = dict(run.result.extra)["kernel_shapes"]
    depthwise = run.param("depthwise", tuple(depthwise_shape))
    pointwise = run.param("pointwise", tuple(pointwise_shape))
    bias = run.param("bias", (ctx.args["filters"],), "bias") if ctx.args["bias"] else None
    mid = numpy_ops.conv(run.x, depthwise, None, g.stride, g.pads, g.dilation, ctx.channels)
    ones = (1,) * len(g.axes)
    if run.backward:
        run.saved["depthwise"] = mid
    out = numpy_ops.conv(mid, pointwise, bias, ones, tuple((0, 0) for _ in g.axes), ones)
    return run.activate(out)


def _conv_backprop(run, grad, weight_name: str, weight, groups: int):
    """∂L/∂X of the layer's convolution of its input, the weight's gradient handed to the run
    under `weight_name`."""
    from convcalc import numpy_ops

    g, x = run.result.geometry, run.x
    run.grad(weight_name, numpy_ops.conv_weight_grad(x, grad, weight.shape[2:], g.stride, g.pads, g.dilation, groups))
    return numpy_ops.conv_input_grad(grad, weight, x.shape, g.stride, g.pads, g.dilation, groups)


def _bias_grad(run, grad) -> None:
    """∂L/∂b = Σ ∂L/∂Y over the batch and every position."""
    if "bias" in run.params:
        run.grad("bias", grad.sum(axis=(0, *range(2, grad.ndim)), dtype=grad.dtype))


def backprop_conv(run, grads):
    """Conv and depthwise conv (groups = C): ∂L/∂X the transposed convolution of ∂L/∂Y, ∂L/∂W
    X correlated with ∂L/∂Y, ∂L/∂b the sum of ∂L/∂Y."""
    grad = run.through_activation(grads[0])
    weight = run.params["weight"]
    groups = run.x.shape[1] // weight.shape[1]  # conv's `groups`; C for a depthwise conv
    dx = _conv_backprop(run, grad, "weight", weight, groups)
    _bias_grad(run, grad)
    return (dx,)


def backprop_conv_transpose(run, grads):
    """A transposed conv's ∂L/∂X is a plain convolution of ∂L/∂Y with its weight."""
    from convcalc import numpy_ops

    grad = run.through_activation(grads[0])
    g = run.result.geometry
    dx, dw = numpy_ops.conv_transpose_grads(run.x, run.params["weight"], grad, g.stride, g.dilation,
                                            run.args["groups"], g.pads)
    run.grad("weight", dw)
    _bias_grad(run, grad)
    return (dx,)


def backprop_separable(run, grads):
    """Back through the pointwise 1×1 conv (to the depthwise result the forward kept), then
    through the depthwise conv."""
    from convcalc import numpy_ops

    grad = run.through_activation(grads[0])
    mid, pointwise = run.saved["depthwise"], run.params["pointwise"]
    ones, no_pads = (1,) * (grad.ndim - 2), ((0, 0),) * (grad.ndim - 2)
    run.grad("pointwise", numpy_ops.conv_weight_grad(mid, grad, ones, ones, no_pads, ones))
    _bias_grad(run, grad)
    d_mid = numpy_ops.conv_input_grad(grad, pointwise, mid.shape, ones, no_pads, ones)
    return (_conv_backprop(run, d_mid, "depthwise", run.params["depthwise"], run.x.shape[1]),)


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
        backprop=backprop_conv,
        aliases=(f"convolution{dims}d",),
        temporaries=conv_temporaries,
        backward_temporaries=padded_twice,
        standard_conv2d=dims == 2,
        backward=backward_conv,
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
        backprop=backprop_conv_transpose,
        backward=backward_kernels,
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
        backprop=backprop_conv,
        temporaries=conv_temporaries,
        backward_temporaries=padded_twice,
        backward=backward_conv,
    ),
    LayerType(
        "separable_conv2d",
        "Keras SeparableConv2D: depthwise k×k, then pointwise 1×1 to `filters`; bias on the pointwise",
        (FILTERS, kernel_arg(), stride_arg(), padding_arg(), dilation_arg(), MULTIPLIER, BIAS, ACTIVATION, IN_CHANNELS),
        infer_separable,
        rank=2,
        forward=forward_separable,
        backprop=backprop_separable,
        backward=backward_kernels,
        aliases=("separable_convolution2d",),
        temporaries=separable_temporaries,
        backward_temporaries=padded_twice,
    ),
)
