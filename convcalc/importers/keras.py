"""A Keras model → a spec's data, from its config alone (standard library: no Keras needed).

Reads a `.keras` archive's `config.json` (zip members bounded in size and in compression ratio
before they are inflated) or the JSON of `model.to_json()`: Sequential and Functional models,
Keras 3's and Keras 2's `inbound_nodes`. convcalc's layer types already take Keras' class names
and argument names (`Conv2D`, `strides`, `use_bias`), so a layer's config keys that its type
declares pass through and `parse_data` checks them; what Keras writes about the data layout
(`data_format`, `axis`) is read here: channels-last shapes become channels-first, and a note says so.
"""

from __future__ import annotations

import json
import zipfile
from typing import Any

from convcalc.errors import SpecError, echo, printable
from convcalc.importers.common import ZIP_MAGIC, Imported, read_model_bytes
from convcalc.layers import find_type
from convcalc.messages import Message

MAX_CONFIG_BYTES = 16 << 20  # config.json unpacked: ResNet-152's is ~1 MiB
MAX_RATIO = 200  # unpacked / packed: JSON compresses ~10×; a zip bomb ~1000×
MAX_MEMBERS = 10_000
LAYOUT_KEYS = {"data_format", "axis", "name", "trainable", "dtype", "keepdims"}


def import_keras(path: str) -> Imported:
    data = read_model_bytes(path)
    config = _load_json(_config_text(data, echo(path)) if data[:4] == ZIP_MAGIC else data, echo(path))
    if not isinstance(config, dict) or config.get("class_name") not in ("Sequential", "Functional", "Model"):
        raise SpecError("error.import_not_keras", path=echo(path), reason=Message("phrase.import_no_model_config"))
    model = config.get("config") or {}
    layers = model.get("layers")
    if not isinstance(layers, list) or not layers:
        raise SpecError("error.import_not_keras", path=echo(path), reason=Message("phrase.import_no_model_config"))
    reader = _Reader(echo(path), channels_first=any(
        isinstance(layer, dict) and isinstance(layer.get("config"), dict)
        and layer["config"].get("data_format") == "channels_first" for layer in layers))
    entries = reader.read(layers, functional=config["class_name"] != "Sequential", model=model)
    name = model.get("name") if isinstance(model.get("name"), str) else "network"
    notes = (Message("note.import_channels_last"),) if reader.channels_last else ()
    return Imported(data={"name": printable(name, 128), "input": reader.input_shape, "layers": entries}, notes=notes)


def _config_text(data: bytes, label: str) -> bytes:
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise SpecError("error.import_zip_bomb", path=label, size=len(members), limit=MAX_MEMBERS)
        info = next((m for m in members if m.filename == "config.json"), None)
        if info is None:
            raise SpecError("error.import_not_keras", path=label, reason=Message("phrase.import_no_config_json"))
        if info.file_size > MAX_CONFIG_BYTES or info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise SpecError("error.import_zip_bomb", path=label, size=info.file_size, limit=MAX_CONFIG_BYTES)
        with archive.open(info) as f:
            return f.read(MAX_CONFIG_BYTES + 1)[:MAX_CONFIG_BYTES + 1]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as e:
        raise SpecError("error.import_not_keras", path=label, reason=printable(str(e) or type(e).__name__, 80)) from None


def _load_json(data: bytes, label: str) -> Any:
    if len(data) > MAX_CONFIG_BYTES:
        raise SpecError("error.import_zip_bomb", path=label, size=len(data), limit=MAX_CONFIG_BYTES)
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise SpecError("error.import_not_keras", path=label, reason=printable(str(e) or type(e).__name__, 80)) from None


class _Reader:
    def __init__(self, label: str, channels_first: bool) -> None:
        self.label, self.channels_first, self.channels_last, self.input_shape = label, channels_first, False, None
        self.tensors: dict[str, str] = {}

    def read(self, layers: list, functional: bool, model: dict) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        previous = "input"
        for layer in layers:
            if not isinstance(layer, dict) or not isinstance(layer.get("config"), dict):
                raise SpecError("error.import_not_keras", path=self.label, reason=Message("phrase.import_no_model_config"))
            cls, config = str(layer.get("class_name")), layer["config"]
            name = printable(str(config.get("name") or layer.get("name") or cls.lower()), 128)
            if cls == "InputLayer":
                self._input(config.get("batch_shape") or config.get("batch_input_shape"), name)
                self.tensors[name] = previous = "input"
                continue
            if self.input_shape is None:
                self._input((layer.get("build_config") or {}).get("input_shape") or config.get("batch_input_shape"), name)
            inputs = self._inputs(layer, name) if functional else [previous]
            entry = self._entry(cls, config, name, inputs)
            if entry is None:
                self.tensors[name] = inputs[0]
            else:
                entries.append(entry)
                self.tensors[name] = name
            previous = self.tensors[name]
        return entries

    def _input(self, shape: Any, name: str) -> None:
        if not isinstance(shape, list) or not 2 <= len(shape) <= 5 or None in shape[1:]:
            raise SpecError("error.import_input_shape", path=self.label, name=name, shape=echo(shape))
        dims = shape[1:]
        if len(dims) >= 2 and not self.channels_first:  # Keras' default layout: channels last
            dims, self.channels_last = [dims[-1], *dims[:-1]], True
        self.input_shape = dims

    def _inputs(self, layer: dict, name: str) -> list[str]:
        """The layers a Functional layer reads: Keras 3's `keras_history`, or Keras 2's lists."""
        found: list[str] = []
        nodes = layer.get("inbound_nodes") or []
        _history(nodes[:1], found)
        if not found:
            raise SpecError("error.import_keras_inputs", path=self.label, layer=name)
        return [self.tensors.get(source, source) for source in found]

    def _entry(self, cls: str, config: dict, name: str, inputs: list[str]) -> dict[str, Any] | None:
        if cls in ("Dropout", "SpatialDropout2D") and not inputs:
            return None
        if cls == "ReLU":
            six = config.get("max_value") == 6
            return {"type": "relu6" if six else "relu", "name": name, "inputs": inputs}
        if cls in ("Rescaling", "Normalization", "Identity"):
            return None  # no shape change, no trainable weight
        if cls.startswith("Global") and config.get("keepdims"):
            cls = cls.replace("Global", "Adaptive").replace("Pooling", "Pool")
            return {"type": f"adaptive_{'max' if 'Max' in cls else 'avg'}pool{cls[-2]}d", "name": name,
                    "inputs": inputs, "output_size": 1}
        layer_type = find_type(cls)
        if layer_type is None:
            raise SpecError("error.import_keras_unsupported", path=self.label, layer=name, kind=printable(cls, 40))
        args = {key: value for key, value in config.items() if key not in LAYOUT_KEYS and layer_type.arg(key)}
        if "momentum" in args and isinstance(args["momentum"], (int, float)):
            args["momentum"] = round(1 - args["momentum"], 6)  # Keras keeps 1 − PyTorch's momentum
        if cls == "Reshape" and isinstance(args.get("target_shape"), list) and len(args["target_shape"]) >= 2:
            shape = args["target_shape"]
            args["target_shape"] = [shape[-1], *shape[:-1]]
        return {"type": cls, "name": name, "inputs": inputs, **args}


def _history(value: Any, found: list[str], depth: int = 0) -> None:
    """Every source layer named in an `inbound_nodes` value (bounded: 8 levels, 10,000 names)."""
    if depth > 8 or len(found) > 10_000:
        return
    if isinstance(value, dict):
        history = value.get("keras_history") or (value.get("config") or {}).get("keras_history")
        if isinstance(history, list) and history and isinstance(history[0], str):
            found.append(history[0])
            return
        for key in ("args", "config"):
            if key in value:
                _history(value[key], found, depth + 1)
    elif isinstance(value, list):
        if len(value) >= 3 and isinstance(value[0], str) and isinstance(value[1], int):  # Keras 2
            found.append(value[0])
            return
        for item in value:
            _history(item, found, depth + 1)
