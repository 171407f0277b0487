"""What the two drawing styles share: a layer's role (its colour), the CSS, the heading line.

A role is read from what the engine computed — a sliding window, a kernel, several inputs —
never from a type's name, so a layer type added tomorrow gets a colour without an entry here.
"""

from __future__ import annotations

from convcalc.engine import LayerResult, Network
from convcalc.layers.base import shape_text

# role: (fill, stroke, the legend's word)
ROLES = {
    "input": ("#eeeeee", "#777777", "input"),
    "conv": ("#d6e6f5", "#3a74b0", "convolution"),
    "pool": ("#d9efd9", "#3f8f46", "pooling"),
    "dense": ("#fbe3c8", "#c46f12", "dense"),
    "merge": ("#e8dcf3", "#7d4ea8", "merge"),
    "other": ("#f6f6f6", "#9a9a9a", "other"),
}


def role(r: LayerResult | None) -> str:
    """`conv` (a window and a kernel), `pool` (a window), `dense` (a kernel), `merge` (several
    inputs), else `other`; None is the network's input."""
    if r is None:
        return "input"
    if r.geometry is not None:
        return "conv" if r.kernel_shape is not None else "pool"
    if r.kernel_shape is not None:
        return "dense"
    return "merge" if len(r.spec.inputs) > 1 else "other"


def element_wise(r: LayerResult) -> bool:
    """A layer that keeps its one input's shape and has no window or kernel (an activation,
    batchnorm, dropout): both styles draw it inside the layer before it."""
    return (r.geometry is None and r.kernel_shape is None and len(r.spec.inputs) == 1
            and r.input_shapes[0] == r.output_shape)


def type_text(r: LayerResult) -> str:
    """`conv2d`, or `conv2d + relu` where Keras' `activation:` argument applies one inside."""
    activation = dict(r.extra).get("activation")
    return f"{r.spec.type} + {activation}" if activation else r.spec.type


def heading(net: Network) -> str:
    return (f"{net.name} · input {shape_text(net.input_shape)} → output {shape_text(net.output_shape)} · "
            f"{net.totals.params:,} params")


def css(extra: str = "") -> str:
    shapes = "".join(f".{name}{{fill:{fill};stroke:{stroke}}}" for name, (fill, stroke, _) in ROLES.items())
    return ("text{fill:#222222}.title{font-size:16px;font-weight:bold}.name{font-size:12px;font-weight:bold}"
            ".info{font-size:11px}.small{font-size:10px;fill:#555555}"
            ".edge{fill:none;stroke:#555555;stroke-width:1.2}"
            f"rect,polygon{{stroke-width:1}}{shapes}{extra}")


def legend(x: float, y: float, used: list[str]) -> list[str]:
    """A row of coloured squares naming the roles that appear, left to right from (x, y)."""
    from convcalc.render.draw_svg import element, text, text_width

    out = []
    for name in used:
        out.append(element("rect", {"x": x, "y": y - 9, "width": 10, "height": 10, "class": name}))
        word = ROLES[name][2]
        out.append(text(x + 14, y, word, "small", anchor="start"))
        x += 14 + text_width(word, 10) + 14
    return out
