"""`convcalc report`: one self-contained page — the drawing inline, the summary's own cells
and totals, every layer's explanation folded; nothing fetched, nothing run."""

from __future__ import annotations

import re

import pytest

from convcalc.engine import analyze
from convcalc.render.draw import draw
from convcalc.render.report import to_html
from convcalc.render.summary import totals_lines
from convcalc.spec.loader import bundled_examples, load_spec
from tests.conftest import invoke


@pytest.mark.parametrize("name", bundled_examples())
def test_every_bundled_net_makes_a_self_contained_page(name):
    net = analyze(load_spec(name))
    page = to_html(net)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert draw(net) in page  # the drawing inline, as `draw` makes it
    assert "<script" not in page and not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    assert "@media print" in page
    for line in totals_lines(net):
        assert line in page
    assert page.count("<details>") == len(net.layers)


def test_vgg16_report_holds_the_total_and_the_explanations(tmp_path):
    out = tmp_path / "vgg16.html"
    result = invoke("report", "vgg16", "-o", str(out))
    assert result.code == 0 and result.out == ""
    page = out.read_text(encoding="utf-8")
    assert "Total params: 138,357,544" in page
    assert "(N − K + 2P)/S + 1" in page  # a step's formula: the course form
    assert "74.3%" in page  # the dense layer's share, a note that needs the whole network


def test_report_without_o_writes_to_standard_output():
    result = invoke("report", "lenet5")
    assert result.code == 0 and result.out.startswith("<!DOCTYPE html>")


def test_report_of_a_bad_spec_is_one_line():
    result = invoke("report", "-", stdin=b"input: [1, 4, 4]\nlayers:\n  - conv2d: {filters: 2, kernel_size: 5}\n")
    assert result.code == 1 and len(result.err.splitlines()) == 1 and "kernel 5" in result.err
