"""Oracle for importing: torchvision models exported to ONNX with batchnorm kept read back with
torchvision's trainable totals and every weighted module's output shape (by name: the exporter's
scopes are torchvision's module names); Keras models saved as .keras read back with count_params()."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import invoke

torch = pytest.importorskip("torch", reason="the oracle extra is not installed")
pytest.importorskip("onnx", reason="the onnx extra is not installed: pip install 'convcalc[onnx]'")
from tests.oracle.torchvision_nets import NETS  # noqa: E402

EXPORTED = ("resnet18", "mobilenet_v2", "efficientnet_b0", "densenet121", "inception_v3", "shufflenet_v2_x1_0",
            "mobilenet_v3_small")


def _export(module, size: int, path: str, **flags) -> None:
    torch.onnx.export(module, torch.zeros(1, 3, size, size), path, dynamo=False, **flags)


def _shapes(module, size: int) -> dict[str, list[int]]:
    """Output shape of every module that holds weights, by its torchvision name."""
    shapes, hooks = {}, []
    for name, child in module.named_modules():
        if name and any(True for _ in child.parameters(recurse=False)):
            hooks.append(child.register_forward_hook(
                lambda m, i, o, name=name: shapes.__setitem__(name, list(o.shape[1:]))))
    with torch.no_grad():
        module(torch.zeros(1, 3, size, size))
    for hook in hooks:
        hook.remove()
    return shapes


@pytest.mark.parametrize("net", [n for n in NETS if n.spec in EXPORTED], ids=lambda n: n.spec)
def test_torchvision_through_onnx(net, tmp_path):
    module = net.build()
    path = str(tmp_path / f"{net.spec}.onnx")
    _export(module, net.size, path, training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    r = invoke("summary", path, "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["totals"]["trainable_params"] == net.trainable == sum(p.numel() for p in module.parameters())
    ours = {layer["name"]: layer["output_shape"] for layer in data["layers"]}
    expected = _shapes(module, net.size)
    assert {name: ours.get(name) for name in expected} == expected


def test_inference_export_folds_batchnorm_and_says_so(tmp_path):
    net = next(n for n in NETS if n.spec == "resnet18")
    path = str(tmp_path / "resnet18.onnx")
    _export(net.build(), 224, path)
    r = invoke("summary", path, "--get", "totals.params")
    # every conv gains its batchnorm's shift as a bias (4,800), the batchnorms' 9,600 go
    assert r.code == 0 and int(r.out) == 11_689_512 - 9_600 + 4_800
    assert "TrainingMode.PRESERVE" in r.err


@pytest.mark.parametrize("spec", ["resnet18", "squeezenet1_1", "googlenet"])
def test_bundled_spec_equals_its_torchvision_export(spec, tmp_path):
    from convcalc.spec.loader import load_spec

    loaded, net = load_spec(spec), next(n for n in NETS if n.spec == spec)
    path = str(tmp_path / f"{spec}.onnx")
    _export(net.build(), loaded.input_shape[-1], path, training=torch.onnx.TrainingMode.PRESERVE,
            do_constant_folding=False)
    ours, theirs = (json.loads(invoke("summary", p, "--format", "json").out) for p in (path, spec))
    assert ours["totals"]["trainable_params"] == theirs["totals"]["trainable_params"]
    assert ours["output_shape"] == theirs["output_shape"]


keras = pytest.importorskip("keras", reason="the oracle extra is not installed")


def _keras_models():
    from keras import layers as L

    x = keras.Input((32, 32, 3))
    a = L.Conv2D(16, 3, padding="same")(x)
    b = L.DepthwiseConv2D(3, padding="same")(x)
    s = L.Concatenate()([L.Add()([a, L.Conv2D(16, 1)(b)]), a])
    functional = keras.Model(x, L.Dense(5)(L.GlobalAveragePooling2D()(L.BatchNormalization()(s))))
    sequential = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(6, 5, activation="relu"), L.AveragePooling2D(2),
                                   L.Conv2D(16, 5, activation="relu"), L.MaxPooling2D(), L.Flatten(),
                                   L.Dense(120, activation="relu"), L.Dropout(0.2), L.Dense(10)])
    return {"functional": functional, "sequential": sequential,
            "mobilenet_v2": keras.applications.MobileNetV2(weights=None)}


@pytest.mark.skipif(os.environ.get("KERAS_BACKEND") != "torch", reason="set KERAS_BACKEND=torch")
@pytest.mark.parametrize("label", ["functional", "sequential", "mobilenet_v2"])
def test_keras_models_read_back(label, tmp_path):
    model = _keras_models()[label]
    path = str(tmp_path / f"{label}.keras")
    model.save(path)
    r = invoke("summary", path, "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["totals"]["params"] == model.count_params()
    out = list(model.outputs[0].shape[1:])
    assert data["output_shape"] == ([out[-1], *out[:-1]] if len(out) > 1 else out)
