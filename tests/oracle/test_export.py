"""`convcalc export` against the frameworks themselves: the generated module is executed, and
its parameter count and every layer's output shape must be convcalc's — for every bundled
network and for random specs drawn from the registry (tests/test_fuzz.py's strategy), through
PyTorch and through Keras (torch backend, channels first)."""

from __future__ import annotations

import math
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
torch = pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")
pytest.importorskip("keras", reason="the oracle extra is not installed: pip install -e '.[oracle]'")

from hypothesis import HealthCheck, given, settings  # noqa: E402

from convcalc.engine import analyze  # noqa: E402
from convcalc.errors import SpecError  # noqa: E402
from convcalc.export import keras as keras_export, pytorch  # noqa: E402
from convcalc.spec.loader import bundled_examples, load_spec, parse_data, parse_spec  # noqa: E402
from tests.test_fuzz import specs  # noqa: E402

# about one random spec in six is valid: 800 drawn at the dev profile, 1,500 in CI
RANDOM_EXAMPLES = min(20 * settings().max_examples, 1500)


def outputs(out) -> tuple:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def run_pytorch(net) -> tuple[int, dict[str, tuple]]:
    """(trainable parameters, every layer's output shapes by spec name) of the generated module,
    run once on a meta tensor with a forward hook on each layer's submodule."""
    namespace: dict = {}
    exec(compile(pytorch.to_source(net), f"<{net.name}.py>", "exec"), namespace)
    with torch.device("meta"):  # shapes and counts without allocating or initialising weights
        model = namespace[pytorch.class_name(net)]().eval()
    modules = dict(model.named_modules())
    shapes: dict[str, tuple] = {}
    for name, path in pytorch.module_paths(net).items():
        modules[path].register_forward_hook(
            lambda m, i, out, name=name: shapes.__setitem__(name, tuple(tuple(t.shape[1:]) for t in outputs(out))))
    with torch.no_grad():
        model(torch.zeros(1, *net.input_shape, device="meta"))
    return sum(p.numel() for p in model.parameters()), shapes


def check_pytorch(net) -> None:
    params, shapes = run_pytorch(net)
    assert params == net.totals.trainable_params, (net.name, params, net.totals.trainable_params)
    for r in net.layers:
        assert shapes[r.spec.name] == r.output_shapes, (r.spec.name, r.spec.type, shapes[r.spec.name], r.output_shapes)


def run_keras(net) -> tuple[int, int, dict[str, tuple]]:
    """(count_params, trainable weights, every layer's output shapes by spec name) of the
    generated functional model, read from its symbolic outputs: nothing is computed."""
    namespace: dict = {}
    exec(compile(keras_export.to_source(net), f"<{net.name}.py>", "exec"), namespace)
    model, names = namespace["build"](), keras_export.layer_names(net)
    shapes = {r.spec.name: tuple(tuple(t.shape[1:]) for t in outputs(model.get_layer(names[r.spec.name]).output))
              for r in net.layers}
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    return model.count_params(), trainable, shapes


def check_keras(net) -> None:
    """Keras counts BatchNormalization's moving statistics in count_params, as convcalc's
    non-trainable parameters."""
    params, trainable, shapes = run_keras(net)
    assert (params, trainable) == (net.totals.params, net.totals.trainable_params), net.name
    for r in net.layers:
        assert shapes[r.spec.name] == r.output_shapes, (r.spec.name, r.spec.type, shapes[r.spec.name], r.output_shapes)


def exported_or_refused(net, framework: str, check) -> None:
    """The framework runs the generated module with convcalc's numbers, or convcalc refuses the
    spec with a one-line error naming the layer and the framework."""
    try:
        check(net)
    except SpecError as e:
        assert "\n" not in str(e) and framework in str(e) and str(e).startswith("layer "), str(e)


# the semantics each framework spells differently: uneven `same`, `causal`, Keras' transposed
# valid/same, a centre crop to a second input, split outputs, broadcasting merges
CASES = [
    {"input": [3, 10, 9], "layer": {"conv2d": {"filters": 4, "kernel_size": 4, "stride": 2, "padding": "same"}}},
    {"input": [3, 10, 9], "layer": {"conv2d": {"filters": 4, "kernel_size": 3, "stride": 3, "padding": "same",
                                              "activation": "relu"}}},
    {"input": [2, 11], "layer": {"conv1d": {"filters": 3, "kernel_size": 3, "dilation": 2, "padding": "causal"}}},
    {"input": [2, 5, 5], "layer": {"conv_transpose2d": {"filters": 3, "kernel_size": 3, "stride": 2, "padding": "same"}}},
    {"input": [2, 5, 5], "layer": {"conv_transpose2d": {"filters": 3, "kernel_size": 1, "stride": 3, "padding": "valid"}}},
    {"input": [2, 5, 6], "layer": {"conv_transpose2d": {"filters": 4, "kernel_size": 4, "stride": 2, "padding": "same",
                                                       "output_padding": 1, "groups": 2}}},
    {"input": [2, 5], "layer": {"conv_transpose1d": {"filters": 3, "kernel_size": 4, "stride": 2, "padding": 1,
                                                    "output_padding": 1}}},
    {"input": [4, 9, 9], "layer": {"depthwise_conv2d": {"kernel_size": 3, "stride": 2, "padding": "same",
                                                       "depth_multiplier": 2}}},
    {"input": [4, 8, 8], "layer": {"separable_conv2d": {"filters": 5, "kernel_size": 3, "stride": 2, "padding": "same"}}},
    {"input": [3, 8, 8], "layer": {"maxpool2d": {"pool_size": 2, "stride": 2, "padding": "same"}}},
    {"input": [3, 7, 7], "layer": {"maxpool2d": {"pool_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}}},
    {"input": [3, 7, 7], "layer": {"avgpool2d": {"pool_size": 3, "stride": 2, "padding": "same"}}},
    {"input": [3, 5, 6, 7], "layer": {"global_maxpool": None}},
    {"input": [3, 8, 8], "layer": {"crop": {"cropping": [[1, 2], [0, 3]]}}},
    {"input": [3, 8, 8], "layer": {"crop": {"size": [5, 4]}}},
    {"input": [8, 4, 4], "layer": {"pixel_shuffle": {"upscale_factor": 2}}},
    {"input": [3, 4, 5], "layer": {"upsampling2d": {"size": [2, 3], "interpolation": "bilinear"}}},
    {"input": [3, 4, 5], "layer": {"upsample": {"scale_factor": 1.5, "mode": "bilinear", "align_corners": True}}},
    {"input": [6, 4, 5], "layer": {"layernorm": None}},
    {"input": [6, 4, 5], "layer": {"layernorm": {"normalized_shape": [4, 5]}}},
    {"input": [6, 4, 5], "layer": {"instancenorm": {"affine": True, "track_running_stats": True}}},
    {"input": [6, 4, 5], "layer": {"reshape": {"shape": [3, -1]}}},
    {"input": [6, 4, 5], "layer": {"permute": {"dims": [2, 3, 1]}}},
    {"input": [6, 4, 5], "layer": {"prelu": {"num_parameters": 6}}},
    {"input": [6, 4, 5], "layer": {"zeropad2d": {"padding": [[1, 0], [2, 3]]}}},
]


def _one_layer(case: dict):
    return analyze(parse_data({"input": case["input"], "layers": [case["layer"]]}))


GRAPH = {"input": [4, 8, 8], "layers": [
    {"conv2d": {"name": "a", "filters": 6, "kernel_size": 3}},
    {"split": {"name": "s", "sizes": [2, 4]}},
    {"global_avgpool": {"name": "g", "inputs": "s.1"}},
    {"reshape": {"name": "r", "shape": [4, 1, 1]}},
    {"multiply": {"name": "m", "inputs": ["s.1", "r"]}},
    {"concat": {"name": "c", "inputs": ["s.0", "m"]}},
    {"crop": {"name": "k", "inputs": ["input", "c"]}},
    {"add": {"name": "sum", "inputs": ["k", "k"]}},
    {"chunk": {"name": "parts", "chunks": 2}},
]}


@pytest.mark.parametrize("case", CASES, ids=lambda c: next(iter(c["layer"])))
def test_semantics_each_framework_spells_differently_pytorch(case):
    exported_or_refused(_one_layer(case), "PyTorch", check_pytorch)


def test_a_graph_with_splits_merges_and_a_centre_crop_pytorch():
    check_pytorch(analyze(parse_data(GRAPH)))


@pytest.mark.parametrize("name", bundled_examples())
def test_every_bundled_net_runs_in_pytorch(name):
    check_pytorch(analyze(load_spec(name)))


def _analysed(text: str):
    try:
        return analyze(parse_spec(text))
    except SpecError:
        return None


@settings(max_examples=RANDOM_EXAMPLES, suppress_health_check=list(HealthCheck))
@given(specs())
def test_random_specs_run_in_pytorch(text):
    net = _analysed(text)
    if net is not None:
        exported_or_refused(net, "PyTorch", check_pytorch)


@pytest.mark.parametrize("case", CASES, ids=lambda c: next(iter(c["layer"])))
def test_semantics_each_framework_spells_differently_keras(case):
    exported_or_refused(_one_layer(case), "Keras", check_keras)


def test_a_graph_with_splits_merges_and_a_centre_crop_keras():
    check_keras(analyze(parse_data(GRAPH)))


@pytest.mark.parametrize("name", bundled_examples())
def test_every_bundled_net_builds_in_keras(name):
    check_keras(analyze(load_spec(name)))


@settings(max_examples=RANDOM_EXAMPLES // 4, suppress_health_check=list(HealthCheck))
@given(specs())
def test_random_specs_build_in_keras(text):
    net = _analysed(text)
    if net is not None:
        exported_or_refused(net, "Keras", check_keras)


@pytest.mark.parametrize("text", [
    # one section (chunks: 1, a single size) is an ordinary one-output layer: its module gives a tensor
    "input: [1]\nlayers:\n- chunk: {chunks: 1}\n- prelu\n",
    "input: [1]\nlayers:\n- chunk: {chunks: 1}\n- {concat: null, inputs: [input, chunk_1]}\n",
    "input: [4, 3]\nlayers:\n- split: {sizes: [4]}\n- relu\n",
    "input: [4, 3]\nlayers:\n- split: {sizes: [1, 3]}\n- {relu: null, inputs: split_1.1}\n",
    "input: [6, 3]\nlayers:\n- chunk: {chunks: 3}\n- {concat: null, inputs: [chunk_1.2, chunk_1.0]}\n",
])
def test_sections_export_to_both_frameworks(text):
    net = analyze(parse_spec(text))
    check_pytorch(net)
    check_keras(net)
