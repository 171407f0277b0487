"""The NumPy reference runner: a real forward pass of a network with random weights.

Each layer type's forward lives beside its shape rule in `convcalc/layers/` and builds its own
weights through `Run.param`, with the kernel shapes the engine reports; the runner counts the
elements it actually created, so the parameter check does not lean on the engine's formula.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from math import prod, sqrt
from typing import Any, Callable, Mapping

import numpy as np

from convcalc.engine import LayerResult, Network
from convcalc.layers import REGISTRY
from convcalc.layers.base import Call


@dataclass
class Run:
    """One layer's forward: its inputs, arguments, the engine's prediction, and its weights."""

    result: LayerResult
    inputs: list[np.ndarray]
    rng: np.random.Generator
    params: dict[str, np.ndarray] = field(default_factory=dict)
    trainable: int = 0
    non_trainable: int = 0
    init_seconds: float = 0.0  # time spent drawing weights, left out of the layer's timing

    @property
    def x(self) -> np.ndarray:
        return self.inputs[0]

    @property
    def args(self) -> Mapping[str, Any]:
        return self.result.spec.args

    def call(self) -> Call:
        """The engine's view of this layer, to reuse its padding and per-axis helpers."""
        shapes = tuple(tuple(a.shape[1:]) for a in self.inputs)
        return Call(self.result.spec.type, dict(self.args), shapes, self.result.spec.inputs)

    def param(self, name: str, shape: tuple[int, ...], kind: str = "weight", trainable: bool = True) -> np.ndarray:
        """A random float32 array, counted as a (non-)trainable parameter.

        weight: He-normal over its fan-in, so activations stay O(1) through deep nets; bias,
        shift, mean: small normals; scale, var: uniform in [0.5, 1.5].
        """
        start = time.perf_counter()
        if kind == "weight":
            array = self.rng.standard_normal(shape, dtype=np.float32)
            array *= np.float32(sqrt(2.0 / max(prod(shape[1:]), 1)))
        elif kind in ("scale", "var"):
            array = self.rng.uniform(0.5, 1.5, shape).astype(np.float32)
        else:
            array = self.rng.standard_normal(shape, dtype=np.float32) * np.float32(0.1)
        self.init_seconds += time.perf_counter() - start
        self.params[name] = array
        if trainable:
            self.trainable += array.size
        else:
            self.non_trainable += array.size
        return array


@dataclass(frozen=True)
class LayerRun:
    result: LayerResult
    actual_shape: tuple[int, ...] | None
    trainable: int
    non_trainable: int
    seconds: float
    error: str | None = None
    weights: Mapping[str, np.ndarray] | None = None  # only with keep=True (the oracle tests)

    @property
    def shape_ok(self) -> bool:
        return self.actual_shape == self.result.output_shape

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
    every output (for the numerical oracle tests).
    """
    rng = np.random.default_rng(seed)
    tensors = {"input": rng.standard_normal((batch, *net.input_shape)).astype(np.float32)}
    last_use = {name: i for i, r in enumerate(net.layers) for name in r.spec.inputs}
    runs = []
    for i, result in enumerate(net.layers):
        run = Run(result, [tensors[n] for n in result.spec.inputs], np.random.default_rng([seed, i]))
        start = time.perf_counter()
        try:
            out = REGISTRY[result.spec.type].forward(run)
            error = None
        except (ValueError, IndexError, TypeError) as e:  # a shape the arrays refuse: the engine was wrong
            out, error = None, f"{type(e).__name__}: {e}".splitlines()[0]
        seconds = time.perf_counter() - start - run.init_seconds
        shape = tuple(out.shape[1:]) if out is not None else None
        layer = LayerRun(result, shape, run.trainable, run.non_trainable, seconds, error, run.params if keep else None)
        runs.append(layer)
        if on_layer:
            on_layer(layer)
        if layer.error:
            break
        tensors[result.spec.name] = out
        if not keep:
            for name in result.spec.inputs:
                if last_use.get(name) == i:
                    del tensors[name]
    return runs, tensors
