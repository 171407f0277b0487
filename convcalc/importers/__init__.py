"""Models from other frameworks → the plain data a YAML spec loads to.

An importer reads a file (ONNX, a Keras archive or Keras JSON) and returns the same mapping a
spec's YAML gives (`name`, `input`, `layers` of flat entries with `type`), so the loader's
own `parse_data` checks every value as it checks a hand-written spec. What the conversion
changed or could not see (channels-last shapes, batchnorm folded by an exporter) comes back as
notes for the user.
"""

from __future__ import annotations

from convcalc.importers.common import Imported, model_kind  # noqa: F401


def import_model(path: str, kind: str, input_override: tuple[int, ...] | None = None) -> Imported:
    if kind == "onnx":
        from convcalc.importers.onnx import import_onnx

        return import_onnx(path, input_override)
    from convcalc.importers.keras import import_keras

    return import_keras(path)
