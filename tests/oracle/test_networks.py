"""Every bundled example rebuilt in torch.nn and run on zeros: each layer's output shape and
parameter count must equal convcalc's, not only the totals."""

import pytest

pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")

from convcalc.engine import analyze  # noqa: E402
from convcalc.spec.loader import bundled_examples, load_spec  # noqa: E402
from tests.oracle.torch_build import run_torch_network  # noqa: E402


@pytest.mark.parametrize("name", bundled_examples())
def test_example_layer_by_layer(name):
    spec = load_spec(name)
    ours = analyze(spec).layers
    theirs = run_torch_network(spec)
    for layer, (shape, params) in zip(ours, theirs):
        assert (layer.output_shape, layer.trainable) == (shape, params), f"{layer.spec.where}: PyTorch {shape}, {params}"
    assert len(ours) == len(theirs)
