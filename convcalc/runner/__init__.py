"""The NumPy reference runner: a real forward pass of a network with random weights.

Each layer type's forward lives beside its shape rule in `convcalc/layers/` and builds its own
weights through `Run.param`, with the kernel shapes the engine reports; the runner counts the
elements it actually created, so the parameter check does not lean on the engine's formula.
"""

from __future__ import annotations

import time
from functools import cached_property
from math import prod, sqrt
from typing import TYPE_CHECKING, Any, Callable, Mapping

import numpy as np

from convcalc.engine import LayerResult, Network
from convcalc.layers import REGISTRY, activations
from convcalc.layers.base import RuleContext
from convcalc.record import field, record
from convcalc.runner.memory import Estimate

if TYPE_CHECKING:
    from convcalc.runner.backward import GradientRun

SQRT3 = sqrt(3.0)  # U(−a, a) has standard deviation a/√3
CHUNK = 1 << 16  # weights drawn 256 KiB at a time, so each chunk is scaled while in cache


@record(frozen=False, kw_only=False)
class Run:
    """One layer's forward — its inputs, arguments, the engine's prediction and its weights — and,
    with `verify --backward`, what its backprop reads (outputs, saved values) and the weights' gradients."""

    result: LayerResult
    inputs: list[np.ndarray]
    seed: tuple[int, int]  # (run seed, layer position): each layer's weights have their own stream
    params: dict[str, np.ndarray] = field(default_factory=dict)
    trainable: int = 0
    non_trainable: int = 0
    init_seconds: float = 0.0  # time spent drawing weights, left out of the layer's timing
    backward: bool = False  # `verify --backward`: the forward keeps what its backprop reads
    saved: dict[str, np.ndarray] = field(default_factory=dict)  # e.g. the pre-activation output
    outputs: tuple[np.ndarray, ...] = ()  # set after the forward, for the backprop
    grads: dict[str, np.ndarray] = field(default_factory=dict)  # ∂L/∂(each trainable weight), by name
    trainable_names: set[str] = field(default_factory=set)

    @property
    def x(self) -> np.ndarray:
        return self.inputs[0]

    @property
    def args(self) -> Mapping[str, Any]:
        return self.result.spec.args

    @cached_property
    def rng(self) -> np.random.Generator:
        """Made on first use: most layers have no weights, and a generator costs ~20 µs."""
        return np.random.default_rng(list(self.seed))

    def context(self) -> RuleContext:
        """The engine's view of this layer, to reuse its padding and per-axis helpers."""
        shapes = tuple(tuple(a.shape[1:]) for a in self.inputs)
        return RuleContext(type_name=self.result.spec.type, args=dict(self.args), input_shapes=shapes,
                           input_names=self.result.spec.inputs)

    def param(self, name: str, shape: tuple[int, ...], kind: str = "weight", trainable: bool = True) -> np.ndarray:
        """A random float32 array, counted as a (non-)trainable parameter.

        weight: uniform with He's variance 2/fan-in, so activations stay O(1) through deep nets
        (a uniform draw is 3–5× faster than a normal one, and only the variance matters here);
        bias, shift, mean: small, centred; scale, var: in [0.5, 1.5).
        """
        start = time.perf_counter()
        if kind == "weight":
            array = self._uniform(shape, -0.5, SQRT3 * sqrt(2.0 / max(prod(shape[1:]), 1)) * 2)
        elif kind in ("scale", "var"):
            array = self._uniform(shape, 0.5, 1.0)
        else:
            array = self._uniform(shape, -0.5, 0.2 * SQRT3)  # standard deviation 0.1
        self.init_seconds += time.perf_counter() - start
        self.params[name] = array
        if trainable:
            self.trainable += array.size
            self.trainable_names.add(name)
        else:
            self.non_trainable += array.size
        return array

    def activate(self, out: np.ndarray) -> np.ndarray:
        """A weighted layer's `activation:` applied to its output; the output before it is kept
        when a backward pass will need it."""
        name = self.args.get("activation")
        if name and self.backward:
            self.saved["pre_activation"] = out
        return activations.apply(name, out)

    def through_activation(self, grad: np.ndarray) -> np.ndarray:
        """∂L/∂(the output before `activation:`), from ∂L/∂(the output after it)."""
        name = self.args.get("activation")
        if not name:
            return grad
        return activations.gradient(name, self.saved["pre_activation"], self.outputs[0], grad)

    def grad(self, name: str, array: np.ndarray) -> None:
        """∂L/∂ of the weight the forward named `name` (through `param`)."""
        self.grads[name] = array

    def _uniform(self, shape: tuple[int, ...], shift: float, width: float) -> np.ndarray:
        """(U[0, 1) + shift) · width in float32, drawn and scaled in place a cache-sized chunk
        at a time: no temporaries, and one pass over memory instead of three."""
        array = np.empty(shape, dtype=np.float32)
        flat = array.reshape(-1)
        for start in range(0, flat.size, CHUNK):
            chunk = flat[start:start + CHUNK]
            self.rng.random(out=chunk, dtype=np.float32)
            chunk += np.float32(shift)
            chunk *= np.float32(width)
        return array


@record
class LayerRun:
    result: LayerResult
    actual_shapes: tuple[tuple[int, ...], ...] | None  # one per output the forward returned
    trainable: int
    non_trainable: int
    seconds: float
    error: str | None = None
    weights: Mapping[str, np.ndarray] | None = None  # only with keep=True (the oracle tests)
    non_finite: int = 0  # output values that are inf or NaN (an overflow, a division by zero)

    @property
    def actual_shape(self) -> tuple[int, ...] | None:
        """The first output's shape, as `result.output_shape` is the first predicted."""
        return self.actual_shapes[0] if self.actual_shapes else None

    @property
    def shape_ok(self) -> bool:
        return self.actual_shapes == self.result.output_shapes

    @property
    def params_ok(self) -> bool:
        return (self.trainable, self.non_trainable) == (self.result.trainable, self.result.non_trainable)

    @property
    def ok(self) -> bool:
        return self.error is None and self.shape_ok and self.params_ok


def run_network(
    net: Network, seed: int = 0, batch: int = 1, on_layer: Callable[[LayerRun], None] | None = None,
    keep: bool = False,
) -> tuple[list[LayerRun], dict[str, np.ndarray]]:
    """Run every layer in order on a random input; stops at the first layer that fails.

    Tensors are freed after their last use. Returns the per-layer runs and, with keep=True,
    every output by tensor name (`conv2d_1`, `split_1.0`; for the numerical oracle tests). Floating-point trouble (overflow, 0/0)
    never warns: it is counted per layer in `LayerRun.non_finite`.
    """
    layers, tensors, _ = forward_pass(net, seed, batch, on_layer, keep)
    return layers, tensors


def forward_pass(
    net: Network, seed: int, batch: int, on_layer: Callable[[LayerRun], None] | None, keep: bool,
    backward: bool = False,
) -> tuple[list[LayerRun], dict[str, np.ndarray], list[Run]]:
    """run_network's walk. With `backward` (the backward pass follows) every layer's Run is kept
    as well — its inputs, weights, outputs and what its forward saved — and no tensor is freed."""
    rng = np.random.default_rng(seed)
    tensors = {"input": rng.standard_normal((batch, *net.input_shape), dtype=np.float32)}
    last_use = {name: i for i, r in enumerate(net.layers) for name in r.spec.inputs}
    layers, runs = [], []
    with np.errstate(all="ignore"):
        for i, result in enumerate(net.layers):
            run = Run(result, [tensors[n] for n in result.spec.inputs], (seed, i), backward=backward)
            layer, out = _run_layer(run, keep)
            layers.append(layer)
            if on_layer:
                on_layer(layer)
            if layer.error:
                break
            tensors.update(zip(result.spec.output_names, out))
            if backward:
                run.outputs = out
                runs.append(run)
            elif not keep:
                for name in set(result.spec.inputs):  # `inputs: [x, x]` frees x once
                    if last_use[name] == i:
                        del tensors[name]
    return layers, tensors, runs


@record
class Verification:
    """`convcalc verify`'s verdict: the runs of every layer the forward pass reached, checked
    against the engine's prediction. The CLI's exit code is `ok`; render/verify.py shows it."""

    net: Network
    runs: tuple[LayerRun, ...]
    seed: int
    batch: int
    estimate: Estimate  # the peak memory estimated before the run
    # `verify --backward`: each layer's gradients, in the network's order (fewer when the
    # backward pass stopped at a failure; none when the forward failed); None: forward only
    gradients: tuple[GradientRun, ...] | None = None

    @property
    def not_run(self) -> tuple[str, ...]:
        """The layers after the first failure, never run."""
        return tuple(r.spec.name for r in self.net.layers[len(self.runs):])

    @property
    def agreeing(self) -> int:
        return sum(run.ok for run in self.runs)

    @property
    def gradients_agreeing(self) -> int:
        return sum(g.ok for g in self.gradients or ())

    @property
    def ok(self) -> bool:
        forward = all(run.ok for run in self.runs) and not self.not_run
        if self.gradients is None:
            return forward
        return forward and len(self.gradients) == len(self.runs) and all(g.ok for g in self.gradients)

    @property
    def seconds(self) -> float:
        return sum(run.seconds for run in self.runs) + sum(g.seconds for g in self.gradients or ())


def verify(net: Network, seed: int, batch: int, estimate: Estimate,
           on_layer: Callable[[LayerRun], None] | None = None, backward: bool = False) -> Verification:
    """Run the network on a random input and judge every layer against the engine; with
    `backward`, run the backward pass too and judge every gradient's shape."""
    if not backward:
        runs, _ = run_network(net, seed, batch, on_layer)
        return Verification(net=net, runs=tuple(runs), seed=seed, batch=batch, estimate=estimate)
    from convcalc.runner.backward import run_backward

    runs, gradients = run_backward(net, seed, batch, on_layer, on_gradient=on_layer)
    return Verification(net=net, runs=tuple(runs), seed=seed, batch=batch, estimate=estimate,
                        gradients=tuple(gradients) if gradients else ())


def _run_layer(run: Run, keep: bool) -> tuple[LayerRun, tuple[np.ndarray, ...] | None]:
    """One layer's forward, timed without its weight drawing; its outputs as a tuple (a split's
    several, or one). A shape the arrays refuse, or another number of outputs than the parser
    named, is reported as the layer's error (the engine was wrong), not raised."""
    start = time.perf_counter()
    try:
        out = REGISTRY[run.result.spec.type].forward(run)
        outs = out if isinstance(out, tuple) else (out,)
        if len(outs) != run.result.spec.outputs:
            raise ValueError(f"the forward gave {len(outs)} outputs, the spec names {run.result.spec.outputs}")
    except (ValueError, IndexError, TypeError) as e:
        return _layer_run(run, None, time.perf_counter() - start, keep, f"{type(e).__name__}: {e}".splitlines()[0]), None
    return _layer_run(run, outs, time.perf_counter() - start, keep), outs


def _layer_run(run: Run, outs: tuple[np.ndarray, ...] | None, seconds: float, keep: bool,
               error: str | None = None) -> LayerRun:
    shapes = tuple(tuple(out.shape[1:]) for out in outs) if outs is not None else None
    return LayerRun(result=run.result, actual_shapes=shapes, trainable=run.trainable, non_trainable=run.non_trainable,
                    seconds=seconds - run.init_seconds, error=error, weights=run.params if keep else None,
                    non_finite=sum(_non_finite(out) for out in outs or ()))


def _non_finite(out: np.ndarray) -> int:
    """How many values are inf or NaN; the mask is a quarter of the output (the estimate counts it)."""
    finite = np.isfinite(out)
    return 0 if finite.all() else int(finite.size - np.count_nonzero(finite))
