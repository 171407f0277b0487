"""The backward pass of the windowed layers — convolutions (plain, grouped, depthwise,
separable, transposed) and pools (max, average, global, adaptive) — against torch autograd,
and against Keras' layers (on the torch backend, so autograd still takes the gradients) where
only Keras defines the configuration: `same` with strides, `causal`, transposed valid/same,
pooling `same`. Random configurations from the forward oracle's strategies, then a table of
named cases for the edges: rows floor drops, ties in max pooling, uneven padding."""

import warnings

import pytest

torch = pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")
np = pytest.importorskip("numpy")
keras = pytest.importorskip("keras", reason="the oracle extra is not installed")

import yaml  # noqa: E402
from hypothesis import assume, given, settings, strategies as st  # noqa: E402

from convcalc.engine import analyze  # noqa: E402
from convcalc.layers import REGISTRY  # noqa: E402
from convcalc.runner import Run  # noqa: E402
from convcalc.spec.loader import parse_spec  # noqa: E402
from tests.oracle.test_gradients import ATOL, RTOL, backward_ours, check_gradients  # noqa: E402
from tests.oracle.test_runner_numerics import (  # noqa: E402
    keras_conv_cases, keras_depthwise_cases, keras_layout, keras_pool_same_cases, keras_transposed_cases,
    keras_transposed_layer, same_pads)
from tests.oracle.test_torch_layers import adaptive_configs, conv_configs, pool_configs, transposed_configs  # noqa: E402
from tests.oracle.torch_build import KERAS_FUNCTIONS, load_weights, torch_module  # noqa: E402

# --- random configurations: the forward oracle's strategies, through autograd ---


@given(conv_configs())
@settings(max_examples=60, deadline=None)
def test_conv(config):
    check_gradients(*config)


@given(transposed_configs())
@settings(max_examples=60, deadline=None)
def test_conv_transpose(config):
    check_gradients(*config)


@given(pool_configs())
@settings(max_examples=60, deadline=None)
def test_pool(config):
    assume(not a_window_sees_only_padding(*config))
    check_gradients(*config)


def a_window_sees_only_padding(shape, type_, args):
    """A dilated max-pool window whose taps all land in the padding (k 2, d 2, pad 1 on one
    cell): its output is −inf and PyTorch routes its gradient through an index past the row —
    into the next example's cells — where the runner gives it to no cell. Not compared (every
    window start inside the padded row is tried: a few more configurations are left out)."""
    if not type_.startswith("maxpool") or isinstance(args["padding"], str):
        return False

    def on_axis(value, i):
        return value[i] if isinstance(value, list) else value

    stride = args["stride"] if args["stride"] is not None else args["pool_size"]
    for i, n in enumerate(shape[1:]):
        (k, d, p), s = (on_axis(args[a], i) for a in ("pool_size", "dilation", "padding")), on_axis(stride, i)
        for start in range(-p, n + p, s):
            if all(not 0 <= start + t * d < n for t in range(k)):
                return True
    return False


@given(adaptive_configs())
@settings(max_examples=60, deadline=None)
def test_adaptive_pool(config):
    check_gradients(*config)


@given(st.sampled_from(["global_avgpool", "global_maxpool"]), st.integers(1, 4),
       st.lists(st.integers(1, 7), min_size=1, max_size=3))
@settings(max_examples=30, deadline=None)
def test_global_pool(type_, channels, spatial):
    check_gradients([channels, *spatial], type_, {})


@given(st.data())
@settings(max_examples=30, deadline=None)
def test_depthwise_and_separable(data):
    m = data.draw(st.integers(1, 3))
    args = {"kernel_size": data.draw(st.integers(1, 4)), "stride": data.draw(st.integers(1, 2)),
            "padding": data.draw(st.integers(0, 2)), "dilation": data.draw(st.integers(1, 2)), "depth_multiplier": m,
            "bias": data.draw(st.booleans())}
    shape = [data.draw(st.integers(1, 4)), data.draw(st.integers(3, 9)), data.draw(st.integers(3, 9))]
    check_gradients(shape, "depthwise_conv2d", args)
    check_gradients(shape, "separable_conv2d", {**args, "filters": data.draw(st.integers(1, 4))})


# --- named cases: the edges ---

CASES = [
    # the course's layer: mnist_cnn's conv2d_2, 64 kernels of 32×5×5 on 32×14×14
    {"name": "mnist conv2d_2", "type": "conv2d", "shape": [32, 14, 14], "args": {"filters": 64, "kernel_size": 5}},
    {"name": "floor drops a row and a column", "type": "conv2d", "shape": [2, 8, 9],
     "args": {"filters": 3, "kernel_size": 3, "stride": 2}},
    {"name": "floor drops with padding and dilation", "type": "conv1d", "shape": [2, 13],
     "args": {"filters": 2, "kernel_size": 3, "stride": 3, "padding": 1, "dilation": 2}},
    {"name": "groups", "type": "conv2d", "shape": [6, 7, 7], "args": {"filters": 9, "kernel_size": 3, "groups": 3}},
    {"name": "groups = channels", "type": "conv1d", "shape": [4, 9], "args": {"filters": 8, "kernel_size": 2, "groups": 4}},
    {"name": "same, stride 1, even kernel", "type": "conv2d", "shape": [2, 6, 5],
     "args": {"filters": 2, "kernel_size": 4, "padding": "same"}},
    {"name": "3-D, no bias", "type": "conv3d", "shape": [2, 5, 4, 6],
     "args": {"filters": 3, "kernel_size": [2, 3, 1], "stride": [1, 2, 2], "padding": [1, 0, 1], "bias": False}},
    {"name": "1×1", "type": "conv2d", "shape": [5, 4, 4], "args": {"filters": 3, "kernel_size": 1}},
    {"name": "transposed, output_padding", "type": "conv_transpose2d", "shape": [3, 4, 5],
     "args": {"filters": 2, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1}},
    {"name": "transposed, padding past the kernel's reach", "type": "conv_transpose1d", "shape": [2, 6],
     "args": {"filters": 3, "kernel_size": 2, "stride": 3, "padding": 2, "dilation": 2, "output_padding": 1}},
    {"name": "transposed, groups", "type": "conv_transpose3d", "shape": [4, 2, 3, 2],
     "args": {"filters": 2, "kernel_size": 2, "stride": 2, "groups": 2}},
    {"name": "depthwise, multiplier 2", "type": "depthwise_conv2d", "shape": [3, 7, 6],
     "args": {"kernel_size": 3, "stride": 2, "padding": 1, "depth_multiplier": 2}},
    {"name": "separable", "type": "separable_conv2d", "shape": [3, 7, 6],
     "args": {"filters": 4, "kernel_size": 3, "dilation": 2, "depth_multiplier": 2}},
    {"name": "max pool, ceil_mode hangs past the end", "type": "maxpool2d", "shape": [2, 7, 8],
     "args": {"pool_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}},
    {"name": "max pool, dilation", "type": "maxpool1d", "shape": [2, 12],
     "args": {"pool_size": 3, "stride": 2, "dilation": 3, "padding": 1}},
    {"name": "max pool, overlapping windows", "type": "maxpool3d", "shape": [1, 5, 5, 5],
     "args": {"pool_size": 3, "stride": 1}},
    {"name": "avg pool, count_include_pad false, ceil_mode", "type": "avgpool2d", "shape": [2, 7, 6],
     "args": {"pool_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False}},
    {"name": "avg pool, padding counted", "type": "avgpool1d", "shape": [2, 9],
     "args": {"pool_size": 4, "stride": 3, "padding": 2}},
    {"name": "avg pool 3-D", "type": "avgpool3d", "shape": [2, 4, 5, 6], "args": {"pool_size": 2, "padding": 1}},
    {"name": "adaptive avg, overlapping bins", "type": "adaptive_avgpool2d", "shape": [2, 5, 7],
     "args": {"output_size": [3, 4]}},
    {"name": "adaptive max, more bins than cells", "type": "adaptive_maxpool1d", "shape": [2, 4],
     "args": {"output_size": 7}},
    {"name": "adaptive max 3-D", "type": "adaptive_maxpool3d", "shape": [2, 5, 4, 7], "args": {"output_size": [2, 3, 3]}},
]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_named_case(case):
    check_gradients(case["shape"], case["type"], case["args"])


@pytest.mark.parametrize("shape, args, dropped", [
    ([1, 8, 8], {"filters": 2, "kernel_size": 3, "stride": 2}, (slice(7, None), slice(7, None))),
    ([1, 10, 11], {"filters": 1, "kernel_size": 3, "stride": 3}, (slice(9, None), slice(9, None))),
])
def test_rows_floor_drops_get_zero_gradient(shape, args, dropped):
    """The cells no window reaches (floor dropped them) take no part in L: their gradient is 0."""
    _, gradient = backward_ours(shape, "conv2d", args)
    dx = gradient.input_grads[0]
    assert not dx[:, :, dropped[0], :].any() and not dx[:, :, :, dropped[1]].any()
    assert dx[:, :, :dropped[0].start, :dropped[1].start].all()


@pytest.mark.parametrize("activation", ["relu", "tanh", "softmax", "gelu", "hard_silu"])
@pytest.mark.parametrize("type_, shape, args", [
    ("conv2d", [3, 6, 6], {"filters": 4, "kernel_size": 3}),
    ("conv_transpose1d", [3, 5], {"filters": 2, "kernel_size": 3, "stride": 2}),
    ("depthwise_conv2d", [2, 5, 5], {"kernel_size": 3, "depth_multiplier": 2}),
    ("separable_conv2d", [2, 5, 5], {"filters": 3, "kernel_size": 3}),
])
def test_activation_argument(type_, shape, args, activation):
    """Keras' `activation:` argument: torch applies the function after the module."""
    forward, gradient = backward_ours(shape, type_, {**args, "activation": activation})
    module = torch_module(type_, args, tuple(shape))
    load_weights(module, type_, forward.weights)
    x = torch.from_numpy(gradient.inputs[0].copy()).requires_grad_()
    (KERAS_FUNCTIONS[activation]()(module(x)) * torch.from_numpy(gradient.output_grads[0])).sum().backward()
    np.testing.assert_allclose(gradient.input_grads[0], x.grad.numpy(), rtol=RTOL, atol=ATOL)


# --- ties in max pooling: PyTorch routes the gradient to the first maximum in the window ---


def ours_on(type_, args, x, grad):
    """∂L/∂X of a one-layer net on a chosen input and ∂L/∂Y."""
    text = yaml.safe_dump({"input": list(x.shape[1:]), "layers": [{type_: args}]})
    (result,) = analyze(parse_spec(text)).layers
    run = Run(result, [x], (0, 0), backward=True)
    layer = REGISTRY[result.spec.type]
    run.outputs = (layer.forward(run),)
    (dx,) = layer.backprop(run, (grad,))
    return dx


@pytest.mark.parametrize("type_, shape, args", [
    ("maxpool2d", [2, 6, 7], {"pool_size": 2}),
    ("maxpool2d", [2, 7, 7], {"pool_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ("maxpool1d", [3, 11], {"pool_size": 3, "stride": 1, "dilation": 2}),
    ("maxpool3d", [1, 4, 5, 4], {"pool_size": 2, "stride": 1}),
    ("adaptive_maxpool2d", [2, 7, 5], {"output_size": [3, 2]}),
    ("adaptive_maxpool1d", [2, 5], {"output_size": 3}),
    ("adaptive_maxpool3d", [1, 4, 5, 3], {"output_size": [3, 2, 2]}),
    ("global_maxpool", [3, 4, 5], {}),
])
@pytest.mark.parametrize("levels", [1, 2, 3])
def test_max_pool_ties_go_to_the_first_maximum(type_, shape, args, levels):
    """Inputs of one to three distinct values: nearly every window has a tie."""
    rng = np.random.default_rng(levels)
    x = rng.integers(0, levels, (2, *shape)).astype(np.float32)
    module = torch_module(type_, args, tuple(shape))
    t = torch.from_numpy(x.copy()).requires_grad_()
    y = module(t)
    grad = rng.standard_normal(tuple(y.shape), dtype=np.float32)
    y.backward(torch.from_numpy(grad))
    np.testing.assert_allclose(ours_on(type_, args, x, grad), t.grad.numpy(), rtol=RTOL, atol=ATOL)


# --- configurations only Keras defines: its layer on the torch backend, through autograd ---


def check_keras_gradients(input_shape, type_, args, layer):
    """The runner's ∂L/∂X and weight gradients against autograd through the Keras layer with
    the same weights (channels last: moved there and back)."""
    ours = backward_ours(input_shape, type_, args)
    if ours is None:
        return
    forward, gradient = ours
    x = torch.from_numpy(np.ascontiguousarray(np.moveaxis(gradient.inputs[0], 1, -1))).requires_grad_()
    layer.build(tuple(x.shape))
    keras_layout.multiplier = args.get("depth_multiplier", 1)
    if forward.weights:
        layer.set_weights(keras_layout(type_, forward.weights))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = layer(x)
    if any("inconsistencies across backends" in str(w.message) or "Clamping" in str(w.message) for w in caught):
        return  # Keras cannot follow TensorFlow's rule here: checked by test_keras_transposed_rule
    out = gradient.output_grads[0]
    if any(s > 1 and o == 1 for s, o in zip(_strides(args, len(input_shape) - 1), out.shape[2:])):
        return  # Keras 3 on torch computes wrong values there (test_runner_numerics says so too)
    (y * torch.from_numpy(np.ascontiguousarray(np.moveaxis(out, 1, -1)))).sum().backward()
    where = f"{type_} {args} on {input_shape}"
    np.testing.assert_allclose(gradient.input_grads[0], np.moveaxis(x.grad.numpy(), -1, 1), rtol=RTOL, atol=ATOL,
                               err_msg=f"∂L/∂X: {where}")
    expected = [w.value.grad.numpy() for w in layer.weights]
    for ours_, theirs in zip(keras_layout(type_, gradient.weight_grads) if expected else [], expected, strict=True):
        np.testing.assert_allclose(ours_, theirs, rtol=RTOL, atol=ATOL, err_msg=f"weights: {where}")


def _strides(args, rank):
    stride = args.get("stride", 1)
    return stride if isinstance(stride, list) else [stride] * rank


@given(keras_conv_cases())
@settings(max_examples=40, deadline=None)
def test_keras_conv_same_and_causal(case):
    check_keras_gradients(*case)


@given(keras_depthwise_cases())
@settings(max_examples=30, deadline=None)
def test_keras_depthwise_separable(cases):
    for case in cases:
        check_keras_gradients(*case)


@given(keras_transposed_cases())
@settings(max_examples=40, deadline=None)
def test_keras_conv_transpose(case):
    shape, args = case
    check_keras_gradients(shape, "conv_transpose2d", args, keras_transposed_layer(args))


@given(keras_transposed_cases())
@settings(max_examples=40, deadline=None)
def test_keras_transposed_rule(case):
    """TensorFlow's definition where Keras on torch cannot follow it: output cell t is cell
    t + (the `same` pad before) of PyTorch's unpadded transposed conv (zeros past its end),
    written with torch ops, through autograd."""
    shape, args = case
    ours = backward_ours(shape, "conv_transpose2d", args)
    if ours is None:
        return
    forward, gradient = ours
    out = gradient.output_grads[0].shape[2:]
    strides, kernel = args["stride"], args["kernel_size"]
    pads = [same_pads(o, k, s) if args["padding"] == "same" else (0, 0) for o, k, s in zip(out, kernel, strides)]
    sizes = [(o + lo + hi - k) // s + 1 for o, (lo, hi), k, s in zip(out, pads, kernel, strides)]
    if sizes != shape[1:]:
        return  # TensorFlow defines the transpose only where the conv it inverts gives back the input
    x = torch.from_numpy(gradient.inputs[0].copy()).requires_grad_()
    w = torch.from_numpy(forward.weights["weight"].copy()).requires_grad_()
    b = torch.from_numpy(forward.weights["bias"].copy()).requires_grad_()
    full = torch.nn.functional.conv_transpose2d(x, w, stride=strides)
    full = torch.nn.functional.pad(full, [0, max(out[1] + pads[1][0] - full.shape[3], 0),
                                          0, max(out[0] + pads[0][0] - full.shape[2], 0)])
    y = full[:, :, pads[0][0]:pads[0][0] + out[0], pads[1][0]:pads[1][0] + out[1]] + b.reshape(1, -1, 1, 1)
    (y * torch.from_numpy(gradient.output_grads[0])).sum().backward()
    np.testing.assert_allclose(gradient.input_grads[0], x.grad.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(gradient.weight_grads["weight"], w.grad.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(gradient.weight_grads["bias"], b.grad.numpy(), rtol=RTOL, atol=ATOL)


@given(keras_pool_same_cases())
@settings(max_examples=40, deadline=None)
def test_keras_pool_same(case):
    """Keras' `same` pooling; uneven average pooling against TensorFlow's rule built from torch
    ops (Keras on torch averages replicated edge cells in: test_runner_numerics says why)."""
    kind, shape, args, pads = case
    pool, strides = args["pool_size"], args["stride"]
    if kind == "max" or all(lo == hi for lo, hi in pads):
        cls = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
        check_keras_gradients(shape, f"{kind}pool2d", args, cls(pool, strides=strides, padding="same"))
        return
    _, gradient = backward_ours(shape, "avgpool2d", args)
    flat = [v for lo, hi in reversed(pads) for v in (lo, hi)]
    x = torch.from_numpy(gradient.inputs[0].copy()).requires_grad_()
    total = torch.nn.functional.avg_pool2d(torch.nn.functional.pad(x, flat), pool, strides, divisor_override=1)
    count = torch.nn.functional.avg_pool2d(torch.nn.functional.pad(torch.ones(1, 1, *shape[1:]), flat), pool, strides,
                                           divisor_override=1)
    (total / count * torch.from_numpy(gradient.output_grads[0])).sum().backward()
    np.testing.assert_allclose(gradient.input_grads[0], x.grad.numpy(), rtol=RTOL, atol=ATOL)
