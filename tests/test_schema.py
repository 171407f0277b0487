"""`convcalc schema`: generated from the registry, shipped beside the bundled specs, and every
bundled spec validates against it."""

import json
from importlib import resources

import jsonschema
import pytest
import yaml

from convcalc.layers import REGISTRY
from convcalc.spec.loader import bundled_examples
from tests.conftest import invoke

SPECS = resources.files("convcalc") / "specs"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(invoke("schema").out)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_shipped_schema_is_the_generated_one():
    """specs/convcalc.schema.json is `convcalc schema > convcalc/specs/convcalc.schema.json`."""
    assert (SPECS / "convcalc.schema.json").read_text() == invoke("schema").out


@pytest.mark.parametrize("name", bundled_examples())
def test_bundled_spec_carries_the_header_and_validates(validator, name):
    text = (SPECS / f"{name}.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=convcalc.schema.json\n")
    assert list(validator.iter_errors(yaml.safe_load(text))) == []


def test_every_type_and_argument_is_in_the_schema():
    schema = json.loads(invoke("schema").out)
    items = schema["$defs"]["layer"]["oneOf"]
    assert set(items[0]["enum"]) >= set(REGISTRY)
    flat = {i["properties"]["type"]["enum"][0]: i for i in items if "type" in i.get("properties", {})}
    for name, t in REGISTRY.items():
        for arg in t.args:
            assert {arg.name, *arg.aliases} <= set(flat[name]["properties"])


@pytest.mark.parametrize("text, valid", [
    ("input: [1, 28, 28]\nlayers:\n  - conv2d: {filters: 3, kernel_size: 3}\n", True),
    ("input: [1, 28, 28]\nlayers:\n  - {type: maxpool2d, pool_size: 2, name: p}\n  - relu\n", True),
    ("input: [1, 28, 28]\nlayers:\n  - conv2d: {filters: 3, kernal_size: 3}\n", False),
    ("input: [1, 28, 28]\nlayers:\n  - conv2d: {filters: 3}\n", False),
    ("input: [1, 28, 28]\nlayers:\n  - conv2d: {filters: 3, kernel_size: 3, padding: full}\n", False),
    ("input: [1, 28, 28]\nlayers:\n  - conv3: {filters: 3}\n", False),
    ("layers: [relu]\n", False),
])
def test_schema_accepts_and_rejects_like_the_parser(validator, text, valid):
    assert validator.is_valid(yaml.safe_load(text)) is valid
    assert (invoke("summary", "-", stdin=text.encode()).code == 0) is valid


FLOAT_EDGES = [
    (t.name, a.name, value)
    for t in REGISTRY.values() for a in t.args if a.kind == "float"
    for bound in (a.low, a.high) if bound is not None
    for value in (bound - 0.5, bound, bound + 0.5)
]


@pytest.mark.parametrize("type_name, arg, value", FLOAT_EDGES)
def test_the_schema_takes_a_float_exactly_when_the_parser_does(validator, type_name, arg, value):
    """An editor's squiggle and convcalc's error agree at every range edge (rate 1.0, eps 0, …)."""
    layer = REGISTRY[type_name]
    entry = {type_name: {arg: value, **{a.name: 1 for a in layer.args if a.required and a.name != arg}}}
    spec = {"input": [2, 6, 6], "layers": [entry]}
    parsed = invoke("summary", "-", "--format", "json", stdin=yaml.safe_dump(spec).encode())
    refused_by_parser = parsed.code == 1 and f"'{arg}' must be a number" in parsed.err
    assert validator.is_valid(spec) is not refused_by_parser, (parsed.err, value)


BLOCK = ("input: [3, 8, 8]\nblocks:\n  cbr:\n    params: {c: null, k: 3}\n    layers:\n"
         "      - conv2d: {name: conv, filters: c * 2, kernel_size: k, padding: k // 2}\n      - relu: {if: c > 2}\n")


@pytest.mark.parametrize("text, valid", [
    (BLOCK + "layers:\n  - cbr: {name: stem, c: 4, repeat: 2, first: {k: 5}}\n", True),
    (BLOCK + "layers:\n  - {type: cbr, c: 4}\n  - relu: {repeat: 2, if: index > 0}\n", True),
    (BLOCK + "layers:\n  - {cbr: {c: 4}, inputs: input, name: b}\n", True),
    (BLOCK.replace("params: {c: null, k: 3}", "params: {k: 3}").replace("c * 2", "4").replace("c > 2", "true")
     + "layers:\n  - cbr\n", True),
    (BLOCK + "layers:\n  - cbr: {c: 4, repeat: 0}\n", False),
    (BLOCK + "layers:\n  - relu: {if: 3}\n", False),
    (BLOCK.replace("    layers:", "    layer:") + "layers:\n  - cbr: {c: 4}\n", False),
    (BLOCK + "layers:\n  - conv2d: {filters: c, kernel_size: 3}\n", False),  # expressions only inside blocks
])
def test_schema_covers_blocks_like_the_parser(validator, text, valid):
    assert validator.is_valid(yaml.safe_load(text)) is valid
    assert (invoke("summary", "-", stdin=text.encode()).code == 0) is valid


def test_with_blocks_the_schema_cannot_know_a_blocks_name():
    """A schema cannot list the names a spec defines, so with `blocks:` an unknown name passes the
    editor and convcalc refuses it; without `blocks:` both refuse it."""
    text = BLOCK + "layers:\n  - cbr: {c: 4}\n  - conv3: {filters: 3}\n"
    assert invoke("summary", "-", stdin=text.encode()).code == 1
