"""Numerical truth of the NumPy backward pass: identical weights, input and ∂L/∂Y through the
runner's `backprop` and through torch autograd; ∂L/∂X and every weight's gradient must agree
within rtol=1e-4, atol=1e-4 in float32 (gradients sum over the batch and the output cells, so
the absolute tolerance is a little wider than the forward's)."""

import pytest

torch = pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")
np = pytest.importorskip("numpy")

import yaml  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

from convcalc.engine import analyze  # noqa: E402
from convcalc.errors import SpecError  # noqa: E402
from convcalc.layers import REGISTRY  # noqa: E402
from convcalc.runner.backward import run_backward  # noqa: E402
from convcalc.spec.loader import parse_spec  # noqa: E402
from tests.oracle.common import one_layer_net  # noqa: E402
from tests.oracle.test_registry import accepted_shape, smallest_args  # noqa: E402
from tests.oracle.torch_build import KerasOnly, MERGES, load_weights, outputs, torch_module, weight_targets  # noqa: E402

RTOL, ATOL = 1e-4, 1e-4


def backward_ours(input_shape, type_, args, batch=2, seed=0):
    """(forward run, gradient run) of a one-layer network through the runner, or None if invalid."""
    try:
        net = one_layer_net(input_shape, type_, args)
    except SpecError:
        return None
    (forward,), (gradient,) = run_backward(net, seed=seed, batch=batch, keep=True)
    assert forward.ok and gradient.ok, (forward, gradient.error)
    return forward, gradient


def check_gradients(input_shape, type_, args):
    """The runner's gradients against autograd's for the torch module PyTorch users would write;
    configurations only Keras defines are left to the Keras checks.

    The truth is autograd in float64. A gradient agrees within the tolerance, or at most twice as
    far from the truth as PyTorch's own float32 gradient: a normalisation of a few close values is
    ill-conditioned (float32's rounding of x − mean divided by a small σ twice), and there PyTorch's
    float32 kernel itself parts from the truth by more than the tolerance."""
    ours = backward_ours(input_shape, type_, args)
    if ours is None:
        return
    forward, gradient = ours
    try:
        truth, float32 = (autograd(type_, args, input_shape, forward.weights, gradient, dtype)
                          for dtype in (torch.float64, torch.float32))
    except KerasOnly:
        return
    found = {"X": gradient.input_grads[0], **gradient.weight_grads}
    where = f"{type_} {args} on {input_shape}"
    assert set(found) == set(truth), (where, sorted(found), sorted(truth))
    for name, value in found.items():
        error, theirs = np.abs(value - truth[name]), np.abs(float32[name] - truth[name]).max()
        allowed = np.maximum(ATOL + RTOL * np.abs(truth[name]), 2 * theirs)
        assert (error <= allowed).all(), f"∂L/∂{name}: {where}: {error.max()} (PyTorch's float32: {theirs})"


def autograd(type_, args, input_shape, weights, gradient, dtype):
    """∂L/∂X and ∂L/∂(each trainable weight, by the runner's names) through the torch module in
    `dtype`, with the runner's weights, input and ∂L/∂(each output)."""
    module = torch_module(type_, args, tuple(input_shape))
    load_weights(module, type_, weights)
    module.to(dtype).eval()  # inference: dropout is the identity, batchnorm uses its running statistics
    x = torch.from_numpy(gradient.inputs[0]).to(dtype).requires_grad_()
    loss = sum((out * torch.from_numpy(g).to(dtype)).sum() for out, g in zip(outputs(module(x)), gradient.output_grads))
    loss.backward()
    targets = weight_targets(module, type_)
    return {"X": x.grad.numpy(), **{n: t.grad.numpy() for n, t in targets.items() if t is not None and t.requires_grad}}


@pytest.mark.parametrize("type_name", sorted(REGISTRY))
def test_every_type_has_a_backward_pass(type_name):
    """Registry-driven: a new layer type fails here until it has its backprop."""
    assert REGISTRY[type_name].backprop is not None, f"{type_name} has a forward but no backprop"


@pytest.mark.parametrize("type_name", sorted(set(REGISTRY) - set(MERGES)))
def test_every_type_agrees_with_autograd(type_name):
    args = smallest_args(type_name)
    check_gradients(accepted_shape(type_name, args), type_name, args)


@given(st.integers(1, 40), st.integers(1, 12), st.booleans(), st.sampled_from([None, "relu", "tanh", "softmax"]))
@settings(max_examples=25)
def test_dense(features, units, bias, activation):
    if activation:  # Keras' `activation:` argument: torch applies the function after the layer
        check_dense_with_activation(features, units, bias, activation)
    else:
        check_gradients([features], "dense", {"units": units, "bias": bias})


def check_dense_with_activation(features, units, bias, activation):
    forward, gradient = backward_ours([features], "dense", {"units": units, "bias": bias, "activation": activation})
    module = torch.nn.Linear(features, units, bias=bias)
    load_weights(module, "dense", forward.weights)
    x = torch.from_numpy(gradient.inputs[0].copy()).requires_grad_()
    function = {"relu": torch.relu, "tanh": torch.tanh, "softmax": lambda y: torch.softmax(y, dim=1)}[activation]
    (function(module(x)) * torch.from_numpy(gradient.output_grads[0])).sum().backward()
    np.testing.assert_allclose(gradient.input_grads[0], x.grad.numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(gradient.weight_grads["weight"], module.weight.grad.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("type_, args", [
    ("relu", {}), ("relu6", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.7}),
    ("gelu", {}), ("silu", {}), ("sigmoid", {}), ("tanh", {}), ("softmax", {}), ("dropout", {"rate": 0.3}),
    ("hardsigmoid", {}), ("hardswish", {}), ("mish", {}), ("identity", {}), ("flatten", {}),
])
@pytest.mark.parametrize("shape", [[5, 7], [6, 5, 4], [3, 3, 4, 5]])
def test_elementwise(type_, args, shape):
    check_gradients(shape, type_, args)


def test_activation_kinks_at_their_ends():
    """Values at and around each kink (0 for ReLU, ±3 for the hard functions, 6 for ReLU6),
    where a derivative written from the formula and autograd's rule most easily part."""
    x = np.array([-4, -3, -2.5, -1e-3, 0, 1e-3, 2.5, 3, 4, 5.9, 6, 6.1], dtype=np.float32).reshape(1, 1, -1)
    for type_ in ("relu", "relu6", "hardsigmoid", "hardswish", "leaky_relu", "elu"):
        text = yaml.safe_dump({"input": [1, x.shape[2]], "layers": [{type_: None}]})
        run = _run_on(analyze(parse_spec(text)), x)
        module = torch_module(type_, {}, (1, x.shape[2]))
        t = torch.from_numpy(x.copy()).requires_grad_()
        module(t).backward(torch.ones_like(t))
        np.testing.assert_allclose(run, t.grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=type_)


def _run_on(net, x):
    """∂L/∂X for L = Σ Y of a one-layer activation net on a chosen input."""
    from convcalc.runner import Run

    (result,) = net.layers
    run = Run(result, [x], (0, 0), backward=True)
    run.outputs = (REGISTRY[result.spec.type].forward(run),)
    (grad,) = REGISTRY[result.spec.type].backprop(run, (np.ones_like(x),))
    return grad
