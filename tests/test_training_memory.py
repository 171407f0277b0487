"""Training memory (`summary --batch --dtype --training --optimizer`): figures worked out by hand
for mnist_cnn, each layer type's rule of what it keeps for the backward pass, and the bad paths."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc.engine import analyze
from convcalc.layers import REGISTRY
from convcalc.spec.loader import bundled_examples, load_spec
from convcalc.training import Setting, inference_bytes, training_memory
from tests.conftest import invoke, net_of
from tests.test_layers import CASES

# mnist_cnn: 116,106 parameters (464,424 B in float32). Kept for the backward pass, per example:
# conv2d_1 its input 1×28×28 (784), relu_1 its output 32×28×28 (25,088), maxpool2d_1 an int64
# argmax per output 32×14×14 (6,272 × 8 B; its input is relu_1's output, already kept), conv2d_2
# its input (6,272), relu_2 its output (6,400), flatten nothing, dense_1 its input — a view of
# relu_2's output, already kept. float32: 4·(784 + 25,088 + 6,272 + 6,400) + 8·6,272 = 204,352 B.
MNIST = [
    {"batch": 1, "dtype": "float32", "optimizer": "sgd", "params": 464_424, "grads": 464_424, "state": 0,
     "saved": 204_352, "total": 1_133_200},
    {"batch": 1, "dtype": "float32", "optimizer": "adam", "params": 464_424, "grads": 464_424, "state": 928_848,
     "saved": 204_352, "total": 2_062_048},
    {"batch": 32, "dtype": "float32", "optimizer": "sgd", "params": 464_424, "grads": 464_424, "state": 0,
     "saved": 6_539_264, "total": 7_468_112},
    {"batch": 32, "dtype": "float32", "optimizer": "adam", "params": 464_424, "grads": 464_424, "state": 928_848,
     "saved": 6_539_264, "total": 8_396_960},
    {"batch": 32, "dtype": "float32", "optimizer": "momentum", "params": 464_424, "grads": 464_424,
     "state": 464_424, "saved": 6_539_264, "total": 7_932_536},
    # float16: values at 2 B, the argmax indices still 8 B: 32·(2·38,544 + 8·6,272) = 4,072,448
    {"batch": 32, "dtype": "float16", "optimizer": "adam", "params": 232_212, "grads": 232_212, "state": 464_424,
     "saved": 4_072_448, "total": 5_001_296},
]


@pytest.mark.parametrize("case", MNIST, ids=lambda c: f"{c['batch']}-{c['dtype']}-{c['optimizer']}")
def test_mnist_cnn_training_memory_by_hand(case):
    setting = Setting(batch=case["batch"], dtype=case["dtype"], training=True, optimizer=case["optimizer"])
    m = training_memory(analyze(load_spec("mnist_cnn")), setting)
    assert (m.param_bytes, m.gradient_bytes, m.optimizer_bytes, m.saved_bytes, m.total_bytes) == (
        case["params"], case["grads"], case["state"], case["saved"], case["total"])


def test_mnist_cnn_per_layer_and_inference():
    net = analyze(load_spec("mnist_cnn"))
    m = training_memory(net, Setting(training=True))
    assert [s.bytes for s in m.layers] == [3136, 100_352, 50_176, 25_088, 25_600, 0, 0]
    # every output (75,658 values) and the input (784) of 32 examples in float32
    assert inference_bytes(net, Setting(batch=32)) == (9_684_224, 100_352)


# one layer on its own: which tensors it keeps and what that costs per example (float32), and
# independent of the batch (`once`)
RULES = [
    {"input": [8, 6, 6], "layer": "conv2d: {filters: 4, kernel_size: 3}", "what": "saved.input", "each": 4 * 288, "once": 0},
    {"input": [8, 6, 6], "layer": "conv2d: {filters: 4, kernel_size: 3, activation: relu}",
     "what": "saved.input_and_output", "each": 4 * (288 + 64), "once": 0},
    {"input": [8, 6, 6], "layer": "relu", "what": "saved.output", "each": 4 * 288, "once": 0},
    {"input": [8, 6, 6], "layer": "relu6", "what": "saved.input", "each": 4 * 288, "once": 0},
    {"input": [8, 6, 6], "layer": "identity", "what": "saved.nothing", "each": 0, "once": 0},
    {"input": [8, 6, 6], "layer": "maxpool2d: {pool_size: 2}", "what": "saved.input_and_argmax",
     "each": 4 * 288 + 8 * 72, "once": 0},
    {"input": [8, 6, 6], "layer": "avgpool2d: {pool_size: 2}", "what": "saved.input", "each": 4 * 288, "once": 0},
    {"input": [8, 6, 6], "layer": "global_maxpool", "what": "saved.input_and_argmax", "each": 4 * 288 + 8 * 8, "once": 0},
    {"input": [8, 6, 6], "layer": "batchnorm", "what": "saved.input_and_stats", "each": 4 * 288, "once": 2 * 4 * 8},
    {"input": [8, 6, 6], "layer": "dropout: {rate: 0.5}", "what": "saved.mask", "each": 288, "once": 0},
    {"input": [8, 6, 6], "layer": "stochastic_depth", "what": "saved.sample_flag", "each": 4, "once": 0},
    {"input": [8, 6, 6], "layer": "flatten", "what": "saved.nothing", "each": 0, "once": 0},
    {"input": [288], "layer": "dense: {units: 10}", "what": "saved.input", "each": 4 * 288, "once": 0},
    {"input": [8, 6, 6], "layer": "zeropad2d: {padding: 1}", "what": "saved.nothing", "each": 0, "once": 0},
]


@pytest.mark.parametrize("case", RULES, ids=lambda c: c["layer"])
@pytest.mark.parametrize("batch", [1, 32])
def test_each_rule_keeps_its_tensors(case, batch):
    net = net_of(case["input"], case["layer"])
    (saved,) = training_memory(net, Setting(batch=batch, training=True)).layers
    assert (saved.what, saved.bytes) == (case["what"], batch * case["each"] + case["once"])


def test_add_and_concat_keep_nothing_a_tensor_two_layers_keep_counts_once():
    net = net_of([4, 5, 5], "conv2d: {name: a, filters: 4, kernel_size: 1}", "relu: {name: b}",
                 "conv2d: {name: c, inputs: b, filters: 4, kernel_size: 1}", "add: {inputs: [b, c]}",
                 "concat: {inputs: [b, c]}")
    layers = training_memory(net, Setting(training=True)).layers
    # a: the input; b: its output; c: its input is b's output, already kept; add, concat: nothing
    assert [s.bytes for s in layers] == [4 * 100, 4 * 100, 0, 0, 0]


@pytest.mark.parametrize("name", bundled_examples())
def test_bundled_nets_parts_add_up(name):
    net = analyze(load_spec(name))
    m = training_memory(net, Setting(batch=2, dtype="bfloat16", training=True, optimizer="adam"))
    assert m.saved_bytes == sum(s.bytes for s in m.layers) > 0
    assert m.optimizer_bytes == 2 * m.gradient_bytes == 2 * 2 * net.totals.trainable_params
    # nothing kept twice: at most every tensor (input and outputs) and the fixed extras
    activations, given = inference_bytes(net, Setting(batch=2, dtype="bfloat16"))
    assert m.saved_bytes <= activations + given + 2 * 8 * activations


@settings(max_examples=40, deadline=None)
@given(case=st.sampled_from(CASES), batch=st.integers(1, 2**31 - 1),
       dtype=st.sampled_from(["float32", "float16", "bfloat16", "int8"]))
def test_every_layer_type_has_a_rule_linear_in_the_batch(case, batch, dtype):
    shape, entry, *_ = case
    net = net_of(shape, entry)
    one = training_memory(net, Setting(dtype=dtype, training=True)).layers[-1]
    many = training_memory(net, Setting(batch=batch, dtype=dtype, training=True)).layers[-1]
    rule = REGISTRY[net.layers[-1].spec.type].saved
    once = rule(net.layers[-1]).once_bytes if rule else 0
    assert many.bytes - once == batch * (one.bytes - once) >= 0


# --- the command line --------------------------------------------------------------------------

def test_plain_summary_unchanged_without_the_options():
    assert invoke("summary", "mnist_cnn", "-f", "json").out == invoke("summary", "mnist_cnn", "-f", "json", "--dtype",
                                                                      "float32").out.replace(
        ', "inference": {"batch": 1, "dtype": "float32", "activation_bytes": 302632, "input_bytes": 3136}', "")


@pytest.mark.parametrize("args, value", [
    (["--training", "--get", "totals.training.total_bytes"], "1133200"),
    (["--training", "--optimizer", "adam", "--batch", "32", "--get", "totals.training.total_bytes"], "8396960"),
    (["--training", "--batch", "32", "--get", "totals.training.saved_bytes"], "6539264"),
    (["--batch", "32", "--get", "totals.inference.activation_bytes"], "9684224"),
    (["--dtype", "float16", "--get", "totals.inference.input_bytes"], "1568"),
    (["--training", "--get", "layers.relu_1.training.saved_bytes"], "100352"),
])
def test_get_reads_the_new_keys(args, value):
    result = invoke("summary", "mnist_cnn", *args)
    assert (result.code, result.out.strip()) == (0, value)


def test_json_keys():
    data = json.loads(invoke("summary", "mnist_cnn", "-f", "json", "--training", "--optimizer", "momentum").out)
    assert set(data["totals"]["training"]) == {"batch", "dtype", "optimizer", "state_dtype", "param_bytes",
                                               "gradient_bytes", "optimizer_bytes", "saved_bytes", "total_bytes"}
    assert data["layers"][1]["training"]["saved"]["id"] == "saved.output"
    assert "training" not in json.loads(invoke("summary", "mnist_cnn", "-f", "json", "--batch", "4").out)["totals"]


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_other_formats_show_it(fmt):
    result = invoke("summary", "mnist_cnn", "-f", fmt, "--training", "--optimizer", "adam", "--batch", "32")
    assert result.code == 0
    if fmt == "csv":
        assert result.out.splitlines()[0].endswith(",saved_bytes") and result.out.splitlines()[1].endswith(",100352")
    else:
        assert "Saved" in result.out and "Training step (float32, batch 32, adam):" in result.out
        assert "total: 8.01 MiB (8,396,960 B)" in result.out


@pytest.mark.parametrize("args, words", [
    (["--batch", "0"], "--batch"),
    (["--batch", "-3"], "--batch"),
    (["--batch", "2147483648"], "--batch"),
    (["--batch", "many"], "--batch"),
    (["--dtype", "xyz"], "--dtype"),
    (["--optimizer", "sgd"], "add --training"),
    (["--training", "--optimizer", "rmsprop"], "--optimizer"),
    (["--training=yes"], "--training"),
])
def test_bad_options_are_usage_errors(args, words):
    result = invoke("summary", "mnist_cnn", *args)
    assert result.code == 2 and words in result.err
    assert "internal error" not in result.err and "Traceback" not in result.err


# --- the README's figures ------------------------------------------------------------------------

def _readme() -> str:
    from pathlib import Path

    return (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_readme_training_example_is_real_output():
    block = _readme().split("$ convcalc summary vgg16 --batch 32 --training --optimizer adam\n", 1)[1]
    shown = [line.rstrip() for line in block.split("$ ", 1)[0].splitlines() if line.strip() != "…"]
    actual = invoke("summary", "vgg16", "--batch", "32", "--training", "--optimizer", "adam").out.splitlines()
    assert shown == [line.rstrip() for line in actual[-len(shown):]]


def test_readme_torchinfo_table_has_convcalcs_figures():
    """The convcalc columns of the comparison (torchinfo's and autograd's were measured)."""
    section = _readme().split("**Against torchinfo**", 1)[1].split("Where they differ", 1)[0]
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    for name, batch, _, saved, _, inference in (map(str.strip, row) for row in rows[1:]):
        setting = Setting(batch=int(batch), training=True)
        net = analyze(load_spec(name))
        assert (int(saved.replace(",", "")), int(inference.replace(",", ""))) == (
            training_memory(net, setting).saved_bytes, inference_bytes(net, setting)[0]), name
