"""`convcalc explain`: every substituted formula evaluates to the engine's number, every layer
type is explained, and the rendered text is pinned by golden files."""

import json
import math

import pytest

from convcalc.engine import analyze
from convcalc.explain import evaluate, explain
from convcalc.layers import REGISTRY
from convcalc.spec.loader import load_spec
from tests.conftest import invoke, net_of
from tests.test_layers import CASES


@pytest.mark.parametrize("input_shape, entry", [(c[0], c[1]) for c in CASES], ids=[c[1] for c in CASES])
def test_substituted_formulas_evaluate_to_the_engines_numbers(input_shape, entry):
    (e,) = explain(net_of(input_shape, entry))
    r = e.result
    assert r.steps, "every layer shows at least one derivation"
    assert e.notes, "every layer has at least one teaching point"
    for step in r.steps:
        assert evaluate(step.substituted) == step.value, step
    named = {s.what: s.value for s in r.steps}
    axes = {1: ["length"], 2: ["height", "width"], 3: ["depth", "height", "width"]}.get(len(r.output_shape) - 1, [])
    for axis, size in zip(axes, r.output_shape[1:]):
        if f"output {axis}" in named:
            assert named[f"output {axis}"] == size
    if "parameters" in named:
        assert named["parameters"] == r.trainable
    if "trainable" in named:
        assert (named["trainable"], named["non-trainable"]) == (r.trainable, r.non_trainable)
    if "MACs" in named:
        assert named["MACs"] == r.macs
    for key in ("output channels", "channels", "features", "output features"):
        if key in named:
            assert named[key] == r.output_shape[0]


def test_every_layer_type_is_covered_by_the_cases():
    covered = {net_of(c[0], c[1]).layers[0].spec.type for c in CASES} | {"add", "concat"}
    assert covered == set(REGISTRY)


def test_merge_layers_are_explained():
    net = net_of([3, 4, 4], "{relu: null, name: a}", "{concat: null, inputs: [a, input]}", "{add: null, inputs: [concat_1, concat_1]}")
    for e in explain(net)[1:]:
        assert e.notes and all(evaluate(s.substituted) == s.value for s in e.result.steps)


def flat(text: str) -> str:
    """Output with its line wrapping undone, for phrase checks."""
    return " ".join(text.split())


def test_the_classic_confusion_is_answered_for_a_new_reader():
    out = flat(invoke("explain", "mnist_cnn", "conv2d_2").out)
    assert "Every filter spans all 32 input channels" in out
    assert "each of the 64 filters is a 32×5×5 block" in out
    assert "64×32×5×5 = 51,200 weights" in out and "one channel per filter: 64" in out
    assert "with groups = 32 each filter sees 1 channel" in out


@pytest.mark.parametrize("args, fragments", [
    (["--input", "8x6x6", "--layer", "depthwise_conv2d: {kernel_size: 3}"], ["channels never mix", "72 weights"]),
    (["--input", "3x5x5", "--layer", "conv2d: {filters: 4, kernel_size: 4, padding: same}"],
     ["even kernel (4) has no centre cell", "pad before (height)", "floor(3/2)"]),
    (["--input", "32x28x28", "--layer", "maxpool2d: {pool_size: 2}"], ["each channel separately", "0 parameters"]),
    (["--input", "64x10x10", "--layer", "flatten"], ["6,400 features"]),
    (["--input", "6400", "--layer", "dense: {units: 10}"], ["in·units + units = 64,010"]),
    (["--input", "64x8x8", "--layer", "batchnorm"], ["2C = 128 trainable", "2C = 128 non-trainable"]),
    (["--input", "64x8x8", "--layer", "conv2d: {filters: 16, kernel_size: 1}"], ["dense layer applied at every pixel"]),
    (["--input", "4x10", "--layer", "conv1d: {filters: 1, kernel_size: 3, padding: causal}"], ["never the future"]),
    (["--input", "64x7x7", "--layer", "global_avgpool"], ["64 values, 0 parameters"]),
    (["--input", "1x8x8", "--layer", "conv2d: {filters: 1, kernel_size: 3, stride: 2}"],
     ["the last 1 input column is never covered by a window", "×"]),
])
def test_classic_points(args, fragments):
    result = invoke("explain", *args)
    assert result.code == 0, result.err
    for fragment in fragments:
        assert fragment in flat(result.out)


def test_vgg_dense_layer_dominance_and_googlenet_bottleneck():
    vgg = flat(invoke("explain", "vgg16", "dense_1", "--no-picture").out)
    assert "This one layer holds 74.3% of the network's 138,357,544 parameters" in vgg
    spec = ("input: [192, 28, 28]\nlayers:\n  - conv2d: {filters: 16, kernel_size: 1}\n  - relu\n"
            "  - conv2d: {filters: 32, kernel_size: 5, padding: 2}\n")
    out = flat(invoke("explain", "-", "1", stdin=spec.encode()).out)
    # 28·28·16·192 + 28·28·32·16·25 = 2,408,448 + 10,035,200; direct: 28·28·32·192·25 = 120,422,400
    assert "2,408,448 + 10,035,200 = 12,443,648 MACs, against 120,422,400" in out
    assert "107,978,752 MACs saved" in out


def test_json_steps_are_data():
    data = json.loads(invoke("explain", "mnist_cnn", "4", "--format", "json").out)
    (layer,) = data
    assert layer["name"] == "conv2d_2" and layer["params"] == 51264
    assert {"what": "weights", "formula": "filters × (C_in/groups) × kernel", "substituted": "64 × 32 × 5 × 5",
            "value": 51200, "id": "conv_weights", "params": {"dims": "64 × 32 × 5 × 5"}} in layer["steps"]
    assert [n["text"] for n in layer["note_messages"]] == layer["notes"]
    assert layer["note_messages"][0]["id"] == "note.conv_spans_all"
    assert layer["picture"]["output"][0].startswith("12")


def test_explain_all_layers_of_an_example():
    assert [e.result.spec.name for e in explain(analyze(load_spec("lenet5")))][:2] == ["conv2d_1", "tanh_1"]


@pytest.mark.parametrize("args, code, fragment", [
    (["mnist_cnn", "nope"], 1, "no layer 'nope'"),
    (["mnist_cnn", "99"], 1, "index from 1 to 7"),
    (["--layer", "relu"], 2, "--layer needs --input"),
    (["mnist_cnn", "--input", "1x8x8", "--layer", "relu"], 2, "not both"),
    ([], 2, "give a SPEC"),
    (["--input", "1x8x8", "--layer", "conv2d: {filters: 1"], 1, "YAML syntax error"),
    (["--input", "1x8x8", "--layer", "conv2d: {filters: 1, kernel_size: 9}"], 1, "kernel 9 > padded height 8"),
])
def test_explain_errors(args, code, fragment):
    result = invoke("explain", *args)
    assert result.code == code
    assert fragment in result.err


@pytest.mark.parametrize("text", ["__import__('os')", "2 ** 3", "x + 1", "1; 2", "floor(1, key=2)"])
def test_evaluate_accepts_arithmetic_only(text):
    with pytest.raises(ValueError):
        evaluate(text)


@pytest.mark.parametrize("name, args", [
    ("explain_mnist_cnn.txt", ["explain", "mnist_cnn"]),
    ("explain_uneven_stride.txt", ["explain", "--input", "1x8x8", "--layer", "conv2d: {filters: 2, kernel_size: 3, stride: 2}"]),
    ("explain_depthwise.txt", ["explain", "--input", "8x6x6", "--layer", "depthwise_conv2d: {kernel_size: 3, padding: 1}"]),
    ("explain_bottleneck.txt", ["explain", "-"]),
    ("explain_same_even_kernel.txt", ["explain", "--input", "3x5x5", "--layer", "conv2d: {filters: 4, kernel_size: 4, padding: same}"]),
    ("explain_transposed.txt", ["explain", "--input", "4x3x3", "--layer", "conv_transpose2d: {filters: 2, kernel_size: 3, stride: 2, padding: 1, output_padding: 1}"]),
])
def test_explain_golden(golden, name, args):
    stdin = (b"name: bottleneck\ninput: [192, 12, 12]\nlayers:\n  - conv2d: {filters: 16, kernel_size: 1}\n  - relu\n"
             b"  - conv2d: {filters: 32, kernel_size: 5, padding: 2}\n")
    result = invoke(*args, stdin=stdin)
    assert result.code == 0, result.err
    golden(name, result.out)


# --- the course's formulas (issue 12) --------------------------------------------------------

@pytest.mark.parametrize("case", [
    {"input": "3x32x32", "layer": "conv2d: {filters: 10, kernel_size: 5, stride: 1, padding: 2}",
     "shows": ["(N − K + 2P)/S + 1", "(32 − 5 + 2·2)/1 + 1", "= 32", "n·(f·k·k + 1)", "10·(3·5·5 + 1)", "= 760"],
     "absent": ["P_before", "not a whole number", "usually odd"]},
    {"input": "1x8x8", "layer": "conv2d: {filters: 2, kernel_size: 3, stride: 2}",
     "shows": ["floor((8 − 3 + 2·0)/2) + 1", "5/2 is not a whole number", "drops the remainder 1"], "absent": []},
    {"input": "1x9x9", "layer": "conv2d: {filters: 2, kernel_size: 3, dilation: 2}",
     "shows": ["dilation 2 spreads", "reduces to the course's", "P_before"], "absent": []},
    {"input": "1x9x9", "layer": "conv2d: {filters: 2, kernel_size: 4, padding: same}",
     "shows": ["`same` pads unevenly here", "no centre cell"], "absent": ["usually odd"]},
    {"input": "2x9", "layer": "conv1d: {filters: 2, kernel_size: 3, padding: causal}",
     "shows": ["`causal` pads on the left only", "n·(f·k + 1)", "2·(2·3 + 1)"], "absent": []},
    {"input": "1x8x8", "layer": "conv2d: {filters: 2, kernel_size: [2, 3], bias: false}",
     "shows": ["usually odd", "This 2×3 kernel has no centre", "weights + biases"], "absent": ["n·(f·"]},
    {"input": "4x8x8", "layer": "conv2d: {filters: 4, kernel_size: 3, groups: 2}",
     "shows": ["weights + biases"], "absent": ["n·(f·"]},
    {"input": "1x7x7", "layer": "maxpool2d: {pool_size: 2}",
     "shows": ["floor((7 − 2 + 2·0)/2) + 1"], "absent": ["usually odd"]},
    {"input": "1x7x7", "layer": "maxpool2d: {pool_size: 2, ceil_mode: true}",
     "shows": ["ceil((N + 2P", "ceil_mode rounds up instead of down"], "absent": []},
])
def test_the_course_form_first(case):
    result = invoke("explain", "--input", case["input"], "--layer", case["layer"])
    assert result.code == 0, result.err
    out = flat(result.out)
    for fragment in case["shows"]:
        assert fragment in out, fragment
    for fragment in case["absent"]:
        assert fragment not in out, fragment


@pytest.mark.parametrize("entry", ["conv2d: {filters: 3, kernel_size: 3}", "conv2d: {filters: 3, kernel_size: [3, 5]}",
                                   "conv1d: {filters: 3, kernel_size: 4}", "conv3d: {filters: 3, kernel_size: 2}"])
def test_the_seed_formula_counts_the_engines_parameters(entry):
    shape = {"conv1d": [2, 9], "conv2d": [2, 9, 9], "conv3d": [2, 5, 5, 5]}[entry.split(":")[0]]
    (e,) = explain(net_of(shape, entry))
    step = next(s for s in e.result.steps if s.id == "seed_parameters")
    assert evaluate(step.substituted) == step.value == e.result.trainable


# --- the backward pass (issue 12) -------------------------------------------------------------

@pytest.mark.parametrize("input_shape, entry", [(c[0], c[1]) for c in CASES], ids=[c[1] for c in CASES])
def test_every_layer_type_has_a_backward_pass(input_shape, entry):
    """Registry-driven: ∂L/∂X has each input's shape, the learned values' gradients count the
    trainable parameters, and every substituted step evaluates to its value."""
    (r,) = analyze_layers(input_shape, entry)
    b = r.backward
    inputs = [g.shape for g in b.gradients if g.name.startswith("∂L/∂X")]
    assert inputs == list(r.input_shapes)
    learned = [g.shape for g in b.gradients if not g.name.startswith("∂L/∂X")]
    assert sum(math.prod(s) for s in learned) == r.trainable
    assert b.notes and b.macs == 2 * r.macs
    for s in b.steps:
        if s.id != "grad_output_padding":  # `mod` is not in evaluate's arithmetic
            assert evaluate(s.substituted) == s.value, s


def analyze_layers(input_shape, entry):
    return net_of(input_shape, entry).layers


@pytest.mark.parametrize("case", [
    {"input": "1x8x8", "layer": "conv2d: {filters: 2, kernel_size: 3, stride: 2}",
     "sizes": {"height": (8, 1), "width": (8, 1)}},
    {"input": "3x32x32", "layer": "conv2d: {filters: 4, kernel_size: 5, padding: 2}", "sizes": {"height": (32, 0)}},
    {"input": "3x9x10", "layer": "conv2d: {filters: 4, kernel_size: 4, stride: 3, padding: same}",
     "sizes": {"height": (9, 0), "width": (10, 0)}},
    {"input": "2x17", "layer": "conv1d: {filters: 4, kernel_size: 3, stride: 2, dilation: 3}", "sizes": {"length": (17, 0)}},
    {"input": "4x9x9", "layer": "depthwise_conv2d: {kernel_size: 3, stride: 2}", "sizes": {"height": (9, 0)}},
])
def test_conv_input_gradient_is_a_transposed_conv_with_the_right_output_padding(case):
    """∂L/∂X's size from the transposed-conv formula, with output_padding = what floor dropped,
    is exactly the input's size."""
    result = invoke("explain", "--input", case["input"], "--layer", case["layer"], "--backward", "-f", "json")
    assert result.code == 0, result.err
    (layer,) = json.loads(result.out)
    steps = layer["backward"]["steps"]
    for axis, (n, op) in case["sizes"].items():
        size = next(s for s in steps if s["what"] == f"∂L/∂X {axis}")
        assert size["value"] == n and size["params"]["op"] == op
        assert evaluate(size["substituted"]) == n


def test_the_backward_pass_of_mnist_cnn_conv2d_2():
    out = flat(invoke("explain", "mnist_cnn", "conv2d_2", "--backward").out)
    for fragment in ("∂L/∂X 32×14×14", "∂L/∂W 64×32×5×5", "∂L/∂b 64", "rotated 180°", "transposed convolution",
                     "10,240,000 MACs"):
        assert fragment in out, fragment


@pytest.mark.parametrize("args, fragments", [
    (["--input", "32x28x28", "--layer", "maxpool2d: {pool_size: 2}"], ["argmax", "∂L/∂X 32×28×28"]),
    (["--input", "32x28x28", "--layer", "avgpool2d: {pool_size: 3}"], ["1/K = 1/9"]),
    (["--input", "6400", "--layer", "dense: {units: 10}"], ["Wᵀ·∂L/∂Y", "∂L/∂Y·Xᵀ", "∂L/∂W 10×6400", "128,000 MACs"]),
    (["--input", "64x8x8", "--layer", "batchnorm"], ["2C = 128", "∂L/∂γ 64", "∂L/∂β 64"]),
    (["--input", "64x8x8", "--layer", "relu"], ["input's shape (64×8×8)"]),
    (["lenet5"], ["Backward pass:", "MACs per example"]),
])
def test_backward_points(args, fragments):
    result = invoke("explain", *args, "--backward", "--no-picture")
    assert result.code == 0, result.err
    out = flat(result.out)
    for fragment in fragments:
        assert fragment in out, fragment


def test_backward_is_additive_in_json():
    plain = json.loads(invoke("explain", "mnist_cnn", "-f", "json").out)
    both = json.loads(invoke("explain", "mnist_cnn", "-f", "json", "--backward").out)
    assert all("backward" not in layer for layer in plain)
    assert [{k: v for k, v in layer.items() if k != "backward"} for layer in both] == plain
    assert both[3]["backward"]["gradients"][1] == {"name": "∂L/∂W", "shape": [64, 32, 5, 5]}
