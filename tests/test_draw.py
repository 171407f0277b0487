"""`convcalc draw`: valid, deterministic SVG for every bundled net; structure goldens for
LeNet-5, the MNIST CNN and ResNet-18 (element counts, labels, viewBox — not pixels); the docs'
SVGs equal the current output; bad paths exit 1 with one line; the layout stays bounded."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from convcalc.engine import analyze
from convcalc.render.draw import draw, is_chain
from convcalc.render.draw_graph import draw_graph
from convcalc.render.draw_layout import MAX_LANES, Box, layout
from convcalc.spec.loader import bundled_examples, load_spec, parse_spec
from tests.conftest import invoke

SVG = "{http://www.w3.org/2000/svg}"
DOCS = Path(__file__).parent.parent / "docs"


def _net(name: str):
    return analyze(load_spec(name))


def structure(svg: str) -> str:
    """What a golden holds: the root's size, how many of each element, and every text."""
    root = ET.fromstring(svg)
    counts = Counter(e.tag.removeprefix(SVG) for e in root.iter())
    lines = [f"viewBox {root.get('viewBox')}", "elements " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))]
    lines += [f"text {e.text or ''}" for e in root.iter(SVG + "text")]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", bundled_examples())
@pytest.mark.parametrize("style", [None, "graph"])
def test_every_bundled_net_draws_valid_svg(name, style):
    svg = draw(_net(name), style)
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg" and root.get("version") == "1.1"
    x, y, w, h = map(float, root.get("viewBox").split())
    assert (x, y) == (0, 0) and (w, h) == (float(root.get("width")), float(root.get("height")))
    assert root.find(SVG + "title").text.startswith(name)
    assert len(list(root.iter(SVG + "text"))) > 5


@pytest.mark.parametrize("name", ["lenet5", "resnet18", "googlenet"])
def test_the_same_spec_gives_the_same_bytes(name):
    assert draw(_net(name)) == draw(_net(name))


@pytest.mark.parametrize("case", [
    {"name": "lenet5", "style": "boxes", "golden": "draw_lenet5.txt"},
    {"name": "mnist_cnn", "style": "boxes", "golden": "draw_mnist_cnn.txt"},
    {"name": "resnet18", "style": "graph", "golden": "draw_resnet18.txt"},
], ids=lambda c: c["name"])
def test_structure_goldens(case, golden):
    golden(case["golden"], structure(draw(_net(case["name"]), case["style"])))


@pytest.mark.parametrize("case", [
    {"file": "lenet5.svg", "name": "lenet5", "style": "boxes"},
    {"file": "resnet18.svg", "name": "resnet18", "style": "graph"},
], ids=lambda c: c["file"])
def test_the_readme_drawings_are_current(case, request):
    svg = draw(_net(case["name"]), case["style"])
    path = DOCS / case["file"]
    if request.config.getoption("--update-goldens"):
        path.write_text(svg, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == svg, "regenerate with pytest --update-goldens"


HOSTILE_NAME = "a<b & 'c' \"d\" ]]> &amp; <script>"  # names are printable: markup is what is left


def test_names_with_markup_are_escaped_text():
    spec = parse_spec("input: [1, 8, 8]\nlayers:\n"
                      f"  - {{type: conv2d, name: {_yaml(HOSTILE_NAME)}, filters: 2, kernel_size: 3}}\n"
                      "  - {type: relu, name: r}\n  - {type: add, inputs: [r, r]}\n")
    net = analyze(spec)
    for style in ("boxes", "graph") if is_chain(net) else ("graph",):
        root = ET.fromstring(draw(net, style))
        texts = [e.text or "" for e in root.iter(SVG + "text")]
        assert any(HOSTILE_NAME in t for t in texts)  # the parser gives back exactly the name


def _yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("case", [
    {"args": ["draw", "resnet18", "--style", "boxes"], "says": "--style graph"},
    {"args": ["draw", "lenet5", "-o", "/nonexistent-folder/x.svg"], "says": "cannot write"},
    {"args": ["draw", "no_such_net"], "says": "no file or bundled example"},
], ids=lambda c: " ".join(c["args"][:4]))
def test_bad_paths_exit_1_with_one_line(case):
    result = invoke(*case["args"])
    assert result.code == 1
    assert case["says"] in result.err and len(result.err.splitlines()) == 1
    assert "internal error" not in result.err and "Traceback" not in result.err


def test_png_without_the_extra_names_the_install(monkeypatch, tmp_path):
    monkeypatch.setitem(__import__("sys").modules, "resvg_py", None)  # an import that fails
    result = invoke("draw", "lenet5", "-o", str(tmp_path / "x.png"))
    assert result.code == 1 and "pip install 'convcalc[png]'" in result.err and len(result.err.splitlines()) == 1


def test_png_needs_a_file():
    result = invoke("draw", "lenet5", "--format", "png")
    assert result.code == 2 and "-o" in result.err


def test_png_with_the_extra_is_a_png(tmp_path):
    pytest.importorskip("resvg_py", reason="the png extra (resvg-py) is not installed")
    result = invoke("draw", "lenet5", "-o", str(tmp_path / "x.png"))
    assert result.code == 0
    assert (tmp_path / "x.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_svg_to_standard_output():
    result = invoke("draw", "mnist_cnn")
    assert result.code == 0 and result.out.startswith("<svg") and result.out == draw(_net("mnist_cnn"))


def _stack(layers: int) -> str:
    entries = "".join("  - conv2d: {filters: 8, kernel_size: 3, padding: 1}\n  - relu\n" for _ in range(layers // 2))
    return f"input: [8, 32, 32]\nlayers:\n{entries}"


def test_a_2000_layer_graph_is_drawn_in_bounded_time():
    net = analyze(parse_spec(_stack(2000)))
    start = time.perf_counter()
    root = ET.fromstring(draw_graph(net))
    assert time.perf_counter() - start < 10  # a loose bound: the work is linear (a benchmark, not a race)
    assert len(root.findall(f".//{SVG}g")) == 1001  # input + 1,000 conv nodes, each relu drawn inside its conv


def test_a_long_chain_is_refused_as_boxes_with_a_pointer_to_graph():
    result = invoke("draw", "-", "--style", "boxes", stdin=_chain_of_convs(100).encode())
    assert result.code == 1 and "--style graph" in result.err


def _chain_of_convs(count: int) -> str:
    entries = "".join(f"  - conv2d: {{filters: {i + 1}, kernel_size: 1}}\n" for i in range(count))
    return f"input: [1, 8, 8]\nlayers:\n{entries}"


@pytest.mark.parametrize("case", [
    {"count": 3, "edges": [(0, 1), (1, 2), (0, 2)], "ranks": (0, 1, 2), "columns": (0, 0, 0)},
    {"count": 4, "edges": [(0, 1), (1, 2), (0, 3), (2, 3)], "ranks": (0, 1, 2, 3), "columns": (0, 0, 0, 0)},
    # a short branch is pulled down beside the long one's last node, in its own column
    {"count": 5, "edges": [(0, 1), (1, 2), (0, 3), (2, 4), (3, 4)], "ranks": (0, 1, 2, 2, 3), "columns": (0, 0, 0, 1, 0)},
], ids=["skip", "skip-into-merge", "branch"])
def test_layout_ranks_and_columns(case):
    placed = layout(case["count"], case["edges"], Box(width=100, height=40, gap=20, row_gap=20), margin=10)
    assert placed.ranks == case["ranks"] and placed.columns == case["columns"]
    assert len(placed.edges) == len(case["edges"])


def test_many_overlapping_skips_share_at_most_max_lanes():
    count = 3000  # every node also reads the input: 3,000 edges around the main column
    edges = [(i, i + 1) for i in range(count - 1)] + [(0, i) for i in range(2, count)]
    start = time.perf_counter()
    placed = layout(count, edges, Box(width=100, height=40, gap=20, row_gap=20), margin=10)
    assert time.perf_counter() - start < 10
    lanes = {route[1][0] for route in placed.edges if len(route) == 4 and route[0][1] == route[1][1]}
    assert len(lanes) <= MAX_LANES


def test_depth_draws_each_block_as_one_node():
    """`draw --depth 1` as `summary --depth 1`: ResNet-50's stages are four nodes titled with
    their block and count; the stem's batchnorm and relu fold into conv1 as by default."""
    result = invoke("draw", "resnet50", "--depth", "1")
    assert result.code == 0, result.err
    root = ET.fromstring(result.out)
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    for stage, count in (("layer1", 3), ("layer2", 4), ("layer3", 6), ("layer4", 3)):
        assert stage in texts and f"bottleneck ×{count}" in texts
    assert "conv2d + batchnorm + relu" in texts
    assert len(root.findall("{http://www.w3.org/2000/svg}g")) == 10  # input, conv1, maxpool, 4 stages, avgpool, flatten, fc


def test_depth_with_boxes_is_refused():
    result = invoke("draw", "lenet5", "--style", "boxes", "--depth", "1")
    assert result.code == 1 and "--style graph" in result.err and len(result.err.splitlines()) == 1
