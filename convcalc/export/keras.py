"""An analysed network as one Keras functional model, channels first throughout (Keras 3 with
data_format="channels_first", as the torch backend runs it), so every shape is convcalc's. Each
spec layer is the Keras layer of its name; an int padding Keras' layers cannot take is a
ZeroPadding layer in front, named `<layer>.pad`."""

from __future__ import annotations

from functools import partial
from typing import Callable

from convcalc.engine import LayerResult, Network
from convcalc.export.common import (
    context,
    global_rank,
    header,
    literal,
    per_axis,
    refuse,
    variables,
)
from convcalc.export.keras_helpers import HELPERS
from convcalc.layers.rearrange import crop_pairs
from convcalc.record import record

FRAMEWORK = "Keras"
CF = 'data_format="channels_first"'


@record
class Layer:
    """One spec layer as Keras code: the layer's constructor (its `name=` added later), a
    padding layer in front of it, and the helper classes it uses."""

    code: str
    pad: str | None = None
    helpers: tuple[str, ...] = ()
    reads: int | None = None


def _size(values: tuple) -> str:
    return literal(values[0] if len(set(values)) == 1 else tuple(values))


# the `activation` type and argument: Keras' own function names; softmax over the channels
FUNCTIONS = {
    "linear": "layers.Identity({})", "relu": "layers.ReLU({})", "relu6": "layers.ReLU(max_value=6.0{})",
    "leaky_relu": "layers.LeakyReLU(negative_slope=0.2{})", "elu": "layers.ELU(alpha=1.0{})",
    "softmax": "layers.Softmax(axis=1{})",
}


def _function(name: str) -> str:
    return FUNCTIONS.get(name, f"layers.Activation({name!r}{{}})")


def _activation(r: LayerResult) -> str:
    """`activation=` inside the layer, as Keras applies it; softmax must be over the channels,
    which Keras' function (axis −1) is only for a vector."""
    name = r.spec.args.get("activation")
    if name in (None, "linear"):
        return ""
    if name == "softmax" and len(r.output_shape) > 1:
        raise refuse(r, FRAMEWORK, "softmax_inside")
    return f", activation={name!r}"


def _zero_pad(pairs: tuple[tuple[int, int], ...]) -> str:
    """ZeroPadding1D takes one (before, after) pair, not a tuple of one pair."""
    return f"layers.ZeroPadding{len(pairs)}D({literal(pairs[0] if len(pairs) == 1 else pairs)}, {CF})"


def _window_padding(r: LayerResult) -> tuple[str, str | None]:
    """Keras' own `valid`, `same`, `causal`; an int padding as a ZeroPadding layer in front."""
    padding, pairs = r.spec.args["padding"], r.geometry.pads
    if isinstance(padding, str):
        return repr(padding), None
    if not any(lo or hi for lo, hi in pairs):
        return "'valid'", None
    return "'valid'", _zero_pad(pairs)


def _strides_and_dilation(r: LayerResult) -> None:
    g = r.geometry
    if any(s > 1 for s in g.stride) and any(d > 1 for d in g.dilation):
        raise refuse(r, FRAMEWORK, "stride_and_dilation")


def _conv(dims: int, r: LayerResult) -> Layer:
    a, g = r.spec.args, r.geometry
    _strides_and_dilation(r)
    padding, pad = _window_padding(r)
    return Layer(code=f"layers.Conv{dims}D({a['filters']}, {_size(g.kernel)}, strides={_size(g.stride)}, "
                      f"padding={padding}, dilation_rate={_size(g.dilation)}, groups={a['groups']}, "
                      f"use_bias={a['bias']}{_activation(r)}, {CF})", pad=pad)


def _depthwise(r: LayerResult) -> Layer:
    a, g = r.spec.args, r.geometry
    _strides_and_dilation(r)
    padding, pad = _window_padding(r)
    return Layer(code=f"layers.DepthwiseConv2D({_size(g.kernel)}, strides={_size(g.stride)}, padding={padding}, "
                      f"depth_multiplier={a['depth_multiplier']}, dilation_rate={_size(g.dilation)}, "
                      f"use_bias={a['bias']}{_activation(r)}, {CF})", pad=pad)


def _separable(r: LayerResult) -> Layer:
    a, g = r.spec.args, r.geometry
    _strides_and_dilation(r)
    padding, pad = _window_padding(r)
    return Layer(code=f"layers.SeparableConv2D({a['filters']}, {_size(g.kernel)}, strides={_size(g.stride)}, "
                      f"padding={padding}, depth_multiplier={a['depth_multiplier']}, "
                      f"dilation_rate={_size(g.dilation)}, use_bias={a['bias']}{_activation(r)}, {CF})", pad=pad)


def _conv_transpose(dims: int, r: LayerResult) -> Layer:
    """Keras' `valid`/`same` are its own; PyTorch's int padding crops the full result, which
    Keras has no layer for in front of the conv, so it is refused."""
    a, g = r.spec.args, r.geometry
    if a["groups"] > 1:
        raise refuse(r, FRAMEWORK, "transposed_groups")
    padding = a["padding"]
    if not isinstance(padding, str):  # PyTorch's full result: Keras' `valid` when the kernel spans the stride
        spans = all(ax.dilation * (ax.kernel - 1) + 1 >= ax.stride for ax in g.axes)
        if padding not in (0, (0,) * dims) or a["output_padding"] is not None or not spans:
            raise refuse(r, FRAMEWORK, "transposed_int_padding")
        padding = "valid"
    if any(s > 1 for s in g.stride) and any(d > 1 for d in g.dilation):
        raise refuse(r, FRAMEWORK, "stride_and_dilation")
    op = "None" if a["output_padding"] is None else literal(a["output_padding"])
    return Layer(code=f"layers.Conv{dims}DTranspose({a['filters']}, {_size(g.kernel)}, strides={_size(g.stride)}, "
                      f"padding={padding!r}, output_padding={op}, dilation_rate={_size(g.dilation)}, "
                      f"use_bias={a['bias']}{_activation(r)}, {CF})")


def _pool(kind: str, dims: int, r: LayerResult) -> Layer:
    """Keras pools have `valid`/`same` only: an int padding is zeros in front (exact for an
    average counting the padding; a max pool would see the zeros), and no ceil_mode."""
    a, g = r.spec.args, r.geometry
    if a.get("dilation", 1) not in (1, (1,) * dims):
        raise refuse(r, FRAMEWORK, "pool_dilation")
    padding, pad = _window_padding(r)
    name = "Max" if kind == "Max" else "Average"
    code = f"layers.{name}Pooling{dims}D({_size(g.kernel)}, strides={_size(g.stride)}, padding={padding}, {CF})"
    if kind == "Max" and pad:  # PyTorch pads a max pool with −inf (ceil_mode's extra cells included)
        return Layer(code=code, pad=f"Pad({literal(g.pads)}, float('-inf'))", helpers=("Pad",))
    if pad and not a["count_include_pad"]:
        raise refuse(r, FRAMEWORK, "pool_int_padding")
    if a["ceil_mode"] and g.pads != tuple((p, p) for p in per_axis(a["padding"], dims)):
        raise refuse(r, FRAMEWORK, "pool_ceil_mode")
    return Layer(code=code, pad=pad)


def _global(kind: str, r: LayerResult) -> Layer:
    rank = global_rank(r, FRAMEWORK)
    return Layer(code=f"layers.Global{kind}Pooling{rank}D({CF})")


def _adaptive(kind: str, dims: int, r: LayerResult) -> Layer:
    return Layer(code=f"layers.Adaptive{kind}Pooling{dims}D({literal(r.spec.args['output_size'])}, {CF})")


def _dense(r: LayerResult) -> Layer:
    a = r.spec.args
    return Layer(code=f"layers.Dense({a['units']}, use_bias={a['bias']}{_activation(r)})")


def _batchnorm(r: LayerResult) -> Layer:
    """PyTorch's momentum weighs the new batch, Keras' the running value: 0.1 is 0.9."""
    a = r.spec.args
    return Layer(code=f"layers.BatchNormalization(axis=1, epsilon={a['eps']!r}, momentum={1 - a['momentum']!r})")


def _layernorm(r: LayerResult) -> Layer:
    a = r.spec.args
    scale, center = a["elementwise_affine"], a["elementwise_affine"] and a["bias"]
    shape = a["normalized_shape"]
    axis = 1 if shape is None else literal(tuple(range(-len(per_axis(shape, 1)), 0)))
    return Layer(code=f"layers.LayerNormalization(axis={axis}, epsilon={a['eps']!r}, center={center}, scale={scale})")


def _groupnorm(r: LayerResult) -> Layer:
    a = r.spec.args
    return Layer(code=f"layers.GroupNormalization({a['num_groups']}, axis=1, epsilon={a['eps']!r}, "
                      f"center={a['affine']}, scale={a['affine']})")


def _instancenorm(r: LayerResult) -> Layer:
    """Instance normalisation is group normalisation with one group per channel."""
    a, shape = r.spec.args, r.input_shapes[0]
    if a["track_running_stats"]:
        raise refuse(r, FRAMEWORK, "instancenorm_stats")
    if len(shape) < 2:
        raise refuse(r, FRAMEWORK, "instancenorm_rank")
    return Layer(code=f"layers.GroupNormalization({shape[0]}, axis=1, epsilon={a['eps']!r}, center={a['affine']}, "
                      f"scale={a['affine']})")


def _prelu(r: LayerResult) -> Layer:
    """One slope (every axis shared) or one per channel (the spatial axes shared)."""
    rank = len(r.input_shapes[0])
    first = 1 if r.spec.args["num_parameters"] == 1 else 2
    shared = tuple(range(first, rank + 1))
    return Layer(code=f"layers.PReLU(shared_axes={literal(shared) if shared else None})")


def _zeropad(dims: int, r: LayerResult) -> Layer:
    padding = r.spec.args["padding"]
    pairs = padding if isinstance(padding, tuple) and isinstance(padding[0], tuple) else \
        tuple((p, p) for p in per_axis(padding, dims))
    return Layer(code=_zero_pad(pairs))


def _crop(r: LayerResult) -> Layer:
    pairs = crop_pairs(context(r))
    if not 2 <= len(pairs) <= 3:  # Cropping1D has no channels_first
        raise refuse(r, FRAMEWORK, "crop_rank")
    return Layer(code=f"layers.Cropping{len(pairs)}D({literal(pairs)}, {CF})", reads=1)


def _upsample(r: LayerResult) -> Layer:
    """PyTorch's Upsample: whole factors with nearest are UpSampling; a 2-D bilinear or bicubic
    resize without align_corners is Resizing to the output size."""
    a, rank = r.spec.args, len(r.input_shapes[0]) - 1
    out = r.output_shape[1:]
    factors = tuple(o // n if o % n == 0 else 0 for o, n in zip(out, r.input_shapes[0][1:]))
    if a["mode"] == "nearest" and all(factors) and 2 <= rank <= 3:
        return Layer(code=f"layers.UpSampling{rank}D({_size(factors)}, {CF})")
    if a["mode"] in ("bilinear", "bicubic") and not a["align_corners"] and rank == 2:
        return Layer(code=f"layers.Resizing({out[0]}, {out[1]}, interpolation={a['mode']!r}, {CF})")
    raise refuse(r, FRAMEWORK, "upsample")


def _keras_upsampling(r: LayerResult) -> Layer:
    a, rank = r.spec.args, len(r.input_shapes[0]) - 1
    if rank == 1:  # UpSampling1D has no channels_first
        raise refuse(r, FRAMEWORK, "upsampling_1d")
    if rank == 3 and a["interpolation"] != "nearest":
        raise refuse(r, FRAMEWORK, "upsample")
    how = "" if rank == 3 else f", interpolation={a['interpolation']!r}"
    return Layer(code=f"layers.UpSampling{rank}D({_size(per_axis(a['size'], rank))}{how}, {CF})")


def _permute(r: LayerResult) -> Layer:
    dims = r.spec.args["dims"]
    if len(dims) == len(r.input_shapes[0]) + 1 and dims[0] == 0:
        dims = dims[1:]
    return Layer(code=f"layers.Permute({literal(dims)})")


def _sections(r: LayerResult) -> Layer:
    sizes = tuple(s[r.spec.args["axis"]] for s in r.output_shapes)
    return Layer(code=f"Split({literal(sizes)}, axis={r.spec.args['axis'] + 1})", helpers=("Split",))


def _simple(code: str, helpers: tuple[str, ...] = ()) -> Callable[[LayerResult], Layer]:
    return lambda r: Layer(code=code.format(**r.spec.args), helpers=helpers)


def _refused(reason: str) -> Callable[[LayerResult], Layer]:
    def refused(r: LayerResult) -> Layer:
        raise refuse(r, FRAMEWORK, reason)
    return refused


LAYERS: dict[str, Callable[[LayerResult], Layer]] = {
    **{f"conv{d}d": partial(_conv, d) for d in (1, 2, 3)},
    **{f"conv_transpose{d}d": partial(_conv_transpose, d) for d in (1, 2, 3)},
    "depthwise_conv2d": _depthwise,
    "separable_conv2d": _separable,
    **{f"maxpool{d}d": partial(_pool, "Max", d) for d in (1, 2, 3)},
    **{f"avgpool{d}d": partial(_pool, "Avg", d) for d in (1, 2, 3)},
    "global_avgpool": partial(_global, "Average"),
    "global_maxpool": partial(_global, "Max"),
    **{f"adaptive_avgpool{d}d": partial(_adaptive, "Average", d) for d in (1, 2, 3)},
    **{f"adaptive_maxpool{d}d": partial(_adaptive, "Max", d) for d in (1, 2, 3)},
    "flatten": _simple("layers.Flatten()"),  # row-major over [C, H, W], as torch.flatten
    "dense": _dense,
    "batchnorm": _batchnorm,
    "dropout": _simple("layers.Dropout({rate!r})"),
    "lrn": _refused("lrn"),
    "relu": _simple("layers.ReLU()"),
    "relu6": _simple("layers.ReLU(max_value=6.0)"),
    "leaky_relu": _simple("layers.LeakyReLU(negative_slope={negative_slope!r})"),
    "elu": _simple("layers.ELU(alpha={alpha!r})"),
    "gelu": _simple("layers.Activation('gelu')"),
    "silu": _simple("layers.Activation('silu')"),
    "sigmoid": _simple("layers.Activation('sigmoid')"),
    "tanh": _simple("layers.Activation('tanh')"),
    "softmax": _simple("layers.Softmax(axis=1)"),
    "hardsigmoid": _simple("layers.Activation('hard_sigmoid')"),
    "hardswish": _simple("layers.Activation('hard_silu')"),
    "mish": _simple("layers.Activation('mish')"),
    "identity": _simple("layers.Identity()"),
    "prelu": _prelu,
    "activation": lambda r: Layer(code=_function(r.spec.args["activation"]).format("")),
    **{f"zeropad{d}d": partial(_zeropad, d) for d in (1, 2, 3)},
    "layernorm": _layernorm,
    "groupnorm": _groupnorm,
    "instancenorm": _instancenorm,
    "scale": lambda r: Layer(code=f"LayerScale({r.input_shapes[0][0]})", helpers=("LayerScale",)),
    "stochastic_depth": _simple("StochasticDepth({rate!r}, {mode!r})", ("StochasticDepth",)),
    "add": _simple("layers.Add()"),
    "multiply": _simple("layers.Multiply()"),
    "concat": _simple("layers.Concatenate(axis=1)"),
    "channel_shuffle": _simple("ChannelShuffle({groups})", ("ChannelShuffle",)),
    "reshape": lambda r: Layer(code=f"layers.Reshape({literal(r.spec.args['shape'])})"),
    "permute": _permute,
    "crop": _crop,
    "pixel_shuffle": _simple("PixelShuffle({upscale_factor})", ("PixelShuffle",)),
    "pixel_unshuffle": _simple("PixelUnshuffle({downscale_factor})", ("PixelUnshuffle",)),
    "upsample": _upsample,
    "upsampling": _keras_upsampling,
    "split": _sections,
    "chunk": _sections,
}


def layer(r: LayerResult) -> Layer:
    """The layer's Keras code, or the SpecError saying Keras cannot express it."""
    return LAYERS[r.spec.type](r)


def layer_names(net: Network) -> dict[str, str]:
    """Spec name → Keras layer name: Keras refuses `.` in a name (`layer2.0.conv1` is
    `layer2_0_conv1`); a clash gets a number appended."""
    names, taken = {}, {"input"}
    for r in net.layers:
        name = base = r.spec.name.replace(".", "_").replace("/", "_")
        k = 2
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        names[r.spec.name] = name
    return names


def _named(code: str, name: str) -> str:
    """`layers.ReLU()` → `layers.ReLU(name='relu_1')`."""
    return f"{code[:-1]}{', ' if code[-2] != '(' else ''}name={name!r})"


def _call_lines(net: Network, built: list[Layer]) -> list[str]:
    names, keras_names = variables(net), layer_names(net)
    lines = [f"x = keras.Input(shape={literal(net.input_shape)}, name='input')"]
    for r, b in zip(net.layers, built):
        reads = r.spec.inputs if b.reads is None else r.spec.inputs[:b.reads]
        args = ", ".join(names[t] for t in reads)
        args = f"[{args}]" if len(reads) > 1 else args
        if b.pad:
            lines.append(f"{names[r.spec.name] if r.spec.outputs == 1 else 'padded'} = "
                         f"{_named(b.pad, keras_names[r.spec.name] + '_pad')}({args})")
            args = names[r.spec.name] if r.spec.outputs == 1 else "padded"
        outs = ", ".join(names[t] for t in r.spec.output_names)
        lines.append(f"{outs} = {_named(b.code, keras_names[r.spec.name])}({args})")
    last = [names[t] for t in net.layers[-1].spec.output_names]
    outputs = last[0] if len(last) == 1 else f"[{', '.join(last)}]"
    loose = [names[t] for t in _unread(net, built) if names[t] not in last]
    if loose:  # a Keras model holds only the layers its outputs need
        lines.append("# read by no other layer: outputs too, so that the model keeps them")
        outputs = f"[{', '.join(last + loose)}]"
    return lines + [f"return keras.Model(x, {outputs}, name={_model_name(net)!r})"]


def _unread(net: Network, built: list[Layer]) -> list[str]:
    """Tensors no layer reads here (a dead end of the spec, or the size-only second input of a
    centre crop), in order."""
    read = {t for r, b in zip(net.layers, built) for t in (r.spec.inputs if b.reads is None else r.spec.inputs[:b.reads])}
    return [t for r in net.layers for t in r.spec.output_names if t not in read]


def _model_name(net: Network) -> str:
    return net.name.replace("/", "_") or "network"


def to_source(net: Network) -> str:
    built = [layer(r) for r in net.layers]
    used = dict.fromkeys(h for b in built for h in b.helpers)
    lines = [*header(net, FRAMEWORK),
             "# channels first throughout (data_format=\"channels_first\"), so every shape is the spec's;",
             "# each spec layer is the Keras layer of its name: model.get_layer('<spec name>')", "",
             "import os", "", 'os.environ.setdefault("KERAS_BACKEND", "torch")  # channels_first convs need torch or jax',
             "", "import keras", "from keras import layers, ops", ""]
    lines += [HELPERS[h].rstrip() + "\n" for h in HELPERS if h in used]
    lines += ["", "def build() -> keras.Model:"]
    lines += [f"    {line}" for line in _call_lines(net, built)]
    lines += ["", "", f"INPUT_SHAPE = {literal(net.input_shape)}  # channels first, batch left out", "", "",
              'if __name__ == "__main__":', "    model = build()", "    model.summary()"]
    return "\n".join(lines) + "\n"
