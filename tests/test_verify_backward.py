"""`convcalc verify --backward`: the NumPy backward pass gives every gradient the engine predicts
(∂L/∂X with each input's shape, ∂L/∂W, ∂L/∂b, … with each weight's), and a wrong prediction or a
failing backprop is caught, exit 3, with the layer named — never an internal error."""

import json

import pytest

from convcalc.layers import REGISTRY
from convcalc.layers.base import Backward, Gradient
from convcalc.record import replace
from convcalc.runner.backward import run_backward
from convcalc.spec.loader import bundled_examples
from tests.conftest import invoke, net_of

MLP = ("flatten", "dense: {units: 32, activation: relu}", "dropout: {rate: 0.5}", "dense: {units: 10}", "softmax")


@pytest.mark.parametrize("name", sorted(bundled_examples()))
def test_every_bundled_net_passes_backward(name):
    result = invoke("verify", name, "--backward", "-f", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["ok"] and data["backward"] == {"agreeing_layers": data["layers_total"],
                                                "run_layers": data["layers_total"]}


@pytest.mark.parametrize("name, layer, input_shape, weight_shapes", [
    ("mnist_cnn", "conv2d_2", [32, 14, 14], [[64, 32, 5, 5], [64]]),  # 64 kernels of 32×5×5
    ("lenet5", "conv2d_1", [1, 32, 32], [[6, 1, 5, 5], [6]]),
    ("lenet5", "dense_1", [120], [[84, 120], [84]]),
    ("lenet5", "avgpool2d_1", [6, 28, 28], []),
])
def test_gradient_shapes_of_named_layers(name, layer, input_shape, weight_shapes):
    data = json.loads(invoke("verify", name, "--backward", "-f", "json").out)
    (found,) = [entry["gradients"] for entry in data["layers"] if entry["name"] == layer]
    assert found["actual_input_shapes"] == found["predicted_input_shapes"] == [input_shape]
    assert found["actual_weight_shapes"] == found["predicted_weight_shapes"] == weight_shapes
    assert found["ok"] and found["error"] is None


def test_a_tensor_read_twice_gets_the_sum_of_its_gradients():
    """`add: [x, x]` doubles ∂L/∂x: the runner adds what reaches a tensor from each reader."""
    net = net_of([6], "{relu: null, name: x}", "{add: null, inputs: [x, x], name: s}")
    _, gradients = run_backward(net, seed=1, batch=2, keep=True)
    relu, add = gradients
    assert add.input_grads[0] is not None
    summed = add.input_grads[0] + add.input_grads[1]
    assert (relu.output_grads[0] == summed).all()


def test_a_wrong_prediction_is_caught_with_exit_3(monkeypatch):
    dense = REGISTRY["dense"]

    def wrong(r):
        right = dense.backward(r)
        w, *rest = [g for g in right.gradients if g.name != "∂L/∂X"]
        return Backward(gradients=(Gradient(name="∂L/∂X", shape=r.input_shapes[0]),
                                   Gradient(name="∂L/∂W", shape=(w.shape[1], w.shape[0])), *rest))

    monkeypatch.setitem(REGISTRY, "dense", replace(dense, backward=wrong))
    result = invoke("verify", "-", "--backward", "-f", "json", stdin=b"input: [8]\nlayers: [dense: {units: 3}]\n")
    assert result.code == 3
    (layer,) = json.loads(result.out)["layers"]
    assert layer["gradients"]["predicted_weight_shapes"] == [[8, 3], [3]]
    assert layer["gradients"]["actual_weight_shapes"] == [[3, 8], [3]]
    assert not layer["gradients"]["ok"]


def test_a_failing_backprop_names_the_layer_and_stops(monkeypatch):
    relu = REGISTRY["relu"]

    def broken(run, grads):
        raise ValueError("operands could not be broadcast together")

    monkeypatch.setitem(REGISTRY, "relu", replace(relu, backprop=broken))
    spec = "input: [4]\nlayers:\n  - dense: {units: 4}\n  - relu\n  - dense: {units: 2}\n"
    result = invoke("verify", "-", "--backward", stdin=spec.encode())
    assert result.code == 3
    assert "layer 2 'relu_1' (line 4): the backward pass refused it: ValueError: operands" in result.out
    assert "1 layers before it not reached" in result.out
    assert "internal error" not in result.out + result.err
    data = json.loads(invoke("verify", "-", "--backward", "-f", "json", stdin=spec.encode()).out)
    assert data["backward"] == {"agreeing_layers": 1, "run_layers": 2} and not data["ok"]
    assert "gradients" not in data["layers"][0]


def test_without_backward_the_json_is_as_before():
    data = json.loads(invoke("verify", "lenet5", "-f", "json").out)
    assert "backward" not in data and all("gradients" not in layer for layer in data["layers"])


@pytest.mark.parametrize("lang, words", [("zh", "反向传播"), ("es", "retropropagación")])
def test_the_backward_table_speaks_the_language(lang, words):
    result = invoke("verify", "-", "--backward", "--lang", lang, stdin=b"input: [1, 4, 4]\nlayers: [" +
                    ", ".join(MLP).encode() + b"]\n")
    assert result.code == 0 and words in result.out
