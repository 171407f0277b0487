"""Normalisation from a sample's own values (layer, group and instance norm), layer scale and
stochastic depth: the modern blocks' element-wise layers with weights or training-time
behaviour. Batch normalisation stays in core.py beside the layers it was written with."""

from __future__ import annotations

from functools import partial
from math import prod

from convcalc.layers.base import Arg, LayerType, RuleContext, RuleResult, Saved, check_declared, shape_text
from convcalc.layers.core import EPS, MOMENTUM, RATE, backprop_identity, forward_identity, infer_same, inputs_times
from convcalc.record import replace

AFFINE = Arg("affine", "bool", True, help="learn γ and β per channel")
CHANNELS = "phrase.channels"
WHY = "phrase.why_norm_channels"


def _parameters(ctx: RuleContext, size: int, gamma: bool, beta: bool) -> int:
    """γ and β, one each per normalised value (or channel); then 0 MACs, as for batchnorm."""
    params = ctx.step("norm_parameters", size * gamma + size * beta, gamma=size * gamma, beta=size * beta)
    ctx.step("elementwise_macs", 0)
    return params


def infer_layernorm(ctx: RuleContext) -> RuleResult:
    """Over the channels at each position (LayerNorm2d), or over the last axes (nn.LayerNorm)."""
    dims = ctx.args["normalized_shape"]
    if dims is None:
        size = ctx.step("normalised_channels", ctx.channels, channels=ctx.channels)
        ctx.note("note.layernorm_channels", channels=ctx.channels)
    else:
        if ctx.shape[-len(dims):] != dims or len(dims) > len(ctx.shape):
            raise ctx.fail("error.layernorm_shape", wanted=shape_text(dims), count=len(dims), shape=shape_text(ctx.shape))
        size = ctx.step("normalised_last_axes", prod(dims), dims=" × ".join(map(str, dims)))
        ctx.note("note.layernorm_last", dims=shape_text(dims), size=size)
    affine = ctx.args["elementwise_affine"]
    params = _parameters(ctx, size, affine, affine and ctx.args["bias"])
    return RuleResult(output_shape=ctx.shape, trainable=params)


def infer_groupnorm(ctx: RuleContext) -> RuleResult:
    c, groups = ctx.channels, ctx.args["num_groups"]
    check_declared(ctx, "num_channels", c, CHANNELS, WHY)
    if c % groups:
        raise ctx.fail("error.num_groups_divide", groups=groups, channels=c, rest=c % groups)
    if c // groups * prod(ctx.spatial) == 1:
        raise ctx.fail("error.groupnorm_single_value", groups=groups, shape=shape_text(ctx.shape))
    per_group = ctx.step("group_channels", c // groups, channels=c, groups=groups)
    ctx.note("note.groupnorm", channels=c, groups=groups, per_group=per_group, twice=2 * c)
    affine = ctx.args["affine"]
    return RuleResult(output_shape=ctx.shape, trainable=_parameters(ctx, c, affine, affine))


def infer_instancenorm(ctx: RuleContext) -> RuleResult:
    """PyTorch's InstanceNorm: no γ, β (affine) nor running statistics unless asked for."""
    if not ctx.spatial:
        raise ctx.fail("error.instancenorm_needs_spatial", shape=shape_text(ctx.shape))
    c = ctx.channels
    check_declared(ctx, "num_features", c, CHANNELS, WHY)
    affine, running = ctx.args["affine"], ctx.args["track_running_stats"]
    if prod(ctx.spatial) == 1 and not running:
        raise ctx.fail("error.instancenorm_single_value", shape=shape_text(ctx.shape))
    trainable = ctx.step("affine_trainable", 2 * c, channels=c) if affine else ctx.step("affine_none", 0)
    non_trainable = ctx.step("running_non_trainable", 2 * c, channels=c) if running else ctx.step("running_none", 0)
    ctx.step("elementwise_macs", 0)
    ctx.note("note.instancenorm", positions=prod(ctx.spatial))
    return RuleResult(output_shape=ctx.shape, trainable=trainable, non_trainable=non_trainable)


def infer_scale(ctx: RuleContext) -> RuleResult:
    params = ctx.step("scale_parameters", ctx.channels, channels=ctx.channels)
    ctx.step("elementwise_macs", 0)
    ctx.note("note.scale", channels=ctx.channels, shape=shape_text(ctx.shape))
    return RuleResult(output_shape=ctx.shape, trainable=params)


# NumPy forwards (the runner imports numpy; the engine never calls these)

def _normalise(x, axes: tuple[int, ...], eps: float):
    """(x − mean)/√(var + eps) over `axes`, the biased variance as both frameworks use; the
    centred copy becomes the output, so one input-sized temporary (its square) comes and goes."""
    import numpy as np

    out = x - x.mean(axis=axes, keepdims=True)
    var = np.square(out).mean(axis=axes, keepdims=True)
    out /= np.sqrt(var + np.float32(eps))
    return out


def _per_channel(x, values):
    return values.reshape(1, -1, *(1,) * (x.ndim - 2))


def _affine(run, out, shape: tuple[int, ...], gamma: bool, beta: bool, place=lambda out, v: v):
    """Scale by γ and shift by β in place, created with `shape` and broadcast by `place`."""
    if gamma:
        out *= place(out, run.param("weight", shape, "scale"))
    if beta:
        out += place(out, run.param("bias", shape, "shift"))
    return out


def forward_layernorm(run):
    x, dims = run.x, run.args["normalized_shape"]
    axes = (1,) if dims is None else tuple(range(x.ndim - len(dims), x.ndim))
    out = _normalise(x, axes, run.args["eps"])
    affine = run.args["elementwise_affine"]
    if dims is None:
        return _affine(run, out, (x.shape[1],), affine, affine and run.args["bias"], _per_channel)
    return _affine(run, out, dims, affine, affine and run.args["bias"])


def forward_groupnorm(run):
    x, groups = run.x, run.args["num_groups"]
    out = _normalise(x.reshape(x.shape[0], groups, -1), (2,), run.args["eps"]).reshape(x.shape)
    return _affine(run, out, (x.shape[1],), run.args["affine"], run.args["affine"], _per_channel)


def forward_instancenorm(run):
    """Inference: the running statistics when tracked (PyTorch's eval mode), else each
    sample's own."""
    import numpy as np

    x, c, eps = run.x, run.x.shape[1], run.args["eps"]
    if run.args["track_running_stats"]:
        mean = run.param("running_mean", (c,), "mean", trainable=False)
        var = run.param("running_var", (c,), "var", trainable=False)
        out = x - _per_channel(x, mean)
        out /= _per_channel(x, np.sqrt(var + np.float32(eps)))
    else:
        out = _normalise(x, tuple(range(2, x.ndim)), eps)
    return _affine(run, out, (c,), run.args["affine"], run.args["affine"], _per_channel)


def _float64(x):
    """A normalisation of a few close values is ill-conditioned: float32's rounding of x − mean,
    divided by a small σ twice over, reaches 1e-2 in ∂L/∂X (two channels, eps 1e-6); in float64
    the backward is as close to the truth as the float32 result can hold."""
    import numpy as np

    return x.astype(np.float64)


def _normalise_backward(x, normalised, grad, axes: tuple[int, ...], eps: float):
    """∂L/∂x of x̂ = (x − mean)/√(var + eps) over `axes`, from g = ∂L/∂x̂: the mean and the
    variance depend on every x, so (g − mean(g) − x̂·mean(g·x̂))/√(var + eps)."""
    import numpy as np

    out = grad - grad.mean(axis=axes, keepdims=True)
    out -= normalised * (grad * normalised).mean(axis=axes, keepdims=True)
    out /= np.sqrt(x.var(axis=axes, keepdims=True) + np.float32(eps))
    return out


def _channel_sum(values):
    """Σ over the batch and every position: one value per channel."""
    return values.sum(axis=(0, *range(2, values.ndim)))


def _affine_backward(run, grad, normalised, reduce=_channel_sum, place=_per_channel):
    """∂L/∂γ = Σ ∂L/∂Y·x̂ and ∂L/∂β = Σ ∂L/∂Y, summed by `reduce` down to their shape (for the
    weights the forward made); returns ∂L/∂x̂ = ∂L/∂Y·γ, γ broadcast by `place` as the forward's."""
    import numpy as np

    if "bias" in run.params:
        run.grad("bias", reduce(grad).astype(np.float32))
    if "weight" not in run.params:
        return grad
    run.grad("weight", reduce(grad * normalised).astype(np.float32))
    return grad * place(grad, run.params["weight"])


def backprop_layernorm(run, grads):
    """Over the channels (γ per channel: summed over the batch and positions), or over the last
    axes (γ of their shape: summed over the batch and the leading axes)."""
    x, dims, eps = _float64(run.x), run.args["normalized_shape"], run.args["eps"]
    axes = (1,) if dims is None else tuple(range(x.ndim - len(dims), x.ndim))
    normalised = _normalise(x, axes, eps)
    if dims is None:
        g_hat = _affine_backward(run, grads[0], normalised)
    else:
        leading = tuple(range(x.ndim - len(dims)))
        g_hat = _affine_backward(run, grads[0], normalised, lambda v: v.sum(axis=leading), lambda out, v: v)
    return (_normalise_backward(x, normalised, g_hat, axes, eps).astype(run.x.dtype),)


def backprop_groupnorm(run, grads):
    """γ, β per channel; the normalisation over each group's channels and positions."""
    x, groups, eps = _float64(run.x), run.args["num_groups"], run.args["eps"]
    grouped = x.reshape(x.shape[0], groups, -1)
    normalised = _normalise(grouped, (2,), eps)
    g_hat = _affine_backward(run, grads[0], normalised.reshape(x.shape)).reshape(grouped.shape)
    return (_normalise_backward(grouped, normalised, g_hat, (2,), eps).reshape(x.shape).astype(run.x.dtype),)


def backprop_instancenorm(run, grads):
    """Each sample's own statistics (a normalisation over its positions), or the running ones,
    constants: then ∂L/∂X = ∂L/∂x̂/√(var + eps)."""
    import numpy as np

    x, eps = run.x, run.args["eps"]
    if not run.args["track_running_stats"]:
        axes, x = tuple(range(2, x.ndim)), _float64(x)
        normalised = _normalise(x, axes, eps)
        return (_normalise_backward(x, normalised, _affine_backward(run, grads[0], normalised), axes, eps).astype(run.x.dtype),)
    std = _per_channel(x, np.sqrt(run.params["running_var"] + np.float32(eps)))
    normalised = (x - _per_channel(x, run.params["running_mean"])) / std
    return (_affine_backward(run, grads[0], normalised) / std,)


def backprop_scale(run, grads):
    """∂L/∂X = ∂L/∂Y·γ, ∂L/∂γ = Σ ∂L/∂Y·x over the batch and positions, in γ's (C, 1, 1) shape."""
    grad, gamma = grads[0], run.params["weight"]
    run.grad("weight", _channel_sum(grad * run.x).reshape(gamma.shape))
    return (grad * gamma,)


def forward_scale(run):
    """γ stored as torchvision's layer_scale, (C, 1, 1) for a 2-D input."""
    gamma = run.param("weight", (run.x.shape[1], *(1,) * (run.x.ndim - 2)), "scale")
    return run.x * gamma


DIMS = Arg("normalized_shape", "dims", None,
           help="PyTorch's LayerNorm: the input's last sizes, normalised together; leave out: over channels")

TYPES = (
    LayerType(
        "layernorm",
        "normalise each position's channels (ConvNeXt), or the last axes with normalized_shape (PyTorch)",
        (DIMS, EPS, Arg("elementwise_affine", "bool", True, help="learn γ and β per normalised value"),
         Arg("bias", "bool", True, help="learn β (with elementwise_affine)")),
        infer_layernorm,
        forward=forward_layernorm,
        backprop=backprop_layernorm,
        temporaries=inputs_times(2),
        aliases=("layer_norm", "layer_normalization", "layernorm2d"),
    ),
    LayerType(
        "groupnorm",
        "normalise groups of channels over their positions, per sample: 2C parameters",
        (Arg("num_groups", "int", aliases=("groups",), help="groups of channels; must divide C"), EPS, AFFINE,
         Arg("num_channels", "int", None, help="PyTorch's GroupNorm: checked against the input's channels")),
        infer_groupnorm,
        forward=forward_groupnorm,
        backprop=backprop_groupnorm,
        temporaries=inputs_times(2),
        aliases=("group_norm", "group_normalization"),
    ),
    LayerType(
        "instancenorm",
        "normalise each channel over its positions, per sample (PyTorch's InstanceNorm; Keras has none)",
        (EPS, MOMENTUM, Arg("affine", "bool", False, help="learn γ and β per channel"),
         Arg("track_running_stats", "bool", False, help="keep a running mean and variance (2C non-trainable)"),
         Arg("num_features", "int", None, help="PyTorch's InstanceNorm: checked against the input's channels")),
        infer_instancenorm,
        forward=forward_instancenorm,
        backprop=backprop_instancenorm,
        temporaries=inputs_times(2),
        aliases=("instancenorm1d", "instancenorm2d", "instancenorm3d", "instance_normalization"),
    ),
    LayerType("scale", "a learned γ per channel multiplies it (ConvNeXt's layer scale): C parameters", (), infer_scale,
              forward=forward_scale, backprop=backprop_scale, temporaries=inputs_times(0), aliases=("layer_scale",)),
    LayerType(
        "stochastic_depth",
        "drops a residual branch per sample while training (torchvision's StochasticDepth); identity at inference",
        # torchvision's p has no default; 0.1 is ConvNeXt-T's largest
        (replace(RATE, default=0.1, help="chance that a sample's branch is dropped while training (torchvision's p)"),
         Arg("mode", "choice", "row", choices=("row", "batch"), help="drop per sample (row) or per batch")),
        partial(infer_same, note="note.stochastic_depth"),
        forward=forward_identity,
        backprop=backprop_identity,
        aliases=("drop_path",),
        saved=lambda r: Saved(what="saved.sample_flag", values=1),  # torchvision's noise: one value per sample
    ),
)
