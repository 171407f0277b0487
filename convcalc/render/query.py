"""`--get PATH`: one value out of a command's JSON, for `$(...)` in shell scripts.

A path is dot-separated keys. In a list of layers a segment is a layer name (the longest
that matches: names in blocks have dots) or a 1-based index; in any other list, a 1-based index. Lists of plain values print space-separated.
"""

from __future__ import annotations

from typing import Any

from convcalc.errors import SpecError, echo, printable
from convcalc.render.jsontext import dumps


def get_path(data: Any, path: str) -> Any:
    value, trail, keys = data, [], path.split(".")
    while keys:
        key = _dotted_name(value, keys)
        value = _step(value, key, printable(".".join(trail), 60) or "the top level")
        trail.append(key)
        del keys[: key.count(".") + 1]
    return value


def _dotted_name(value: Any, keys: list[str]) -> str:
    """The next key: in a list of named items, the longest run of keys that is a name (a layer in
    a block is `layer2.0.conv1`), else one key."""
    if isinstance(value, list) and len(keys) > 1:
        named = {v.get("name") for v in value if isinstance(v, dict)}
        for end in range(min(len(keys), 64), 1, -1):
            if ".".join(keys[:end]) in named:
                return ".".join(keys[:end])
    return keys[0]


def _step(value: Any, key: str, where: str) -> Any:
    if isinstance(value, dict):
        if key in value:
            return value[key]
        raise SpecError("error.get_no_key", key=printable(key, 60), where=where, valid=", ".join(value))
    if isinstance(value, list):
        named = [v.get("name") for v in value if isinstance(v, dict)]
        if key in named and len(named) == len(value):
            return value[named.index(key)]
        if key.isdigit() and 1 <= int(key) <= len(value):
            return value[int(key) - 1]
        if all(named) and named:
            names = ", ".join(printable(str(n), 30) for n in named[:5]) + (", …" if len(named) > 5 else "")
            raise SpecError("error.get_no_item_named", key=printable(key, 60), where=where, names=names, count=len(value))
        raise SpecError("error.get_no_item", key=printable(key, 60), where=where, count=len(value))
    shown = f'"{printable(value, 60)}"' if isinstance(value, str) else echo(value)  # as the JSON shows it
    raise SpecError("error.get_scalar", where=where, value=shown, key=printable(key, 60))


def format_value(value: Any, as_json: bool = False) -> str:
    """Bare text for the shell: `138357544`, `64 10 10`, `true`; JSON for anything nested."""
    if as_json:
        return dumps(value, indent=None)
    if isinstance(value, list) and all(not isinstance(v, (list, dict)) for v in value):
        return " ".join(_scalar(v) for v in value) + "\n"
    if isinstance(value, (list, dict)):
        return dumps(value, indent=None)
    return _scalar(value) + "\n"


def _scalar(v: Any) -> str:
    """`null`, `true`, a number, or a string with its control characters escaped (`\\e`)."""
    if v is None or isinstance(v, bool):
        return {None: "null", True: "true", False: "false"}[v]
    return printable(str(v))
