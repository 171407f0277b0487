"""Every command as a person sees it in an 80×50 terminal: run under a pseudo-terminal, no line
wider than the screen, no cell cut with `…`, and every number, shape and name of the command's
JSON whole somewhere on the screen. Then the table layout itself: piped, byte for byte what
rich's Table printed; fitted, within any width and never cutting a word."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from rich.cells import cell_len

from convcalc.layers import REGISTRY
from convcalc.render.catalogue import _arg_text, _input_text
from convcalc.render.grid import ONE_CELL, Column, grid, layout, render, wrap
from convcalc.render.jsontext import dumps
from convcalc.spec.loader import bundled_examples
from tests.conftest import invoke, net_of

COLUMNS, LINES = 80, 50
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]")
NETS = sorted(bundled_examples())
ROOT = Path(__file__).resolve().parent.parent  # this checkout's convcalc, whatever the working directory


def screen(*args: str, columns: int = COLUMNS, timeout: float = 60) -> tuple[int, str]:
    """`convcalc ARGS` with standard output on a pseudo-terminal of `columns`×50; its exit
    code and what it printed, ANSI codes stripped. Standard error goes to a pipe, so that
    verify's transient progress bar stays out of the text."""
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, columns, 0, 0))
    env = {**os.environ, "COLUMNS": str(columns), "LINES": str(LINES), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    process = subprocess.Popen([sys.executable, "-m", "convcalc", *args], stdin=secondary, stdout=secondary,
                               stderr=subprocess.PIPE, env=env, start_new_session=True)
    os.close(secondary)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not select.select([primary], [], [], 1)[0]:
                continue
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = process.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        os.close(primary)
        process.kill()
        process.stderr.close()
    text = ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")
    return code, text


def words_of(text: str) -> set[str]:
    """The pieces a line may not be broken inside: runs between spaces, and in them each wide
    (CJK) character on its own, since Chinese breaks between characters."""
    import re

    return {piece for word in text.split() for piece in re.split(r"([\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef])", word) if piece}


def assert_fits(text: str, columns: int = COLUMNS) -> None:
    for line in text.split("\n"):
        assert cell_len(line) <= columns, f"{cell_len(line)} columns: {line!r}"
        if line.startswith(("│", "┃")):
            assert "…" not in line, f"a cell cut: {line!r}"


def assert_whole(tokens, text: str) -> None:
    """Each token (a number, a shape, a name) stands on the screen with nothing glued to it."""
    for token in tokens:
        pattern = rf"(?<![\w×,.]){re.escape(token)}(?![\w×,.])"
        assert re.search(pattern, text), f"{token!r} is not whole on the screen"


def shape(s) -> str:
    return "×".join(map(str, s))


@pytest.mark.parametrize("name", NETS)
def test_summary_fits_80_columns(name):
    code, text = screen("summary", name)
    assert code == 0
    assert_fits(text)
    data = json.loads(invoke("summary", name, "-f", "json").out)
    tokens = [data["name"]]
    for layer in data["layers"]:
        kind = f"{layer['type']} + {layer['activation']}" if layer.get("activation") else layer["type"]
        tokens += [str(layer["index"]), layer["name"], f"({kind})", shape(layer["output_shape"]),
                   f"{layer['params']:,}", f"{layer['macs']:,}", *(shape(s) for s in layer["input_shapes"])]
        tokens += [shape(layer["kernel_shape"])] if layer["kernel_shape"] else []
        tokens += [shape(layer["receptive_field"])] if layer["receptive_field"] else []
    totals = data["totals"]
    tokens += [f"{totals[k]:,}" for k in ("params", "trainable_params", "non_trainable_params", "macs", "flops")]
    assert_whole(tokens, text)


@pytest.mark.parametrize("name", ["mnist_cnn", "resnet18"])
def test_summary_training_fits_80_columns(name):
    """The `Saved` column and the training lines (one wraps with its hanging indent) fit too."""
    code, text = screen("summary", name, "--training", "--batch", "32", "--optimizer", "momentum")
    assert code == 0
    assert_fits(text)
    total = json.loads(invoke("summary", name, "--training", "--batch", "32", "--optimizer", "momentum",
                              "-f", "json").out)["totals"]["training"]["total_bytes"]
    assert_whole(["Saved", f"({total:,} B)"], text)


@pytest.mark.parametrize("name", ["lenet5", "mnist_cnn", "resnet18"])
def test_verify_fits_80_columns(name):
    code, text = screen("verify", name)
    assert code == 0
    assert_fits(text)
    data = json.loads(invoke("verify", name, "-f", "json").out)
    tokens = []
    for layer in data["layers"]:
        tokens += [str(layer["index"]), layer["name"], f"({layer['type']})", shape(layer["predicted_shape"]),
                   shape(layer["actual_shape"]), f"{layer['predicted_params']:,}", f"{layer['actual_params']:,}"]
    assert_whole(tokens, text)
    assert f"{data['agreeing_layers']} of {data['layers_total']} layers agree" in text


@pytest.mark.parametrize("name", ["lenet5", "mnist_cnn"])
def test_verify_backward_fits_80_columns(name):
    """The gradients' table beside the forward's: every predicted and actual shape whole."""
    code, text = screen("verify", name, "--backward")
    assert code == 0
    assert_fits(text)
    data = json.loads(invoke("verify", name, "--backward", "-f", "json").out)
    tokens = []
    for layer in data["layers"]:
        g = layer["gradients"]
        tokens += [shape(s) for s in g["predicted_input_shapes"] + g["actual_input_shapes"]]
        tokens += [shape(s) for s in g["predicted_weight_shapes"] + g["actual_weight_shapes"]]
    assert_whole(tokens, text)
    assert f"{data['backward']['agreeing_layers']} of {data['layers_total']} backward" in text


@pytest.mark.parametrize("names", [["lenet5", "alexnet", "vgg16", "resnet50", "mobilenet_v2"], NETS])
def test_compare_fits_80_columns(names):
    code, text = screen("compare", *names)
    assert code == 0
    assert_fits(text)
    tokens = []
    for d in json.loads(invoke("compare", *names, "-f", "json").out):
        tokens += [d["name"], str(d["depth"]), str(d["layers"]), f"{d['params']:,}", f"{d['macs']:,}",
                   shape(d["output_shape"]), d["largest_layer"]["name"], f"({d['largest_layer']['params']:,})"]
    assert_whole(tokens, text)


@pytest.mark.parametrize("args", [
    ["--input", "28", "--output", "14"],
    ["--input", "7", "--output", "14", "--transposed"],
    ["--input", "28", "--output", "14", "--pool", "--limit", "50"],
    ["--output", "1", "--kernel", "3"],
])
def test_solve_fits_80_columns(args):
    code, text = screen("solve", *args)
    assert code == 0
    assert_fits(text)
    data = json.loads(invoke("solve", *args, "-f", "json").out)
    for s in data["solutions"]:
        assert_whole(s["check"].split(), text)  # the check wraps at spaces only
    assert f"{data['total']} solution" in text


def test_layers_fits_80_columns():
    code, text = screen("layers")
    assert code == 0
    assert_fits(text)
    tokens = []
    for t in REGISTRY.values():
        tokens += [t.name, *t.aliases, *(_arg_text(a) for a in t.args)]
        assert " ".join(t.summary.split()) in " ".join(text.replace("│", " ").split()) or words_of(t.summary) <= words_of(text)
    assert_whole(tokens, text)
    assert all(_input_text(t) in text for t in REGISTRY.values())


@pytest.mark.parametrize("name", NETS)
def test_explain_fits_80_columns(name):
    code, text = screen("explain", name)
    assert code == 0
    assert_fits(text)
    explained = json.loads(invoke("explain", name, "-f", "json").out)
    screen_words = words_of(text)
    for e in explained:
        words = {e["name"], *(w for note in e["notes"] for w in note.split())}
        for step in e["steps"]:
            words |= words_of(f"{step['formula']} {step['substituted']}")
        missing = words - screen_words
        assert not missing, f"layer {e['name']}: {sorted(missing)[:5]} not whole on the screen"


def test_explain_wraps_with_a_hanging_indent():
    code, text = screen("explain", "mnist_cnn", "conv2d_2")
    lines = text.split("\n")
    bullet = next(i for i, line in enumerate(lines) if line.startswith("• Every filter"))
    assert lines[bullet + 1].startswith("  channel count") and not lines[bullet + 1].startswith("   ")


def test_quiz_grade_fits_80_columns(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("1: 96x27x27\n2: 51232\n3: " + "x" * 55 + "\n")  # under the 60-character echo bound
    code, text = screen("quiz", "--seed", "3", "--count", "4", "--grade", str(answers))
    assert code == 0
    assert_fits(text)
    assert "score: 2/4" in text and sum(map(len, re.findall("x{5,}", text))) == 55  # folded, never cut


@pytest.mark.parametrize("columns", [60, 100, 132])
def test_other_widths(columns):
    code, text = screen("summary", "googlenet", columns=columns)
    assert code == 0
    assert_fits(text, columns)
    data = json.loads(invoke("summary", "googlenet", "-f", "json").out)
    assert_whole([f"{layer['macs']:,}" for layer in data["layers"]] + [layer["name"] for layer in data["layers"]], text)


def test_a_wide_terminal_shows_one_table():
    code, text = screen("summary", "resnet50", columns=200)
    assert text.count("┏") == 1 and "Input" in text and "RF" in text


# --- the layout, without a terminal -----------------------------------------------------------

def rich_table(g, title: str) -> str:
    """What the summary table printed before the grid: rich's Table, measured on a wide console."""
    import io

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title), title_justify="left", header_style="bold")
    for column in g.columns:
        table.add_column(column.header, justify="right" if column.right else "left", no_wrap=True)
    for row in g.rows:
        table.add_row(*(Text("\n".join(text for text, _ in cell)) for cell in row))
    width = Console(width=10_000).measure(table).maximum
    out = io.StringIO()
    Console(file=out, width=max(width, 80), highlight=False, color_system=None).print(table)
    return out.getvalue()


TEXT = st.text(st.sampled_from("ab×—· 12,_漢"), max_size=12).filter(lambda t: t == t.strip() and "  " not in t)
PARAGRAPHS = st.lists(TEXT.filter(bool), min_size=1, max_size=3)  # as the name and its "← inputs" line
CELL = st.one_of(TEXT, PARAGRAPHS.map(lambda ps: tuple((p, "") for p in ps)))


@st.composite
def grids(draw):
    n = draw(st.integers(1, 6))
    columns = [Column(header=draw(TEXT), right=draw(st.booleans()), wrap=draw(st.booleans()), rank=draw(st.integers(0, 3)),
                      min_width=draw(st.integers(0, 12))) for _ in range(n)]
    rows = draw(st.lists(st.tuples(*[CELL] * n), min_size=1, max_size=5))
    return grid(title=draw(st.text(st.sampled_from("ab "), max_size=8)), columns=columns, rows=rows)


@given(grids())
def test_piped_grid_is_byte_for_byte_richs_table(g):
    lines = ["".join(text for text, _ in line) for line in render(g, None)]
    table_width = cell_len(lines[1])
    assume(cell_len(g.title) <= table_width)  # rich wrapped a longer title; the grid never wraps when piped
    assert "".join(line + "\n" for line in lines) == rich_table(g, g.title)


@given(grids(), st.integers(10, 140))
def test_a_fitted_grid_stays_within_the_width_and_cuts_no_word(g, width):
    """When every part has room for each column's longest word (all of a column that does not
    wrap), every line fits the width and no word is folded."""
    lines = ["".join(text for text, _ in line) for line in render(g, width)]
    numbered, parts = layout(g, width)
    if all(sum(_floor(numbered, i) for i in part.columns) + 3 * len(part.columns) + 1 <= width for part in parts):
        assert all(cell_len(line) <= width for line in lines), lines
        shown = words_of(" ".join(lines).replace("│", " ").replace("┃", " "))
        assert all(words_of(text) <= shown for row in g.rows for cell in row for text, _ in cell)


def _floor(g, i: int) -> int:
    """The narrowest column i can be without folding a word: its longest word if it wraps, else its widest line."""
    texts = [g.columns[i].header, *(text for row in g.rows for text, _ in row[i])]
    return max(cell_len(w) for t in texts for w in (t.split(" ") if g.columns[i].wrap else [t]))


@pytest.mark.parametrize("text, width, hang, lines", [
    ("abc def", 80, 0, ["abc def"]),
    ("abc def ghi", 7, 0, ["abc def", "ghi"]),
    ("• one two three", 9, 2, ["• one two", "  three"]),
    ("  · padding  □ input", 12, 4, ["  · padding", "    □ input"]),
    ("abcdefghij", 4, 0, ["abcd", "efgh", "ij"]),
    ("ab  cd", 2, 0, ["ab", "cd"]),
    ("漢字漢字", 4, 0, ["漢字", "漢字"]),
])
def test_wrap(text, width, hang, lines):
    assert wrap(text, width, hang) == tuple(lines)


# --- control characters in names ----------------------------------------------------------------

HOSTILE = 'name: "net\\e]0;owned\\a\\x9b2J"\ninput: [1, 8, 8]\nlayers:\n  - {relu: null, name: "r\\e[2J\\u202e\\x9bX|y"}\n'
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]")


@pytest.mark.parametrize("args", [
    ["summary", "-"], ["summary", "-", "-f", "csv"], ["summary", "-", "-f", "markdown"], ["summary", "-", "-f", "json"],
    ["summary", "-", "--get", "layers.1.name"], ["summary", "-", "--get", "name"], ["summary", "-", "--get", "layers", "-f", "json"],
    ["compare", "-", "lenet5"], ["compare", "-", "lenet5", "-f", "csv"], ["compare", "-", "lenet5", "-f", "markdown"],
    ["compare", "-", "lenet5", "-f", "json"], ["explain", "-"], ["explain", "-", "-f", "json"], ["verify", "-"],
    ["verify", "-", "-f", "json"], ["summary", "-", "--get", "layers.x"],
])
def test_control_characters_in_names_are_escaped_everywhere(args):
    result = invoke(*args, stdin=HOSTILE.encode())
    assert not RAW.search(result.out + result.err), repr(result.out + result.err)
    assert "\\e" in result.out + result.err or "\\u001b" in result.out


def _renamed(net, name: str, layer_name: str):
    """The network with names the loader would refuse (it takes printable names only): the
    renderers escape whatever reaches them all the same, a second line of defence."""
    from convcalc.record import replace

    first = replace(net.layers[0], spec=replace(net.layers[0].spec, name=layer_name))
    return replace(net, name=name, layers=(first, *net.layers[1:]))


def test_the_loader_refuses_control_characters_in_names_escaped():
    result = invoke("summary", "-", stdin=HOSTILE.encode())
    assert result.code == 1 and not RAW.search(result.err) and "\\e" in result.err, result.err


def test_escaped_json_reads_back_as_the_same_name():
    from convcalc.render.summary import to_json

    net = _renamed(net_of([1, 8, 8], "relu"), "net\x1b]0;owned\x07\x9b2J", "r\x1b[2J\u202e\x9bX|y")
    text = to_json(net)
    data = json.loads(text)
    assert not RAW.search(text)
    assert data["name"] == "net\x1b]0;owned\x07\x9b2J" and data["layers"][0]["name"] == "r\x1b[2J\u202e\x9bX|y"


def test_a_pipe_in_a_name_keeps_the_markdown_table_whole():
    spec = "input: [1, 8, 8]\nlayers:\n  - {relu: null, name: 'X|y'}\n"
    row = invoke("summary", "-", "-f", "markdown", stdin=spec.encode()).out.splitlines()[4]
    assert row.count(" | ") == 7 and "X\\|y" in row


def test_the_characters_measured_by_length_are_one_cell_wide():
    assert all(cell_len(c) == 1 for c in ONE_CELL)


# --- JSON text ----------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.one_of(st.text(max_size=5), st.integers(0, 9)), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_json_text_is_json_dumps_with_control_characters_escaped(value):
    expected = json.dumps(value, indent=2, ensure_ascii=False)
    text = dumps(value)
    assert text.endswith("\n") and json.loads(text) == json.loads(expected)
    if not re.search("[\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]",
                     expected):
        assert text == expected + "\n"
