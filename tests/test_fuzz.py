"""Random specs through every stage: parser, engine, renderers, explain and the NumPy runner.

Specs are drawn from the registry itself (every layer type, every argument kind, good values and
bad ones), so a new layer type is fuzzed the day it is registered. The property: each command
either succeeds or fails with exit 1 and a one- or two-line `error:`, and `verify` never finds a
disagreement (exit 3 would mean the engine and the runner disagree on a spec both accepted).
10× the profile's examples (5,000 in CI).
"""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc.layers import REGISTRY
from convcalc.layers.base import Arg
from tests.conftest import invoke

EXAMPLES = 10 * settings().max_examples
JUNK = st.sampled_from([None, True, -1, 0, 1.5, float("nan"), "same", "x" * 80, [], [1, 2, 3, 4], {"a": 1}, 2**40])


def _size(low: int = 1) -> st.SearchStrategy:
    return st.integers(low, 6)


def _value(arg: Arg) -> st.SearchStrategy:
    """Mostly values the argument's kind accepts, sometimes junk."""
    good = {
        "int": _size(),
        "sizes": _size() | st.lists(_size(), min_size=1, max_size=3),
        "padding": _size(0) | st.lists(_size(0), min_size=1, max_size=3) | st.sampled_from(arg.choices or ("valid",)),
        "pads": _size(0) | st.lists(st.lists(_size(0), min_size=2, max_size=2), min_size=1, max_size=3),
        "dims": _size() | st.lists(_size(), min_size=1, max_size=4),
        "bool": st.booleans(),
        "float": st.floats(-1, 2, allow_nan=False),
        "choice": st.sampled_from(arg.choices or ("none",)),
    }.get(arg.kind, JUNK)
    return st.one_of(good, good, good, JUNK)


@st.composite
def entries(draw, names: list[str], index: int) -> dict:
    type_name = draw(st.sampled_from(sorted(REGISTRY)))
    layer_type = REGISTRY[type_name]
    entry: dict = {"type": type_name, "name": f"l{index}"}
    for arg in layer_type.args:
        if arg.required or draw(st.integers(0, 3)) == 0:
            entry[arg.name] = draw(_value(arg))
    if layer_type.min_inputs > 1 or draw(st.integers(0, 5)) == 0:
        count = max(layer_type.min_inputs, 1) + draw(st.integers(0, 1))
        entry["inputs"] = draw(st.lists(st.sampled_from(names), min_size=count, max_size=count))
    return entry


@st.composite
def specs(draw) -> str:
    rank = draw(st.integers(0, 3))
    shape = [draw(st.integers(1, 6))] + [draw(st.integers(1, 10)) for _ in range(rank)]
    names = ["input"]
    layers = []
    for i in range(draw(st.integers(1, 5))):
        layers.append(draw(entries(names, i + 1)))
        names.append(f"l{i + 1}")
    return yaml.safe_dump({"input": shape, "layers": layers}, sort_keys=False)


def _check(args: tuple[str, ...], text: str, allowed: tuple[int, ...] = (0, 1)) -> int:
    result = invoke(*args, stdin=text.encode())
    assert result.code in allowed, f"{args} exit {result.code}\n{text}\n{result.err}"
    if result.code == 1:
        lines = result.err.strip().splitlines()
        assert lines and lines[0].startswith("error:"), f"{args}\n{text}\n{result.err}"
        assert len(lines) <= 2 and "internal error" not in result.err, f"{args}\n{text}\n{result.err}"
    return result.code


@settings(max_examples=EXAMPLES)
@given(specs())
def test_random_specs_fail_cleanly_or_agree(text):
    if _check(("summary", "-", "--format", "json"), text):
        return
    for args in (("summary", "-"), ("summary", "-", "--format", "csv"), ("summary", "-", "--format", "markdown"),
                 ("explain", "-"), ("explain", "-", "--format", "json")):
        assert _check(args, text, (0,)) == 0
    _check(("verify", "-", "--format", "json", "--max-memory", "64M"), text)
