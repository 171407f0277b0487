"""The merges: layers that combine ≥2 inputs — add, multiply (element-wise, broadcasting) and
concat (stacked along channels)."""

from __future__ import annotations

from functools import partial

from convcalc import formulas
from convcalc.layers.base import LayerType, RuleContext, RuleResult, saves_nothing, shape_text


def _named_shapes(ctx: RuleContext) -> str:
    return ", ".join(f"'{n}' {shape_text(s)}" for n, s in zip(ctx.input_names, ctx.input_shapes))


def broadcast_shape(ctx: RuleContext, error: str) -> tuple[int, ...]:
    """The shape of an element-wise merge: equal ranks, and per axis equal sizes or 1 (PyTorch's
    broadcasting; a size-1 axis is repeated). Different ranks are refused: PyTorch aligns the
    last axes (width) and Keras its channels-last axes (channels), so the two would disagree."""
    if len({len(s) for s in ctx.input_shapes}) > 1:
        raise ctx.fail(error, type=ctx.type_name, shapes=_named_shapes(ctx))
    names = ("channels", *ctx.axis_names())
    out = []
    for axis, sizes in zip(names, zip(*ctx.input_shapes)):
        size = formulas.broadcast_size(sizes)
        if size is None:
            raise ctx.fail(error, type=ctx.type_name, shapes=_named_shapes(ctx))
        if len(set(sizes)) > 1:
            ctx.step("broadcast_output", size, axis=axis, sizes=", ".join(map(str, sizes)))
        out.append(size)
    return tuple(out)


def infer_elementwise_merge(ctx: RuleContext, note: str) -> RuleResult:
    """add and multiply: one value from the values at the same place in every input."""
    shape = broadcast_shape(ctx, "error.merge_shapes")
    if len(set(ctx.input_shapes)) > 1:
        ctx.note("note.broadcast", type=ctx.type_name, shape=shape_text(shape))
    ctx.note(note, count=len(ctx.input_shapes))
    ctx.step("no_parameters", 0)
    return RuleResult(output_shape=shape)


def infer_concat(ctx: RuleContext) -> RuleResult:
    if len({s[1:] for s in ctx.input_shapes}) > 1 or len({len(s) for s in ctx.input_shapes}) > 1:
        raise ctx.fail("error.concat_shapes", shapes=_named_shapes(ctx))
    channels = ctx.step("concat_channels", sum(s[0] for s in ctx.input_shapes),
                        channels=" + ".join(str(s[0]) for s in ctx.input_shapes))
    ctx.note("note.concat", channels=channels)
    return RuleResult(output_shape=(channels, *ctx.shape[1:]))


# NumPy forwards (the runner imports numpy; the engine never calls these)

def forward_elementwise(run, combine: str):
    """The output is allocated at its full (broadcast) size, then every input is combined into
    it in place: `combine` is the NumPy ufunc's name, bound where the type is registered."""
    import numpy as np

    ufunc = getattr(np, combine)
    out = np.empty((run.x.shape[0], *run.result.output_shape), dtype=run.x.dtype)
    np.copyto(out, run.inputs[0])
    for other in run.inputs[1:]:
        ufunc(out, other, out=out)
    return out


def forward_concat(run):
    import numpy as np

    return np.concatenate(run.inputs, axis=1)


def unbroadcast(grad, shape: tuple[int, ...]):
    """An input repeated along its size-1 axes (the SE gate's C×1×1 over H×W) gets the sum of
    the gradients of every cell it was repeated to."""
    axes = tuple(i for i, (g, n) in enumerate(zip(grad.shape, shape)) if n == 1 and g != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


def backprop_add(run, grads):
    """∂(a + b + …)/∂a = 1: each input gets ∂L/∂Y, summed over the axes it was broadcast along."""
    return tuple(unbroadcast(grads[0], x.shape) for x in run.inputs)


def backprop_multiply(run, grads):
    """∂(a·b·…)/∂a = the product of the other inputs (not Y/a, which a zero would spoil), then
    summed over the axes a was broadcast along."""
    out = []
    for i, x in enumerate(run.inputs):
        others = grads[0].copy()
        for j, other in enumerate(run.inputs):
            if j != i:
                others *= other
        out.append(unbroadcast(others, x.shape))
    return tuple(out)


def backprop_concat(run, grads):
    """Each input gets its own channels' slice of ∂L/∂Y back."""
    import numpy as np

    bounds = np.cumsum([x.shape[1] for x in run.inputs])[:-1]
    return tuple(part.copy() for part in np.split(grads[0], bounds, axis=1))


TYPES = (
    LayerType("add", "element-wise sum of ≥2 inputs; sizes equal or 1 per axis (broadcast)", (),
              partial(infer_elementwise_merge, note="note.add"), min_inputs=2, max_inputs=0,
              forward=partial(forward_elementwise, combine="add"), backprop=backprop_add, saved=saves_nothing),
    LayerType("multiply", "element-wise product of ≥2 inputs; sizes equal or 1 per axis (broadcast): the SE gate",
              (), partial(infer_elementwise_merge, note="note.multiply"), min_inputs=2, max_inputs=0,
              forward=partial(forward_elementwise, combine="multiply"), backprop=backprop_multiply, aliases=("mul",)),
    LayerType("concat", "stack ≥2 inputs along channels; spatial sizes must match", (), infer_concat, min_inputs=2,
              max_inputs=0, forward=forward_concat, backprop=backprop_concat, aliases=("concatenate", "cat"), saved=saves_nothing),
)
