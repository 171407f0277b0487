"""Keras in, standard library only: checked-in files (a Sequential as model.to_json(), a Functional
as a .keras archive with only its config) read back, and hostile archives refused in one line."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import invoke

DATA = Path(__file__).parent / "data"

# figures from Keras' count_params() and output shapes when the files were made (Keras 3, torch backend)
FILES = [
    {"file": "keras_small_sequential.json", "params": 13642, "output": [10],
     "shapes": {"conv2d": [8, 26, 26], "max_pooling2d": [8, 13, 13], "flatten": [1352]}},
    {"file": "keras_small_functional.keras", "params": 644, "output": [4],
     "shapes": {"c1": [16, 32, 32], "add": [16, 32, 32], "cat": [32, 32, 32], "gap": [32]}},
]


@pytest.mark.parametrize("case", FILES, ids=lambda c: c["file"])
def test_checked_in_models(case):
    r = invoke("summary", str(DATA / case["file"]), "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["totals"]["params"] == case["params"] and data["output_shape"] == case["output"]
    by_name = {layer["name"]: layer["output_shape"] for layer in data["layers"]}
    assert {name: by_name[name] for name in case["shapes"]} == case["shapes"]
    assert "channels last" in r.err


@pytest.mark.parametrize("case", FILES, ids=lambda c: c["file"])
def test_import_writes_yaml(case, tmp_path):
    out = tmp_path / "spec.yaml"
    assert invoke("import", str(DATA / case["file"]), "-o", str(out)).code == 0
    assert invoke("summary", str(out), "--get", "totals.params").out.strip() == str(case["params"])


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


HOSTILE = {
    "zip bomb": lambda: _zip({"config.json": b" " * (50 << 20)}),
    "truncated archive": lambda: (DATA / "keras_small_functional.keras").read_bytes()[:300],
    "no config.json": lambda: _zip({"model.weights.h5": b"x"}),
    "not json": lambda: b"{\"class_name\": ",
    "not a model": lambda: b"[1, 2, 3]",
    "deep json": lambda: b"[" * 100_000,
    "unknown layer": lambda: json.dumps({"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 8, 8, 3], "name": "in"}},
        {"class_name": "Lambda", "config": {"name": "magic"}}]}}).encode(),
}


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_keras_files(label, tmp_path):
    path = tmp_path / ("bad.keras" if label != "not json" else "bad.json")
    path.write_bytes(HOSTILE[label]())
    start = time.perf_counter()
    r = invoke("summary", str(path))
    assert time.perf_counter() - start < 2
    assert r.code == 1 and r.err.startswith("error: ") and len(r.err.strip().splitlines()) == 1, r.err
    assert "internal error" not in r.err


def test_the_readme_example_is_real_output(monkeypatch):
    """README "Use it with your own model": the console block is stderr's note, then stdout."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root)  # the example's path is relative to the checkout
    readme = (root / "README.md").read_text()
    command = "convcalc summary tests/data/keras_small_sequential.json --get totals.trainable_params"
    shown = readme.split(f"$ {command}\n", 1)[1].split("```", 1)[0]
    result = invoke(*command.split()[1:])
    assert result.code == 0 and shown == result.err + result.out
