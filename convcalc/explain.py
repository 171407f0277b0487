"""`convcalc explain`: where every number comes from.

The steps are the ones the layer rules recorded while computing (convcalc/layers/), so an
explanation cannot disagree with the engine; `evaluate` lets the tests prove each substituted
expression gives its value. This module adds what needs the whole network (a dense layer's
share of the parameters, the MACs a 1×1 bottleneck saves) and the window picture. Pure Python.
"""

from __future__ import annotations

import ast
import math
from fractions import Fraction

from convcalc.engine import LayerResult, Network
from convcalc.layers import REGISTRY
from convcalc.layers.base import Backward, shape_text
from convcalc.messages import Message
from convcalc.record import record

PICTURE_LIMIT = 16  # cells per axis, padding included: beyond that a grid stops being readable

PAD, CELL, FIRST, SECOND, BOTH, MISSED = "·", "□", "1", "2", "■", "×"


@record(kw_only=False)
class Picture:
    caption: str
    input_rows: tuple[str, ...]  # one character per cell, space-separated when rendered
    output_rows: tuple[str, ...]
    legend: str


@record(kw_only=False)
class Explanation:
    result: LayerResult
    notes: tuple[str, ...]
    picture: Picture | None
    backward: Backward | None = None  # with `explain --backward`


def explain(net: Network, key: str | None = None, backward: bool = False) -> list[Explanation]:
    layers = [net.layer(key)] if key is not None else list(net.layers)
    return [Explanation(r, (*r.notes, *network_notes(net, r)), picture(r), r.backward if backward else None)
            for r in layers]


def backward_totals(explanations: list[Explanation]) -> Message | None:
    """The backward pass's MACs against the forward's, over the layers explained with it."""
    layers = [e for e in explanations if e.backward is not None]
    forward, backward = sum(e.result.macs for e in layers), sum(e.backward.macs for e in layers)
    if len(layers) < 2 or not forward:
        return None
    return Message("back.totals", backward=backward, forward=forward, total=forward + backward,
                   ratio=(forward + backward) / forward)


def network_notes(net: Network, r: LayerResult) -> list[Message]:
    """Points that need the rest of the network."""
    notes = []
    total = net.totals.trainable_params
    if REGISTRY[r.spec.type].fully_connected and total and r.trainable / total >= 0.2:
        features, units = r.kernel_shape[1], r.kernel_shape[0]
        notes.append(Message("note.dense_share", percent=100 * r.trainable / total, total=total, features=features,
                             units=units))
    saved = bottleneck_saving(net, r)
    if saved:
        consumer, direct = saved
        notes.append(Message("note.bottleneck", c_in=r.input_shapes[0][0], c_out=r.output_shape[0],
                             consumer=consumer.spec.name, macs=r.macs, consumer_macs=consumer.macs,
                             both=r.macs + consumer.macs, direct=direct, saved=direct - r.macs - consumer.macs))
    return notes


def bottleneck_saving(net: Network, r: LayerResult) -> tuple[LayerResult, int] | None:
    """For a 1×1 conv that reduces channels, the next spatial conv fed by it (through
    element-wise layers) and the MACs that conv would cost on the unreduced channels."""
    if not REGISTRY[r.spec.type].standard_conv2d or r.kernel_shape is None or any(k != 1 for k in r.kernel_shape[2:]):
        return None
    c_in, c_out = r.input_shapes[0][0], r.output_shape[0]
    if c_out >= c_in:
        return None
    name = r.spec.name
    while True:
        readers = net.consumers.get(name, ())
        later = next((c for c in readers if c.spec.inputs == (name,)), None)
        if later is None:
            return None
        if REGISTRY[later.spec.type].standard_conv2d and later.kernel_shape and any(k > 1 for k in later.kernel_shape[2:]):
            return later, later.macs * c_in // c_out
        if later.kernel_shape is None and later.output_shape == r.output_shape:  # batchnorm, relu …
            name = later.spec.name
            continue
        return None


def picture(r: LayerResult) -> Picture | None:
    """The padded input with the first two window positions, and the output grid: the static
    version of the convolution-arithmetic animations (Dumoulin & Visin 2016)."""
    g = r.geometry
    if g is None or not g.drawn or len(g.kernel) not in (1, 2):
        return None
    spatial = r.input_shapes[0][1:]
    padded = [lo + n + hi for n, (lo, hi) in zip(spatial, g.pads)]
    out = r.output_shape[1:]
    if max(padded) > PICTURE_LIMIT or max(out) > PICTURE_LIMIT:
        return None
    if len(g.kernel) == 1:  # a 1-D layer is a 2-D picture one row high
        spatial, padded, out = (1, *spatial), [1, *padded], (1, *out)
        kernel, stride, dilation, pads = (1, *g.kernel), (1, *g.stride), (1, *g.dilation), ((0, 0), *g.pads)
    else:
        kernel, stride, dilation, pads = g.kernel, g.stride, g.dilation, g.pads
    positions = [(0, 0)]
    if out[1] > 1:
        positions.append((0, 1))
    elif out[0] > 1:
        positions.append((1, 0))
    taps = [_taps(p, kernel, stride, dilation) for p in positions]
    covered = set().union(*(_taps((i, j), kernel, stride, dilation) for i in range(out[0]) for j in range(out[1])))
    rows = []
    for y in range(padded[0]):
        row = []
        for x in range(padded[1]):
            inside = pads[0][0] <= y < pads[0][0] + spatial[0] and pads[1][0] <= x < pads[1][0] + spatial[1]
            marks = [i for i, t in enumerate(taps) if (y, x) in t]
            if len(marks) == 2:
                row.append(BOTH)
            elif marks:
                row.append(FIRST if marks[0] == 0 else SECOND)
            elif not inside:
                row.append(PAD)
            else:
                row.append(CELL if (y, x) in covered else MISSED)
        rows.append("".join(row))
    out_rows = []
    for y in range(out[0]):
        out_rows.append("".join(FIRST if (y, x) == positions[0] else SECOND if len(positions) > 1 and (y, x) == positions[1]
                                else CELL for x in range(out[1])))
    pad_text = " × ".join(f"{lo}+{hi}" for lo, hi in g.pads)
    caption = Message("picture.caption", input=shape_text(tuple(spatial if len(g.kernel) == 2 else spatial[1:])),
                      pads=pad_text, output=shape_text(r.output_shape[1:]), kernel=shape_text(g.kernel),
                      stride=shape_text(g.stride), dilation=shape_text(g.dilation))
    legend = Message("picture.legend", pad=PAD, cell=CELL, first=FIRST, second=SECOND, both=BOTH, missed=MISSED)
    return Picture(caption, tuple(rows), tuple(out_rows), legend)


def _taps(position: tuple[int, int], kernel, stride, dilation) -> set[tuple[int, int]]:
    (i, j), (kh, kw), (sh, sw), (dh, dw) = position, kernel, stride, dilation
    return {(i * sh + a * dh, j * sw + b * dw) for a in range(kh) for b in range(kw)}


# --- checking the substituted expressions -----------------------------------------------------

_FUNCTIONS = {"floor": math.floor, "ceil": math.ceil, "max": max, "min": min}


def evaluate(expression: str) -> Fraction:
    """The value of a substituted step such as `floor((14 + 0 − 1·(5−1) − 1)/1) + 1`, exactly.

    Reads the notation explanations print (·, ×, −) and only arithmetic: numbers, + − × /,
    parentheses and floor/ceil/max/min. Anything else raises ValueError.
    """
    text = expression.replace("−", "-").replace("·", "*").replace("×", "*")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ValueError(f"not an arithmetic expression: {expression!r}") from None
    return _eval(tree.body)


def _eval(node: ast.AST) -> Fraction:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return Fraction(node.value)  # a float (an upsample's scale_factor) at its exact binary value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        a, b = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        return a * b if isinstance(node.op, ast.Mult) else a / b
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS and not node.keywords:
        return Fraction(_FUNCTIONS[node.func.id](*(_eval(a) for a in node.args)))
    raise ValueError(f"not plain arithmetic: {ast.dump(node)[:80]}")
