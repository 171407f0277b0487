"""`convcalc draw --style boxes`: the LeNet/AlexNet figure. Each feature map is a 3-D box —
height H, width W going into the page, thickness along the page ∝ channels — and a kernel is a
pyramid from its window on one box's face to its output cell on the next; flat tensors are
bars. Sizes are square roots of the real ones, relative to the network's largest, so a
1×28×28 digit and VGG-16's 64×224×224 both fit and the eye still sees which is bigger.

A chain of layers only: a network with branches is drawn by `--style graph`.
"""

from __future__ import annotations

from math import sqrt

from convcalc.engine import LayerResult, Network
from convcalc.errors import SpecError
from convcalc.layers.base import Shape, shape_text
from convcalc.record import record
from convcalc.render.draw_style import (
    ROLES,
    css,
    element_wise,
    heading,
    legend,
    role,
    type_text,
)
from convcalc.render.draw_svg import clip, document, element, points, text, text_width

MAX_STAGES = 80  # feature maps in one row; more are no longer readable as boxes
FACE = 130  # the largest H (and bar) in pixels
THICK = 60  # the most channels, in pixels
BAR = 8  # a bar's thickness and depth
SLANT = 0.5  # W drawn at 45°, foreshortened by half
MARGIN = 20
GAP = 46  # the least room between two boxes for a kernel's pyramid
NAME_CHARS = 24
RUN_GAP = 5  # between the slabs of a run
WINDOW = 7  # the least size of a drawn window, in pixels
STYLE = (".shade{fill:#000000;fill-opacity:0.07;stroke:none}.lit{fill:#ffffff;fill-opacity:0.45;stroke:none}"
         ".window{fill:#f2c14e;fill-opacity:0.9;stroke:#9a6b00}"
         ".pyramid{fill:#f2c14e;fill-opacity:0.25;stroke:#9a6b00;stroke-width:0.8}"
         ".link{fill:#cccccc;fill-opacity:0.35;stroke:#999999;stroke-width:0.8}")


@record
class Stage:
    """One drawn tensor: the layer that made it, then the element-wise layers drawn with it
    (none for the network input)."""

    layers: tuple[LayerResult, ...]
    shape: Shape

    @property
    def head(self) -> LayerResult | None:
        return self.layers[0] if self.layers else None

    @property
    def types(self) -> str:
        return " + ".join(type_text(r) for r in self.layers)


@record
class Run:
    """Stages side by side with no pyramid between them: the same layer repeated on the same
    shape (VGG's three 3×3 convolutions of a block), drawn as slabs one behind the other."""

    stages: tuple[Stage, ...]

    @property
    def head(self) -> LayerResult | None:
        return self.stages[0].head

    def labels(self) -> tuple[str, str, str]:
        first, last = self.stages[0], self.stages[-1]
        if first.head is None:
            return shape_text(first.shape), "input", ""
        names = clip(first.head.spec.name, NAME_CHARS)
        if len(self.stages) > 1:
            names = f"{clip(first.head.spec.name, NAME_CHARS // 2)} … {clip(last.head.spec.name, NAME_CHARS // 2)}"
        count = f"{len(self.stages)} × " if len(self.stages) > 1 else ""
        return shape_text(first.shape), names, clip(count + first.types, NAME_CHARS + 4)

    def operation(self) -> tuple[str, ...]:
        lines = _operation(self.head)
        return (f"{len(self.stages)} × {lines[0]}", *lines[1:]) if len(self.stages) > 1 and lines else lines


@record
class Solid:
    """A run's boxes in pixels: each one's thickness along x, height, and the slant of its
    width; `count` boxes RUN_GAP apart."""

    thick: float
    tall: float
    deep: float
    count: int = 1

    @property
    def step(self) -> float:
        return self.thick + RUN_GAP

    @property
    def across(self) -> float:
        return self.count * self.thick + (self.count - 1) * RUN_GAP + self.deep


def stages(net: Network) -> list[Stage]:
    """The chain's tensors, each with the layers drawn in it; an error at the first layer
    that does not simply read the one before it."""
    previous, found = "input", [Stage(layers=(), shape=net.input_shape)]
    for r in net.layers:
        if r.spec.inputs != (previous,):
            raise SpecError("error.draw_boxes_chain", r.spec.where, inputs=", ".join(r.spec.inputs), previous=previous)
        if element_wise(r) and found[-1].layers:
            found[-1] = Stage(layers=(*found[-1].layers, r), shape=r.output_shape)
        else:
            found.append(Stage(layers=(r,), shape=r.output_shape))
        previous = r.spec.name
    return found


def runs(found: list[Stage]) -> list[Run]:
    """Consecutive stages of one shape made by the same operation (type, window, stride) and
    the same element-wise layers after it, grouped; at most MAX_STAGES groups."""
    grouped: list[list[Stage]] = []
    for stage in found:
        last = grouped[-1][-1] if grouped else None
        same = (last is not None and last.head is not None and last.shape == stage.shape
                and _operation(last.head) == _operation(stage.head) and last.types == stage.types)
        if same:
            grouped[-1].append(stage)
        else:
            grouped.append([stage])
    if len(grouped) > MAX_STAGES:
        raise SpecError("error.draw_too_many_boxes", count=len(grouped), limit=MAX_STAGES)
    return [Run(stages=tuple(g)) for g in grouped]


def _sides(shape: Shape) -> tuple[int, int, int]:
    """(channels, H, W) of a tensor; a sequence is L×1, a volume shows its H×W face."""
    if len(shape) == 1:
        return 0, shape[0], 1
    spatial = shape[1:]
    return shape[0], spatial[-2] if len(spatial) > 1 else spatial[0], spatial[-1] if len(spatial) > 1 else 1


def solids(found: list[Run]) -> list[Solid]:
    sides = [_sides(run.stages[0].shape) for run in found]
    most_channels = max((c for c, _, _ in sides), default=1) or 1
    widest = max((max(h, w) for c, h, w in sides if c), default=1)
    longest = max((h for c, h, _ in sides if not c), default=1)
    out = []
    for run, (c, h, w) in zip(found, sides):
        count = len(run.stages)
        if not c:
            out.append(Solid(thick=BAR, tall=max(10.0, FACE * sqrt(h / longest)), deep=BAR * SLANT, count=count))
            continue
        face = FACE / sqrt(widest)
        out.append(Solid(thick=max(3.0, THICK * sqrt(c / most_channels)), tall=max(6.0, face * sqrt(h)),
                         deep=max(3.0, face * sqrt(w)) * SLANT, count=count))
    return out


def draw_boxes(net: Network) -> str:
    found = runs(stages(net))
    shapes = solids(found)
    slots = [max(s.across, max(text_width(t, 11) for t in run.labels())) for s, run in zip(shapes, found)]
    ops = [run.operation() for run in found]
    gaps = [0.0] + [max(GAP, max(text_width(t, 11) for t in op) + 12 - (a + b) / 2)
                    for op, a, b in zip(ops[1:], slots, slots[1:])]
    top = 64 + 2 * 14  # heading, legend, two lines of operation labels
    middle = top + max(s.tall / 2 + s.deep for s in shapes) + 6
    bottom = middle + max(s.tall / 2 for s in shapes) + 18
    body, lefts, x = [], [], MARGIN
    for run, solid, slot, gap in zip(found, shapes, slots, gaps):
        x += gap
        left = x + (slot - solid.across) / 2
        lefts.append(left)
        for j in range(solid.count):
            body += _box(left + j * solid.step, middle, solid, role(run.head))
        body += [text(x + slot / 2, bottom + 14 * i, t, "name" if i == 0 else "info") for i, t in enumerate(run.labels())]
        x += slot
    for i in range(1, len(found)):
        a, b = shapes[i - 1], shapes[i]
        last_a = lefts[i - 1] + (a.count - 1) * a.step
        body += _connection(found[i - 1].stages[-1], found[i].stages[0], a, b, last_a, lefts[i], middle)
        centre = (lefts[i - 1] + a.across + lefts[i]) / 2
        body += [text(centre, top - 14 + 14 * j, t, "info") for j, t in enumerate(ops[i])]
    used = [r for r in ROLES if any(role(run.head) == r for run in found)]
    head = [text(MARGIN, 24, heading(net), "title", anchor="start"), *legend(MARGIN, 44, used)]
    width = max(x, text_width(heading(net), 16)) + MARGIN
    return document(width, bottom + 3 * 14 + MARGIN, css(STYLE), head + body, heading(net))


def _operation(r: LayerResult | None) -> tuple[str, ...]:
    """What happens between two boxes: the type, and a window's size and stride."""
    if r is None:
        return ()
    if r.geometry is None:
        return (type_text(r),)
    return f"{r.spec.type} {shape_text(_span(r))}", f"stride {shape_text(r.geometry.stride)}"


def _span(r: LayerResult) -> tuple[int, ...]:
    """The cells a window covers on each axis: D·(K−1) + 1."""
    return tuple(d * (k - 1) + 1 for k, d in zip(r.geometry.kernel, r.geometry.dilation))


def _face_point(left: float, middle: float, s: Solid, across: float, down: float) -> tuple[float, float]:
    """A point on the right face (H × W): `across` 0..1 into the page, `down` 0..1 from the top."""
    return left + s.thick + across * s.deep, middle - s.tall / 2 - across * s.deep + down * s.tall


def _box(left: float, middle: float, s: Solid, cls: str) -> list[str]:
    y, right = middle - s.tall / 2, left + s.thick + s.deep
    front = ((left, y), (left + s.thick, y), (left + s.thick, y + s.tall), (left, y + s.tall))
    lid = ((left, y), (left + s.deep, y - s.deep), (right, y - s.deep), (left + s.thick, y))
    side = ((left + s.thick, y), (right, y - s.deep), (right, y - s.deep + s.tall), (left + s.thick, y + s.tall))
    return [element("polygon", {"points": points(front), "class": cls}),
            element("polygon", {"points": points(lid), "class": cls}),
            element("polygon", {"points": points(lid), "class": "lit"}),
            element("polygon", {"points": points(side), "class": cls}),
            element("polygon", {"points": points(side), "class": "shade"})]


def _connection(a: Stage, b: Stage, sa: Solid, sb: Solid, left_a: float, left_b: float, middle: float) -> list[str]:
    """A window's pyramid from box a's face to one cell of box b, or a band for any other layer."""
    r = b.head
    _, h_in, w_in = _sides(a.shape)
    if r.geometry is None or len(r.geometry.kernel) > 3:
        return [_band(sa, sb, left_a, left_b, middle)]
    span = _span(r)
    # the window's share of the face on each axis, at least WINDOW pixels so a 3×3 shows on 224×224
    down = min(1.0, max(span[-2 if len(span) > 1 else 0] / h_in, WINDOW / sa.tall))
    across = min(1.0, max(span[-1] / w_in, WINDOW / sa.deep)) if len(span) > 1 else 1.0
    at_down, at_across = 0.3 * (1 - down), 0.35 * (1 - across)
    window = [_face_point(left_a, middle, sa, at_across + u * across, at_down + v * down)
              for u, v in ((0, 0), (1, 0), (1, 1), (0, 1))]
    cell = _face_point(left_b, middle, sb, at_across + across / 2, at_down + down / 2)
    pyramid = [element("polygon", {"points": points((window[i], window[(i + 1) % 4], cell)), "class": "pyramid"})
               for i in range(4)]
    return [element("polygon", {"points": points(window), "class": "window"}), *pyramid,
            element("circle", {"cx": cell[0], "cy": cell[1], "r": 2, "class": "window"})]


def _band(sa: Solid, sb: Solid, left_a: float, left_b: float, middle: float) -> str:
    """A light band from the right edge of one box to the front of the next: every value feeds
    every output (dense), or a reshaping (flatten) with no window to draw."""
    right = left_a + sa.thick + sa.deep
    quad = ((right, middle - sa.tall / 2 - sa.deep), (left_b, middle - sb.tall / 2),
            (left_b, middle + sb.tall / 2), (right, middle + sa.tall / 2 - sa.deep))
    return element("polygon", {"points": points(quad), "class": "link"})
