"""The NumPy backward pass (`verify --backward`): the forward keeps every layer's run, then each
layer's `backprop` turns ∂L/∂(its outputs) into ∂L/∂(its inputs) and ∂L/∂(its weights), last
layer first — as autograd walks the graph. The loss is L = Σ G·Y for a random G of the
network's output shape, so ∂L/∂Y = G reaches every cell.

Each gradient's shape is then held against what the engine predicts (`LayerResult.backward`):
∂L/∂X with each input's shape, ∂L/∂W, ∂L/∂b, … with each weight's. The values are checked
against torch autograd in the oracle suite.
"""

from __future__ import annotations

import time
from math import prod
from typing import Callable, Mapping

import numpy as np

from convcalc.engine import LayerResult, Network
from convcalc.layers import REGISTRY
from convcalc.layers.base import Gradient
from convcalc.record import record
from convcalc.runner import LayerRun, Run, forward_pass

Shape = tuple[int, ...]


@record
class GradientRun:
    """One layer's backward: the gradient shapes it gave (per example for ∂L/∂X), against the
    engine's prediction."""

    result: LayerResult
    input_shapes: tuple[Shape, ...] | None  # ∂L/∂(each input), without the batch axis
    weight_shapes: tuple[Shape, ...] | None  # ∂L/∂(each trainable weight), in the order the forward made them
    seconds: float
    error: str | None = None
    # only with keep=True (the oracle tests): the layer's inputs, ∂L/∂(outputs), ∂L/∂(inputs),
    # ∂L/∂(weights) by name
    inputs: tuple[np.ndarray, ...] | None = None
    output_grads: tuple[np.ndarray, ...] | None = None
    input_grads: tuple[np.ndarray, ...] | None = None
    weight_grads: Mapping[str, np.ndarray] | None = None

    @property
    def predicted_inputs(self) -> tuple[Shape, ...]:
        return tuple(g.shape for g in self.result.backward.gradients if g.name.startswith("∂L/∂X"))

    @property
    def _weight_gradients(self) -> tuple[Gradient, ...]:
        return tuple(g for g in self.result.backward.gradients if not g.name.startswith("∂L/∂X"))

    @property
    def predicted_weights(self) -> tuple[Shape, ...]:
        return tuple(g.shape for g in self._weight_gradients)

    @property
    def inputs_ok(self) -> bool:
        return self.input_shapes == self.predicted_inputs

    @property
    def weights_ok(self) -> bool:
        """Each predicted weight gradient's shape, in order; a prediction of the learned values
        as one count (∂L/∂θ, a layer without a rule of its own) against the total."""
        if self.weight_shapes is None:
            return False
        if [g.name for g in self._weight_gradients] == ["∂L/∂θ"]:
            return self.predicted_weights == ((sum(prod(s) for s in self.weight_shapes),),)
        return self.weight_shapes == self.predicted_weights

    @property
    def ok(self) -> bool:
        return self.error is None and self.inputs_ok and self.weights_ok


def run_backward(
    net: Network, seed: int = 0, batch: int = 1, on_layer: Callable[[LayerRun], None] | None = None,
    on_gradient: Callable[[GradientRun], None] | None = None, keep: bool = False,
) -> tuple[list[LayerRun], list[GradientRun]]:
    """The forward pass, keeping every layer's run, then the backward pass; no gradient runs if
    the forward failed, and the backward stops at the first layer whose backprop fails.
    Gradient runs come back in the network's order."""
    forward, _, runs = forward_pass(net, seed, batch, on_layer, keep, backward=True)
    if len(runs) < len(net.layers):  # a layer's forward failed
        return forward, []
    rng = np.random.default_rng((seed, len(net.layers)))
    grads = {name: rng.standard_normal(out.shape, dtype=np.float32)
             for name, out in zip(runs[-1].result.spec.output_names, runs[-1].outputs)}
    backward: list[GradientRun] = []
    with np.errstate(all="ignore"):
        for run in reversed(runs):
            gradient = _backprop_layer(run, grads, keep)
            backward.append(gradient)
            if on_gradient:
                on_gradient(gradient)
            if gradient.error:
                break
            run.inputs, run.outputs, run.params, run.saved = [], (), {}, {}  # freed as the pass walks back
    return forward, backward[::-1]


def _backprop_layer(run: Run, grads: dict[str, np.ndarray], keep: bool) -> GradientRun:
    """One layer's backprop, from the gradients that reached its outputs (zeros for an output
    no later layer read); its input gradients are added to what already reached those tensors
    (a tensor read twice, or by two layers, gets the sum). A refusal by the arrays is the
    layer's error, as in the forward."""
    spec = run.result.spec
    out_grads = tuple(grads.pop(name) if name in grads else np.zeros_like(out)
                      for name, out in zip(spec.output_names, run.outputs))
    start = time.perf_counter()
    try:
        backprop = REGISTRY[spec.type].backprop
        if backprop is None:
            raise TypeError(f"{spec.type} has no backward pass")
        in_grads = tuple(backprop(run, out_grads))
        _check(run, in_grads)
    except (ValueError, IndexError, TypeError) as e:
        return GradientRun(result=run.result, input_shapes=None, weight_shapes=None,
                           seconds=time.perf_counter() - start, error=f"{type(e).__name__}: {e}".splitlines()[0])
    seconds = time.perf_counter() - start
    for name, grad in zip(spec.inputs, in_grads):
        grads[name] = grads[name] + grad if name in grads else grad
    trainable = [name for name in run.params if name in run.grads]
    return GradientRun(
        result=run.result, input_shapes=tuple(tuple(g.shape[1:]) for g in in_grads),
        weight_shapes=tuple(tuple(run.grads[name].shape) for name in trainable), seconds=seconds,
        inputs=tuple(run.inputs) if keep else None, output_grads=out_grads if keep else None, input_grads=in_grads if keep else None,
        weight_grads=dict(run.grads) if keep else None)


def _check(run: Run, in_grads: tuple[np.ndarray, ...]) -> None:
    """A gradient for every input, batch axis first, and for every trainable weight, with that
    weight's shape: a backprop that forgets one is an error of the runner, reported."""
    if len(in_grads) != len(run.inputs):
        raise ValueError(f"the backward gave {len(in_grads)} input gradients for {len(run.inputs)} inputs")
    if any(g.shape[:1] != x.shape[:1] for g, x in zip(in_grads, run.inputs)):
        raise ValueError("an input gradient has lost the batch axis")
    trainable = run.trainable_names
    if set(run.grads) != trainable:
        raise ValueError(f"gradients for {sorted(run.grads)}, trainable weights {sorted(trainable)}")
    wrong = next((n for n in trainable if run.grads[n].shape != run.params[n].shape), None)
    if wrong:
        raise ValueError(f"∂L/∂{wrong} is {run.grads[wrong].shape}, the weight {run.params[wrong].shape}")
