"""Numerical truth of the NumPy runner: identical weights and inputs through the runner and
through PyTorch (Keras for the semantics only Keras has); outputs must agree within
rtol=1e-4, atol=1e-5 in float32 — values, not only shapes."""

import os
import warnings

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
torch = pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")
np = pytest.importorskip("numpy")

import yaml  # noqa: E402
from hypothesis import given, strategies as st  # noqa: E402

from convcalc.engine import analyze  # noqa: E402
from convcalc.errors import SpecError  # noqa: E402
from convcalc.runner import run_network  # noqa: E402
from convcalc.spec.loader import parse_spec  # noqa: E402
from tests.oracle.common import one_layer_net  # noqa: E402
from tests.oracle.torch_build import KerasOnly, load_weights, torch_module  # noqa: E402
from tests.oracle.test_torch_layers import (  # noqa: E402
    adaptive_configs, conv_configs, norm_configs, pool_configs, rearrange_configs, shape_any_rank, transposed_configs,
    upsample_configs)

RTOL, ATOL = 1e-4, 1e-5


def run_ours(input_shape, type_, args, batch=2, seed=0):
    """(input, output, weights) of a one-layer network run by the runner, or None if invalid."""
    try:
        net = one_layer_net(input_shape, type_, args)
    except SpecError:
        return None
    runs, tensors = run_network(net, seed=seed, batch=batch, keep=True)
    (layer,) = runs
    assert layer.ok, layer
    return tensors["input"], tensors[net.layers[0].spec.name], layer.weights


def check_torch(input_shape, type_, args):
    ours = run_ours(input_shape, type_, args)
    if ours is None:
        return
    x, y, weights = ours
    try:
        module = torch_module(type_, args, tuple(input_shape))
    except KerasOnly:
        return
    load_weights(module, type_, weights)
    module.eval()  # inference: dropout is the identity, batchnorm uses its running statistics
    with torch.no_grad():
        expected = module(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(y, expected, rtol=RTOL, atol=ATOL, err_msg=f"{type_} {args} on {input_shape}")


@given(conv_configs())
def test_conv(config):
    check_torch(*config)


@given(transposed_configs())
def test_conv_transpose(config):
    check_torch(*config)


@given(pool_configs())
def test_pool(config):
    check_torch(*config)


@given(adaptive_configs())
def test_adaptive_pool(config):
    check_torch(*config)


@given(shape_any_rank(), st.floats(1e-5, 1e-2))
def test_batchnorm(shape, eps):
    check_torch(shape, "batchnorm", {"eps": eps})


@given(st.data())
def test_upsample_and_zeropad(data):
    dims = data.draw(st.sampled_from([1, 2, 3]))
    shape = [data.draw(st.integers(1, 3)), *[data.draw(st.integers(1, 6)) for _ in range(dims)]]
    check_torch(shape, "upsample", {"scale_factor": [data.draw(st.integers(1, 3)) for _ in range(dims)]})
    check_torch(shape, "upsampling", {"size": [data.draw(st.integers(1, 3)) for _ in range(dims)]})
    padding = [[data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))] for _ in range(dims)]
    check_torch(shape, f"zeropad{dims}d", {"padding": padding})


@given(upsample_configs())
def test_upsample_modes(config):
    """nearest (PyTorch's float32 index rule), (bi/tri)linear and bicubic (A = −0.75, clamped
    taps), align_corners both ways, output sizes and whole or fractional scale factors."""
    check_torch(*config)


@given(rearrange_configs())
def test_rearrange(config):
    check_torch(*config)


@pytest.mark.parametrize("shape, type_, args", [
    ([8, 3, 3], "channel_shuffle", {"groups": 2}), ([12, 2, 5], "channel_shuffle", {"groups": 3}),
    ([8, 3, 5], "pixel_shuffle", {"upscale_factor": 2}), ([2, 6, 9], "pixel_unshuffle", {"downscale_factor": 3}),
    ([2, 3, 4], "permute", {"dims": [3, 1, 2]}), ([2, 3, 4], "reshape", {"shape": [4, -1]}),
    ([2, 7, 6], "crop", {"cropping": [[1, 2], [0, 3]]}),
    ([2, 5, 5], "upsample", {"size": [8, 3], "mode": "bicubic", "align_corners": True}),
    ([2, 5, 5], "upsample", {"scale_factor": 2.5, "mode": "bilinear"}),
])
def test_rearrange_values(shape, type_, args):
    """A table beside the random draws, so each type's values are checked on every run."""
    assert run_ours(shape, type_, args) is not None
    check_torch(shape, type_, args)


@given(st.integers(1, 40), st.integers(1, 12), st.booleans())
def test_dense(features, units, bias):
    check_torch([features], "dense", {"units": units, "bias": bias})


@pytest.mark.parametrize("type_, args", [
    ("relu", {}), ("relu6", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.7}),
    ("gelu", {}), ("silu", {}), ("sigmoid", {}), ("tanh", {}), ("softmax", {}), ("dropout", {"rate": 0.3}),
    ("lrn", {"size": 3}), ("lrn", {"size": 4, "alpha": 0.01, "beta": 0.5, "k": 2.0}),
    ("global_avgpool", {}), ("global_maxpool", {}), ("flatten", {}),
    ("hardsigmoid", {}), ("hardswish", {}), ("mish", {}), ("identity", {}), ("prelu", {}),
    ("stochastic_depth", {"rate": 0.2, "mode": "batch"}), ("scale", {}), ("layernorm", {}),
    ("groupnorm", {"num_groups": 1}), ("layernorm", {"normalized_shape": 4, "eps": 1e-3}),
])
@pytest.mark.parametrize("shape", [[5, 7], [6, 5, 4], [3, 3, 4, 5]])
def test_elementwise_and_global(type_, args, shape):
    check_torch(shape, type_, args)


@given(norm_configs())
def test_norms(config):
    """Layer norm over channels or the last axes, group norm, instance norm with its own or
    the running statistics: in PyTorch's eval mode, with the runner's γ, β and statistics."""
    check_torch(*config)


@given(shape_any_rank())
def test_prelu_per_channel(shape):
    check_torch(shape, "prelu", {"num_parameters": shape[0]})


def test_mish_and_hardswish_at_large_values():
    """Mish's softplus must not overflow where exp does (x = 100 in float32 is fine, 1e4 is not)."""
    text = yaml.safe_dump({"input": [3], "layers": [{"mish": None}, {"hardswish": None, "inputs": "input"}]})
    net = analyze(parse_spec(text))
    x = np.array([[-1e4, 0.5, 1e4]], dtype=np.float32)
    for layer in net.layers:
        from convcalc.layers import REGISTRY
        from convcalc.runner import Run
        y = REGISTRY[layer.spec.type].forward(Run(layer, [x], (0, 0)))
        module = torch.nn.Mish() if layer.spec.type == "mish" else torch.nn.Hardswish()
        np.testing.assert_allclose(y, module(torch.from_numpy(x)).numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("shape, gate", [([4, 6, 6], [4, 1, 1]), ([4, 6, 6], [1, 6, 6]), ([3, 5], [3, 1]),
                                         ([2, 3, 4, 5], [2, 1, 4, 1])])
def test_broadcasting_multiply_and_add(shape, gate):
    """The SE gate: a C×H×W map times a C×1×1 gate (adaptive pooling makes the gate), and add
    with the gate the other way round; values against torch's broadcasting `*` and `+`."""
    rank = len(shape) - 1
    text = yaml.safe_dump({"input": shape, "layers": [
        {f"adaptive_avgpool{rank}d": {"output_size": gate[1:]}, "name": "pooled"},
        {"sigmoid": None, "name": "g"} if gate[0] == shape[0] else
        {f"conv{rank}d": {"filters": 1, "kernel_size": 1}, "name": "g"},
        {"multiply": None, "name": "m", "inputs": ["input", "g"]},
        {"add": None, "name": "s", "inputs": ["g", "m", "input"]},
    ]})
    runs, tensors = run_network(analyze(parse_spec(text)), seed=5, batch=2, keep=True)
    assert all(r.ok for r in runs)
    x, g = torch.from_numpy(tensors["input"]), torch.from_numpy(tensors["g"])
    np.testing.assert_allclose(tensors["m"], (x * g).numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(tensors["s"], (g + x * g + x).numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("shape", [[4, 6, 6], [3, 5]])
def test_add_and_concat(shape):
    """Merges, through a small graph, against the torch ops they stand for."""
    text = yaml.safe_dump({"input": shape, "layers": [
        {"relu": None, "name": "a"}, {"tanh": None, "name": "b", "inputs": "input"},
        {"add": None, "name": "s", "inputs": ["a", "b", "input"]}, {"concat": None, "name": "c", "inputs": ["s", "a"]},
    ]})
    runs, tensors = run_network(analyze(parse_spec(text)), seed=3, batch=2, keep=True)
    assert all(r.ok for r in runs)
    x = torch.from_numpy(tensors["input"])
    expected = torch.cat([torch.relu(x) + torch.tanh(x) + x, torch.relu(x)], dim=1).numpy()
    np.testing.assert_allclose(tensors["c"], expected, rtol=RTOL, atol=ATOL)


# --- Keras semantics: `same` with strides, `causal`, transposed valid/same, pooling `same` ---

keras = pytest.importorskip("keras", reason="the oracle extra is not installed")


def keras_layout(type_: str, weights: dict) -> list:
    """The runner's PyTorch-layout arrays in Keras' order and layout."""
    def spatial_first(w, out_last=True):  # (out, in, *K) → (*K, in, out)
        return np.moveaxis(np.moveaxis(w, 0, -1), 0, -2) if out_last else w

    bias = [weights["bias"]] if "bias" in weights else []
    if type_ in ("layernorm", "groupnorm"):  # γ, β: one order, one layout in both
        return [weights["weight"], *bias]
    if type_ == "prelu":  # PReLU(shared_axes=spatial): one slope per channel, channels last
        return [weights["weight"].reshape(1, 1, -1)]
    if type_.startswith("conv_transpose"):  # torch (in, out, *K) → keras (*K, out, in)
        return [np.moveaxis(np.moveaxis(weights["weight"], 0, -1), 0, -2), *bias]
    if type_ == "depthwise_conv2d":  # torch (C·m, 1, k, k) → keras (k, k, C, m)
        w = weights["weight"]
        c_m, _, kh, kw = w.shape
        c = c_m // keras_layout.multiplier
        return [w.reshape(c, keras_layout.multiplier, kh, kw).transpose(2, 3, 0, 1), *bias]
    if type_ == "separable_conv2d":
        dw = weights["depthwise"]
        c_m, _, kh, kw = dw.shape
        c = c_m // keras_layout.multiplier
        return [dw.reshape(c, keras_layout.multiplier, kh, kw).transpose(2, 3, 0, 1),
                spatial_first(weights["pointwise"]), *bias]
    return [spatial_first(weights["weight"]), *bias]


def check_keras(input_shape, type_, args, layer):
    ours = run_ours(input_shape, type_, args)
    if ours is None:
        return
    x, y, weights = ours
    channels_last = np.ascontiguousarray(np.moveaxis(x, 1, -1))
    layer.build(channels_last.shape)
    if weights:
        keras_layout.multiplier = args.get("depth_multiplier", 1)
        layer.set_weights(keras_layout(type_, weights))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = layer(channels_last)
    # Keras on the torch backend says when it cannot follow TensorFlow's transposed-conv rule;
    # those cases are checked against TensorFlow's definition instead (tf_conv_transpose)
    if any("inconsistencies across backends" in str(w.message) or "Clamping" in str(w.message) for w in caught):
        return
    if any(s > 1 and o == 1 for s, o in zip(_strides(args, len(input_shape) - 1), y.shape[2:])):
        # Keras 3.15 on the torch backend computes wrong values (even uninitialised memory) when
        # an axis has stride > 1 and a single output cell; torch.nn.functional agrees with the
        # runner there (check_keras_rule_through_torch), so Keras is not the oracle for it.
        return
    expected = np.moveaxis(keras.ops.convert_to_numpy(result), -1, 1)
    np.testing.assert_allclose(y, expected, rtol=RTOL, atol=ATOL, err_msg=f"{type_} {args} on {input_shape}")


def _strides(args, rank):
    stride = args.get("stride", 1)
    return stride if isinstance(stride, list) else [stride] * rank


@st.composite
def keras_conv_cases(draw):
    """(shape, type, args, the Keras layer) of a conv with `same` (strided too) or `causal`
    padding: the semantics only Keras has. The gradient oracle draws the same cases."""
    dims = draw(st.sampled_from([1, 2]))
    padding = draw(st.sampled_from(["same", "causal"] if dims == 1 else ["same"]))
    strided = draw(st.booleans())
    strides = [draw(st.integers(1, 3)) if strided else 1 for _ in range(dims)]
    dilation = [1 if strided else draw(st.integers(1, 2)) for _ in range(dims)]
    kernel = [draw(st.integers(1, 4)) for _ in range(dims)]
    shape = [draw(st.integers(1, 3)), *[draw(st.integers(1, 9)) for _ in range(dims)]]
    filters = draw(st.integers(1, 4))
    args = {"filters": filters, "kernel_size": kernel, "stride": strides, "padding": padding, "dilation": dilation}
    layer = getattr(keras.layers, f"Conv{dims}D")(filters, kernel, strides=strides, padding=padding, dilation_rate=dilation)
    return shape, f"conv{dims}d", args, layer


@given(keras_conv_cases())
def test_keras_conv_same_and_causal(case):
    shape, type_, args, layer = case
    check_keras(shape, type_, args, layer)
    check_keras_rule_through_torch(shape, type_, args)


def check_keras_rule_through_torch(shape, type_, args):
    """Keras' padding rule written out here (TensorFlow's split, or causal), then
    torch.nn.functional's convolution: the runner must agree with this too."""
    x, y, weights = run_ours(shape, type_, args)
    spans = [d * (k - 1) + 1 for k, d in zip(args["kernel_size"], args["dilation"])]
    if args["padding"] == "causal":
        pads = [(spans[0] - 1, 0)]
    else:
        pads = [same_pads(n, span, s) for n, span, s in zip(shape[1:], spans, args["stride"])]
    flat = [v for lo, hi in reversed(pads) for v in (lo, hi)]
    conv = getattr(torch.nn.functional, f"conv{len(pads)}d")
    expected = conv(torch.nn.functional.pad(torch.from_numpy(x), flat), torch.from_numpy(weights["weight"]),
                    torch.from_numpy(weights["bias"]), stride=args["stride"], dilation=args["dilation"]).numpy()
    np.testing.assert_allclose(y, expected, rtol=RTOL, atol=ATOL, err_msg=f"{type_} {args} on {shape}")


@st.composite
def keras_depthwise_cases(draw):
    """A depthwise and a separable conv of the same kernel, strides, padding and multiplier:
    two (shape, type, args, the Keras layer) cases."""
    padding = draw(st.sampled_from(["same", "valid"]))
    strides = [draw(st.integers(1, 2)) for _ in range(2)]
    kernel = [draw(st.integers(1, 3)) for _ in range(2)]
    m = draw(st.integers(1, 2))
    shape = [draw(st.integers(1, 3)), draw(st.integers(3, 8)), draw(st.integers(3, 8))]
    args = {"kernel_size": kernel, "stride": strides, "padding": padding, "depth_multiplier": m}
    filters = draw(st.integers(1, 4))
    return ((shape, "depthwise_conv2d", args,
             keras.layers.DepthwiseConv2D(kernel, strides=strides, padding=padding, depth_multiplier=m)),
            (shape, "separable_conv2d", {**args, "filters": filters},
             keras.layers.SeparableConv2D(filters, kernel, strides=strides, padding=padding, depth_multiplier=m)))


@given(keras_depthwise_cases())
def test_keras_depthwise_separable(cases):
    for shape, type_, args, layer in cases:
        check_keras(shape, type_, args, layer)
        check_torch(shape, type_, args)  # PyTorch's Conv2d(groups=C) where it has the padding


def tf_conv_transpose(x, weight, bias, strides, padding, out_size):
    """TensorFlow's definition of conv2d_transpose: the gradient of conv2d(`padding`) whose input
    has the output's size, taken with torch.autograd — independent of convcalc's offsets."""
    pads = [same_pads(o, k, s) if padding == "same" else (0, 0)
            for o, k, s in zip(out_size, weight.shape[2:], strides)]
    z = torch.zeros(x.shape[0], weight.shape[1], *out_size, requires_grad=True)
    flat = [v for lo, hi in reversed(pads) for v in (lo, hi)]
    y = torch.nn.functional.conv2d(torch.nn.functional.pad(z, flat), torch.from_numpy(weight), stride=strides)
    (grad,) = torch.autograd.grad(y, z, grad_outputs=torch.from_numpy(x))
    return (grad + torch.from_numpy(bias).reshape(1, -1, 1, 1)).numpy()


@st.composite
def keras_transposed_cases(draw):
    """(shape, args) of a Keras Conv2DTranspose, `valid` or `same`, with or without output_padding."""
    padding = draw(st.sampled_from(["same", "valid"]))
    strides = [draw(st.integers(1, 3)) for _ in range(2)]
    kernel = [draw(st.integers(1, 4)) for _ in range(2)]
    output_padding = draw(st.one_of(st.none(), st.just([draw(st.integers(0, s - 1)) for s in strides])))
    shape = [draw(st.integers(1, 3)), draw(st.integers(1, 6)), draw(st.integers(1, 6))]
    args = {"filters": draw(st.integers(1, 3)), "kernel_size": kernel, "stride": strides, "padding": padding,
            "output_padding": output_padding}
    return shape, args


def keras_transposed_layer(args):
    return keras.layers.Conv2DTranspose(args["filters"], args["kernel_size"], strides=args["stride"],
                                        padding=args["padding"], output_padding=args["output_padding"])


@given(keras_transposed_cases())
def test_keras_conv_transpose(case):
    shape, args = case
    kernel, strides, padding = args["kernel_size"], args["stride"], args["padding"]
    ours = run_ours(shape, "conv_transpose2d", args)
    if ours is None:  # invalid; the shape oracles check that Keras agrees
        return
    x, y, weights = ours
    forward = [(o + sum(same_pads(o, k, s)) - k) // s + 1 if padding == "same" else (o - k) // s + 1
               for o, k, s in zip(y.shape[2:], kernel, strides)]
    if forward == shape[1:]:  # TensorFlow defines the transpose only where this holds
        expected = tf_conv_transpose(x, weights["weight"], weights["bias"], strides, padding, y.shape[2:])
        np.testing.assert_allclose(y, expected, rtol=RTOL, atol=ATOL, err_msg=f"TF rule {args} on {shape}")
    check_keras(shape, "conv_transpose2d", args, keras_transposed_layer(args))


@st.composite
def keras_pool_same_cases(draw):
    """(kind, shape, args, the pads `same` gives per axis) of a Keras max or average pooling."""
    kind = draw(st.sampled_from(["max", "avg"]))
    pool = [draw(st.integers(1, 3)) for _ in range(2)]
    strides = [draw(st.integers(1, 3)) for _ in range(2)]
    shape = [draw(st.integers(1, 3)), draw(st.integers(3, 9)), draw(st.integers(3, 9))]
    args = {"pool_size": pool, "stride": strides, "padding": "same"}
    return kind, shape, args, [same_pads(n, k, s) for n, k, s in zip(shape[1:], pool, strides)]


@given(keras_pool_same_cases())
def test_keras_pool_same(case):
    kind, shape, args, pads = case
    pool, strides = args["pool_size"], args["stride"]
    if kind == "avg" and any(lo != hi for lo, hi in pads):
        # Keras on the torch backend pads uneven `same` average pooling by replicating the edge
        # and averages those copies in; Keras' documented rule (TensorFlow's) averages the real
        # cells only. convcalc follows the latter, built here from torch ops.
        x, y, _ = run_ours(shape, "avgpool2d", args)
        flat = [v for lo, hi in reversed(pads) for v in (lo, hi)]
        t = torch.nn.functional.pad(torch.from_numpy(x), flat)
        ones = torch.nn.functional.pad(torch.ones(1, 1, *shape[1:]), flat)
        total = torch.nn.functional.avg_pool2d(t, pool, strides, divisor_override=1)
        count = torch.nn.functional.avg_pool2d(ones, pool, strides, divisor_override=1)
        np.testing.assert_allclose(y, (total / count).numpy(), rtol=RTOL, atol=ATOL)
        return
    cls = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
    check_keras(shape, f"{kind}pool2d", args, cls(pool, strides=strides, padding="same"))


def same_pads(n, k, s):
    """TensorFlow's `same` split, written out independently of convcalc.formulas."""
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


# --- Keras' `activation:` argument and Activation layer: the same function in the same place ---

KERAS_ACTIVATIONS = ["linear", "relu", "relu6", "leaky_relu", "elu", "gelu", "silu", "swish", "sigmoid", "tanh",
                     "softmax", "hard_sigmoid", "hard_silu", "hard_swish", "mish"]


@pytest.mark.parametrize("name", KERAS_ACTIVATIONS)
def test_keras_activation_argument_and_layer(name):
    """Conv2D/Dense(activation=name) and Activation(name) in Keras against the runner: the
    function, its defaults (leaky_relu's 0.2) and its axis (softmax over channels) agree."""
    args = {"filters": 3, "kernel_size": [3, 3], "activation": name}
    check_keras([2, 6, 6], "conv2d", args, keras.layers.Conv2D(3, 3, activation=name))
    check_keras([10], "dense", {"units": 4, "activation": name}, keras.layers.Dense(4, activation=name))
    check_keras([3, 4, 4], "activation", {"activation": name}, keras.layers.Activation(name))


@pytest.mark.parametrize("type_", ["hardsigmoid", "hardswish", "mish", "identity"])
def test_keras_layer_types_of_the_new_activations(type_):
    """The layer types are Keras' functions by Keras' names (hard_sigmoid is relu6(x + 3)/6
    since Keras 3; Keras 2's was 0.2·x + 0.5), and identity is keras.layers.Identity."""
    layer = keras.layers.Identity() if type_ == "identity" else keras.layers.Activation(
        {"hardsigmoid": "hard_sigmoid", "hardswish": "hard_swish", "mish": "mish"}[type_])
    check_keras([3, 4, 5], type_, {}, layer)


@given(st.data())
def test_keras_layer_and_group_normalization(data):
    """Keras' LayerNormalization (axis −1, channels last) is layernorm over channels; its
    GroupNormalization(groups) is groupnorm(num_groups). A group of one value is left out:
    its variance is 0 and Keras' float32 E[x²] − E[x]² leaves ~1e-7, which 1/√eps magnifies
    past the tolerance (PyTorch and the runner give β exactly there)."""
    c = data.draw(st.sampled_from([2, 4, 6]))
    shape = [c, data.draw(st.integers(2, 5)), data.draw(st.integers(1, 5))]
    eps = data.draw(st.sampled_from([1e-3, 1e-5]))
    check_keras(shape, "layernorm", {"eps": eps}, keras.layers.LayerNormalization(epsilon=eps))
    groups = data.draw(st.sampled_from([1, 2]))
    check_keras(shape, "groupnorm", {"num_groups": groups, "eps": eps},
                keras.layers.GroupNormalization(groups=groups, epsilon=eps))


def test_keras_prelu_shared_over_positions_is_one_slope_per_channel():
    check_keras([4, 5, 6], "prelu", {"num_parameters": 4}, keras.layers.PReLU(shared_axes=[1, 2]))
# --- Keras: UpSampling2D's bilinear, Cropping, and the centre crop (Keras' CenterCrop) ---

@given(st.data())
def test_keras_upsampling_and_cropping(data):
    shape = [data.draw(st.integers(1, 3)), data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))]
    size = [data.draw(st.integers(1, 3)) for _ in range(2)]
    interpolation = data.draw(st.sampled_from(["nearest", "bilinear"]))
    check_keras(shape, "upsampling", {"size": size, "interpolation": interpolation},
                keras.layers.UpSampling2D(size, interpolation=interpolation))
    cropping = [[data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))] for _ in range(2)]
    if all(lo + hi < n for (lo, hi), n in zip(cropping, shape[1:])):
        check_keras(shape, "crop", {"cropping": cropping}, keras.layers.Cropping2D(cropping))


@given(st.data())
def test_centre_crop_against_keras_center_crop(data):
    """An odd difference cuts its extra cell at the end: Keras' CenterCrop, for `size` and for a
    second input's size alike."""
    shape = [data.draw(st.integers(1, 3)), data.draw(st.integers(1, 9)), data.draw(st.integers(1, 9))]
    target = [data.draw(st.integers(1, n)) for n in shape[1:]]
    check_keras(shape, "crop", {"size": target}, keras.layers.CenterCrop(*target))
    text = yaml.safe_dump({"input": shape, "layers": [
        {"maxpool2d": {"pool_size": 1, "stride": 1}, "name": "skip"},
        {"adaptive_avgpool2d": {"output_size": target}, "name": "small", "inputs": "input"},
        {"crop": None, "name": "c", "inputs": ["skip", "small"]}]})
    runs, tensors = run_network(analyze(parse_spec(text)), seed=1, batch=2, keep=True)
    assert all(r.ok for r in runs)
    expected = keras.layers.CenterCrop(*target)(np.moveaxis(tensors["input"], 1, -1))
    np.testing.assert_allclose(tensors["c"], np.moveaxis(keras.ops.convert_to_numpy(expected), -1, 1))


@pytest.mark.parametrize("difference, torchvision_top", [(1, 0), (2, 1), (3, 2), (4, 2), (5, 2), (7, 4)])
def test_torchvision_center_crop_rounds_half_to_even(difference, torchvision_top):
    """torchvision's center_crop cuts int(round((N − T)/2)) first — Python rounds half to even —
    so it differs from convcalc's floor((N − T)/2) when N − T ≡ 3 mod 4 (README semantics)."""
    assert int(round(difference / 2.0)) == torchvision_top
    (layer,) = analyze(parse_spec(yaml.safe_dump({"input": [1, 10, 10],
                                                  "layers": [{"crop": {"size": 10 - difference}}]}))).layers
    before = dict(layer.steps[0].params)
    assert layer.steps[0].value == difference // 2 and before["t"] == 10 - difference
    assert (difference // 2 == torchvision_top) == (difference % 4 != 3)
