"""Layers with several outputs (split, chunk): their shapes, how `inputs` names them (`split_1.0`),
and what every output format shows for them — the table, CSV, Markdown, JSON, `--get`, explain,
verify and the memory estimate. The PyTorch side is in tests/oracle/test_multi_output.py."""

from __future__ import annotations

import json
import time
from math import ceil, prod

import pytest
from hypothesis import given, strategies as st

from convcalc.engine import analyze
from convcalc.errors import SpecError
from convcalc.explain import evaluate, explain
from convcalc.layers import REGISTRY
from convcalc.runner import run_network
from convcalc.runner.memory import estimate_peak
from convcalc.spec.loader import parse_spec
from tests.conftest import invoke, net_of
from tests.test_terminal import assert_fits, assert_whole, screen
from tests.test_verify_hardening import SLACK, real_peak

# ShuffleNetV2's unit: `x1, x2 = x.chunk(2, dim=1)`, a branch on x2, concat with x1; then a split
SHUFFLE_UNIT = """\
name: shuffle_unit
input: [116, 28, 28]
layers:
  - conv2d: {filters: 116, kernel_size: 3, padding: 1}
  - chunk: {chunks: 2}
  - {conv2d: {filters: 58, kernel_size: 1}, inputs: chunk_1.1}
  - relu
  - {concat: {}, inputs: [chunk_1.0, relu_1]}
  - split: {sizes: [24, 92]}
  - {conv2d: {filters: 8, kernel_size: 3}, inputs: split_1.1}
  - {concat: {}, inputs: [split_1.0, split_1.0]}
"""


@pytest.fixture
def shuffle_file(tmp_path):
    path = tmp_path / "shuffle.yaml"
    path.write_text(SHUFFLE_UNIT)
    return str(path)


SHAPES = [
    # (input, entry, every output's shape)
    ([116, 28, 28], "chunk: {chunks: 2}", [(58, 28, 28), (58, 28, 28)]),
    ([7, 4], "chunk: {chunks: 3}", [(3, 4), (3, 4), (1, 4)]),
    ([5], "chunk: {chunks: 3}", [(2,), (2,), (1,)]),
    ([3, 5, 7], "chunk: {chunks: 4, axis: 2}", [(3, 5, 2)] * 3 + [(3, 5, 1)]),
    ([8, 4, 4], "chunk: {chunks: 1}", [(8, 4, 4)]),
    ([116, 28, 28], "split: {sizes: [24, 92]}", [(24, 28, 28), (92, 28, 28)]),
    ([10], "split: {sizes: [3, 3, 4]}", [(3,), (3,), (4,)]),
    ([2, 3, 8, 8], "split: {sizes: [1, 2], axis: 1}", [(2, 1, 8, 8), (2, 2, 8, 8)]),
    ([4, 6, 9], "split: {sizes: [2, 3, 4], axis: 2}", [(4, 6, 2), (4, 6, 3), (4, 6, 4)]),
    ([4, 6, 6], "split: {sizes: [4]}", [(4, 6, 6)]),
]


@pytest.mark.parametrize("input_shape, entry, shapes", SHAPES, ids=[c[1] for c in SHAPES])
def test_every_output_shape(input_shape, entry, shapes):
    (layer,) = net_of(input_shape, entry).layers
    assert layer.output_shapes == tuple(shapes)
    assert layer.output_shape == shapes[0]
    assert (layer.params, layer.macs) == (0, 0)
    assert layer.spec.outputs == len(shapes)
    assert layer.spec.output_names == ((layer.spec.name,) if len(shapes) == 1 else
                                       tuple(f"{layer.spec.name}.{k}" for k in range(len(shapes))))


def torch_chunk_sizes(n: int, chunks: int) -> list[int]:
    """torch.chunk's documented rule, written out: steps of ceil(n/chunks) until n is used up."""
    size = ceil(n / chunks)
    return [min(size, n - start) for start in range(0, n, size)]


@given(st.integers(1, 300), st.integers(1, 40))
def test_chunk_follows_torch_or_says_how_many_it_would_give(n, chunks):
    sizes = torch_chunk_sizes(n, chunks)
    try:
        (layer,) = net_of([n, 2], f"chunk: {{chunks: {chunks}}}").layers
    except SpecError as e:
        assert len(sizes) != chunks
        assert f"fill only {len(sizes)} of them" in str(e) and f"use chunks: {len(sizes)}" in str(e)
        return
    assert [s[0] for s in layer.output_shapes] == sizes


@given(st.lists(st.integers(1, 50), min_size=1, max_size=12), st.integers(-3, 3))
def test_split_takes_exactly_the_sizes_that_add_up(sizes, off):
    total = sum(sizes) + off
    if total < 1:
        return
    try:
        (layer,) = net_of([3, total], f"split: {{sizes: {sizes}, axis: 1}}").layers
    except SpecError as e:
        assert off != 0 and f"add up to {sum(sizes)}, but axis 1 (length) of the input 3×{total} is {total}" in str(e)
        return
    assert off == 0 and layer.output_shapes == tuple((3, n) for n in sizes)


def test_outputs_are_named_and_read_by_later_layers():
    net = analyze(parse_spec(SHUFFLE_UNIT))
    by_name = net.by_name
    assert by_name["conv2d_2"].input_shapes == ((58, 28, 28),)
    assert by_name["concat_1"].input_shapes == ((58, 28, 28), (58, 28, 28))
    assert by_name["conv2d_3"].input_shapes == ((92, 28, 28),)
    assert by_name["concat_2"].output_shape == (48, 28, 28)
    assert [c.spec.name for c in net.consumers["split_1.0"]] == ["concat_2"]


def test_a_single_output_is_read_by_its_name():
    """`chunks: 1` and one section give one tensor: an ordinary layer, named as one."""
    net = net_of([4, 6, 6], "chunk: {chunks: 1}", "relu", "split: {sizes: [4]}", "{relu: null, name: split_1.0}")
    assert net.layers[-1].input_shapes == ((4, 6, 6),)


def test_each_output_keeps_the_input_receptive_field():
    net = net_of([4, 16, 16], "conv2d: {filters: 4, kernel_size: 3}", "split: {sizes: [1, 3]}",
                 "{conv2d: {filters: 2, kernel_size: 3}, inputs: split_1.1}",
                 "{maxpool2d: {pool_size: 2}, inputs: split_1.0}")
    assert [r.receptive_field for r in net.layers] == [(3, 3), (3, 3), (5, 5), (4, 4)]


def test_activation_memory_counts_every_output_once():
    net = analyze(parse_spec(SHUFFLE_UNIT))
    values = sum(prod(s) for r in net.layers for s in r.output_shapes)
    assert net.totals.activation_bytes == 4 * values
    split = net.by_name["split_1"]
    assert sum(prod(s) for s in split.output_shapes) == prod(split.input_shapes[0])


# --- what every output format shows ---------------------------------------------------------------

def test_json_has_output_shapes_on_every_layer(shuffle_file):
    data = json.loads(invoke("summary", shuffle_file, "--format", "json").out)
    for layer in data["layers"]:
        assert layer["output_shape"] == layer["output_shapes"][0]
    layers = {layer["name"]: layer for layer in data["layers"]}
    assert layers["chunk_1"]["output_shapes"] == [[58, 28, 28], [58, 28, 28]]
    assert layers["split_1"]["output_shapes"] == [[24, 28, 28], [92, 28, 28]]
    assert layers["relu_1"]["output_shapes"] == [[58, 28, 28]]
    assert layers["conv2d_3"]["inputs"] == ["split_1.1"]


@pytest.mark.parametrize("path, printed", [
    ("layers.split_1.output_shapes", "[[24, 28, 28], [92, 28, 28]]\n"),
    ("layers.split_1.output_shapes.2", "92 28 28\n"),
    ("layers.split_1.output_shape", "24 28 28\n"),
    ("layers.relu_1.output_shapes", "[[58, 28, 28]]\n"),
    ("layers.conv2d_3.inputs", "split_1.1\n"),
])
def test_get_reads_the_outputs(shuffle_file, path, printed):
    result = invoke("summary", shuffle_file, "--get", path)
    assert (result.code, result.out) == (0, printed)


def test_csv_and_markdown_show_every_output(shuffle_file):
    rows = invoke("summary", shuffle_file, "--format", "csv").out.splitlines()
    assert rows[2].startswith("2,chunk_1,chunk,conv2d_1,116x28x28,58x28x28;58x28x28,")
    assert rows[6].startswith("6,split_1,split,concat_1,116x28x28,24x28x28;92x28x28,")
    markdown = invoke("summary", shuffle_file, "--format", "markdown").out
    assert "| 58×28×28 ×2 |" in markdown and "| 24×28×28, 92×28×28 |" in markdown


def test_the_table_shows_every_output_within_80_columns(shuffle_file):
    code, text = screen("summary", shuffle_file)
    assert code == 0
    assert_fits(text)
    assert "58×28×28 ×2" in text
    assert_whole(["24×28×28", "92×28×28", "← split_1.1", "split_1.0, split_1.0"], text)
    line_24 = next(line for line in text.splitlines() if "24×28×28" in line and "split_1 (split)" in line)
    below = text.splitlines()[text.splitlines().index(line_24) + 1]
    assert "92×28×28" in below, "unequal outputs stand one a line"


def test_piped_table_lists_every_output(shuffle_file):
    out = invoke("summary", shuffle_file).out
    assert "58×28×28 ×2" in out and "92×28×28" in out


def test_explain_shows_each_section_and_the_sum(shuffle_file):
    net = analyze(parse_spec(SHUFFLE_UNIT))
    (split,) = explain(net, "split_1")
    steps = {s.what: s for s in split.result.steps}
    assert [steps[f"output {k} (channels)"].value for k in (0, 1)] == [24, 92]
    total = steps["sections together (channels)"]
    assert (total.substituted, total.value) == ("24 + 92", 116)
    (chunk,) = explain(net, "chunk_1")
    assert [s.substituted for s in chunk.result.steps] == ["ceil(116/2)", "ceil(116/58)", "116 − (2 − 1)·58"]
    for e in (split, chunk):
        assert all(evaluate(s.substituted) == s.value for s in e.result.steps)
    text = invoke("explain", shuffle_file, "split_1").out
    assert "outputs 24×28×28, 92×28×28" in " ".join(text.split())
    steps_json = json.loads(invoke("explain", shuffle_file, "chunk_1", "--format", "json").out)[0]["steps"]
    assert [s["id"] for s in steps_json] == ["chunk_size", "chunk_count", "chunk_last"]


# --- verify: the NumPy forward ------------------------------------------------------------------------

def test_verify_compares_every_output(shuffle_file):
    result = invoke("verify", shuffle_file, "--format", "json")
    assert result.code == 0, result.err
    layers = {layer["name"]: layer for layer in json.loads(result.out)["layers"]}
    assert layers["split_1"]["actual_shapes"] == layers["split_1"]["predicted_shapes"] == [[24, 28, 28], [92, 28, 28]]
    assert layers["conv2d_2"]["actual_shapes"] == [[58, 28, 28]]


def test_consumers_get_their_own_output():
    net = net_of([4, 3, 3], "split: {sizes: [1, 3]}", "{relu: null, inputs: split_1.1}",
                 "{tanh: null, inputs: split_1.0}", "chunk: {chunks: 2, axis: 1, inputs: input}")
    _, tensors = run_network(net, batch=2, keep=True)
    x = tensors["input"]
    assert (tensors["split_1.0"] == x[:, :1]).all() and (tensors["split_1.1"] == x[:, 1:]).all()
    assert (tensors["relu_1"] == x[:, 1:].clip(0)).all()
    assert (tensors["chunk_1.0"] == x[:, :, :2]).all() and (tensors["chunk_1.1"] == x[:, :, 2:]).all()


def test_a_wrong_output_is_caught_with_exit_3(monkeypatch, shuffle_file):
    """The second output's shape is checked too, not only the first."""
    from convcalc.record import replace

    split = REGISTRY["split"]

    def wrong(ctx):
        right = split.infer(ctx)
        first, (c, h, w) = right.output_shapes[0], right.output_shapes[1]
        return replace(right, output_shapes=(first, (c, h, w + 1)))

    monkeypatch.setitem(REGISTRY, "split", replace(split, infer=wrong))
    result = invoke("verify", shuffle_file, "--format", "json")
    assert result.code == 3
    layers = {layer["name"]: layer for layer in json.loads(result.out)["layers"]}
    assert not layers["split_1"]["shape_ok"] and layers["split_1"]["predicted_shapes"][1] == [92, 28, 29]


def test_a_forward_with_too_few_outputs_is_the_layers_error(monkeypatch):
    from convcalc.record import replace

    chunk = REGISTRY["chunk"]
    monkeypatch.setitem(REGISTRY, "chunk", replace(chunk, forward=lambda run: chunk.forward(run)[:1]))
    runs, _ = run_network(net_of([4, 3, 3], "chunk: {chunks: 2}", "{relu: null, inputs: chunk_1.1}"))
    assert len(runs) == 1 and "the forward gave 1 outputs, the spec names 2" in runs[0].error


@pytest.mark.parametrize("batch", [1, 64])
def test_the_memory_estimate_covers_a_split_network(batch):
    net = analyze(parse_spec(SHUFFLE_UNIT.replace("[116, 28, 28]", "[116, 8, 8]")))
    run_network(net)
    assert real_peak(net, batch) <= estimate_peak(net, batch).peak_bytes + SLACK


# --- bad paths ------------------------------------------------------------------------------------

REFERENCES = st.one_of(
    st.sampled_from(["split_1", "split_1.0", "split_1.2", "split_1.-1", "split_1.", ".0", "split_1.0.0", "relu_1.0",
                     "split_1.٣", "split_1.1e0", "split_1. 1", "input.0", "split_1.00"]),
    st.text(alphabet="split_1.0123456789\u0661", max_size=14),
)


@given(REFERENCES)
def test_any_reference_is_taken_or_refused_in_one_line(reference):
    text = (f"input: [4, 6, 6]\nlayers:\n  - relu\n  - split: {{sizes: [1, 3]}}\n"
            f"  - {{relu: null, inputs: {json.dumps(reference)}}}\n")
    result = invoke("summary", "-", "--get", "totals.params", stdin=text.encode())
    if reference in ("split_1.0", "split_1.1", "input", "relu_1"):
        assert result.code == 0, result.err
    else:
        assert result.code == 1 and result.err.startswith("error: layer 3 'relu_2' (line 5)"), result.err
        assert len(result.err.splitlines()) <= 2 and "internal error" not in result.err


def test_many_outputs_are_bounded_and_listed_briefly():
    sizes = [1] * 1024
    start = time.perf_counter()
    net = net_of([1024, 2], f"split: {{sizes: {sizes}}}", "{relu: null, inputs: split_1.1023}")
    assert net.layers[1].input_shapes == ((1, 2),) and time.perf_counter() - start < 2
    with pytest.raises(SpecError) as info:
        net_of([1024, 2], f"split: {{sizes: {sizes}}}", "relu")
    assert "split_1.0, split_1.1, split_1.2, …, split_1.1023" in str(info.value) and len(str(info.value)) < 200
    with pytest.raises(SpecError, match="1 to 1024 whole numbers"):
        net_of([1025, 2], f"split: {{sizes: {[1] * 1025}}}")


def test_the_readme_get_example_is_real_output(shuffle_file):
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    shown = readme.split("$ convcalc summary my_shufflenet.yaml --get layers.split_1.output_shapes\n", 1)[1]
    assert shown.splitlines()[0] + "\n" == invoke("summary", shuffle_file, "--get", "layers.split_1.output_shapes").out
