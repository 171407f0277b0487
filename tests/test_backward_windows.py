"""`verify --backward` for the windowed layers (convolutions and pools): every case of the layer
table runs back with each gradient's shape as the engine predicts, and `explain --backward`
names each weight's gradient with its shape. The values are the oracle's (tests/oracle/
test_gradients_windows.py)."""

import json

import pytest

from convcalc.layers import conv, pool
from convcalc.runner.backward import run_backward
from tests.conftest import invoke, net_of
from tests.test_layers import CASES

WINDOWED = {t.name for t in conv.TYPES + pool.TYPES}
WINDOW_CASES = [c for c in CASES if c[1].split(":")[0].strip() in WINDOWED]


def test_the_layer_table_has_windowed_cases():
    assert len(WINDOW_CASES) >= 20


@pytest.mark.parametrize("input_shape, entry", [(c[0], c[1]) for c in WINDOW_CASES], ids=[c[1] for c in WINDOW_CASES])
def test_gradient_shapes_as_predicted(input_shape, entry):
    (forward,), (gradient,) = run_backward(net_of(input_shape, entry), seed=1, batch=2)
    assert forward.ok and gradient.ok, (gradient.error, gradient.input_shapes, gradient.weight_shapes,
                                        gradient.predicted_inputs, gradient.predicted_weights)


@pytest.mark.parametrize("entry, input_shape, gradients", [
    ("conv2d: {filters: 64, kernel_size: 5}", [32, 14, 14], [[32, 14, 14], [64, 32, 5, 5], [64]]),
    ("conv_transpose2d: {filters: 4, kernel_size: 3, stride: 2, padding: 1}", [3, 8, 8], [[3, 8, 8], [3, 4, 3, 3], [4]]),
    ("separable_conv2d: {filters: 4, kernel_size: 3, depth_multiplier: 2, bias: false}", [3, 8, 8],
     [[3, 8, 8], [6, 1, 3, 3], [4, 6, 1, 1]]),
    ("depthwise_conv2d: {kernel_size: 3, depth_multiplier: 2}", [3, 8, 8], [[3, 8, 8], [6, 1, 3, 3], [6]]),
    ("maxpool2d: {pool_size: 2}", [3, 8, 8], [[3, 8, 8]]),
    ("adaptive_avgpool2d: {output_size: 3}", [3, 8, 8], [[3, 8, 8]]),
])
def test_explain_names_each_gradient_with_its_shape(entry, input_shape, gradients):
    result = invoke("explain", "--input", "x".join(map(str, input_shape)), "--layer", entry, "--backward",
                    "--format", "json")
    assert result.code == 0, result.err
    text = json.dumps(json.loads(result.out))
    net = net_of(input_shape, entry)
    assert [list(g.shape) for g in net.layers[0].backward.gradients] == gradients, text[:300]


@pytest.mark.parametrize("name", ["lenet5", "mnist_cnn"])
def test_verify_backward_of_bundled_nets(name):
    result = invoke("verify", name, "--backward", "--format", "json")
    assert result.code == 0, result.out[-500:] + result.err
    data = json.loads(result.out)
    assert data["backward"] == {"agreeing_layers": data["layers_total"], "run_layers": data["layers_total"]}
