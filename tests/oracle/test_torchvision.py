"""Each bundled network against torchvision's own model, layer by layer by name: the spec's
layers are named as torchvision names its modules, so every module with weights must have a
spec layer of the same name with the same parameters, output shape and MACs, and the totals
must be the issue's figures (which are torchvision's)."""

import importlib.util

import pytest

if importlib.util.find_spec("torchvision") is None:  # importing it first would need the shim below
    pytest.skip("the oracle extra is not installed: pip install -e '.[oracle]'", allow_module_level=True)

from convcalc.engine import analyze  # noqa: E402
from convcalc.spec.loader import bundled_examples, load_spec  # noqa: E402
from tests.oracle.torchvision_nets import NETS, owners  # noqa: E402

PRESENT = [n for n in NETS if n.spec in bundled_examples()]


@pytest.mark.parametrize("net", PRESENT, ids=lambda n: n.spec)
def test_layer_by_layer(net):
    ours = analyze(load_spec(net.spec))
    theirs = owners(net)
    assert ours.input_shape == (3, net.size, net.size)
    weighted = {r.spec.name: r for r in ours.layers if r.trainable}
    missing = [o.name for o in theirs.values() if o.trainable and o.name not in weighted]
    unknown = [name for name in weighted if name not in theirs]
    assert not missing, f"torchvision modules with weights and no spec layer of that name: {missing[:8]}"
    assert not unknown, f"spec layers with weights that torchvision has no module for: {unknown[:8]}"
    for layer in ours.layers:
        owner = theirs.get(layer.spec.name)
        if owner is None:
            continue
        assert layer.trainable == owner.trainable, f"{layer.spec.name}: params {layer.trainable} ≠ torchvision {owner.trainable}"
        if owner.output_shape is not None and owner.kind != "parameter":
            assert layer.output_shape == owner.output_shape, f"{layer.spec.name}: {layer.output_shape} ≠ {owner.output_shape}"
        if owner.macs is not None:
            assert layer.macs == owner.macs, f"{layer.spec.name}: MACs {layer.macs} ≠ torchvision {owner.macs}"
    assert ours.totals.trainable_params == net.trainable == sum(o.trainable for o in theirs.values())


def test_every_listed_net_is_bundled():
    """The issue's networks are all bundled (a missing one would silently skip above)."""
    assert [n.spec for n in NETS if n.spec not in bundled_examples()] == []
