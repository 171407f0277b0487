"""Layers with several outputs: `split` (sections of given sizes, torch.split with a list) and
`chunk` (N near-equal parts, torch.chunk). A later layer reads output k of layer `s` as `s.k`.

Their number of outputs is known from the arguments alone (`LayerType.outputs`), so the parser
can check every `s.k` before any shape is computed. Each output keeps the input's receptive
field (nothing is mixed), and neither has parameters.
"""

from __future__ import annotations

from convcalc.layers.base import (MAX_OUTPUTS, Arg, LayerType, RuleContext, RuleResult, Shape, saves_nothing_a_view,
                                  shape_text)
from convcalc.messages import Message

AXIS = Arg("axis", "int", 0, minimum=0, high=3,
           help="0-based over the non-batch axes [C, H, W]: 0 is the channels (PyTorch's dim 1)")


def _axis(ctx: RuleContext) -> int:
    axis = ctx.args["axis"]
    if axis >= len(ctx.shape):
        raise ctx.fail("error.split_axis", type=ctx.type_name, axis=axis, shape=shape_text(ctx.shape),
                       last=len(ctx.shape) - 1)
    return axis


def _axis_word(ctx: RuleContext, axis: int) -> str:
    """`channels`, `height`, …: the axis as explain's steps name it."""
    if axis == 0:
        return Message("phrase.channels" if ctx.spatial else "phrase.features")
    return ctx.axis_names()[axis - 1]


def _sections(ctx: RuleContext, axis: int, sizes: tuple[int, ...]) -> RuleResult:
    """The input cut into `sizes` along `axis`: every other axis kept."""
    shapes: tuple[Shape, ...] = tuple((*ctx.shape[:axis], n, *ctx.shape[axis + 1:]) for n in sizes)
    return RuleResult(output_shape=shapes[0], output_shapes=shapes)


def infer_split(ctx: RuleContext) -> RuleResult:
    axis = _axis(ctx)
    word, sizes = _axis_word(ctx, axis), ctx.args["sizes"]
    for k, n in enumerate(sizes):
        ctx.step("split_section", n, k=k, axis=word, size=n)
    total = ctx.step("split_sum", sum(sizes), axis=word, sizes=" + ".join(map(str, sizes)))
    if total != ctx.shape[axis]:
        raise ctx.fail("error.split_sum", sizes=_listed(sizes), total=total, shape=shape_text(ctx.shape),
                       size=ctx.shape[axis], axis=word, number=axis)
    ctx.note("note.split", axis=word, shape=shape_text(ctx.shape), count=len(sizes), sizes=_listed(sizes),
             number=axis, dim=axis + 1)
    return _sections(ctx, axis, sizes)


def infer_chunk(ctx: RuleContext) -> RuleResult:
    """torch.chunk's rule: chunks of ceil(N/chunks), the last smaller. PyTorch returns fewer
    chunks where those fill N sooner (6 in 4 chunks: 3 chunks of 2); convcalc must know the
    number of outputs from the arguments, so that is an error saying how many there would be."""
    axis = _axis(ctx)
    word, n, chunks = _axis_word(ctx, axis), ctx.shape[axis], ctx.args["chunks"]
    size = ctx.step("chunk_size", -(-n // chunks), axis=word, n=n, chunks=chunks)
    made = ctx.step("chunk_count", -(-n // size), n=n, size=size)
    if made != chunks:
        raise ctx.fail("error.chunk_fewer", chunks=chunks, n=n, axis=word, size=size, given=made)
    last = ctx.step("chunk_last", n - (chunks - 1) * size, axis=word, n=n, chunks=chunks, size=size)
    ctx.note("note.chunk", axis=word, shape=shape_text(ctx.shape), chunks=chunks, n=n, size=size, last=last,
             number=axis, dim=axis + 1)
    return _sections(ctx, axis, (size,) * (chunks - 1) + (last,))


def _listed(sizes: tuple[int, ...]) -> str:
    """`[24, 92]`; a long list as its first values and `…` (it has up to MAX_OUTPUTS)."""
    shown = ", ".join(map(str, sizes[:8]))
    return f"[{shown}{', …' if len(sizes) > 8 else ''}]"


# NumPy forwards (the runner imports numpy; the engine never calls these). Each cuts by its own
# arguments, not by the engine's shapes, so `verify` checks the rule; the parts are copies, so
# no two layers share an array.

def forward_split(run):
    import numpy as np

    bounds = np.cumsum(run.args["sizes"])[:-1]
    return tuple(part.copy() for part in np.split(run.x, bounds, axis=run.args["axis"] + 1))


def forward_chunk(run):
    """torch.chunk: steps of ceil(N/chunks) until N is used up (maybe fewer than `chunks` parts)."""
    axis = run.args["axis"] + 1
    n = run.x.shape[axis]
    size = -(-n // run.args["chunks"])
    return tuple(run.x.take(range(start, min(start + size, n)), axis=axis) for start in range(0, n, size))


def backprop_sections(run, grads):
    """split and chunk: the outputs' gradients side by side again along the axis (an output no
    later layer read brings zeros)."""
    import numpy as np

    return (np.concatenate(grads, axis=run.args["axis"] + 1),)


TYPES = (
    LayerType(
        "split",
        "cut one axis into sections of the given sizes (torch.split): one output per section, named <name>.k",
        (Arg("sizes", "int_list", help=f"the sections' sizes along axis, adding up to it (1 to {MAX_OUTPUTS} of them)"),
         AXIS),
        infer_split,
        forward=forward_split,
        backprop=backprop_sections,
        outputs=lambda args: len(args["sizes"]),
        saved=saves_nothing_a_view,
    ),
    LayerType(
        "chunk",
        "cut one axis into N parts of ceil(size/N), the last smaller (torch.chunk): outputs named <name>.k",
        (Arg("chunks", "int", high=MAX_OUTPUTS, help="how many parts; each is ceil(size/chunks) wide"), AXIS),
        infer_chunk,
        forward=forward_chunk,
        backprop=backprop_sections,
        outputs=lambda args: args["chunks"],
        saved=saves_nothing_a_view,
    ),
)
