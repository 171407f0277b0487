"""`convcalc draw`: which style draws a network, and the PNG made from its SVG.

Without `--style`, a chain of layers is drawn as boxes and anything with branches as a graph.
The PNG comes from resvg (the optional `png` extra: a wheel with no system library), imported
only when asked for.
"""

from __future__ import annotations

from convcalc.engine import Network
from convcalc.errors import SpecError, printable

STYLES = ("boxes", "graph")


def is_chain(net: Network) -> bool:
    """Every layer reads exactly the layer listed before it (the first reads the input)."""
    return all(r.spec.inputs == (before,) for r, before in zip(net.layers, ("input", *(r.spec.name for r in net.layers))))


def draw(net: Network, style: str | None = None, depth: int | None = None) -> str:
    """The SVG text; `style` None picks boxes for a chain and graph otherwise; `depth` draws
    each block at that depth as one node of the graph."""
    from convcalc.render.draw_boxes import draw_boxes
    from convcalc.render.draw_graph import draw_graph

    chosen = style or ("boxes" if is_chain(net) and depth is None else "graph")
    if chosen == "boxes" and depth is not None:
        raise SpecError("error.draw_depth_boxes")
    return draw_boxes(net) if chosen == "boxes" else draw_graph(net, depth)


def to_png(svg: str) -> bytes:
    """The drawing rasterised at twice its size (sharp on a slide), on white."""
    try:
        import resvg_py
    except ImportError:
        raise SpecError("error.draw_png_extra") from None
    try:
        return bytes(resvg_py.svg_to_bytes(svg_string=svg, background="#ffffff", zoom=2))
    except ValueError as e:
        raise SpecError("error.draw_png_failed", reason=printable(str(e), 120)) from None
