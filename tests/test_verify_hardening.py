"""`verify` on what a user can reach: the same tensor named twice, seeds and batches out of range,
memory the machine does not have, values that overflow — each a clear answer, never an internal
error; and the memory estimate above the real peak of every layer type's forward."""

import json
import os
import subprocess
import sys
import tracemalloc
import warnings
from math import prod
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import assume, given, strategies as st

from convcalc.engine import analyze
from convcalc.errors import SpecError
from convcalc.layers import REGISTRY
from convcalc.record import replace
from convcalc.runner import memory, run_network
from convcalc.runner.backward import run_backward
from convcalc.runner.memory import estimate_peak, memory_cap
from convcalc.spec.loader import load_spec, parse_spec
from tests.conftest import invoke, net_of
from tests.test_layers import CASES

ROOT = Path(__file__).resolve().parent.parent


# --- a tensor named more than once in `inputs` ---------------------------------------------

REPEATED = [
    {"case": "add x x", "layers": ["{relu: null, name: x}", "{add: null, inputs: [x, x]}"], "channels": 2},
    {"case": "concat r r", "layers": ["{relu: null, name: r}", "{concat: null, inputs: [r, r]}"], "channels": 4},
    {"case": "add the input to itself", "layers": ["{add: null, inputs: [input, input, input]}"], "channels": 2},
    {"case": "x twice, then again later",
     "layers": ["{relu: null, name: x}", "{concat: null, inputs: [x, x], name: c}", "{relu6: null, inputs: x, name: y}",
                "{concat: null, inputs: [c, y, x]}"], "channels": 8},
]


@pytest.mark.parametrize("case", REPEATED, ids=[c["case"] for c in REPEATED])
def test_repeated_inputs_run(case):
    net = net_of([2, 4, 4], *case["layers"])
    runs, _ = run_network(net, batch=2)
    assert [run.ok for run in runs] == [True] * len(net.layers)
    assert runs[-1].actual_shape == (case["channels"], 4, 4)


def test_repeated_inputs_compute_what_they_say():
    net = net_of([2, 4, 4], "{relu: null, name: x}", "{add: null, inputs: [x, x], name: twice}",
                 "{concat: null, inputs: [x, x], name: stacked}")
    _, tensors = run_network(net, keep=True)
    assert np.array_equal(tensors["twice"], 2 * tensors["x"])
    assert np.array_equal(tensors["stacked"], np.concatenate([tensors["x"]] * 2, axis=1))


def test_repeated_inputs_through_the_command():
    spec = b"input: [2, 4, 4]\nlayers:\n  - {relu: null, name: x}\n  - {add: null, inputs: [x, x]}\n"
    result = invoke("verify", "-", "--format", "json", stdin=spec)
    assert result.code == 0, result.err
    assert json.loads(result.out)["ok"]


# --- --seed and --batch ----------------------------------------------------------------------

@pytest.mark.parametrize("args, code", [
    (("--seed", "-1"), 2),
    (("--seed", str(2**64)), 2),
    (("--seed", "abc"), 2),
    (("--seed", "9" * 5000), 2),
    (("--batch", "0"), 2),
    (("--batch", str(2**31)), 2),
    (("--seed", str(2**64 - 1)), 0),
    (("--seed", "0", "--batch", "3"), 0),
])
def test_seed_and_batch_ranges(args, code):
    result = invoke("verify", "lenet5", "--format", "json", *args)
    assert result.code == code, result.err
    assert "internal error" not in result.err and "Traceback" not in result.err


def test_the_largest_batch_is_refused_by_the_estimate_at_once():
    result = invoke("verify", "vgg16", "--batch", str(2**31 - 1))
    assert result.code == 1
    assert "estimated peak memory" in result.err and "batch 2147483647" in result.err
    assert len(result.err.strip().splitlines()) == 1


# --- the memory estimate covers every forward's temporaries ----------------------------------

HOSTILE = [  # temporaries that dwarf the input and output; a batch that keeps each run small
    ([8, 16, 16], "lrn: {size: 100000}", 64),
    ([8, 16, 16], "gelu", 64),
    ([1, 1, 2], "conv2d: {filters: 1, kernel_size: 1, padding: 40, stride: 40}", 64),
    ([1, 2, 2], "conv_transpose2d: {filters: 3, kernel_size: 1, stride: 40, padding: 19}", 64),
    ([2, 3, 3], "conv_transpose2d: {filters: 2, kernel_size: 3, stride: 3, padding: valid}", 4096),
    ([2, 3], "conv_transpose1d: {filters: 2, kernel_size: 2, stride: 5, output_padding: 3}", 16384),
    ([4, 6, 6], "separable_conv2d: {filters: 3, kernel_size: 1, depth_multiplier: 8}", 1024),
    ([2, 3, 3], "avgpool2d: {pool_size: 3, padding: 1, stride: 3, count_include_pad: false}", 8192),
    ([2, 3, 3, 3], "maxpool3d: {pool_size: 2, padding: 1, ceil_mode: true}", 4096),
    ([2, 1, 100], "adaptive_avgpool2d: {output_size: [100, 1]}", 256),
    ([2, 1, 100], "adaptive_maxpool2d: {output_size: [100, 1]}", 256),
    ([2, 5, 7, 9], "adaptive_avgpool3d: {output_size: [9, 2, 20]}", 256),
    ([3, 4, 5], "upsample: {scale_factor: [3, 5]}", 2048),
    ([3, 4, 5], "softmax", 4096),
    ([3, 8, 8], "conv2d: {filters: 4, kernel_size: 3, activation: gelu}", 1024),  # Keras' activation argument
    ([3, 8, 8], "conv_transpose2d: {filters: 4, kernel_size: 3, stride: 2, activation: elu}", 1024),
    ([3, 8, 8], "separable_conv2d: {filters: 4, kernel_size: 3, activation: softmax}", 1024),
    ([48], "dense: {units: 64, activation: gelu}", 4096),
    ([3, 4, 5], "activation: {activation: gelu}", 4096),
    ([3, 4, 5], "{add: null, inputs: [input, input, input]}", 4096),
    ([3, 4, 5], "{concat: null, inputs: [input, input]}", 4096),
]
VALUES = 2**17  # per input, by choice of batch: the arrays, not Python's objects, set the peak
MEMORY_CASES = [(c[0], c[1], max(1, VALUES // prod(c[0]))) for c in CASES] + HOSTILE
# NumPy's iterator buffers (8,192 elements per operand) and the runner's own Python objects: a
# fixed allowance that the estimate, which counts arrays, leaves out
SLACK = 256 * 1024


def real_peak(net, batch: int, run=run_network) -> int:
    """Bytes traced at the peak of a run (`run_backward`: forward, every tensor kept, then
    back), above what was allocated before it (NumPy reports its arrays to tracemalloc)."""
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        run(net, batch=batch)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("input_shape, entry, batch", MEMORY_CASES, ids=[c[1] for c in MEMORY_CASES])
def test_the_estimate_covers_the_real_peak(input_shape, entry, batch):
    net = net_of(input_shape, entry)
    run_network(net_of(input_shape, entry))  # imports done, so only the run is traced
    assert real_peak(net, batch) <= estimate_peak(net, batch).peak_bytes + SLACK


def test_every_layer_type_is_in_the_memory_table():
    covered = {net_of(shape, entry).layers[0].spec.type for shape, entry, _ in MEMORY_CASES}
    assert sorted(set(REGISTRY) - covered) == []


MINI_UNET = [  # a U-Net's shape at a small size: down, up by a transposed conv, concat the skip
    "{conv2d: {filters: 8, kernel_size: 3, padding: 1}, name: skip}", "maxpool2d: {pool_size: 2}",
    "conv2d: {filters: 16, kernel_size: 3, padding: 1}", "relu",
    "{conv_transpose2d: {filters: 8, kernel_size: 2, stride: 2}, name: up}", "{concat: null, inputs: [up, skip]}",
    "conv2d: {filters: 4, kernel_size: 1}",
]


@pytest.mark.parametrize("name", ["lenet5", "mnist_cnn", "mobilenet_v2", "googlenet", "resnet18", "mini U-Net"])
def test_the_estimate_covers_whole_networks(name):
    """Live tensors, freed after their last use, and the im2col buffer kept between layers."""
    net = net_of([3, 64, 64], *MINI_UNET) if name == "mini U-Net" else analyze(load_spec(name, None))
    run_network(net)
    assert real_peak(net, 2) <= estimate_peak(net, 2).peak_bytes + SLACK


@pytest.mark.parametrize("input_shape, entry, batch", MEMORY_CASES, ids=[c[1] for c in MEMORY_CASES])
def test_the_backward_estimate_covers_the_real_peak(input_shape, entry, batch):
    net = net_of(input_shape, entry)
    run_backward(net)  # imports done, so only the run is traced
    assert real_peak(net, batch, run_backward) <= estimate_peak(net, batch, backward=True).peak_bytes + SLACK


@pytest.mark.parametrize("name", ["lenet5", "mnist_cnn", "mobilenet_v2", "resnet18", "convnext_tiny", "mini U-Net"])
def test_the_backward_estimate_covers_whole_networks(name):
    net = net_of([3, 64, 64], *MINI_UNET) if name == "mini U-Net" else analyze(load_spec(name, None))
    run_backward(net)
    assert real_peak(net, 1, run_backward) <= estimate_peak(net, 1, backward=True).peak_bytes + SLACK


def sizes(dims: int, low: int, high: int) -> st.SearchStrategy:
    """An int, or one per spatial axis."""
    values = st.integers(low, high)
    return st.one_of(values, st.lists(values, min_size=dims, max_size=dims))


@st.composite
def windowed_layers(draw):
    """A conv, transposed conv, pool or adaptive pool with padding and strides that make its
    temporaries large next to its input."""
    dims = draw(st.sampled_from([1, 2, 3]))
    kind = draw(st.sampled_from(["conv", "conv_transpose", "maxpool", "avgpool", "adaptive"]))
    window = {"kernel_size": draw(sizes(dims, 1, 4)), "stride": draw(sizes(dims, 1, 6))}
    if kind in ("conv", "conv_transpose"):
        args = {**window, "filters": draw(st.integers(1, 6)), "padding": draw(sizes(dims, 0, 8)),
                "dilation": draw(sizes(dims, 1, 3))}
        if kind == "conv_transpose":
            args["output_padding"] = draw(sizes(dims, 0, 2))
    elif kind == "adaptive":
        kind = draw(st.sampled_from(["adaptive_avgpool", "adaptive_maxpool"]))
        args = {"output_size": draw(sizes(dims, 1, 24))}
    else:
        args = {"pool_size": window["kernel_size"], "stride": window["stride"], "padding": draw(sizes(dims, 0, 2)),
                "ceil_mode": draw(st.booleans())}
    shape = [draw(st.integers(1, 4)), *draw(st.lists(st.integers(1, {1: 24, 2: 10, 3: 6}[dims]), min_size=dims,
                                                     max_size=dims))]
    return shape, f"{kind}{dims}d", args


@pytest.mark.parametrize("run", [run_network, run_backward], ids=["forward", "backward"])
@given(config=windowed_layers())
def test_the_estimate_covers_random_windows(run, config):
    shape, type_, args = config
    try:
        net = analyze(parse_spec(yaml.safe_dump({"input": shape, "layers": [{type_: args}]})))
    except SpecError:
        assume(False)
    batch, backward = max(1, VALUES // prod(shape)), run is run_backward
    assume(estimate_peak(net, batch, backward).peak_bytes < 256 * 1024**2)
    run(net)
    assert real_peak(net, batch, run) <= estimate_peak(net, batch, backward).peak_bytes + SLACK


def test_lrn_memory_does_not_grow_with_its_window():
    small, huge = (estimate_peak(net_of([8, 16, 16], f"lrn: {{size: {size}}}"), 1) for size in (5, 2**31 - 1))
    assert small.peak_bytes == huge.peak_bytes


# --- the cap -----------------------------------------------------------------------------------

GIB = 1024**3


@pytest.mark.parametrize("given, available, headroom, cap, reason", [
    (None, 10 * GIB, None, 8 * GIB, "RAM available"),
    (None, 10 * GIB, 5 * GIB, 4 * GIB, "ulimit -v"),
    (1 * GIB, 10 * GIB, 5 * GIB, 1 * GIB, "--max-memory"),
    (100 * GIB, 10 * GIB, None, 8 * GIB, "RAM available"),
    (None, 10 * GIB, -1, 0, "ulimit -v"),
])
def test_the_cap_is_the_smallest_limit(monkeypatch, given, available, headroom, cap, reason):
    monkeypatch.setattr(memory, "_meminfo_available", lambda: available)
    monkeypatch.setattr(memory, "_address_space_left", lambda: headroom)
    result = memory_cap(given)
    assert result.bytes == cap and reason in result.reason


def test_without_meminfo_a_quarter_of_ram(monkeypatch):
    monkeypatch.setattr(memory, "_meminfo_available", lambda: None)
    monkeypatch.setattr(memory, "_address_space_left", lambda: None)
    monkeypatch.setattr(memory, "physical_memory", lambda: 16 * GIB)
    assert memory_cap(None).bytes == 4 * GIB


def test_a_cap_is_always_there(monkeypatch):
    monkeypatch.setattr(memory, "_meminfo_available", lambda: None)
    monkeypatch.setattr(memory, "_address_space_left", lambda: None)
    monkeypatch.setattr(memory, "physical_memory", lambda: 0)
    assert memory_cap(None).bytes == memory.UNKNOWN_CAP


def run_limited(kib: int, *args: str) -> subprocess.CompletedProcess:
    """`convcalc ARGS` in a shell whose address space is limited to KIB (`ulimit -v`)."""
    command = f"ulimit -v {kib} && exec {sys.executable} -m convcalc " + " ".join(args)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the address space from /proc")
def test_ulimit_refuses_up_front():
    result = run_limited(4_000_000, "verify", "vgg16", "--batch", "64")
    assert result.returncode == 1, result.stderr
    assert "estimated peak memory" in result.stderr and "ulimit -v" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the address space from /proc")
def test_ulimit_runs_what_fits_close_to_the_cap(tmp_path):
    """A 2.5 GiB padded copy against a 2.9 GiB cap: the estimate must not fall short."""
    spec = tmp_path / "padded.yaml"
    spec.write_text("input: [1, 2, 2]\nlayers:\n  - conv2d: {filters: 1, kernel_size: 1, padding: 13000, stride: 13000}\n")
    result = run_limited(4_000_000, "verify", str(spec), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["estimated_peak_bytes"] > 2.4 * GIB


def test_out_of_memory_in_the_run_is_exit_1_with_the_estimate(monkeypatch):
    def no_memory(run):
        raise MemoryError("Unable to allocate 1.00 TiB")

    monkeypatch.setitem(REGISTRY, "relu", replace(REGISTRY["relu"], forward=no_memory))
    result = invoke("verify", "mnist_cnn")
    assert result.code == 1
    assert "out of memory" in result.err and "estimated peak" in result.err and "internal error" not in result.err
    assert len(result.err.strip().splitlines()) == 1


# --- values that overflow ----------------------------------------------------------------------

def test_non_finite_values_are_counted_not_warned(monkeypatch):
    def divide_by_zero(run):
        return run.x / np.zeros_like(run.x)  # a real 0/0 and x/0 inside the forward

    monkeypatch.setitem(REGISTRY, "tanh", replace(REGISTRY["tanh"], forward=divide_by_zero))
    net = net_of([2, 3, 3], "tanh", "dropout")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        runs, _ = run_network(net)
    assert [run.non_finite for run in runs] == [18, 18] and all(run.ok for run in runs)
    spec = b"input: [2, 3, 3]\nlayers:\n  - tanh\n  - dropout\n"
    table = invoke("verify", "-", stdin=spec)
    assert table.code == 0 and "RuntimeWarning" not in table.err
    assert "note: layer 1 'tanh_1' (line 3): 18 of 18 output values are inf or NaN" in table.out
    data = json.loads(invoke("verify", "-", "--format", "json", stdin=spec).out)
    assert [layer["non_finite_values"] for layer in data["layers"]] == [18, 18]
