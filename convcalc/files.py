"""Reading a user's file with its size bounded before any byte is read: specs and models alike."""

from __future__ import annotations

import os
from typing import Any

from convcalc.errors import SpecError, echo


def read_bounded(path: str, limit: int, too_large: str, /, **params: Any) -> bytes:
    """The file's bytes; a folder, a file over `limit` bytes (the error `too_large`, with
    `params`, the size and the limit) or an unreadable one is a SpecError."""
    if os.path.isdir(path):
        raise SpecError("error.source_is_folder", source=echo(path))
    size = os.path.getsize(path)
    if size > limit:
        raise SpecError(too_large, size=size, limit=limit, **params)
    try:
        with open(path, "rb") as f:
            return f.read(limit + 1)
    except OSError as e:
        raise SpecError("error.source_unreadable", source=echo(path), reason=e.strerror) from None
