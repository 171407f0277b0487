"""`--get PATH`: one value out of a command's JSON, for `$(...)` in shell scripts.

A path is dot-separated keys. In a list of layers a segment is a layer name or a 1-based
index; in any other list, a 1-based index. Lists of plain values print space-separated.
"""

from __future__ import annotations

import json
from typing import Any

from convcalc.errors import SpecError


def get_path(data: Any, path: str) -> Any:
    value, trail = data, []
    for key in path.split("."):
        value = _step(value, key, ".".join(trail) or "the top level")
        trail.append(key)
    return value


def _step(value: Any, key: str, where: str) -> Any:
    if isinstance(value, dict):
        if key in value:
            return value[key]
        raise SpecError("error.get_no_key", key=key, where=where, valid=", ".join(value))
    if isinstance(value, list):
        named = [v.get("name") for v in value if isinstance(v, dict)]
        if key in named and len(named) == len(value):
            return value[named.index(key)]
        if key.isdigit() and 1 <= int(key) <= len(value):
            return value[int(key) - 1]
        if all(named) and named:
            names = ", ".join(named[:5]) + (", …" if len(named) > 5 else "")
            raise SpecError("error.get_no_item_named", key=key, where=where, names=names, count=len(value))
        raise SpecError("error.get_no_item", key=key, where=where, count=len(value))
    raise SpecError("error.get_scalar", where=where, value=json.dumps(value), key=key)


def format_value(value: Any, as_json: bool = False) -> str:
    """Bare text for the shell: `138357544`, `64 10 10`, `true`; JSON for anything nested."""
    if as_json:
        return json.dumps(value, ensure_ascii=False) + "\n"
    if isinstance(value, list) and all(not isinstance(v, (list, dict)) for v in value):
        return " ".join(_scalar(v) for v in value) + "\n"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False) + "\n"
    return _scalar(value) + "\n"


def _scalar(v: Any) -> str:
    if v is None or isinstance(v, bool):
        return json.dumps(v)
    return str(v)
