"""Activation functions by name, in one table: the activation layer types (`relu`, …), Keras'
`Activation('relu')` layer and Keras' `activation: relu` argument of convolutions and dense
layers all apply the same function for the same name."""

from __future__ import annotations

from functools import cache
from typing import Any, Callable, Mapping

from convcalc.layers.base import Arg, RuleContext

NAMES = ("linear", "relu", "relu6", "leaky_relu", "elu", "gelu", "silu", "swish", "sigmoid", "tanh", "softmax",
         "hard_sigmoid", "hard_silu", "hard_swish", "mish")
# `activation: leaky_relu` is Keras' function, so it takes keras.activations' defaults; the
# `leaky_relu` layer takes PyTorch's (0.01), as its own `negative_slope` default says.
KERAS_PARAMS: Mapping[str, Any] = {"negative_slope": 0.2, "alpha": 1.0}
# input-sized arrays each function holds at once beyond its output (verify's memory estimate)
COPIES: Mapping[str, float] = {"linear": 0, "relu": 0, "relu6": 0, "leaky_relu": 1.25, "elu": 2.25,
                               "gelu": 7, "silu": 2, "swish": 2, "sigmoid": 2, "tanh": 0, "softmax": 2,
                               "hard_sigmoid": 0, "hard_silu": 0, "hard_swish": 0, "mish": 1}


def activation_arg(required: bool = False) -> Arg:
    if required:  # Keras' Activation layer
        return Arg("activation", "choice", choices=NAMES,
                   help="the function for every value: relu, softmax, another from the list, or linear (none)")
    return Arg("activation", "choice", None, choices=NAMES,
               help="applied to every output in this layer, as Keras does; linear or null: none")


def applied(ctx: RuleContext) -> tuple[tuple[str, Any], ...]:
    """The `extra` entry (`activation: relu`) and the note of an `activation:` argument, or ()
    when the layer has none (`linear`, `null`)."""
    name = ctx.args.get("activation")
    if name in (None, "linear"):
        return ()
    ctx.note("note.activation_argument", name=name)
    return (("activation", name),)


def temporaries(name: str | None, output_values: int) -> int:
    """What applying `name` inside a layer adds to its peak: the activated copy of the output
    and the function's own intermediates."""
    return 0 if name is None else int((1 + COPIES[name]) * output_values)


def apply(name: str | None, x: Any, params: Mapping[str, Any] = KERAS_PARAMS) -> Any:
    """`name` applied to the NumPy array `x` (channels on axis 1), in x's dtype."""
    if name is None:
        return x
    return _functions()[name](x, params).astype(x.dtype, copy=False)


@cache
def _functions() -> dict[str, Callable[[Any, Mapping[str, Any]], Any]]:
    import numpy as np

    from convcalc import numpy_ops

    f32 = np.float32

    def softmax(x, p):  # over channels, axis 1 (PyTorch dim=1; Keras' axis=-1 channels-last)
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def gelu(x, p):  # exact: x·Φ(x) = x·(1 + erf(x/√2))/2, both frameworks; in place after erf
        out = numpy_ops.erf(x * f32(1 / np.sqrt(2)))
        out += f32(1)
        out *= f32(0.5)
        out *= x
        return out

    def silu(x, p):
        return x / (1 + np.exp(-x))

    def hard_sigmoid(x, p):  # relu6(x + 3)/6: PyTorch's Hardsigmoid and Keras 3's hard_sigmoid (Keras 2 had 0.2·x + 0.5)
        out = x + f32(3)
        np.clip(out, 0, 6, out=out)
        out /= f32(6)
        return out

    def hard_silu(x, p):  # x·hard_sigmoid(x): PyTorch's Hardswish (MobileNetV3)
        out = hard_sigmoid(x, p)
        out *= x
        return out

    def mish(x, p):  # x·tanh(softplus(x)); logaddexp(0, x) is softplus without exp's overflow
        out = np.logaddexp(f32(0), x)
        np.tanh(out, out=out)
        out *= x
        return out

    return {
        "linear": lambda x, p: x.copy(),
        "relu": lambda x, p: np.maximum(x, 0),
        "relu6": lambda x, p: np.clip(x, 0, 6),
        "leaky_relu": lambda x, p: np.where(x > 0, x, x * f32(p["negative_slope"])),
        "elu": lambda x, p: np.where(x > 0, x, f32(p["alpha"]) * np.expm1(np.minimum(x, 0))),
        "gelu": gelu,
        "silu": silu,
        "swish": silu,
        "sigmoid": lambda x, p: 1 / (1 + np.exp(-x)),
        "tanh": lambda x, p: np.tanh(x),
        "softmax": softmax,
        "hard_sigmoid": hard_sigmoid,
        "hard_silu": hard_silu,
        "hard_swish": hard_silu,
        "mish": mish,
    }


def gradient(name: str, x: Any, y: Any, grad: Any, params: Mapping[str, Any] = KERAS_PARAMS) -> Any:
    """∂L/∂x from ∂L/∂y for y = name(x): each function's derivative as PyTorch's autograd takes
    it, the kinks included (ReLU's at 0 is 0; relu6 and hard_sigmoid pass nothing at their ends)."""
    return _derivatives()[name](x, y, grad, params).astype(x.dtype, copy=False)


@cache
def _derivatives() -> dict[str, Callable[[Any, Any, Any, Mapping[str, Any]], Any]]:
    import numpy as np

    from convcalc import numpy_ops

    f32 = np.float32

    def gelu(x, y, g, p):  # d/dx x·Φ(x) = Φ(x) + x·φ(x)
        cdf = (numpy_ops.erf(x * f32(1 / np.sqrt(2))) + f32(1)) * f32(0.5)
        return g * (cdf + x * np.exp(-x * x / f32(2)) * f32(1 / np.sqrt(2 * np.pi)))

    def silu(x, y, g, p):  # σ(x)·(1 + x·(1 − σ(x)))
        s = 1 / (1 + np.exp(-x))
        return g * s * (1 + x * (1 - s))

    def softmax(x, y, g, p):  # the Jacobian diag(y) − y·yᵀ over channels, applied to g
        return y * (g - (g * y).sum(axis=1, keepdims=True))

    def mish(x, y, g, p):  # tanh(sp) + x·σ(x)·(1 − tanh²(sp)), sp = softplus(x): PyTorch's mish_backward
        t = np.tanh(np.logaddexp(f32(0), x))
        return g * (t + x / (1 + np.exp(-x)) * (1 - t * t))

    def hard_silu(x, y, g, p):  # 0 up to −3, (2x + 3)/6 between, 1 from 3 on: PyTorch's hardswish_backward
        return g * np.where(x <= -3, f32(0), np.where(x < 3, (2 * x + 3) / f32(6), f32(1)))

    return {
        "linear": lambda x, y, g, p: g,
        "relu": lambda x, y, g, p: g * (x > 0),
        "relu6": lambda x, y, g, p: g * ((x > 0) & (x < 6)),
        "leaky_relu": lambda x, y, g, p: np.where(x > 0, g, g * f32(p["negative_slope"])),
        "elu": lambda x, y, g, p: np.where(x > 0, g, g * f32(p["alpha"]) * np.exp(np.minimum(x, 0))),
        "gelu": gelu,
        "silu": silu,
        "swish": silu,
        "sigmoid": lambda x, y, g, p: g * y * (1 - y),
        "tanh": lambda x, y, g, p: g * (1 - y * y),
        "softmax": softmax,
        "hard_sigmoid": lambda x, y, g, p: g * ((x > -3) & (x < 3)) / f32(6),
        "hard_silu": hard_silu,
        "hard_swish": hard_silu,
        "mish": mish,
    }
