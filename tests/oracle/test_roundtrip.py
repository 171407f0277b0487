"""Issue 13's round trip: a spec → `export --to pytorch` → `torch.onnx.export` (batchnorm kept)
→ `convcalc summary model.onnx` gives back the spec's totals and output shape."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")
pytest.importorskip("onnx", reason="the oracle extra is not installed: pip install -e '.[oracle]'")

from convcalc.engine import analyze  # noqa: E402
from convcalc.export import pytorch  # noqa: E402
from convcalc.spec.loader import bundled_examples, load_spec  # noqa: E402

# every bundled network: chains, residual adds, concats, squeeze-excitation, splits and shuffles
NETS = bundled_examples()


def export_onnx(name: str, folder) -> tuple:
    """The bundled spec, and the path of its PyTorch export's ONNX file (batchnorm kept)."""
    net = analyze(load_spec(name))
    namespace: dict = {}
    exec(compile(pytorch.to_source(net), f"<{name}.py>", "exec"), namespace)
    model = namespace[pytorch.class_name(net)]().eval()
    path = folder / f"{name}.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(model, torch.zeros(1, *net.input_shape), str(path), dynamo=False,
                          training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    return net, path


@pytest.mark.parametrize("name", NETS)
def test_spec_to_pytorch_to_onnx_and_back(name, tmp_path):
    net, path = export_onnx(name, tmp_path)
    back = analyze(load_spec(str(path)))
    assert back.output_shape == net.output_shape
    assert back.totals.trainable_params == net.totals.trainable_params
    assert back.totals.params == net.totals.params
    assert back.totals.macs == net.totals.macs


def test_the_exported_layernorm2d_is_torchvisions():
    """The generated LayerNorm2d moves the channels with positive axis numbers (ONNX's Transpose
    refuses the -1 that torch.movedim(x, 1, -1) exports, and then cannot size what follows) and
    gives torchvision's values."""
    from convcalc.export.torch_helpers import HELPERS
    from tests.oracle.torchvision_nets import models

    namespace: dict = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional}
    exec(HELPERS["LayerNorm2d"], namespace)
    ours, theirs = namespace["LayerNorm2d"](6, eps=1e-6), models.convnext.LayerNorm2d(6, eps=1e-6)
    x = torch.randn(2, 6, 5, 4)
    assert torch.allclose(ours(x), theirs(x), atol=1e-6)


def test_the_exported_channel_shuffle_is_torchs():
    """The generated ChannelShuffle (torchvision's reshape–transpose–reshape, which the ONNX
    exporter reads) gives nn.ChannelShuffle's values."""
    from convcalc.export.torch_helpers import HELPERS

    namespace: dict = {"torch": torch, "nn": torch.nn}
    exec(HELPERS["ChannelShuffle"], namespace)
    x = torch.randn(2, 12, 3, 4)
    assert torch.equal(namespace["ChannelShuffle"](3)(x), torch.nn.ChannelShuffle(3)(x))
