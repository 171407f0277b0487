"""Every registered layer type has a PyTorch oracle — a module in `torch_module`, or a merge
that `TorchNetwork` computes — or is declared Keras-only with the test that checks it. A new
layer type fails here until the oracle knows it."""

import pytest

torch = pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")

from convcalc.errors import SpecError  # noqa: E402
from convcalc.layers import REGISTRY  # noqa: E402
from convcalc.spec.loader import parse_data  # noqa: E402
from tests.oracle.common import agree, convcalc_layer  # noqa: E402
from tests.oracle.torch_build import KERAS_ONLY, MERGES, run_torch, run_torch_network  # noqa: E402

SHAPES = ([2, 6, 6], [2, 6], [2, 6, 6, 6], [6])  # the first one the type takes is used


SMALLEST = {"shape": [-1], "axes": [1], "int_list": [1, 1]}  # a reshape to one axis, the one-axis permutation, a split in two


def smallest_args(type_name: str) -> dict:
    """The required arguments at their smallest: sizes 1, the first choice."""
    return {a.name: a.choices[0] if a.kind == "choice" else SMALLEST.get(a.kind, a.minimum)
            for a in REGISTRY[type_name].args if a.required}


def accepted_shape(type_name: str, args: dict) -> list[int]:
    shape = next((s for s in SHAPES if not isinstance(convcalc_layer(s, type_name, args), SpecError)), None)
    assert shape is not None, f"{type_name} {args} takes none of {SHAPES}"
    return shape


@pytest.mark.parametrize("type_name", sorted(set(REGISTRY) - set(MERGES) - set(KERAS_ONLY)))
def test_every_type_has_a_torch_module(type_name):
    args = smallest_args(type_name)
    shape = accepted_shape(type_name, args)
    agree("PyTorch", run_torch(type_name, args, tuple(shape)), None, convcalc_layer(shape, type_name, args),
          (shape, type_name, args))


@pytest.mark.parametrize("type_name", MERGES)
def test_every_merge_is_computed_by_the_torch_network(type_name):
    spec = parse_data({"input": [2, 4, 4], "layers": [{"relu": None, "name": "a"}, {"relu": None, "name": "b"},
                                                      {type_name: None, "inputs": ["a", "b"]}]})
    assert run_torch_network(spec)[-1][0][1:] == (4, 4)


def test_keras_only_and_merges_are_registered_types():
    """A declaration outliving its type would hide nothing, but it would lie."""
    assert set(KERAS_ONLY) | set(MERGES) <= set(REGISTRY)
    assert not set(KERAS_ONLY) & set(MERGES)
