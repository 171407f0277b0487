"""JSON text for every command: json.dumps leaves C1 controls (`\\x9b`, a terminal's CSI), bidi
and zero-width format characters and lone surrogates raw; they are written as `\\uXXXX` escapes
here, so JSON shown on a terminal cannot drive it, and it decodes to the same strings."""

from __future__ import annotations

import json
import re
from functools import cache
from json.encoder import encode_basestring  # the C function, as json.dumps uses with ensure_ascii=False
from typing import Any, Callable, Optional

_RAW = ("[\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
        "\ud800-\udfff\U000e0000-\U000e007f]")


@cache
def _raw() -> re.Pattern:
    return re.compile(_RAW)  # compiled on first use: most JSON is ASCII and never needs it


def dumps(data: Any, *, indent: Optional[int] = 2, default: Optional[Callable[[Any], Any]] = None) -> str:
    """`data` as JSON (with a final newline), non-ASCII text kept readable, control and format
    characters escaped."""
    if indent == 2:
        text = _indented(data, "\n", default)
    else:
        text = json.dumps(data, indent=indent, ensure_ascii=False, default=default)
    return (text if text.isascii() else _raw().sub(_escape, text)) + "\n"


def _indented(value: Any, pad: str, default) -> str:
    """json.dumps(value, indent=2, ensure_ascii=False), byte for byte, at twice the speed: the
    standard library falls back to its pure-Python encoder whenever it indents (10,000 layers:
    0.3 s). Lists, dicts, strings and ints are written here, anything else by json itself."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    inner = pad + "  "
    if (kind is list or kind is tuple) and value:
        return "[" + inner + ("," + inner).join([_indented(v, inner, default) for v in value]) + pad + "]"
    if kind is dict and value and all(type(k) is str for k in value):
        items = [encode_basestring(k) + ": " + _indented(v, inner, default) for k, v in value.items()]
        return "{" + inner + ("," + inner).join(items) + pad + "}"
    # strings hold no raw newline, so json's own lines take this depth's indent by a replace
    return json.dumps(value, indent=2, ensure_ascii=False, default=default).replace("\n", pad)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # above the Basic Multilingual Plane JSON writes a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
