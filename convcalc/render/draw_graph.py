"""`convcalc draw --style graph`: the network as a layered graph, top to bottom — residual
adds, Inception concats, U-Net skips — each node labelled name · type · output shape · params.

Layers become nodes through a grouping (`group_layers`): by default an element-wise layer
(activation, batchnorm, dropout) joins the layer it follows, so `conv → bn → relu` is one node.
Any other key — a block's path, for `--depth` — groups the same way.
"""

from __future__ import annotations

from typing import Callable

from convcalc.engine import LayerResult, Network
from convcalc.layers.base import shape_text
from convcalc.record import record
from convcalc.render.depth import chain
from convcalc.render.draw_layout import Box, layout
from convcalc.render.draw_style import (
    ROLES,
    css,
    element_wise,
    heading,
    legend,
    role,
    type_text,
)
from convcalc.render.draw_svg import (
    clip,
    document,
    element,
    escape,
    points,
    text,
    text_width,
)

NAME_CHARS = 40  # a node shows at most this much of a name; its tooltip has all of it
MARGIN = 20
TOP = 56  # room for the heading and the legend
LINE = 15  # between a node's lines of text
ARROW = ('<defs><marker id="arrow" markerHeight="7" markerWidth="7" orient="auto" refX="7" refY="3.5" '
         'viewBox="0 0 7 7"><path d="M0,0 L7,3.5 L0,7 z" fill="#555555"/></marker></defs>')


@record
class Node:
    """One box of the graph: the layers drawn in it, in order (none for the network input)."""

    layers: tuple[LayerResult, ...]
    input_shape: tuple[int, ...] = ()
    title: tuple[str, str] | None = None  # a block drawn whole (`--depth`): its name and its block

    @property
    def head(self) -> LayerResult | None:
        return self.layers[0] if self.layers else None

    def lines(self) -> tuple[str, str, str]:
        if not self.layers:
            return "input", shape_text(self.input_shape), ""
        params = sum(r.params for r in self.layers)
        shape = shape_text(self.layers[-1].output_shape)
        name, kind = self.title or (self.layers[0].spec.name, " + ".join(type_text(r) for r in self.layers))
        return clip(name, NAME_CHARS), kind, f"{shape} · {params:,} params" if params else shape

    def tooltip(self) -> str:
        """Every layer in the node, one a line (a browser shows it on hover)."""
        return "\n".join(escape(f"{r.spec.name} ({type_text(r)})") for r in self.layers) or "input"


def fold_element_wise(net: Network) -> Callable[[LayerResult], str]:
    """The default grouping key: an element-wise layer goes with the layer before it when it
    is that layer's only reader (a branch that reads the pre-activation value stays apart)."""
    group = {"input": "input"}
    for r in net.layers:
        source = _producer(r.spec.inputs[0], group)
        follows = len(r.spec.inputs) == 1 and source != "input" and len(net.consumers.get(r.spec.inputs[0], ())) == 1
        group[r.spec.name] = group[source] if follows and element_wise(r) else r.spec.name
    return lambda r: group[r.spec.name]


def block_key(net: Network, depth: int) -> tuple[Callable[[LayerResult], str], dict[str, tuple[str, str]]]:
    """`--depth N`, as summary's: each group at depth N (a block instance, or a stage of
    repetitions) is one node, titled with its name and block (`bottleneck ×4`); the layers
    outside groups that deep are grouped as by default."""
    fold = fold_element_wise(net)
    keys: dict[str, str] = {}
    kinds: dict[str, str] = {}
    parts: dict[str, dict[str, None]] = {}
    for r in net.layers:
        groups = chain(r.spec.group)
        if len(groups) < depth:
            continue
        g = groups[depth - 1]
        keys[r.spec.name] = g.name
        parts.setdefault(g.name, {})[groups[depth].name if len(groups) > depth else r.spec.name] = None
        kinds[g.name] = g.kind if g.instance else f"{g.kind} ×{{count}}"
    in_blocks = set(keys)
    for r in net.layers:
        if r.spec.name not in in_blocks:
            folded = fold(r)  # into the layer before, unless that one is drawn inside a block
            keys[r.spec.name] = r.spec.name if folded in in_blocks else folded
    titles = {name: (name, kind.format(count=len(parts[name]))) for name, kind in kinds.items()}
    return (lambda r: keys[r.spec.name]), titles


def _producer(tensor: str, known: dict) -> str:
    """The layer that made a tensor: its name, or `split_1` for a layer's output `split_1.0`."""
    return tensor if tensor in known else tensor.rpartition(".")[0] if tensor.rpartition(".")[0] in known else tensor


def group_layers(net: Network, key: Callable[[LayerResult], str],
                 titles: dict[str, tuple[str, str]] | None = None) -> tuple[list[Node], list[tuple[int, int]]]:
    """Nodes (the input first, then one per key in order of first appearance) and the edges
    between them: one per pair of nodes that a layer's input connects."""
    index: dict[str, int] = {"input": 0}
    members: list[list[LayerResult]] = [[]]
    node_of = {"input": 0}
    for r in net.layers:
        k = key(r)
        if k not in index:
            index[k] = len(members)
            members.append([])
        members[index[k]].append(r)
        node_of[r.spec.name] = index[k]
    edges = {}
    for r in net.layers:
        for tensor in r.spec.inputs:
            s, t = node_of[_producer(tensor, node_of)], node_of[r.spec.name]
            if s != t:
                edges[(s, t)] = None
    titles = titles or {}
    keys = list(index)[1:]  # the keys in node order, after the input's
    nodes = [Node(layers=(), input_shape=net.input_shape)]
    nodes += [Node(layers=tuple(m), title=titles.get(k)) for k, m in zip(keys, members[1:])]
    return nodes, list(edges)


def draw_graph(net: Network, depth: int | None = None) -> str:
    key, titles = block_key(net, depth) if depth else (fold_element_wise(net), {})
    nodes, edges = group_layers(net, key, titles)
    box = _box(nodes)
    placed = layout(len(nodes), edges, box, MARGIN)
    body = [ARROW, text(MARGIN, 24, heading(net), "title", anchor="start")]
    body += legend(MARGIN, 44, [r for r in ROLES if any(role(n.head) == r for n in nodes)])
    shift = TOP - MARGIN
    body += [_edge(route, shift) for route in placed.edges]
    body += [_node(n, x, y + shift, box) for n, (x, y) in zip(nodes, placed.positions)]
    width, height = placed.size
    width = max(width, text_width(heading(net), 16) + 2 * MARGIN)
    return document(width, height + shift, css(), body, heading(net))


def _box(nodes: list[Node]) -> Box:
    widest = max(max(text_width(a, 12), text_width(b, 11), text_width(c, 11)) for a, b, c in (n.lines() for n in nodes))
    return Box(width=max(160, widest + 16), height=3 * LINE + 10, gap=24, row_gap=22)


def _edge(route, shift: float) -> str:
    return element("polyline", {"points": points((x, y + shift) for x, y in route), "class": "edge",
                                "marker-end": "url(#arrow)"})


def _node(n: Node, x: float, y: float, box: Box) -> str:
    name, types, facts = n.lines()
    cx = x + box.width / 2
    parts = [element("title", {}, n.tooltip()),
             element("rect", {"x": x, "y": y, "width": box.width, "height": box.height, "rx": 4, "class": role(n.head)}),
             text(cx, y + 17, name, "name"), text(cx, y + 17 + LINE, types, "info"),
             text(cx, y + 17 + 2 * LINE, facts, "info")]
    return element("g", {}, "".join(parts))
