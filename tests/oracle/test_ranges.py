"""convcalc's float ranges against the frameworks' own checks: where PyTorch or Keras refuses a
value (or computes NaN from it), convcalc refuses it too; at the allowed edge, both accept.
Where convcalc is stricter than a framework the row says so, with the framework it follows."""

import math
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
torch = pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")
keras = pytest.importorskip("keras", reason="the oracle extra is not installed: pip install -e '.[oracle]'")

from torch import nn  # noqa: E402

from convcalc.errors import SpecError  # noqa: E402
from tests.oracle.common import convcalc_layer  # noqa: E402

X = torch.randn(2, 4, 5, 5)


def batchnorm_training(eps):
    return nn.BatchNorm2d(4, eps=eps).train()(X)


def lrn(**args):
    """PyTorch accepts every LRN argument; a negative base gives NaN, which counts as refusing."""
    out = nn.LocalResponseNorm(3, **args)(X)
    if torch.isnan(out).any():
        raise ValueError("NaN output")
    return out


CASES = [
    # (convcalc type, args, the framework's call on the same value, does the framework refuse?)
    ("dropout", {"rate": 1.5}, lambda: nn.Dropout(1.5), True),
    ("dropout", {"rate": -0.1}, lambda: nn.Dropout(-0.1), True),
    ("dropout", {"rate": 0.0}, lambda: nn.Dropout(0.0), False),
    ("dropout", {"rate": 0.999}, lambda: nn.Dropout(0.999), False),
    ("Dropout2d", {"p": 1.5}, lambda: nn.Dropout2d(1.5), True),
    ("SpatialDropout2D", {"rate": 1.5}, lambda: keras.layers.SpatialDropout2D(1.5), True),
    ("Dropout", {"rate": 1.5}, lambda: keras.layers.Dropout(1.5), True),
    ("batchnorm", {"eps": -1.0}, lambda: batchnorm_training(-1.0), True),
    ("batchnorm", {"eps": 0.0}, lambda: batchnorm_training(0.0), True),  # PyTorch: "eps must be positive during training"
    ("batchnorm", {"eps": 1e-12}, lambda: batchnorm_training(1e-12), False),
    ("lrn", {"k": -1.0}, lambda: lrn(k=-1.0), True),
    ("lrn", {"alpha": -1.0}, lambda: lrn(alpha=-1.0), True),
    ("lrn", {"k": 1e-9}, lambda: lrn(k=1e-9), False),
    ("lrn", {"alpha": 0.0}, lambda: lrn(alpha=0.0), False),
    ("leaky_relu", {"negative_slope": -0.5}, lambda: keras.layers.LeakyReLU(negative_slope=-0.5), True),
    ("leaky_relu", {"negative_slope": 0.0}, lambda: keras.layers.LeakyReLU(negative_slope=0.0), False),
]


@pytest.mark.parametrize("type_, args, framework, refuses", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_range_agrees_with_the_framework(type_, args, framework, refuses):
    try:
        framework()
        framework_refuses = False
    except (ValueError, RuntimeError):
        framework_refuses = True
    assert framework_refuses is refuses, "the framework changed its check: revisit this range"
    ours = convcalc_layer([4, 5, 5], type_, args)
    assert isinstance(ours, SpecError) is refuses, ours
    if refuses:
        assert "must be a number" in str(ours) and "\n" not in str(ours)


STRICTER = [
    # (convcalc type, args, the framework call it accepts, why convcalc refuses)
    ("dropout", {"rate": 1.0}, lambda: nn.Dropout(1.0)(X), "TensorFlow's tf.nn.dropout range [0, 1)"),
    ("leaky_relu", {"negative_slope": -0.5}, lambda: nn.LeakyReLU(-0.5)(X), "Keras' LeakyReLU check"),
    ("batchnorm", {"momentum": 1.5}, lambda: nn.BatchNorm2d(4, momentum=1.5)(X), "a running-average weight"),
    ("elu", {"alpha": -1.0}, lambda: nn.ELU(-1.0)(X), "the ELU paper's α ≥ 0"),
    ("lrn", {"beta": -0.5}, lambda: nn.LocalResponseNorm(3, beta=-0.5)(X), "β ≥ 0 normalises"),
]


@pytest.mark.parametrize("type_, args, framework, why", STRICTER, ids=[f"{c[0]}{c[1]}" for c in STRICTER])
def test_where_convcalc_is_stricter_than_pytorch(type_, args, framework, why):
    with torch.no_grad():
        out = framework()
    assert not torch.isnan(out).any() and math.isfinite(float(out.abs().max()))
    assert isinstance(convcalc_layer([4, 5, 5], type_, args), SpecError), why
