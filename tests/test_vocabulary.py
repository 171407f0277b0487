"""Keras and PyTorch spellings, the `activation:` / `in_channels:` arguments, the channels-last
hint, the range of every float argument, ceil_mode with a string padding, and the bounded
receptive field — as tables of real cases, bad paths as thoroughly as good ones."""

import json
import time
from fractions import Fraction
from math import ceil

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from convcalc.engine import RF_BOUND
from convcalc.errors import SpecError
from convcalc.layers import REGISTRY, _key, find_type
from convcalc.layers.activations import NAMES
from convcalc.runner import run_network
from tests.conftest import invoke, net_of


def spec(*layers: str, input_shape="[1, 28, 28]") -> str:
    return f"input: {input_shape}\nlayers:\n" + "".join(f"  - {entry}\n" for entry in layers)


def refused(text: str):
    """Exit 1, one line on stderr, no traceback: the line."""
    result = invoke("summary", "-", stdin=text.encode())
    assert result.code == 1, result.out
    lines = result.err.strip().splitlines()
    assert len(lines) <= 2 and "Traceback" not in result.err and "internal error" not in result.err, result.err
    return lines[0]


# --- type spellings -------------------------------------------------------------------------

ALIASES = [
    # (spelling a Keras or PyTorch user types, input, arguments, convcalc type, output shape)
    ("MaxPooling1D", [3, 10], "{pool_size: 2}", "maxpool1d", (3, 5)),
    ("MaxPooling2D", [3, 10, 10], "{pool_size: 2}", "maxpool2d", (3, 5, 5)),
    ("MaxPooling3D", [3, 4, 4, 4], "{pool_size: 2}", "maxpool3d", (3, 2, 2, 2)),
    ("MaxPool2D", [3, 10, 10], "{pool_size: 2}", "maxpool2d", (3, 5, 5)),
    ("MaxPool2d", [3, 10, 10], "{kernel_size: 2}", "maxpool2d", (3, 5, 5)),
    ("max_pooling2d", [3, 10, 10], "{pool_size: 2}", "maxpool2d", (3, 5, 5)),
    ("AveragePooling1D", [3, 10], "{pool_size: 2}", "avgpool1d", (3, 5)),
    ("AveragePooling2D", [3, 10, 10], "{pool_size: 2, strides: 1}", "avgpool2d", (3, 9, 9)),
    ("AveragePooling3D", [3, 4, 4, 4], "{pool_size: 2}", "avgpool3d", (3, 2, 2, 2)),
    ("AvgPool2d", [3, 10, 10], "{kernel_size: 2}", "avgpool2d", (3, 5, 5)),
    ("GlobalAveragePooling1D", [3, 10], "{}", "global_avgpool", (3,)),
    ("GlobalAveragePooling2D", [3, 10, 10], "{}", "global_avgpool", (3,)),
    ("GlobalAveragePooling3D", [3, 4, 4, 4], "{}", "global_avgpool", (3,)),
    ("GlobalAvgPool2D", [3, 10, 10], "{}", "global_avgpool", (3,)),
    ("GlobalMaxPooling1D", [3, 10], "{}", "global_maxpool", (3,)),
    ("GlobalMaxPooling2D", [3, 10, 10], "{}", "global_maxpool", (3,)),
    ("GlobalMaxPooling3D", [3, 4, 4, 4], "{}", "global_maxpool", (3,)),
    ("GlobalMaxPool2D", [3, 10, 10], "{}", "global_maxpool", (3,)),
    ("AdaptiveAvgPool2d", [3, 10, 10], "{output_size: 1}", "adaptive_avgpool2d", (3, 1, 1)),
    ("AdaptiveMaxPool1d", [3, 10], "{output_size: 2}", "adaptive_maxpool1d", (3, 2)),
    ("UpSampling1D", [3, 5], "{size: 3}", "upsampling", (3, 15)),
    ("UpSampling2D", [3, 5, 5], "{size: 2}", "upsampling", (3, 10, 10)),
    ("UpSampling2D", [3, 5, 5], "{size: [2, 3], interpolation: nearest}", "upsampling", (3, 10, 15)),
    ("UpSampling3D", [3, 2, 2, 2], "{size: 2}", "upsampling", (3, 4, 4, 4)),
    ("Upsample", [3, 5, 5], "{scale_factor: 2, mode: nearest}", "upsample", (3, 10, 10)),
    ("Upsample", [3, 5, 5], "{size: [7, 9], mode: bilinear}", "upsample", (3, 7, 9)),  # PyTorch: the output size
    ("interpolate", [3, 5, 5], "{scale_factor: 1.5, mode: bicubic}", "upsample", (3, 7, 7)),
    ("UpSampling2D", [3, 5, 5], "{size: 2, interpolation: bilinear}", "upsampling", (3, 10, 10)),
    ("Cropping2D", [3, 9, 9], "{cropping: [[1, 2], [3, 0]]}", "crop", (3, 6, 6)),
    ("Cropping1D", [3, 9], "{cropping: 2}", "crop", (3, 5)),
    ("center_crop", [3, 9, 9], "{size: 4}", "crop", (3, 4, 4)),
    ("ChannelShuffle", [6, 3, 3], "{groups: 3}", "channel_shuffle", (6, 3, 3)),
    ("Reshape", [6, 3, 3], "{target_shape: [2, 27]}", "reshape", (2, 27)),
    ("Permute", [6, 3, 4], "{dims: [2, 3, 1]}", "permute", (3, 4, 6)),
    ("PixelShuffle", [8, 3, 4], "{upscale_factor: 2}", "pixel_shuffle", (2, 6, 8)),
    ("PixelUnshuffle", [2, 6, 8], "{downscale_factor: 2}", "pixel_unshuffle", (8, 3, 4)),
    ("ZeroPadding1D", [3, 5], "{padding: 1}", "zeropad1d", (3, 7)),
    ("ZeroPadding2D", [3, 5, 5], "{padding: [[1, 2], [3, 4]]}", "zeropad2d", (3, 8, 12)),
    ("ZeroPadding3D", [3, 2, 2, 2], "{padding: 1}", "zeropad3d", (3, 4, 4, 4)),
    ("ZeroPad2d", [3, 5, 5], "{padding: 1}", "zeropad2d", (3, 7, 7)),
    ("LocalResponseNorm", [8, 5, 5], "{size: 3}", "lrn", (8, 5, 5)),
    ("Dropout", [8, 5, 5], "{rate: 0.5}", "dropout", (8, 5, 5)),
    ("Dropout1d", [8, 5], "{p: 0.5}", "dropout", (8, 5)),
    ("Dropout2d", [8, 5, 5], "{p: 0.5}", "dropout", (8, 5, 5)),
    ("Dropout3d", [8, 2, 2, 2], "{p: 0.5}", "dropout", (8, 2, 2, 2)),
    ("SpatialDropout1D", [8, 5], "{rate: 0.2}", "dropout", (8, 5)),
    ("SpatialDropout2D", [8, 5, 5], "{rate: 0.2}", "dropout", (8, 5, 5)),
    ("SpatialDropout3D", [8, 2, 2, 2], "{rate: 0.2}", "dropout", (8, 2, 2, 2)),
    ("Activation", [8, 5, 5], "{activation: relu}", "activation", (8, 5, 5)),
    ("Conv1D", [3, 10], "{filters: 4, kernel_size: 3}", "conv1d", (4, 8)),
    ("Conv2D", [3, 10, 10], "{filters: 4, kernel_size: 3, strides: 2, padding: same}", "conv2d", (4, 5, 5)),
    ("Conv3D", [3, 4, 4, 4], "{filters: 4, kernel_size: 3}", "conv3d", (4, 2, 2, 2)),
    ("Conv2d", [3, 10, 10], "{in_channels: 3, out_channels: 4, kernel_size: 3}", "conv2d", (4, 8, 8)),
    ("Convolution2D", [3, 10, 10], "{filters: 4, kernel_size: 3}", "conv2d", (4, 8, 8)),
    ("Conv1DTranspose", [3, 5], "{filters: 2, kernel_size: 2, strides: 2}", "conv_transpose1d", (2, 10)),
    ("Conv2DTranspose", [3, 5, 5], "{filters: 2, kernel_size: 2, strides: 2}", "conv_transpose2d", (2, 10, 10)),
    ("ConvTranspose2d", [3, 5, 5], "{in_channels: 3, out_channels: 2, kernel_size: 2, stride: 2}",
     "conv_transpose2d", (2, 10, 10)),
    ("ConvTranspose3d", [3, 2, 2, 2], "{out_channels: 2, kernel_size: 2, stride: 2}", "conv_transpose3d", (2, 4, 4, 4)),
    ("DepthwiseConv2D", [3, 10, 10], "{kernel_size: 3}", "depthwise_conv2d", (3, 8, 8)),
    ("SeparableConv2D", [3, 10, 10], "{filters: 4, kernel_size: 3}", "separable_conv2d", (4, 8, 8)),
    ("BatchNormalization", [8, 5, 5], "{epsilon: 0.001, momentum: 0.99}", "batchnorm", (8, 5, 5)),
    ("BatchNorm2d", [8, 5, 5], "{num_features: 8}", "batchnorm", (8, 5, 5)),
    ("BatchNorm1d", [8], "{}", "batchnorm", (8,)),
    ("Flatten", [3, 5, 5], "{}", "flatten", (75,)),
    ("Dense", [75], "{units: 10}", "dense", (10,)),
    ("Linear", [75], "{in_features: 75, out_features: 10}", "dense", (10,)),
    ("ReLU", [8, 5, 5], "{}", "relu", (8, 5, 5)),
    ("ReLU6", [8, 5, 5], "{}", "relu6", (8, 5, 5)),
    ("LeakyReLU", [8, 5, 5], "{negative_slope: 0.3}", "leaky_relu", (8, 5, 5)),
    ("ELU", [8, 5, 5], "{alpha: 1.0}", "elu", (8, 5, 5)),
    ("GELU", [8, 5, 5], "{}", "gelu", (8, 5, 5)),
    ("SiLU", [8, 5, 5], "{}", "silu", (8, 5, 5)),
    ("Sigmoid", [8, 5, 5], "{}", "sigmoid", (8, 5, 5)),
    ("Tanh", [8, 5, 5], "{}", "tanh", (8, 5, 5)),
    ("Softmax", [10], "{}", "softmax", (10,)),
]


@pytest.mark.parametrize("spelling, input_shape, args, type_, out_shape", ALIASES, ids=[f"{a[0]}{a[2]}" for a in ALIASES])
def test_keras_and_pytorch_spellings(spelling, input_shape, args, type_, out_shape):
    (layer,) = net_of(input_shape, f"{spelling}: {args}").layers
    assert (layer.spec.type, layer.output_shape) == (type_, out_shape)
    runs, _ = run_network(net_of(input_shape, f"{spelling}: {args}"), seed=1, batch=2)
    assert runs[0].ok, runs[0]


def test_concatenate_and_add():
    net = net_of([3, 4, 4], "{ReLU: null, name: a}", "{Concatenate: null, inputs: [a, input]}", "{Add: null, inputs: [concat_1, concat_1]}")  # default names use the registry type
    assert [(r.spec.type, r.output_shape) for r in net.layers] == [("relu", (3, 4, 4)), ("concat", (6, 4, 4)), ("add", (6, 4, 4))]


def test_every_spelling_names_one_type():
    """No alias of one type is (loosely) the name or alias of another."""
    owner = {}
    for t in REGISTRY.values():
        for spelling in (t.name, *t.aliases):
            assert owner.setdefault(_key(spelling), t.name) == t.name, spelling
            assert find_type(spelling) is t


def test_keras_upsampling_size_is_the_factor():
    """Keras' UpSampling2D(size=2) doubles each axis: `size` is a factor there, not an output size."""
    (layer,) = net_of([3, 7, 7], "UpSampling2D: {size: 2}").layers
    assert layer.output_shape == (3, 14, 14)
    runs, tensors = run_network(net_of([3, 7, 7], "{UpSampling2D: {size: 2}, name: up}"), seed=0, keep=True)
    assert runs[0].ok
    np.testing.assert_array_equal(tensors["up"], tensors["input"].repeat(2, axis=2).repeat(2, axis=3))


# --- activation: -----------------------------------------------------------------------------

ACTIVATION_HOSTS = [
    # (input, layer without activation) — each must give the same numbers with one
    ([3, 9, 9], "conv2d: {filters: 4, kernel_size: 3"),
    ([3, 9], "Conv1D: {filters: 4, kernel_size: 3, padding: causal"),
    ([2, 4, 4, 4], "conv3d: {filters: 2, kernel_size: 2"),
    ([3, 5, 5], "Conv2DTranspose: {filters: 2, kernel_size: 3, strides: 2, padding: same"),
    ([3, 9, 9], "DepthwiseConv2D: {kernel_size: 3, depth_multiplier: 2"),
    ([3, 9, 9], "SeparableConv2D: {filters: 5, kernel_size: 3"),
    ([20], "Dense: {units: 7"),
]


@pytest.mark.parametrize("input_shape, entry", ACTIVATION_HOSTS, ids=[h[1] for h in ACTIVATION_HOSTS])
@pytest.mark.parametrize("name", NAMES)
def test_activation_argument_keeps_the_numbers_and_runs(input_shape, entry, name):
    (plain,) = net_of(input_shape, entry + "}").layers
    net = net_of(input_shape, f"{entry}, activation: {name}}}")
    (layer,) = net.layers
    assert (layer.output_shape, layer.params, layer.macs, layer.kernel_shape) == \
        (plain.output_shape, plain.params, plain.macs, plain.kernel_shape)
    assert dict(layer.extra).get("activation") == (None if name == "linear" else name)
    runs, _ = run_network(net, seed=2, batch=2)
    assert runs[0].ok, runs[0]


@pytest.mark.parametrize("name, function", [
    ("relu", lambda x: np.maximum(x, 0)),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("leaky_relu", lambda x: np.where(x > 0, x, 0.2 * x)),  # Keras' keras.activations default
    ("linear", lambda x: x),
])
def test_activation_is_applied_after_the_layer(name, function):
    """Same seed, same weights: the layer with `activation` is the function of the layer without."""
    _, plain = run_network(net_of([3, 8, 8], "{conv2d: {filters: 4, kernel_size: 3}, name: c}"), seed=5, keep=True)
    _, activated = run_network(net_of([3, 8, 8], f"{{conv2d: {{filters: 4, kernel_size: 3, activation: {name}}}, name: c}}"),
                               seed=5, keep=True)
    np.testing.assert_allclose(activated["c"], function(plain["c"]), rtol=1e-6, atol=1e-7)


def test_activation_null_means_none():
    (layer,) = net_of([3, 8, 8], "conv2d: {filters: 4, kernel_size: 3, activation: null}").layers
    assert "activation" not in dict(layer.extra)


def test_activation_shows_in_json_and_explain():
    text = spec("Conv2D: {filters: 8, kernel_size: 3, activation: relu}", "Flatten", "Dense: {units: 10, activation: softmax}")
    layers = json.loads(invoke("summary", "-", "-f", "json", stdin=text.encode()).out)["layers"]
    assert [l.get("activation") for l in layers] == ["relu", None, "softmax"]
    assert [l["type"] for l in layers] == ["conv2d", "flatten", "dense"]  # the type stays the registry's
    out = " ".join(invoke("explain", "-", stdin=text.encode()).out.split())
    assert "Then relu is applied to every output value inside this layer" in out


@pytest.mark.parametrize("entry, fragments", [
    ("maxpool2d: {pool_size: 2, activation: relu}", ["maxpool2d takes no 'activation'", "`- relu`"]),
    ("batchnorm: {activation: relu}", ["batchnorm takes no 'activation'"]),
    ("relu: {activation: relu}", ["relu takes no 'activation'"]),
    ("conv2d: {filters: 4, kernel_size: 3, activation: selu}", ["'activation' must be one of linear, relu", "got 'selu'"]),
    ("conv2d: {filters: 4, kernel_size: 3, activation: true}", ["'activation' must be one of", "got true"]),
    ("activation: {}", ["activation needs 'activation'"]),
    ("conv2d: {filters: 4, kernel_size: 3, input_shape: [28, 28, 1]}", ["'input_shape' is not a layer argument", "input: [1, 28, 28]"]),
    ("conv2d: {filters: 4, kernel_size: 3, data_format: channels_last}", ["channels first", "drop 'data_format'"]),
])
def test_foreign_arguments_teach(entry, fragments):
    line = refused(spec(entry))
    assert line.startswith("error: layer 1 '") and "(line 3)" in line
    assert "did you mean" not in line
    for fragment in fragments:
        assert fragment in line, line


# --- in_channels / in_features / num_features ------------------------------------------------

DECLARED_RIGHT = [
    ([3, 8, 8], ["conv2d: {in_channels: 3, out_channels: 4, kernel_size: 3}"]),
    ([3, 8, 8], ["conv2d: {filters: 32, kernel_size: 3}", "conv2d: {in_channels: 32, filters: 4, kernel_size: 3}"]),
    ([4, 5, 5], ["ConvTranspose2d: {in_channels: 4, out_channels: 2, kernel_size: 2}"]),
    ([4, 8, 8], ["depthwise_conv2d: {in_channels: 4, kernel_size: 3}"]),
    ([4, 8, 8], ["separable_conv2d: {in_channels: 4, filters: 2, kernel_size: 3}"]),
    ([4, 8], ["conv1d: {in_channels: null, filters: 2, kernel_size: 3}"]),  # null: not declared
    ([16], ["Linear: {in_features: 16, out_features: 4}"]),
    ([8, 4, 4], ["BatchNorm2d: {num_features: 8}"]),
]


@pytest.mark.parametrize("input_shape, entries", DECLARED_RIGHT)
def test_declared_input_sizes_that_match(input_shape, entries):
    net_of(input_shape, *entries)


DECLARED_WRONG = [
    # (input, entries, fragments of the one-line error)
    ([3, 32, 32], ["conv2d: {filters: 32, kernel_size: 3}", "conv2d: {in_channels: 3, filters: 8, kernel_size: 3}"],
     ["layer 2 'conv2d_2' (line 4)", "'in_channels' is 3 but the input has 32 channels",
      "layer 'conv2d_1' gives 32×30×30", "a kernel is as deep as its input", "make it 32"]),
    ([1, 28, 28], ["Conv2d: {in_channels: 3, out_channels: 8, kernel_size: 3}"],
     ["'in_channels' is 3 but the input has 1 channels", "the network input is 1×28×28"]),
    ([4, 5, 5], ["ConvTranspose2d: {in_channels: 2, out_channels: 2, kernel_size: 2}"], ["'in_channels' is 2"]),
    ([3, 8, 8], ["flatten", "Linear: {in_features: 100, out_features: 4}"],
     ["'in_features' is 100 but the input has 192 features", "layer 'flatten_1' gives 192",
      "one weight per input feature for every unit"]),
    ([8, 4, 4], ["BatchNorm2d: {num_features: 16}"], ["'num_features' is 16 but the input has 8 channels"]),
    ([8, 4, 4], ["GroupNorm: {num_groups: 2, num_channels: 16}"],
     ["'num_channels' is 16 but the input has 8 channels", "γ and β are one per channel"]),
    ([8, 4, 4], ["InstanceNorm2d: {num_features: 4}"], ["'num_features' is 4 but the input has 8 channels"]),
]


@pytest.mark.parametrize("input_shape, entries, fragments", DECLARED_WRONG)
def test_declared_input_sizes_that_do_not_match_teach(input_shape, entries, fragments):
    line = refused(spec(*entries, input_shape=str(input_shape)))
    for fragment in fragments:
        assert fragment in line, line


def test_declared_size_must_be_a_whole_number():
    assert "'in_channels' must be ≥ 1, got 0" in refused(spec("conv2d: {in_channels: 0, filters: 2, kernel_size: 3}"))


# --- channels-last hint ----------------------------------------------------------------------

HINTS = [
    # (input, entries, the hint's expected suggestion or None)
    ("[28, 28, 1]", ["conv2d: {filters: 8, kernel_size: 3}"], "try 1x28x28"),
    ("[28, 28, 1]", ["Conv2d: {in_channels: 1, out_channels: 8, kernel_size: 3}"], "try 1x28x28"),
    ("[224, 224, 3]", ["conv2d: {filters: 8, kernel_size: 5}"], "try 3x224x224"),
    ("[32, 32, 4]", ["maxpool2d: {pool_size: 2}", "maxpool2d: {pool_size: 2}", "maxpool2d: {pool_size: 2}"], "try 4x32x32"),
    ("[16000, 1]", ["conv1d: {filters: 8, kernel_size: 3}"], "try 1x16000"),
    ("[16, 64, 64, 3]", ["conv3d: {filters: 8, kernel_size: 5}"], "try 3x16x64x64"),
    ("[3, 224, 224]", ["conv2d: {filters: 8, kernel_size: 500}"], None),  # channels first already
    ("[6, 6, 3]", ["conv2d: {filters: 8, kernel_size: 5}"], None),  # too small to tell
]


@pytest.mark.parametrize("input_shape, entries, suggestion", HINTS)
def test_channels_last_hint(input_shape, entries, suggestion):
    line = refused(spec(*entries, input_shape=input_shape))
    if suggestion:
        assert "looks channels-last; convcalc reads [C, " in line and line.endswith(suggestion + ")"), line
    else:
        assert "channels-last" not in line, line


def test_channels_last_hint_from_the_command_line():
    result = invoke("summary", "mnist_cnn", "--input", "28x28x1")
    assert result.code == 1 and "(the input 28×28×1 looks channels-last; convcalc reads [C, H, W]: try 1x28x28)" in result.err


def test_channels_last_input_that_works_gets_no_error():
    assert invoke("summary", "-", stdin=spec("relu", input_shape="[28, 28, 1]").encode()).code == 0


# --- the range of every float argument -------------------------------------------------------

RANGES = [
    # (entry with {v} for the value, allowed edge values, refused edge values, the range as the message says it)
    ("dropout: {{rate: {v}}}", ["0", "0.0", "0.999"], ["-0.01", "1", "1.5"], "in [0, 1)"),
    ("Dropout2d: {{p: {v}}}", ["0.5"], ["1.0", "-1"], "in [0, 1)"),
    ("batchnorm: {{eps: {v}}}", ["1.0e-12", "1", "3.4e+38"], ["0", "-1", "-1.0e-12"], "> 0"),
    ("BatchNormalization: {{epsilon: {v}}}", ["0.001"], ["0.0"], "> 0"),
    ("batchnorm: {{momentum: {v}}}", ["0", "0.99", "1"], ["-0.1", "1.01", "99"], "in [0, 1]"),
    ("lrn: {{alpha: {v}}}", ["0", "0.0001"], ["-1.0e-9", "-1"], "≥ 0"),
    ("lrn: {{beta: {v}}}", ["0", "0.75"], ["-0.5"], "≥ 0"),
    ("lrn: {{k: {v}}}", ["1.0e-9", "2"], ["0", "-1"], "> 0"),
    ("leaky_relu: {{negative_slope: {v}}}", ["0", "0.01", "0.3"], ["-0.01"], "≥ 0"),
    ("LeakyReLU: {{alpha: {v}}}", ["0.3"], ["-0.3"], "≥ 0"),
    ("elu: {{alpha: {v}}}", ["0", "1.0"], ["-1"], "≥ 0"),
    ("stochastic_depth: {{rate: {v}}}", ["0", "0.999"], ["1", "-0.1"], "in [0, 1)"),
    ("drop_path: {{p: {v}}}", ["0.2"], ["1.0"], "in [0, 1)"),
    ("layernorm: {{eps: {v}}}", ["1.0e-6"], ["0", "-1.0e-6"], "> 0"),
    ("LayerNormalization: {{epsilon: {v}}}", ["0.001"], ["0.0"], "> 0"),
    ("groupnorm: {{eps: {v}, num_groups: 2}}", ["1.0e-5"], ["0"], "> 0"),
    ("instancenorm: {{eps: {v}}}", ["1.0e-5"], ["0"], "> 0"),
    ("instancenorm: {{momentum: {v}}}", ["0", "1"], ["1.5"], "in [0, 1]"),
]


@pytest.mark.parametrize("entry, good, bad, range_text", RANGES, ids=[r[0].split("{")[0] + r[0].split("{")[2] for r in RANGES])
def test_float_ranges(entry, good, bad, range_text):
    for value in good:
        assert invoke("summary", "-", stdin=spec(entry.format(v=value), input_shape="[4, 6, 6]").encode()).code == 0, value
    name = REGISTRY[net_of([4, 6, 6], entry.format(v=good[0])).layers[0].spec.type].arg(entry.split("{")[2].split(":")[0]).name
    for value in bad:  # the message names the argument as convcalc calls it (eps for epsilon)
        line = refused(spec(entry.format(v=value), input_shape="[4, 6, 6]"))
        assert f"must be a number {range_text}, got " in line and name in line, line


def test_every_float_argument_has_a_range():
    floats = [(t.name, a) for t in REGISTRY.values() for a in t.args if a.kind == "float"]
    assert floats and all(a.range_text for _, a in floats), [(n, a.name) for n, a in floats if not a.range_text]


@pytest.mark.parametrize("value, shown", [
    (".nan", "got .nan"), (".inf", "got .inf"), ("-.inf", "got -.inf"), ("1.0e+39", "got 1e+39"),
    ("yes", "got true"), ("null", "got null"), ("'0.5'", "got '0.5'"), ("[0.5]", "got [0.5]"),
])
def test_bad_float_values_are_echoed_bounded(value, shown):
    line = refused(spec(f"dropout: {{rate: {value}}}"))
    assert "'rate' must be a number in [0, 1)" in line and line.endswith(shown) and len(line) < 200, line


def test_float32_bound_for_an_upper_open_range():
    line = refused(spec("batchnorm: {eps: 1.0e+39}"))
    assert "'eps' must be a number > 0 and ≤ 3.403e+38 (float32's range), got 1e+39" in line


# --- ceil_mode with a string padding ---------------------------------------------------------

@pytest.mark.parametrize("padding, rule", [("same", "always gives ceil(N/S)"), ("valid", "keeps only whole windows")])
@pytest.mark.parametrize("pool", ["maxpool2d", "avgpool2d", "MaxPooling1D", "AveragePooling3D"])
def test_ceil_mode_with_a_string_padding_is_refused(pool, padding, rule):
    shape = {"maxpool2d": "[1, 8, 8]", "avgpool2d": "[1, 8, 8]", "MaxPooling1D": "[1, 8]", "AveragePooling3D": "[1, 8, 8, 8]"}[pool]
    line = refused(spec(f"{pool}: {{pool_size: 3, padding: {padding}, ceil_mode: true}}", input_shape=shape))
    assert f"ceil_mode: true with padding '{padding}'" in line and rule in line and "valid is 0" in line, line


@pytest.mark.parametrize("entry, out", [
    ("maxpool2d: {pool_size: 3, stride: 2, padding: 0, ceil_mode: true}", (1, 4, 4)),
    ("maxpool2d: {pool_size: 3, stride: 2, padding: valid, ceil_mode: false}", (1, 3, 3)),
    ("maxpool2d: {pool_size: 3, stride: 2, padding: same}", (1, 4, 4)),
])
def test_ceil_mode_with_a_number_and_string_padding_without_it(entry, out):
    assert net_of([1, 8, 8], entry).layers[0].output_shape == out


# --- the receptive field saturates at RF_BOUND ----------------------------------------------

def strided(count: int, stride: int = 2**31 - 1) -> bytes:
    return spec(*[f"conv2d: {{filters: 1, kernel_size: 3, stride: {stride}, padding: 1}}"] * count,
                input_shape="[1, 8, 8]").encode()


@pytest.mark.parametrize("command", [["summary", "-f", "json"], ["summary"], ["summary", "-f", "csv"], ["explain"]])
def test_500_strided_layers_print_a_saturated_receptive_field(command):
    start = time.perf_counter()
    result = invoke(command[0], "-", *command[1:], stdin=strided(500))
    assert result.code == 0, result.err
    assert time.perf_counter() - start < 10
    if command == ["summary", "-f", "json"]:
        layers = json.loads(result.out)["layers"]
        assert layers[0]["receptive_field"] == [3, 3]
        assert layers[1]["receptive_field"] == [RF_BOUND, RF_BOUND]  # 3 + 2·(2³¹ − 1) is past the bound
        assert all(l["receptive_field"] == [RF_BOUND, RF_BOUND] for l in layers[1:])


def test_receptive_field_below_the_bound_is_exact():
    layers = net_of([1, 2**20], *["conv1d: {filters: 1, kernel_size: 3, stride: 2, padding: 1}"] * 40).layers
    assert [r.receptive_field[0] for r in layers[:5]] == [3, 7, 15, 31, 63]
    assert layers[29].receptive_field == (2**31 - 1,)  # 2³¹ − 1 exactly: the bound
    assert layers[30].receptive_field == (RF_BOUND,) and layers[39].receptive_field == (RF_BOUND,)


def test_a_jump_past_the_bound_then_upsampled_is_not_tracked():
    """40 subsampling layers make the jump 2⁴⁰ (known only as 'at least the bound'); upsampling
    then divides an unknown number, so the field is no longer reported rather than guessed."""
    net = net_of([1, 8], *["maxpool1d: {pool_size: 1, stride: 2}"] * 40, "upsample: {scale_factor: 2}",
                 "conv1d: {filters: 1, kernel_size: 3, padding: 1}")
    assert net.layers[39].receptive_field == (1,)
    assert net.layers[40].receptive_field is None and net.layers[41].receptive_field is None
    net = net_of([1, 8], *["maxpool1d: {pool_size: 1, stride: 2}"] * 40, "conv1d: {filters: 1, kernel_size: 3, padding: 1}")
    assert net.layers[-1].receptive_field == (RF_BOUND,)  # a kernel of 3 over a jump ≥ the bound


def test_denominators_stay_bounded():
    """Transposed convolutions that keep one cell halve the jump 40 times: 1/2⁴⁰ has a
    denominator past the bound, so the field stops being tracked instead of growing."""
    layers = net_of([1, 1], *["conv_transpose1d: {filters: 1, kernel_size: 1, stride: 2}"] * 40).layers
    assert layers[0].receptive_field == (1,)
    assert layers[-1].receptive_field is None


def reference_rf(steps):
    """Araujo et al.'s recursion with unbounded Fractions: the truth the bounded one must keep,
    and whether it stayed inside the bounds (no jump ≥ RF_BOUND, no denominator past it)."""
    size, jump, inside = Fraction(1), Fraction(1), True
    for kind, k, s in steps:
        if kind == "conv":
            size, jump = size + (k - 1) * jump, jump * s
        elif kind == "transpose":
            size, jump = size + (ceil(Fraction(k, s)) - 1) * jump, jump / s
        else:
            jump = jump / s
        inside = inside and jump < RF_BOUND and max(size.denominator, jump.denominator) <= RF_BOUND
    return ceil(size), inside


STEP = st.one_of(
    st.tuples(st.just("conv"), st.integers(1, 7), st.sampled_from([1, 2, 3, 1000, 2**20])),
    st.tuples(st.just("transpose"), st.integers(1, 4), st.integers(1, 3)),
    st.tuples(st.just("upsample"), st.just(1), st.integers(1, 3)),
)


def entry(kind, k, s):
    if kind == "conv":
        return f"conv1d: {{filters: 1, kernel_size: {k}, stride: {s}, padding: same}}" if s == 1 else \
            f"conv1d: {{filters: 1, kernel_size: {k}, stride: {s}, padding: {k}}}"
    if kind == "transpose":
        return f"conv_transpose1d: {{filters: 1, kernel_size: {k}, stride: {s}}}"
    return f"upsample: {{scale_factor: {s}}}"


@given(st.lists(STEP, min_size=1, max_size=12))
def test_bounded_receptive_field_is_the_true_one_or_the_bound(steps):
    try:
        net = net_of([1, 3], *(entry(*step) for step in steps))
    except SpecError:
        assume(False)
    rf = net.layers[-1].receptive_field
    true, inside = reference_rf(steps)
    if inside:
        assert rf == (min(true, RF_BOUND),)
    else:  # a jump past the bound, later divided, or a denominator past it: the bound or untracked
        assert rf in ((min(true, RF_BOUND),), (RF_BOUND,), None)


def test_the_activation_argument_shows_in_the_layer_row():
    spec = "input: [1, 8, 8]\nlayers:\n  - Conv2D: {filters: 4, kernel_size: 3, activation: relu}\n  - Flatten\n" \
           "  - {type: Dense, units: 3, activation: softmax}\n"
    for args in (("summary", "-", "-f", "markdown"), ("verify", "-"), ("explain", "-", "1")):
        out = invoke(*args, stdin=spec.encode()).out
        assert "conv2d_1 (conv2d + relu)" in out, args
    assert "dense_1 (dense + softmax)" in invoke("summary", "-", "-f", "markdown", stdin=spec.encode()).out
