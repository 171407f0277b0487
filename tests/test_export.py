"""`convcalc export` without any framework installed: every registered layer type is exported
or refused per framework, the code compiles and is the same on every run, lenet5's modules
equal their golden files, and a refusal is exit 1 with one line naming the layer."""

from __future__ import annotations

import pytest

from convcalc.engine import analyze
from convcalc.export import FRAMEWORKS, keras, pytorch, to_source
from convcalc.layers import REGISTRY
from convcalc.spec.loader import bundled_examples, load_spec, parse_data
from tests.conftest import invoke

EXPORTERS = {"pytorch": pytorch.MODULES, "keras": keras.LAYERS}


@pytest.mark.parametrize("framework", sorted(EXPORTERS))
def test_every_registered_type_is_exported_or_refused(framework):
    """A new layer type fails here until each exporter writes it or refuses it with a message."""
    assert sorted(set(REGISTRY) - set(EXPORTERS[framework])) == []
    assert sorted(set(EXPORTERS[framework]) - set(REGISTRY)) == []


@pytest.mark.parametrize("framework", sorted(EXPORTERS))
@pytest.mark.parametrize("name", bundled_examples())
def test_generated_code_compiles_and_is_deterministic(framework, name):
    net = analyze(load_spec(name))
    source = to_source(net, framework)
    compile(source, f"{name}.py", "exec")
    assert source == to_source(analyze(load_spec(name)), framework)
    assert f"params {net.totals.params:,}" in source and f"MACs {net.totals.macs:,}" in source


@pytest.mark.parametrize("framework", sorted(EXPORTERS))
def test_lenet5_golden(framework, golden):
    result = invoke("export", "lenet5", "--to", framework)
    assert result.code == 0, result.err
    golden(f"export_lenet5_{framework}.py", result.out)


def test_export_writes_the_file(tmp_path):
    path = tmp_path / "model.py"
    result = invoke("export", "mnist_cnn", "--to", "pytorch", "-o", str(path))
    assert result.code == 0 and result.out == ""
    assert path.read_text() == invoke("export", "mnist_cnn", "--to", "pytorch").out


# (spec, framework, words the one-line error must hold)
REFUSED = [
    ({"input": [3, 7, 7], "layers": [{"avgpool2d": {"pool_size": 2, "stride": 2, "padding": "same", "name": "p"}}]},
     "pytorch", ("layer 1 'p'", "PyTorch cannot express this avgpool2d", "uneven")),
    ({"input": [3, 8, 8], "layers": [{"lrn": {"name": "n"}}]}, "keras", ("layer 1 'n'", "Keras has no local response")),
    ({"input": [3, 8, 8], "layers": [{"conv2d": {"filters": 2, "kernel_size": 3, "stride": 2, "dilation": 2}}]},
     "keras", ("layer 1 'conv2d_1'", "Keras cannot express this conv2d", "stride > 1 together with a dilation > 1")),
]


@pytest.mark.parametrize("spec, framework, words", REFUSED)
def test_what_a_framework_cannot_express_is_exit_1_naming_layer_and_framework(spec, framework, words):
    import yaml

    result = invoke("export", "-", "--to", framework, stdin=yaml.safe_dump(spec).encode())
    lines = result.err.strip().splitlines()
    assert result.code == 1 and len(lines) == 1 and lines[0].startswith("error: "), result.err
    assert all(w in lines[0] for w in words), lines[0]
    assert "internal error" not in result.err and result.out == ""


@pytest.mark.parametrize("args, code", [
    (("export", "lenet5"), 2),                                  # --to is required
    (("export", "lenet5", "--to", "jax"), 2),                   # an unknown framework is a usage error
    (("export", "no_such_net", "--to", "pytorch"), 1),
    (("export", "lenet5", "--to", "pytorch", "-o", "/no/such/dir/m.py"), 1),
])
def test_bad_export_calls(args, code):
    result = invoke(*args)
    assert result.code == code, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err


def test_names_that_cannot_be_attributes_fall_back_to_a_module_dict():
    net = analyze(parse_data({"input": [1, 4, 4], "layers": [{"relu": {"name": "a-b"}}, {"relu": {"name": "forward"}},
                                                             {"relu": {"name": "a_b"}}]}))
    assert pytorch.module_paths(net) == {"a-b": "layers.a_b", "forward": "layers.forward", "a_b": "layers.a_b_2"}
    compile(to_source(net, "pytorch"), "m.py", "exec")


def test_frameworks_are_the_exporters_tested_here():
    assert set(EXPORTERS) <= set(FRAMEWORKS)


def test_readme_export_examples_are_real_output():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = readme.split("$ convcalc export resnet18 --to pytorch | head -3\n", 1)[1].split("```", 1)[0]
    assert block.splitlines() == invoke("export", "resnet18", "--to", "pytorch").out.splitlines()[:3]
    section = readme.split("## Code out: export to PyTorch and Keras", 1)[1].split("\n## ", 1)[0]
    shown = " ".join(section.split("`error: ", 1)[1].split("…`", 1)[0].split())
    result = invoke("export", "-", "--to", "pytorch", stdin=b"input: [3, 7, 7]\nlayers:\n  - avgpool2d: "
                    b"{pool_size: 2, stride: 2, padding: same}\n")
    assert result.err.startswith("error: " + shown), (shown, result.err)
