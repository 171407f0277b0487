"""`convcalc verify` and the NumPy runner: every layer type runs, every example agrees, and a
wrong engine is caught (exit 3)."""

import json

import pytest

from convcalc.layers import REGISTRY
from convcalc.record import replace
from convcalc.runner import run_network
from convcalc.runner.memory import parse_bytes
from convcalc.spec.loader import bundled_examples
from tests.conftest import invoke, net_of
from tests.test_layers import CASES


@pytest.mark.parametrize("input_shape, entry", [(c[0], c[1]) for c in CASES], ids=[c[1] for c in CASES])
def test_runner_agrees_with_the_engine_for_every_case(input_shape, entry):
    runs, _ = run_network(net_of(input_shape, entry), seed=1, batch=2)
    (run,) = runs
    assert run.ok, run


def test_every_registry_type_has_a_forward():
    assert [name for name, t in REGISTRY.items() if t.forward is None] == []


@pytest.mark.parametrize("name", bundled_examples())
def test_verify_every_example(name):
    result = invoke("verify", name, "--format", "json")
    assert result.code == 0, result.out[-500:] + result.err
    data = json.loads(result.out)
    assert data["ok"] and data["agreeing_layers"] == data["layers_total"] and data["not_run"] == []


def test_verify_table_and_batch():
    result = invoke("verify", "mnist_cnn", "--batch", "3", "--seed", "7")
    assert result.code == 0
    assert "seed 7, batch 3" in result.out and "✓ 7 of 7 layers agree" in result.out


def test_same_seed_same_run():
    net = net_of([3, 8, 8], "conv2d: {filters: 4, kernel_size: 3}", "relu")
    _, a = run_network(net, seed=5, keep=True)
    _, b = run_network(net, seed=5, keep=True)
    _, c = run_network(net, seed=6, keep=True)
    assert (a["relu_1"] == b["relu_1"]).all() and not (a["relu_1"] == c["relu_1"]).all()


def test_a_wrong_engine_is_caught_with_exit_3(monkeypatch):
    """An engine that forgot the bias and got the width wrong must not pass verify."""
    conv = REGISTRY["conv2d"]

    def wrong(ctx):
        right = conv.infer(ctx)
        c, h, w = right.output_shape
        return replace(right, output_shape=(c, h, w + 1), trainable=right.trainable - c)

    monkeypatch.setitem(REGISTRY, "conv2d", replace(conv, infer=wrong))
    result = invoke("verify", "mnist_cnn", "--format", "json")
    assert result.code == 3
    first = json.loads(result.out)["layers"][0]
    assert (first["shape_ok"], first["params_ok"]) == (False, False)
    assert first["predicted_shape"] == [32, 28, 29] and first["actual_shape"] == [32, 28, 28]
    assert first["predicted_params"] == 800 and first["actual_params"] == 832
    table = invoke("verify", "mnist_cnn")
    assert table.code == 3 and "✗" in table.out


def test_a_kernel_the_arrays_refuse_is_reported_not_raised(monkeypatch):
    conv = REGISTRY["conv2d"]

    def wrong_kernel(ctx):
        right = conv.infer(ctx)
        f, c, kh, kw = right.kernel_shape
        return replace(right, kernel_shape=(f, c + 1, kh, kw))

    monkeypatch.setitem(REGISTRY, "conv2d", replace(conv, infer=wrong_kernel))
    result = invoke("verify", "mnist_cnn")
    assert result.code == 3
    assert "the arrays refused it" in result.out and "not run after the failure: 6 layers" in result.out


def test_huge_input_is_refused_before_running():
    result = invoke("verify", "vgg16", "--input", "3x1000000x1000000")
    assert result.code == 1
    assert "estimated peak memory 989.53 TiB" in result.err and "refusing to run" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_max_memory_option():
    assert invoke("verify", "vgg16", "--max-memory", "100M").code == 1
    assert invoke("verify", "lenet5", "--max-memory", "100M").code == 0
    bad = invoke("verify", "lenet5", "--max-memory", "lots")
    assert bad.code == 2 and "6G" in bad.err


@pytest.mark.parametrize("text, expected", [
    ("6G", 6 * 1024**3), ("512MiB", 512 * 1024**2), ("1e9", 10**9), ("2000000", 2_000_000), ("1.5GB", 1_500_000_000),
])
def test_parse_bytes(text, expected):
    assert parse_bytes(text) == expected


@pytest.mark.parametrize("text", ["", "G", "-1G", "0", "0.5", "lots", "1e999", "nan"])
def test_parse_bytes_rejects(text):
    with pytest.raises(ValueError):
        parse_bytes(text)


def test_bad_spec_in_verify_exits_1():
    result = invoke("verify", "-", stdin=b"input: [1, 4, 4]\nlayers:\n  - conv2d: {filters: 1, kernel_size: 5}\n")
    assert result.code == 1 and "kernel 5 > padded height 4" in result.err
