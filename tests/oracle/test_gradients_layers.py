"""The backward pass of the layers that are not convolutions or pools — normalisation, PReLU,
LRN, zero padding, merges, rearrangements, upsampling, split and chunk — against torch autograd
(`check_gradients`), Keras on the torch backend for the semantics only Keras has, and small
graphs against the torch operations they stand for (a tensor read twice, the SE gate's
broadcasting, concat of three, split into two branches)."""

import os
import warnings

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
torch = pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")
np = pytest.importorskip("numpy")

import yaml  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

from convcalc.engine import analyze  # noqa: E402
from convcalc.runner.backward import run_backward  # noqa: E402
from convcalc.spec.loader import parse_spec  # noqa: E402
from tests.oracle.test_gradients import ATOL, RTOL, backward_ours, check_gradients  # noqa: E402
from tests.oracle.torch_build import torch_module  # noqa: E402
from tests.oracle.test_torch_layers import (  # noqa: E402
    norm_configs, rearrange_configs, shape_any_rank, spatial, upsample_configs, zeropad_configs)

# --- a table of named cases: each type, and the edge cases its formula has ---

CASES = [
    {"name": "batchnorm_2d", "shape": [5, 3, 4], "type": "batchnorm", "args": {"eps": 1e-3}},
    {"name": "batchnorm_1d_features", "shape": [6], "type": "batchnorm", "args": {}},
    {"name": "batchnorm_3d", "shape": [3, 2, 3, 4], "type": "batchnorm", "args": {}},
    {"name": "prelu_shared", "shape": [5, 3, 4], "type": "prelu", "args": {}},
    {"name": "prelu_per_channel", "shape": [5, 3, 4], "type": "prelu", "args": {"num_parameters": 5}},
    {"name": "prelu_features", "shape": [4], "type": "prelu", "args": {"num_parameters": 4}},
    {"name": "lrn_odd_window", "shape": [7, 3, 4], "type": "lrn", "args": {"size": 3}},
    {"name": "lrn_even_window", "shape": [7, 3], "type": "lrn", "args": {"size": 4, "alpha": 0.1, "beta": 0.5, "k": 2.0}},
    {"name": "lrn_window_wider_than_channels", "shape": [3, 3, 4, 2], "type": "lrn", "args": {"size": 8, "alpha": 0.5}},
    {"name": "zeropad_uneven", "shape": [2, 3, 4], "type": "zeropad2d", "args": {"padding": [[1, 2], [0, 3]]}},
    {"name": "zeropad1d", "shape": [2, 3], "type": "zeropad1d", "args": {"padding": 2}},
    {"name": "zeropad3d", "shape": [2, 3, 4, 2], "type": "zeropad3d", "args": {"padding": 1}},
    {"name": "layernorm_channels", "shape": [5, 3, 4], "type": "layernorm", "args": {}},
    {"name": "layernorm_last_axes", "shape": [5, 3, 4], "type": "layernorm", "args": {"normalized_shape": [3, 4]}},
    {"name": "layernorm_no_bias", "shape": [5, 3, 4], "type": "layernorm", "args": {"normalized_shape": [4], "bias": False}},
    {"name": "layernorm_no_affine", "shape": [5, 3, 4], "type": "layernorm", "args": {"elementwise_affine": False}},
    {"name": "groupnorm", "shape": [6, 3, 4], "type": "groupnorm", "args": {"num_groups": 2}},
    {"name": "groupnorm_no_affine", "shape": [6, 3], "type": "groupnorm", "args": {"num_groups": 3, "affine": False}},
    {"name": "instancenorm_own_statistics", "shape": [4, 3, 4], "type": "instancenorm", "args": {"affine": True}},
    {"name": "instancenorm_running", "shape": [4, 3, 4, 2], "type": "instancenorm",
     "args": {"affine": True, "track_running_stats": True}},
    {"name": "instancenorm_running_one_cell", "shape": [4, 1], "type": "instancenorm", "args": {"track_running_stats": True}},
    {"name": "layer_scale", "shape": [4, 3, 4], "type": "scale", "args": {}},
    {"name": "stochastic_depth", "shape": [4, 3, 4], "type": "stochastic_depth", "args": {"rate": 0.3, "mode": "batch"}},
    {"name": "channel_shuffle", "shape": [12, 2, 5], "type": "channel_shuffle", "args": {"groups": 3}},
    {"name": "pixel_shuffle", "shape": [8, 3, 5], "type": "pixel_shuffle", "args": {"upscale_factor": 2}},
    {"name": "pixel_unshuffle", "shape": [2, 6, 9], "type": "pixel_unshuffle", "args": {"downscale_factor": 3}},
    {"name": "permute_channels_last", "shape": [2, 3, 4], "type": "permute", "args": {"dims": [0, 2, 3, 1]}},
    {"name": "permute", "shape": [2, 3, 4], "type": "permute", "args": {"dims": [3, 1, 2]}},
    {"name": "reshape", "shape": [2, 3, 4], "type": "reshape", "args": {"shape": [4, -1]}},
    {"name": "crop_uneven", "shape": [2, 7, 6], "type": "crop", "args": {"cropping": [[1, 2], [0, 3]]}},
    {"name": "crop1d", "shape": [2, 7], "type": "crop", "args": {"cropping": 2}},
    {"name": "upsample_nearest_double", "shape": [2, 4, 5], "type": "upsample", "args": {"scale_factor": 2}},
    {"name": "upsample_nearest_size", "shape": [2, 4, 5], "type": "upsample", "args": {"size": [9, 4]}},
    {"name": "upsample_nearest_3d_mixed", "shape": [2, 3, 4, 5], "type": "upsample", "args": {"scale_factor": [2, 1.5, 0.5]}},
    {"name": "upsample_bilinear_fraction", "shape": [2, 5, 5], "type": "upsample", "args": {"scale_factor": 2.5, "mode": "bilinear"}},
    {"name": "upsample_bilinear_align", "shape": [2, 5, 4], "type": "upsample",
     "args": {"size": [7, 9], "mode": "bilinear", "align_corners": True}},
    {"name": "upsample_bicubic_align", "shape": [2, 5, 5], "type": "upsample",
     "args": {"size": [8, 3], "mode": "bicubic", "align_corners": True}},
    {"name": "upsample_bicubic_shrinks", "shape": [2, 5, 5], "type": "upsample", "args": {"scale_factor": 0.3, "mode": "bicubic"}},
    {"name": "upsample_linear", "shape": [2, 5], "type": "upsample",
     "args": {"scale_factor": 1.5, "mode": "linear", "align_corners": False}},
    {"name": "upsample_trilinear_align", "shape": [2, 3, 4, 5], "type": "upsample",
     "args": {"size": [5, 2, 7], "mode": "trilinear", "align_corners": True}},
    {"name": "upsample_linear_same_size", "shape": [2, 5, 4], "type": "upsample", "args": {"size": [5, 8], "mode": "bilinear"}},
    {"name": "keras_upsampling_nearest", "shape": [2, 4, 5], "type": "upsampling", "args": {"size": [2, 3]}},
    {"name": "keras_upsampling_bilinear", "shape": [2, 4, 5], "type": "upsampling",
     "args": {"size": [2, 3], "interpolation": "bilinear"}},
    {"name": "keras_upsampling_3d", "shape": [2, 4, 5, 3], "type": "upsampling", "args": {"size": [2, 1, 3]}},
    {"name": "split_channels", "shape": [6, 4], "type": "split", "args": {"sizes": [2, 4]}},
    {"name": "split_width", "shape": [6, 4], "type": "split", "args": {"sizes": [1, 3], "axis": 1}},
    {"name": "chunk_uneven", "shape": [5, 4, 3], "type": "chunk", "args": {"chunks": 2}},
    {"name": "chunk_last_axis", "shape": [6, 4, 3], "type": "chunk", "args": {"chunks": 3, "axis": 2}},
    {"name": "dense_last_axis", "shape": [3, 4, 5], "type": "dense", "args": {"units": 6, "in_features": 5}},
]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_named_cases(case):
    assert backward_ours(case["shape"], case["type"], case["args"]) is not None, "the case must be valid"
    check_gradients(case["shape"], case["type"], case["args"])


# --- random configurations: the strategies the shape oracle draws ---

@given(norm_configs())
def test_norms(config):
    shape, kind, args = config
    dims = args.get("normalized_shape")
    if kind == "layernorm" and (shape[0] if dims is None else np.prod(dims)) == 1:
        # one value normalised alone: x̂ = x − mean = 0 exactly in the runner; PyTorch's kernel
        # leaves a rounding remainder that 1/√eps magnifies to ~1e-4 in ∂L/∂γ
        return
    check_gradients(*config)


@given(rearrange_configs())
def test_rearrange(config):
    shape, kind, args = config
    if kind == "reshape" and args["shape"].count(-1) > 1:
        return  # refused by convcalc's argument check before any shape
    check_gradients(*config)


@given(upsample_configs())
def test_upsample(config):
    """Against the exact gradient of PyTorch's forward (see the test below for why not its
    backward kernel), and against autograd wherever PyTorch's backward agrees with its forward."""
    shape, _, args = config
    ours = backward_ours(shape, "upsample", args)
    if ours is None:
        return
    forward, gradient = ours
    module = torch_module("upsample", args, tuple(shape))
    expected = gradient_of_linear_forward(module, gradient.inputs[0], gradient.output_grads[0])
    np.testing.assert_allclose(gradient.input_grads[0], expected, rtol=RTOL, atol=ATOL, err_msg=f"{args} on {shape}")
    if not nearest_backward_disagrees(args):
        check_gradients(*config)


def gradient_of_linear_forward(module, x, grad):
    """Jᵀ·∂L/∂Y for a module linear in x, J read off the module's FORWARD pass on every one-hot
    input (one example: the examples do not mix) — never through its backward kernel."""
    cells = int(np.prod(x.shape[1:]))
    with torch.no_grad():
        columns = module(torch.eye(cells).reshape(cells, *x.shape[1:]))  # ∂y/∂x_i, one per row
    jacobian = columns.reshape(cells, -1).numpy().astype(np.float64)
    return (grad.reshape(len(x), -1) @ jacobian.T).reshape(x.shape)


def nearest_backward_disagrees(args):
    """PyTorch's nearest backward routes by output/input size, its forward by 1/scale_factor:
    they part where a fractional scale_factor makes the two differ."""
    scale = args.get("scale_factor")
    scales = scale if isinstance(scale, list) else [scale]
    return args["mode"] == "nearest" and scale is not None and any(float(s) != int(s) for s in scales)


def test_pytorch_nearest_backward_is_not_the_gradient_of_its_forward():
    """Upsample(scale_factor=2.25, nearest) on L = 2: PyTorch's forward reads cells
    [0, 0, 0, 1] (floor(i/2.25)), but its backward sends the gradients to [0, 0, 1, 1]
    (floor(i·2/4)). The runner gives the gradient of the forward both compute."""
    x = torch.tensor([[[10.0, 20.0]]], requires_grad=True)
    y = torch.nn.Upsample(scale_factor=2.25, mode="nearest")(x)
    assert y.tolist() == [[[10.0, 10.0, 10.0, 20.0]]]
    y.backward(torch.tensor([[[1.0, 10.0, 100.0, 1000.0]]]))
    assert x.grad.tolist() == [[[11.0, 1100.0]]]  # PyTorch's kernel
    from convcalc.layers import REGISTRY
    from convcalc.runner import Run

    (result,) = analyze(parse_spec(yaml.safe_dump({"input": [1, 2], "layers": [
        {"upsample": {"scale_factor": 2.25}}]}))).layers
    run = Run(result, [x.detach().numpy()], (0, 0), backward=True)
    run.outputs = (REGISTRY["upsample"].forward(run),)
    (grad,) = REGISTRY["upsample"].backprop(run, (np.array([[[1, 10, 100, 1000]]], dtype=np.float32),))
    assert grad.tolist() == [[[111.0, 1000.0]]]


@given(shape_any_rank(), st.floats(1e-5, 1e-2), st.integers(1, 9), st.sampled_from(["row", "batch"]))
def test_batchnorm_prelu_scale_and_stochastic_depth(shape, eps, count, mode):
    check_gradients(shape, "batchnorm", {"eps": eps})
    check_gradients(shape, "prelu", {"num_parameters": count})
    check_gradients(shape, "prelu", {"num_parameters": shape[0]})
    check_gradients(shape, "scale", {})
    check_gradients(shape, "stochastic_depth", {"rate": 0.5, "mode": mode})


@given(st.data())
def test_lrn(data):
    dims = data.draw(st.sampled_from([1, 2, 3]))
    shape = [data.draw(st.integers(1, 9)), *data.draw(spatial(dims, 4))]
    args = {"size": data.draw(st.integers(1, 11)), "alpha": data.draw(st.sampled_from([1e-4, 0.1, 1.0])),
            "beta": data.draw(st.sampled_from([0.0, 0.5, 0.75, 2.0])), "k": data.draw(st.sampled_from([0.5, 1.0, 2.0]))}
    check_gradients(shape, "lrn", args)


@given(zeropad_configs(), st.data())
def test_zeropad_and_split(config, data):
    check_gradients(*config)
    shape = config[0]
    axis = data.draw(st.integers(0, len(shape) - 1))
    check_gradients(shape, "chunk", {"chunks": data.draw(st.integers(1, shape[axis])), "axis": axis})
    cut = data.draw(st.integers(0, shape[axis]))
    sizes = [n for n in (cut, shape[axis] - cut) if n]
    check_gradients(shape, "split", {"sizes": sizes, "axis": axis})


# --- Keras' semantics, on the torch backend: autograd through the Keras layer ---

keras = pytest.importorskip("keras", reason="the oracle extra is not installed")
from tests.oracle.test_runner_numerics import keras_layout  # noqa: E402


def check_keras_gradients(input_shape, type_, args, layer):
    """The runner's gradients against autograd's through the Keras layer, channels last; each
    weight's gradient put in Keras' layout as the weight itself is."""
    ours = backward_ours(input_shape, type_, args)
    assert ours is not None, (type_, args, input_shape)
    forward, gradient = ours
    x = torch.from_numpy(np.ascontiguousarray(np.moveaxis(gradient.inputs[0], 1, -1))).requires_grad_()
    layer.build(tuple(x.shape))
    if forward.weights:
        layer.set_weights(keras_layout(type_, forward.weights))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = layer(x)
    g = torch.from_numpy(np.ascontiguousarray(np.moveaxis(gradient.output_grads[0], 1, -1)))
    (y * g).sum().backward()
    where = f"Keras {type(layer).__name__}: {type_} {args} on {input_shape}"
    np.testing.assert_allclose(gradient.input_grads[0], np.moveaxis(x.grad.numpy(), -1, 1), rtol=RTOL, atol=ATOL,
                               err_msg=where)
    expected = [w.value.grad.numpy() for w in layer.weights]
    ours_in_keras_layout = keras_layout(type_, dict(gradient.weight_grads)) if gradient.weight_grads else []
    assert len(expected) == len(ours_in_keras_layout), where
    for mine, theirs in zip(ours_in_keras_layout, expected):
        np.testing.assert_allclose(mine, theirs, rtol=RTOL, atol=ATOL, err_msg=where)


@given(st.data())
@settings(max_examples=20)
def test_keras_upsampling_cropping_and_centre_crop(data):
    shape = [data.draw(st.integers(1, 3)), data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))]
    size = [data.draw(st.integers(1, 3)) for _ in range(2)]
    interpolation = data.draw(st.sampled_from(["nearest", "bilinear"]))
    check_keras_gradients(shape, "upsampling", {"size": size, "interpolation": interpolation},
                          keras.layers.UpSampling2D(size, interpolation=interpolation))
    cropping = [[data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))] for _ in range(2)]
    if all(lo + hi < n for (lo, hi), n in zip(cropping, shape[1:])):
        check_keras_gradients(shape, "crop", {"cropping": cropping}, keras.layers.Cropping2D(cropping))
    target = [data.draw(st.integers(1, n)) for n in shape[1:]]
    check_keras_gradients(shape, "crop", {"size": target}, keras.layers.CenterCrop(*target))
    padding = [[data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))] for _ in range(2)]
    check_keras_gradients(shape, "zeropad2d", {"padding": padding}, keras.layers.ZeroPadding2D(padding))


@pytest.mark.parametrize("shape, size", [([2, 3], [2]), ([2, 3, 4, 2], [2, 1, 3])])
def test_keras_upsampling_1d_and_3d(shape, size):
    layer = keras.layers.UpSampling1D(size[0]) if len(size) == 1 else keras.layers.UpSampling3D(size)
    check_keras_gradients(shape, "upsampling", {"size": size}, layer)


@given(st.data())
@settings(max_examples=20)
def test_keras_normalisations_and_prelu(data):
    """LayerNormalization (over channels), GroupNormalization, PReLU shared over positions:
    ∂L/∂X and ∂L/∂γ, ∂L/∂β (the slope's) in Keras' layout. eps is 1e-3 or more: Keras' float32
    variance E[x²] − E[x]² cancels where a few values lie close, and ∂L/∂X multiplies that
    error by 1/σ (two channels and eps 1e-5 part by 1.3e-4; float64 autograd sides with the
    runner, which PyTorch's own checks above hold to every eps)."""
    c = data.draw(st.sampled_from([2, 4, 6]))
    shape = [c, data.draw(st.integers(2, 5)), data.draw(st.integers(2, 5))]
    eps = data.draw(st.sampled_from([1e-3, 1e-2]))
    check_keras_gradients(shape, "layernorm", {"eps": eps}, keras.layers.LayerNormalization(epsilon=eps))
    groups = data.draw(st.sampled_from([1, 2]))
    check_keras_gradients(shape, "groupnorm", {"num_groups": groups, "eps": eps},
                          keras.layers.GroupNormalization(groups=groups, epsilon=eps))
    check_keras_gradients(shape, "prelu", {"num_parameters": c}, keras.layers.PReLU(shared_axes=[1, 2]))


# --- merges and several outputs, through small graphs against torch's operations ---

def graph_gradients(shape, layers, seed=0):
    """Run a network's backward pass: (input, ∂L/∂Y of the last layer, ∂L/∂input summed over
    every layer that read it, each layer's weights and weight gradients by layer name)."""
    net = analyze(parse_spec(yaml.safe_dump({"input": shape, "layers": layers})))
    forward, backward = run_backward(net, seed=seed, batch=2, keep=True)
    assert all(r.ok for r in forward) and all(g.ok for g in backward), [g.error for g in backward]
    x = next(g.inputs[i] for g in backward for i, n in enumerate(g.result.spec.inputs) if n == "input")
    dx = sum(g.input_grads[i] for g in backward for i, n in enumerate(g.result.spec.inputs) if n == "input")
    weights = {r.result.spec.name: r.weights for r in forward}
    weight_grads = {g.result.spec.name: g.weight_grads for g in backward}
    return torch.from_numpy(x.copy()).requires_grad_(), torch.from_numpy(backward[-1].output_grads[0]), dx, weights, weight_grads


def assert_close(ours, tensor, what):
    np.testing.assert_allclose(ours, tensor.grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=what)


@pytest.mark.parametrize("shape", [[4, 6, 6], [3, 5], [2, 3, 4, 5]])
def test_skip_connection_reads_a_tensor_twice(shape):
    """`a` read twice by one add, and again by the multiply; the input read by the scale and the
    add: each read brings its own gradient, summed."""
    x, g, dx, weights, weight_grads = graph_gradients(shape, [
        {"scale": None, "name": "s"}, {"relu": None, "name": "a"},
        {"add": None, "name": "sum", "inputs": ["a", "a", "input"]},
        {"multiply": None, "name": "m", "inputs": ["sum", "a"]},
    ])
    gamma = torch.from_numpy(weights["s"]["weight"].copy()).requires_grad_()
    a = torch.relu(x * gamma)
    ((a + a + x) * a * g).sum().backward()
    assert_close(dx, x, "∂L/∂input")
    assert_close(weight_grads["s"]["weight"], gamma, "∂L/∂γ")


@pytest.mark.parametrize("shape, gate", [
    ([4, 6, 6], {"crop": {"size": [1, 1]}}),  # C×1×1: the SE gate
    ([4, 6, 6], {"crop": {"size": [1, 6]}}),  # C×1×W
    ([3, 5], {"crop": {"size": [1]}}),
    ([2, 3, 4, 5], {"crop": {"size": [3, 1, 5]}}),
])
def test_se_gate_broadcasting(shape, gate):
    """A C×H×W map times a gate with size-1 axes, and the gate added back the other way round:
    the gate's gradient sums over every cell it was repeated to."""
    size = gate["crop"]["size"]
    x, g, dx, _, _ = graph_gradients(shape, [
        {**gate, "name": "squeezed"}, {"sigmoid": None, "name": "gate"},
        {"multiply": None, "name": "m", "inputs": ["input", "gate"]},
        {"add": None, "name": "out", "inputs": ["gate", "m"]},
    ])
    starts = [(n - t) // 2 for n, t in zip(shape[1:], size)]
    window = (slice(None), slice(None), *(slice(s, s + t) for s, t in zip(starts, size)))
    gate_t = torch.sigmoid(x[window])
    ((gate_t + x * gate_t) * g).sum().backward()
    assert_close(dx, x, "∂L/∂input")


def test_gate_broadcast_over_channels():
    """A 1×H×W gate (a split's first channel) times the C×H×W map; the split's other section is
    read by no layer, so it brings a zero gradient."""
    x, g, dx, _, _ = graph_gradients([4, 3, 5], [
        {"split": {"sizes": [1, 3]}, "name": "sp"},
        {"multiply": None, "name": "m", "inputs": ["input", "sp.0"]},
    ])
    ((x * x[:, :1]) * g).sum().backward()
    assert_close(dx, x, "∂L/∂input")


@pytest.mark.parametrize("shape", [[4, 6, 6], [3, 5]])
def test_concat_of_three(shape):
    x, g, dx, weights, weight_grads = graph_gradients(shape, [
        {"relu": None, "name": "a"}, {"scale": None, "name": "b", "inputs": "input"},
        {"concat": None, "name": "c", "inputs": ["a", "b", "input"]}, {"tanh": None, "name": "t"},
    ])
    gamma = torch.from_numpy(weights["b"]["weight"].copy()).requires_grad_()
    (torch.tanh(torch.cat([torch.relu(x), x * gamma, x], dim=1)) * g).sum().backward()
    assert_close(dx, x, "∂L/∂input")
    assert_close(weight_grads["b"]["weight"], gamma, "∂L/∂γ")


@pytest.mark.parametrize("shape, cut", [([4, 6, 6], {"split": {"sizes": [1, 3]}}), ([5, 4], {"chunk": {"chunks": 2}}),
                                        ([4, 6, 3], {"split": {"sizes": [2, 4], "axis": 1}})])
def test_split_into_two_branches_and_concat(shape, cut):
    """Two branches from one split, joined again in the other order along the same axis."""
    (kind, args), = cut.items()
    axis = args.get("axis", 0) + 1
    x, g, dx, _, _ = graph_gradients(shape, [
        {**cut, "name": "sp"}, {"relu": None, "name": "left", "inputs": "sp.0"},
        {"tanh": None, "name": "right", "inputs": "sp.1"},
        {"permute": {"dims": [axis, *(d for d in range(1, len(shape) + 1) if d != axis)]}, "name": "l", "inputs": "left"},
        {"permute": {"dims": [axis, *(d for d in range(1, len(shape) + 1) if d != axis)]}, "name": "r", "inputs": "right"},
        {"concat": None, "name": "joined", "inputs": ["r", "l"]},
    ])
    parts = torch.split(x, list(args["sizes"]), dim=axis) if kind == "split" else torch.chunk(x, args["chunks"], dim=axis)
    order = (0, axis, *(d for d in range(1, len(shape) + 1) if d != axis))
    joined = torch.cat([torch.tanh(parts[1]).permute(*order), torch.relu(parts[0]).permute(*order)], dim=1)
    (joined * g).sum().backward()
    assert_close(dx, x, "∂L/∂input")


# --- the whole pass through the CLI: every type of this file in one network ---

EVERY_TYPE = {"input": [8, 6, 6], "layers": [
    {"batchnorm": None, "name": "bn"}, {"prelu": {"num_parameters": 8}}, {"lrn": {"size": 3}},
    {"zeropad2d": {"padding": [[1, 0], [2, 1]]}}, {"crop": {"cropping": [[1, 0], [1, 2]]}},
    {"layernorm": None}, {"groupnorm": {"num_groups": 4}}, {"instancenorm": {"affine": True}},
    {"scale": None}, {"stochastic_depth": {"rate": 0.1}, "name": "trunk"},
    {"channel_shuffle": {"groups": 2}}, {"pixel_unshuffle": {"downscale_factor": 2}},
    {"pixel_shuffle": {"upscale_factor": 2}}, {"upsample": {"scale_factor": 1.5, "mode": "bicubic"}},
    {"crop": None, "name": "fit", "inputs": ["upsample_1", "trunk"]},
    {"split": {"sizes": [2, 6]}, "name": "sp"}, {"chunk": {"chunks": 2, "axis": 2}, "name": "ch", "inputs": "sp.1"},
    {"crop": {"size": [1, 1]}, "name": "gate", "inputs": "ch.0"},
    {"multiply": None, "name": "gated", "inputs": ["ch.0", "gate"]},
    {"add": None, "name": "sum", "inputs": ["gated", "gated", "ch.0"]},
    {"upsampling": {"size": [1, 2]}, "name": "wide", "inputs": "sum"},
    {"concat": None, "inputs": ["wide", "bn", "trunk"]},
    {"permute": {"dims": [2, 3, 1]}}, {"reshape": {"shape": [-1, 3]}},
    {"flatten": None}, {"dense": {"units": 5}},
]}


def test_verify_backward_through_every_type():
    from tests.conftest import invoke

    result = invoke("verify", "-", "--backward", stdin=yaml.safe_dump(EVERY_TYPE).encode())
    assert result.code == 0, result.out[-2000:] + result.err
    assert "26 of 26 backward" in result.out, result.out[-500:]
