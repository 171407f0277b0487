"""The convcalc side of an oracle comparison, and the comparison itself."""

from __future__ import annotations

import yaml

from convcalc.engine import analyze
from convcalc.errors import SpecError
from convcalc.spec.loader import parse_spec


def one_layer_net(input_shape, type_: str, args: dict):
    """The analysed network of one layer on `input_shape`; SpecError where convcalc refuses it."""
    return analyze(parse_spec(yaml.safe_dump({"input": list(input_shape), "layers": [{type_: args}]})))


def convcalc_layer(input_shape, type_: str, args: dict):
    """(output shape, trainable params) of one layer, or the SpecError convcalc raises; a layer
    with several outputs gives a tuple of their shapes, as `run_torch` does."""
    try:
        (layer,) = one_layer_net(input_shape, type_, args).layers
    except SpecError as e:
        return e
    shapes = layer.output_shapes
    return shapes[0] if len(shapes) == 1 else shapes, layer.trainable


def agree(oracle: str, expected, oracle_error: Exception | None, ours, config) -> None:
    """Both accept with equal numbers, or both reject (convcalc with a one-line message)."""
    if oracle_error is not None:
        assert isinstance(ours, SpecError), f"{oracle} rejects {config} ({oracle_error}) but convcalc gives {ours}"
        assert str(ours) and "\n" not in str(ours)
    else:
        assert not isinstance(ours, SpecError), f"{oracle} accepts {config} → {expected} but convcalc says: {ours}"
        assert ours == expected, f"{config}: {oracle} {expected} vs convcalc {ours}"
