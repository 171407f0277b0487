"""What every importer shares: the result type and the bounded read of a model file."""

from __future__ import annotations

import os
from typing import Any

from convcalc.errors import SpecError, echo
from convcalc.files import read_bounded
from convcalc.messages import Message
from convcalc.record import record

MAX_MODEL_BYTES = 1 << 30  # 1 GiB: VGG-16 with its weights is 528 MiB as ONNX
ONNX_SUFFIXES = (".onnx",)
KERAS_SUFFIXES = (".keras", ".json")
ZIP_MAGIC = b"PK\x03\x04"


@record
class Imported:
    data: dict[str, Any]  # what a spec's YAML loads to
    notes: tuple[Message, ...] = ()


def model_kind(source: str) -> str | None:
    """"onnx" or "keras" for a file read by an importer; None for a YAML spec."""
    lower = source.lower()
    if lower.endswith(ONNX_SUFFIXES):
        return "onnx"
    if lower.endswith(KERAS_SUFFIXES):
        return "keras"
    if os.path.isfile(source) and not lower.endswith((".yaml", ".yml")):
        with open(source, "rb") as f:
            return "keras" if f.read(4) == ZIP_MAGIC else None
    return None


def read_model_bytes(path: str) -> bytes:
    """The file's bytes, refused before reading when it is larger than any model we read."""
    if not os.path.exists(path):
        raise SpecError("error.import_no_file", path=echo(path))
    return read_bounded(path, MAX_MODEL_BYTES, "error.import_too_large", path=echo(path))
