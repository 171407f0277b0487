"""The one exception type for spec problems; the CLI catches it once and exits 1."""

from __future__ import annotations


class SpecError(Exception):
    """A spec that cannot be read, parsed or propagated.

    ``where`` names the place (``layer 4 'conv2d_2' (line 9)``) and is put in front of the
    message, so every error reads the same way.
    """

    def __init__(self, message: str, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


def layer_where(index: int, name: str, line: int | None) -> str:
    """`layer 4 'conv2d_2' (line 9)` — how every message names a layer."""
    at = f" (line {line})" if line else ""
    return f"layer {index} '{name}'{at}"
