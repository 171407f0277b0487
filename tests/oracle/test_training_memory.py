"""What each layer keeps for the backward pass (`summary --training`) against PyTorch's autograd
itself: every bundled network is exported (`convcalc export`), run once in training mode with
`saved_tensors_hooks`, and the storages autograd keeps — each once, the parameters and running
statistics left out (they are the parameters' memory) — must add up to convcalc's figure."""

from __future__ import annotations

from math import prod

import pytest

torch = pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")

from convcalc.engine import analyze  # noqa: E402
from convcalc.export import pytorch  # noqa: E402
from convcalc.spec.loader import bundled_examples, load_spec  # noqa: E402
from convcalc.training import Setting, training_memory  # noqa: E402

# ConvNeXt: autograd keeps 0.15% more than convcalc counts — its layer norms' mean and 1/std per
# position (0.02%), and one 768×7×7 tensor per example not yet traced to a layer
TOLERANCE = {"convnext_tiny": 2e-3}


def saved_by_autograd(net, batch: int) -> int:
    namespace: dict = {}
    exec(compile(pytorch.to_source(net), f"<{net.name}.py>", "exec"), namespace)
    torch.manual_seed(0)
    model = namespace[pytorch.class_name(net)]().train()
    storages: dict[int, int] = {}

    def pack(t):
        storage = t.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(torch.randn(batch, *net.input_shape))
    for p in (*model.parameters(), *model.buffers()):
        storages.pop(p.untyped_storage().data_ptr(), None)
    return sum(storages.values())


def cpu_dropout_masks(net, batch: int) -> int:
    """On the CPU PyTorch's dropout keeps its mask as float32 noise (4 B a unit); convcalc counts
    the 1-byte mask of the fused native_dropout kernel that CUDA runs."""
    return sum(3 * batch * prod(r.input_shapes[0]) for r in net.layers if r.spec.type == "dropout")


@pytest.mark.parametrize("name", bundled_examples())
def test_saved_activations_are_what_autograd_keeps(name):
    net = analyze(load_spec(name))
    ours = training_memory(net, Setting(batch=2, training=True)).saved_bytes + cpu_dropout_masks(net, 2)
    theirs = saved_by_autograd(net, 2)
    assert ours == pytest.approx(theirs, rel=TOLERANCE.get(name, 0)), (name, ours, theirs)
