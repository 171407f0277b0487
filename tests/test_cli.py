"""The commands as users and scripts call them: formats, exit codes, stdin, goldens."""

import json
import re
import subprocess
import sys

import pytest

from convcalc.spec.loader import bundled_examples
from tests.conftest import invoke

EXAMPLE_TOTALS = {
    # trainable parameters; the torchvision figures for the networks it has
    "lenet5": 61_706,
    "mnist_cnn": 116_106,
    "alexnet": 61_100_840,
    "vgg16": 138_357_544,
    "resnet18": 11_689_512,
    "resnet50": 25_557_032,
    "googlenet": 6_624_904,
    "mobilenet_v2": 3_504_872,
    "unet": 31_030_658,
    # written with blocks; tests/oracle/test_torchvision.py compares each with torchvision layer by layer
    "resnext50_32x4d": 25_028_904,
    "densenet121": 7_978_856,
    "squeezenet1_1": 1_235_496,
    "inception_v3": 23_834_568,
    "mobilenet_v3_large": 5_483_032,
    "mobilenet_v3_small": 2_542_856,
    "efficientnet_b0": 5_288_548,
    "regnet_y_400mf": 4_344_144,
    "shufflenet_v2_x1_0": 2_278_604,
    "convnext_tiny": 28_589_128,
}


def test_every_bundled_example_has_a_total():
    assert sorted(bundled_examples()) == sorted(EXAMPLE_TOTALS)


@pytest.mark.parametrize("name, total", EXAMPLE_TOTALS.items())
def test_example_totals(name, total):
    result = invoke("summary", name, "--format", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["totals"]["trainable_params"] == total


@pytest.mark.parametrize("name, layer, rf", [
    ("alexnet", "maxpool2d_3", [195, 195]),        # Araujo et al. (2019), table 1
    ("vgg16", "maxpool2d_5", [212, 212]),
    ("mobilenet_v2", "features.18.2", [491, 491]),
])
def test_published_receptive_fields(name, layer, rf):
    layers = json.loads(invoke("summary", name, "-f", "json").out)["layers"]
    assert next(l for l in layers if l["name"] == layer)["receptive_field"] == rf


def test_resnet50_v1_receptive_field_is_483(tmp_path):
    """Araujo et al. give 483 for ResNet-50 v1, whose stride sits on the first 1×1 of a block;
    the bundled spec is torchvision's v1.5 (stride on the 3×3)."""
    text = invoke("summary", "resnet50", "-f", "json").out  # make sure it runs first
    assert text
    from importlib import resources

    spec = (resources.files("convcalc") / "specs" / "resnet50.yaml").read_text()
    v1 = spec.replace("{name: conv1, filters: channels, kernel_size: 1,", "{name: conv1, filters: channels, kernel_size: 1, stride: stride,")
    v1 = v1.replace("kernel_size: 3, stride: stride, padding: 1", "kernel_size: 3, padding: 1")
    assert v1.count("stride: stride") == spec.count("stride: stride")  # the stride moved, not lost
    layers = json.loads(invoke("summary", "-", "-f", "json", stdin=v1.encode()).out)["layers"]
    assert next(l for l in layers if l["name"] == "layer4.2.relu_3")["receptive_field"] == [483, 483]


def test_json_matches_the_contract():
    data = json.loads(invoke("summary", "mnist_cnn", "-f", "json").out)
    assert data["name"] == "mnist_cnn" and data["input_shape"] == [1, 28, 28] and data["output_shape"] == [10]
    first = data["layers"][0]
    assert {k: first[k] for k in ("index", "name", "type", "inputs", "input_shapes", "output_shape", "kernel_shape",
                                  "params", "trainable_params", "macs", "receptive_field")} == {
        "index": 1, "name": "conv2d_1", "type": "conv2d", "inputs": ["input"], "input_shapes": [[1, 28, 28]],
        "output_shape": [32, 28, 28], "kernel_shape": [32, 1, 5, 5], "params": 832, "trainable_params": 832,
        "macs": 627200, "receptive_field": [5, 5],
    }
    assert data["layers"][2]["kernel_shape"] is None
    totals = data["totals"]
    assert set(totals) >= {"params", "trainable_params", "non_trainable_params", "macs", "flops", "param_bytes", "activation_bytes"}
    assert totals["flops"] == 2 * totals["macs"] and totals["param_bytes"] == 4 * totals["params"]


def test_input_override():
    data = json.loads(invoke("summary", "vgg16", "--input", "3x32x32", "-f", "json").out)
    assert data["input_shape"] == [3, 32, 32] and data["layers"][-10]["output_shape"] == [512, 1, 1]


@pytest.mark.parametrize("args, fragment", [
    (["summary", "mnist_cnn", "--format", "yaml"], "yaml"),
    (["summary", "mnist_cnn", "--input", "3xbig"], "3x224x224"),
    (["summary"], "Missing argument"),
    (["frobnicate"], "No such command"),
])
def test_usage_errors_exit_2(args, fragment):
    result = invoke(*args)
    assert result.code == 2
    assert fragment in result.err


def test_missing_spec_file_names_the_examples():
    result = invoke("summary", "lenet")
    assert result.code == 1
    assert "no file or bundled example 'lenet'" in result.err and "did you mean 'lenet5'" in result.err


def test_warnings_are_printed_in_the_table():
    text = "input: [1, 28, 28]\nlayers:\n  - conv2d: {filters: 1, kernel_size: 3, stride: 2}\n"
    result = invoke("summary", "-", stdin=text.encode())
    assert result.code == 0 and "warning: layer 1 'conv2d_1' (line 3): height: stride 2 does not fit" in result.out


def test_version():
    result = invoke("--version")
    assert result.code == 0 and re.fullmatch(r"convcalc \d+\.\d+\.\d+\n", result.out)


@pytest.mark.parametrize("name, args", [
    ("mnist_cnn.table.txt", ["summary", "mnist_cnn"]),
    ("mnist_cnn.csv", ["summary", "mnist_cnn", "-f", "csv"]),
    ("mnist_cnn.md", ["summary", "mnist_cnn", "-f", "markdown"]),
    ("mnist_cnn.json", ["summary", "mnist_cnn", "-f", "json"]),
    ("resnet18.table.txt", ["summary", "resnet18"]),
    ("uneven_stride.table.txt", ["summary", "-"]),
    ("layers.md", ["layers", "-f", "markdown"]),
])
def test_rendered_output_matches_golden(golden, name, args):
    stdin = b"name: uneven\ninput: [3, 28, 28]\nlayers:\n  - conv2d: {filters: 8, kernel_size: 3, stride: 2}\n"
    result = invoke(*args, stdin=stdin)
    assert result.code == 0, result.err
    golden(name, result.out)


def test_layers_catalogue_lists_every_registry_type():
    from convcalc.layers import REGISTRY

    catalogue = json.loads(invoke("layers", "-f", "json").out)
    assert [c["type"] for c in catalogue] == list(REGISTRY)
    conv = next(c for c in catalogue if c["type"] == "conv2d")
    assert {a["name"]: a["default"] for a in conv["args"]}["stride"] == 1
    table = invoke("layers").out
    assert all(name in table for name in REGISTRY)


def test_console_script_reads_stdin():
    """The installed entry point, end to end, as a course script would call it."""
    spec = b"input: [1, 28, 28]\nlayers:\n  - conv2d: {filters: 16, kernel_size: 3}\n  - conv2d: {filters: 32, kernel_size: 3}\n"
    out = subprocess.run([sys.executable, "-m", "convcalc", "summary", "-", "-f", "csv"], input=spec,
                         capture_output=True, check=True).stdout.decode()
    assert [line.split(",")[7] for line in out.splitlines()[1:]] == ["160", "4640"]
    bad = subprocess.run([sys.executable, "-m", "convcalc", "summary", "-"], input=b"input: [1]\nlayers: [conv2d]\n",
                         capture_output=True)
    assert bad.returncode == 1 and b"Traceback" not in bad.stderr


def test_input_override_is_bounded_like_the_spec():
    result = invoke("summary", "lenet5", "--input", "1x9999999999x32")
    assert result.code == 1 and "'input' sizes must be whole numbers from 1 to 2147483647" in result.err


def test_an_internal_error_is_one_line(monkeypatch):
    import convcalc.engine

    def broken(spec):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(convcalc.engine, "analyze", broken)
    result = invoke("summary", "lenet5")
    assert result.code == 1 and result.err.startswith("internal error: ZeroDivisionError") and "Traceback" not in result.err
    monkeypatch.setenv("CONVCALC_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        invoke("summary", "lenet5")


@pytest.mark.parametrize("command", ["convcalc summary mnist_cnn", "convcalc explain mnist_cnn conv2d_2",
                                     "convcalc explain mnist_cnn conv2d_2 --lang zh",
                                     "convcalc verify mnist_cnn --backward"])
def test_readme_examples_are_real_output(command):
    """The README's console blocks are what the command prints (the explain one is cut at '…')."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = readme.split(f"$ {command}\n", 1)[1].split("```", 1)[0]
    shown = [line.rstrip() for line in block.splitlines() if line.strip() != "…"]
    actual = [line.rstrip() for line in invoke(*command.split()[1:]).out.splitlines()]
    assert shown == actual[:len(shown)]


@pytest.mark.parametrize("args", [
    ("verify", "lenet5", "--seed", "9" * 5000),
    ("summary", "lenet5", "--input", "1x" * 3000),
    ("solve", "--input", "7" * 5000, "--output", "2"),
    ("quiz", "--count", "\x1b[2J" * 100),
])
def test_usage_errors_are_bounded_and_escaped(args):
    """A usage error (exit 2) quotes the user's value at most a line's worth, control characters escaped."""
    result = invoke(*args)
    assert result.code == 2, result.err
    assert "Error:" in result.err and "\x1b" not in result.err
    assert max(len(line) for line in result.err.splitlines()) <= 200, result.err[:300]


def test_no_arguments_print_the_help():
    result = invoke()
    assert result.code == 2 and "Usage:" in result.err and "summary" in result.err and "\\n" not in result.err


def test_summary_json_writes_one_layer_per_line():
    """The layer list is one record a line (grep-friendly, and the C encoder's speed); parsed,
    it is the same data as json.dumps with indent=2."""
    out = invoke("summary", "resnet50", "--format", "json").out
    data = json.loads(out)
    layer_lines = [line for line in out.splitlines() if line.startswith('    {"index": ')]
    assert len(layer_lines) == len(data["layers"]) == 175
    assert all(json.loads(line.rstrip(",")) == layer for line, layer in zip(layer_lines, data["layers"]))
