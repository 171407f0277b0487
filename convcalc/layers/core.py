"""Dense, flatten, batch normalisation, LRN, dropout, activations and zero padding."""

from __future__ import annotations

from functools import partial
from math import prod

from convcalc.layers import activations
from convcalc.layers.base import (GLOBAL, UNTRACKED, Arg, Backward, Gradient, LayerType, RuleContext, RuleResult,
                                  Saved, check_declared, input_gradients, saves_nothing, saves_nothing_a_view, saves_output,
                                  shape_text, weighted_macs)
from convcalc.messages import Message
from convcalc.layers.windows import resolve_window
from convcalc.record import replace


def infer_same(ctx: RuleContext, note: str = "note.elementwise") -> RuleResult:
    """A shape-keeping type; `note`, bound where the type is registered: what it does."""
    ctx.note(note, type=ctx.type_name, shape=shape_text(ctx.shape))
    ctx.step("no_parameters", 0)
    return RuleResult(output_shape=ctx.shape)


def infer_activation(ctx: RuleContext) -> RuleResult:
    """Keras' `Activation('relu')`: the named function, as its own layer."""
    name = ctx.args.get("activation")
    ctx.note("note.activation_layer", name=name, shape=shape_text(ctx.shape))
    ctx.step("no_parameters", 0)
    return RuleResult(output_shape=ctx.shape, extra=(("activation", name),))


def infer_flatten(ctx: RuleContext) -> RuleResult:
    size = ctx.step("flatten_features", prod(ctx.shape), shape=shape_text(ctx.shape))
    ctx.note("note.flatten", shape=shape_text(ctx.shape), features=size)
    return RuleResult(output_shape=(size,))


def infer_dense(ctx: RuleContext) -> RuleResult:
    """Fully connected on a vector; on a larger input, PyTorch's Linear and Keras' Dense apply it
    to the last axis at every position — taken only when `in_features` says so, because a
    missing `flatten` is the usual reason a dense layer meets a feature map."""
    *leading, features = ctx.shape
    declared = ctx.args.get("in_features")
    if leading and (declared is None or declared == prod(ctx.shape) != features):  # a `flatten` left out
        raise ctx.fail("error.dense_needs_flat", shape=shape_text(ctx.shape), features=prod(ctx.shape), last=features)
    units = ctx.args["units"]
    check_declared(ctx, "in_features", features, "phrase.features", "phrase.why_in_features")
    biases = units if ctx.args["bias"] else 0
    weights = ctx.step("dense_weights", features * units, features=features, units=units)
    params = ctx.step("dense_parameters", weights + biases, weights=weights, biases=biases)
    if leading:
        positions = prod(leading)
        macs = ctx.step("dense_macs_positions", positions * weights, positions=positions, features=features,
                        units=units)
        ctx.note("note.dense_last_axis", features=features, positions=positions, shape=shape_text(ctx.shape),
                 params=params)
    else:
        macs = ctx.step("dense_macs", weights, features=features, units=units)
        ctx.note("note.dense", units=units, features=features, params=params)
    return RuleResult(output_shape=(*leading, units), kernel_shape=(units, features), trainable=params, macs=macs,
                      rf=UNTRACKED if leading else GLOBAL, extra=activations.applied(ctx))


def backward_dense(r) -> Backward:
    """∂L/∂X = Wᵀ·∂L/∂Y, ∂L/∂W = ∂L/∂Y·Xᵀ, ∂L/∂b = ∂L/∂Y: each a product the forward's size."""
    units, features = r.kernel_shape
    gradients = (*input_gradients(r), Gradient(name="∂L/∂W", shape=r.kernel_shape))
    if r.spec.args["bias"]:
        gradients += (Gradient(name="∂L/∂b", shape=(units,)),)
    note = Message("back.dense", units=units, features=features)
    return Backward(gradients=gradients, macs=2 * r.macs, notes=(note,), steps=(weighted_macs(r),))


def backward_batchnorm(r) -> Backward:
    """γ and β get gradients (2C); the running statistics are not learned."""
    c = r.input_shapes[0][0]
    note = Message("back.batchnorm", count=2 * c, channels=c)
    return Backward(gradients=(*input_gradients(r), Gradient(name="∂L/∂γ", shape=(c,)), Gradient(name="∂L/∂β", shape=(c,))),
                    notes=(note,))


def infer_batchnorm(ctx: RuleContext) -> RuleResult:
    c = ctx.channels
    check_declared(ctx, "num_features", c, "phrase.channels", "phrase.why_num_features")
    ctx.step("batchnorm_trainable", 2 * c, channels=c)
    ctx.step("batchnorm_non_trainable", 2 * c, channels=c)
    ctx.note("note.batchnorm", twice=2 * c)
    return RuleResult(output_shape=ctx.shape, trainable=2 * c, non_trainable=2 * c)


def infer_prelu(ctx: RuleContext) -> RuleResult:
    """PyTorch's PReLU(num_parameters): one slope shared, or one per channel."""
    count, c = ctx.args["num_parameters"], ctx.channels
    if count not in (1, c):
        raise ctx.fail("error.prelu_parameters", channels=c, count=count)
    ctx.step("prelu_parameters", count, count=count)
    ctx.step("elementwise_macs", 0)
    ctx.note("note.prelu", count=count, channels=c, shape=shape_text(ctx.shape))
    return RuleResult(output_shape=ctx.shape, trainable=count)


def infer_lrn(ctx: RuleContext) -> RuleResult:
    if not ctx.spatial:
        raise ctx.fail("error.lrn_needs_spatial", shape=str(list(ctx.shape)))
    return infer_same(ctx, "note.lrn")


def infer_zeropad(ctx: RuleContext) -> RuleResult:
    rank = len(ctx.spatial)
    ones = (1,) * rank
    geometry = replace(resolve_window(ctx, ones, ones, ones), drawn=False)
    pairs = geometry.pads
    out = tuple(
        ctx.step("zero_padded_output", n + lo + hi, axis=axis, n=n, lo=lo, hi=hi)
        for axis, n, (lo, hi) in zip(ctx.axis_names(), ctx.spatial, pairs)
    )
    ctx.note("note.zero_padding", input=shape_text(ctx.spatial), output=shape_text(out))
    return RuleResult(output_shape=(ctx.channels, *out), geometry=geometry)




# NumPy forwards (the runner imports numpy; the engine never calls these)

def forward_flatten(run):
    return run.x.reshape(run.x.shape[0], -1)


def backprop_reshape(run, grads):
    """Flatten, reshape: the gradient takes the input's shape back, value for value."""
    return (grads[0].reshape(run.x.shape),)


def backprop_identity(run, grads):
    return grads


def forward_dense(run):
    weight = run.param("weight", run.result.kernel_shape)
    out = run.x @ weight.T
    if run.args["bias"]:
        out += run.param("bias", (run.args["units"],), "bias")
    return run.activate(out)


def _per_channel(run, values):
    return values.reshape(1, -1, *(1,) * (run.x.ndim - 2))


def backprop_dense(run, grads):
    """∂L/∂X = ∂L/∂Y·W (Wᵀ applied to each example's gradient), ∂L/∂W = ∂L/∂Yᵀ·X summed over the
    batch, ∂L/∂b = Σ ∂L/∂Y. Applied to the last axis of a larger input (ConvNeXt's channels-last
    linear layers), every position is one more row of the batch."""
    grad = run.through_activation(grads[0])
    weight = run.params["weight"]
    rows = grad.reshape(-1, grad.shape[-1])  # one BLAS call each, not one per leading index
    run.grad("weight", rows.T @ run.x.reshape(-1, run.x.shape[-1]))
    if "bias" in run.params:
        run.grad("bias", rows.sum(axis=0))
    return ((rows @ weight).reshape(run.x.shape),)


def forward_batchnorm(run):
    """Inference mode: the running statistics normalise, γ and β scale and shift."""
    import numpy as np

    c = run.x.shape[1]
    scale, shift = run.param("scale", (c,), "scale"), run.param("shift", (c,), "shift")
    mean = run.param("running_mean", (c,), "mean", trainable=False)
    var = run.param("running_var", (c,), "var", trainable=False)
    inv = scale / np.sqrt(var + np.float32(run.args["eps"]))
    return run.x * _per_channel(run, inv) + _per_channel(run, shift - mean * inv)


def _channel_sum(values):
    """Σ over the batch and every position: one value per channel."""
    return values.sum(axis=(0, *range(2, values.ndim)))


def backprop_batchnorm(run, grads):
    """Inference mode, y = γ·(x − μ)/σ + β with μ, σ the running statistics (constants):
    ∂L/∂X = ∂L/∂Y·γ/σ, ∂L/∂γ = Σ ∂L/∂Y·(x − μ)/σ, ∂L/∂β = Σ ∂L/∂Y — the 2C learned gradients."""
    import numpy as np

    grad, p = grads[0], run.params
    std = np.sqrt(p["running_var"] + np.float32(run.args["eps"]))
    normalised = (run.x - _per_channel(run, p["running_mean"])) / _per_channel(run, std)
    run.grad("scale", _channel_sum(grad * normalised))
    run.grad("shift", _channel_sum(grad))
    return (grad * _per_channel(run, p["scale"] / std),)


def forward_prelu(run):
    """max(0, x) + a·min(0, x), a's shape PyTorch's weight: (num_parameters,) along channels."""
    import numpy as np

    slope = run.param("weight", (run.args["num_parameters"],), "slope")
    return np.where(run.x > 0, run.x, run.x * _per_channel(run, slope))


def backprop_prelu(run, grads):
    """∂L/∂X = ∂L/∂Y where x > 0, a·∂L/∂Y elsewhere; ∂L/∂a = Σ ∂L/∂Y·x over the cells x ≤ 0
    (per channel, or all of them for one shared slope)."""
    import numpy as np

    grad, slope = grads[0], run.params["weight"]
    negative = np.where(run.x > 0, np.float32(0), grad * run.x)
    per_channel = _channel_sum(negative)
    run.grad("weight", per_channel if slope.size > 1 else per_channel.sum(keepdims=True))
    return (np.where(run.x > 0, grad, grad * _per_channel(run, slope)),)


def forward_lrn(run):
    from convcalc import numpy_ops

    a = run.args
    return numpy_ops.local_response_norm(run.x, a["size"], a["alpha"], a["beta"], a["k"])


def backprop_lrn(run, grads):
    from convcalc import numpy_ops

    a = run.args
    return (numpy_ops.local_response_norm_backward(run.x, grads[0], a["size"], a["alpha"], a["beta"], a["k"]),)


def forward_identity(run):
    """Dropout at inference: the identity (a copy, so no two layers share an array)."""
    return run.x.copy()


def forward_activation_layer(run):
    return activations.apply(run.args["activation"], run.x)


def backprop_activation_layer(run, grads):
    return (activations.gradient(run.args["activation"], run.x, run.outputs[0], grads[0]),)


def forward_zeropad(run):
    import numpy as np

    return np.pad(run.x, ((0, 0), (0, 0), *run.result.geometry.pads))


def backprop_zeropad(run, grads):
    """The padding's cells were constants: the gradient is cut back to the input's cells."""
    inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(run.result.geometry.pads, run.x.shape[2:]))
    return (grads[0][(slice(None), slice(None), *inner)].copy(),)




def inputs_times(copies: float):
    """`temporaries` of a forward that holds `copies` input-sized arrays at once."""
    return lambda r, batch: int(copies * batch * sum(prod(shape) for shape in r.input_shapes))


def dense_temporaries(r, batch: int) -> int:
    """Keras' `activation:` applied to the product."""
    return activations.temporaries(r.spec.args.get("activation"), batch * prod(r.output_shape))


def batchnorm_temporaries(r, batch: int) -> int:
    """x·scale before the shift is added, and a few per-channel vectors."""
    return batch * prod(r.input_shapes[0]) + 4 * r.input_shapes[0][0]


def lrn_temporaries(r, batch: int) -> int:
    """A float64 cumulative sum over channels (C + 1 of them), the float64 window sums and one
    float64 gather of window starts — whatever the window size."""
    c, *spatial = r.input_shapes[0]
    return 2 * batch * prod(spatial) * (c + 1) + 4 * batch * prod(r.input_shapes[0])


def activation_layer_temporaries(r, batch: int) -> int:
    return inputs_times(activations.COPIES[r.spec.args["activation"]])(r, batch)


# the functions whose gradient PyTorch computes from their output (it keeps that); the others keep
# their input — the same count, another tensor
FROM_OUTPUT = frozenset({"relu", "sigmoid", "tanh", "softmax"})


def activation_saved(function: str) -> Saved:
    if function == "linear":
        return saves_nothing_a_view(None)
    return saves_output(None) if function in FROM_OUTPUT else Saved(what="saved.input", inputs=True)


def activation_layer_saved(r) -> Saved:
    return activation_saved(r.spec.args["activation"])


def batchnorm_saved(r) -> Saved:
    """The input, and the batch's mean and 1/std per channel (float32 in PyTorch's kernels)."""
    return Saved(what="saved.input_and_stats", inputs=True, once_bytes=2 * 4 * r.input_shapes[0][0])


def dropout_saved(r) -> Saved:
    """PyTorch's native_dropout keeps a 1-byte mask of the kept units."""
    return Saved(what="saved.mask", fixed_bytes=prod(r.input_shapes[0]))


def _simple(name: str, summary: str, *args: Arg, aliases: tuple[str, ...] = (), function: str = "") -> LayerType:
    """An activation layer type: its function (by Keras' name where it differs) is bound here,
    with its own arguments."""
    function = function or name

    def forward(run):
        return activations.apply(function, run.x, run.args)

    def backprop(run, grads):
        return (activations.gradient(function, run.x, run.outputs[0], grads[0], run.args),)

    return LayerType(name, summary, args, infer_same, forward=forward, backprop=backprop, aliases=aliases,
                     temporaries=inputs_times(activations.COPIES[function]), saved=lambda r: activation_saved(function))


def _zeropad(dims: int) -> LayerType:
    return LayerType(
        f"zeropad{dims}d",
        f"{dims}-D zero padding",
        (Arg("padding", "pads", 1, help="int, per-axis list, or per-axis [before, after] pairs"),),
        infer_zeropad,
        rank=dims,
        forward=forward_zeropad,
        backprop=backprop_zeropad,
        aliases=(f"zero_padding{dims}d",),
        saved=saves_nothing,
    )


# Ranges: PyTorch's or Keras' own checks where they have one (named), else the range in which
# the formula means what its name says and the float32 forward stays finite.
RATE = Arg("rate", "float", 0.5, aliases=("p",), low=0, high=1, high_open=True,  # TensorFlow's tf.nn.dropout
           help="fraction of units zeroed while training")
EPS = Arg("eps", "float", 1e-5, aliases=("epsilon",), low=0, low_open=True,  # PyTorch's check in training
          help="added to the variance")
MOMENTUM = Arg("momentum", "float", 0.1, low=0, high=1,  # a running-average weight, in either framework's sense
               help="running-average momentum (no effect on shapes)")
# LRN divides by (k + α/n·Σx²)^β: k > 0 and α ≥ 0 keep that base positive (PyTorch accepts
# k = −1 or α = −1 and returns NaN); β ≥ 0 makes it a normalisation
LRN_ARGS = (Arg("size", "int", 5, help="channels in each window"),
            Arg("alpha", "float", 1e-4, low=0, help="scale of the sum of squares"),
            Arg("beta", "float", 0.75, low=0, help="exponent"),
            Arg("k", "float", 1.0, low=0, low_open=True, help="added to the scaled sum"))
SLOPE = Arg("negative_slope", "float", 0.01, aliases=("alpha",), low=0,  # Keras' LeakyReLU check
            help="slope for x < 0")
ELU_ALPHA = Arg("alpha", "float", 1.0, low=0,  # the ELU paper's α > 0, or 0 (a ReLU)
                help="the output approaches −α as x → −∞")


def _dims(*names: str) -> tuple[str, ...]:
    """`max_pooling{d}d` → max_pooling1d, max_pooling2d, max_pooling3d."""
    return tuple(n.format(d=d) for n in names for d in (1, 2, 3))


TYPES = (
    LayerType("flatten", "all axes into one vector: [C·H·W]", (), infer_flatten, forward=forward_flatten, backprop=backprop_reshape,
              saved=saves_nothing_a_view),
    LayerType(
        "dense",
        "fully connected: every output sees every input; needs a 1-D input",
        (
            Arg("units", "int", aliases=("out_features",), help="number of outputs"),
            Arg("bias", "bool", True, aliases=("use_bias",), help="add one bias per unit"),
            activations.activation_arg(),
            Arg("in_features", "int", None, help="PyTorch's Linear: checked against the input's features"),
        ),
        infer_dense,
        aliases=("linear",),
        fully_connected=True,
        forward=forward_dense, backprop=backprop_dense,
        temporaries=dense_temporaries,
        backward=backward_dense,
    ),
    LayerType(
        "batchnorm",
        "batch normalisation over channels: 2C trainable + 2C non-trainable (running) values",
        (EPS, MOMENTUM,
         Arg("num_features", "int", None, help="PyTorch's BatchNorm: checked against the input's channels")),
        infer_batchnorm,
        forward=forward_batchnorm,
        backprop=backprop_batchnorm,
        temporaries=batchnorm_temporaries,
        backward=backward_batchnorm,
        saved=batchnorm_saved,
        aliases=("batchnorm1d", "batchnorm2d", "batchnorm3d", "batch_normalization"),
    ),
    LayerType("dropout", "zeroes a fraction of units while training (whole channels: Dropout2d); identity at inference",
              (RATE,), partial(infer_same, note="note.dropout"), forward=forward_identity, backprop=backprop_identity, aliases=_dims("dropout{d}d", "spatial_dropout{d}d"),
              saved=dropout_saved),
    LayerType(
        "lrn",
        "local response normalisation across neighbouring channels (AlexNet)",
        LRN_ARGS,
        infer_lrn,
        forward=forward_lrn,
        backprop=backprop_lrn,
        aliases=("local_response_norm", "local_response_normalization"),
        temporaries=lrn_temporaries,
    ),
    _simple("relu", "max(x, 0)"),
    _simple("relu6", "min(max(x, 0), 6) (MobileNet)"),
    _simple("leaky_relu", "x if x > 0 else slope·x", SLOPE),
    _simple("elu", "x if x > 0 else α·(eˣ − 1)", ELU_ALPHA),
    _simple("gelu", "x·Φ(x)"),
    _simple("silu", "x·sigmoid(x) (swish)", aliases=("swish",)),
    _simple("sigmoid", "1/(1 + e⁻ˣ)"),
    _simple("tanh", "tanh(x)"),
    _simple("softmax", "exp(x)/Σexp(x) over channels (axis 0)"),
    _simple("hardsigmoid", "relu6(x + 3)/6 (MobileNetV3; Keras 3's hard_sigmoid)", function="hard_sigmoid"),
    _simple("hardswish", "x·hardsigmoid(x) (MobileNetV3; Keras' hard_silu)", function="hard_silu",
            aliases=("hard_silu",)),
    _simple("mish", "x·tanh(softplus(x))"),
    _simple("identity", "x unchanged (PyTorch's nn.Identity, Keras' Identity)", function="linear"),
    LayerType("prelu", "x if x > 0 else a·x with a learned slope a: 1 shared or one per channel (PyTorch)",
              (Arg("num_parameters", "int", 1, help="1 (one slope shared) or C (one per channel)"),),
              infer_prelu, forward=forward_prelu, backprop=backprop_prelu, temporaries=inputs_times(1.25)),
    LayerType("activation", "Keras' Activation layer: the named function (relu, softmax or another) on every value",
              (activations.activation_arg(required=True),), infer_activation, forward=forward_activation_layer, backprop=backprop_activation_layer,
              temporaries=activation_layer_temporaries, saved=activation_layer_saved),
    *(_zeropad(d) for d in (1, 2, 3)),
)
