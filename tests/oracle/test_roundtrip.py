"""Issue 13's round trip: a spec → `export --to pytorch` → `torch.onnx.export` (batchnorm kept)
→ `convcalc summary model.onnx` gives back the spec's totals and output shape."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")
pytest.importorskip("onnx", reason="the oracle extra is not installed: pip install -e '.[oracle]'")

from convcalc.engine import analyze  # noqa: E402
from convcalc.export import pytorch  # noqa: E402
from convcalc.spec.loader import load_spec  # noqa: E402

# a chain, a residual net, branches with concat, squeeze-excitation, several outputs + shuffle
NETS = ["lenet5", "mnist_cnn", "resnet18", "squeezenet1_1", "mobilenet_v3_small", "shufflenet_v2_x1_0"]


@pytest.mark.parametrize("name", NETS)
def test_spec_to_pytorch_to_onnx_and_back(name, tmp_path):
    net = analyze(load_spec(name))
    namespace: dict = {}
    exec(compile(pytorch.to_source(net), f"<{name}.py>", "exec"), namespace)
    model = namespace[pytorch.class_name(net)]().eval()
    path = tmp_path / f"{name}.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(model, torch.zeros(1, *net.input_shape), str(path), dynamo=False,
                          training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    back = analyze(load_spec(str(path)))
    assert back.output_shape == net.output_shape
    assert back.totals.trainable_params == net.totals.trainable_params
    assert back.totals.params == net.totals.params
    assert back.totals.macs == net.totals.macs


def test_the_exported_channel_shuffle_is_torchs():
    """The generated ChannelShuffle (torchvision's reshape–transpose–reshape, which the ONNX
    exporter reads) gives nn.ChannelShuffle's values."""
    from convcalc.export.torch_helpers import HELPERS

    namespace: dict = {"torch": torch, "nn": torch.nn}
    exec(HELPERS["ChannelShuffle"], namespace)
    x = torch.randn(2, 12, 3, 4)
    assert torch.equal(namespace["ChannelShuffle"](3)(x), torch.nn.ChannelShuffle(3)(x))
