"""The one exception type for spec problems; the CLI catches it once and exits 1.

Also the one rule for echoing a user's value in a message: `echo`.
"""

from __future__ import annotations

import math
from typing import Any

from convcalc.messages import Message

ECHO_WIDTH = 60  # characters of a user's value a message shows at most, `…` included
_YAML_WORDS = {None: "null", True: "true", False: "false"}
_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\x1b": "\\e"}


class SpecError(Exception):
    """A spec that cannot be read, parsed or propagated: a catalogue id and its parameters.

    ``where`` names the place (``layer 4 'conv2d_2' (line 9)``) and is put in front of the
    message, so every error reads the same way; ``hint`` (rendered text) goes after it.
    """

    def __init__(self, id: str, where: str | None = None, /, hint: str = "", **params: Any) -> None:
        self.id, self.params, self.where, self.hint = id, params, where, hint
        super().__init__(f"{where}: {self.message}" if where else self.message)

    @property
    def message(self) -> str:
        return Message(self.id, **self.params) + self.hint

    def __reduce__(self):  # pickle rebuilds it from its id and parameters
        return _spec_error, (self.id, self.where, self.hint, self.params)

    def at(self, where: str | None, hint: str = "") -> SpecError:
        """The same error placed at `where`, with `hint` after the message."""
        return SpecError(self.id, where, hint=self.hint + hint, **self.params)


def _spec_error(id: str, where: str | None, hint: str, params: dict[str, Any]) -> SpecError:
    return SpecError(id, where, hint=hint, **params)


def layer_where(index: int, name: str, line: int | None) -> str:
    """`layer 4 'conv2d_2' (line 9)` — how every message names a layer."""
    if line:
        return Message("where.layer_line", index=index, name=name, line=line)
    return Message("where.layer", index=index, name=name)


def echo(value: Any, width: int = ECHO_WIDTH) -> str:
    """A user's value as a message shows it: in YAML's words (`true`, `null`, `[1, 2]`, 'text'),
    control characters escaped, at most `width` characters (cut with `…`).

    The work is bounded by `width`, not by the value: a 200,000-item list or a 4,000-digit
    number costs no more than a short one.
    """
    parts: list[str] = []
    _echo_into(value, parts, width + 1)
    text = "".join(parts)
    return text if len(text) <= width else text[: width - 1] + "…"


def printable(text: str, width: int | None = None) -> str:
    """Text with control and format characters escaped (`\\e`, `\\x07`, `\\u202e`), for names
    that reach a terminal, a CSV cell or a message; cut to `width` with `…` when given."""
    if width is not None and len(text) > width:
        text = text[: width + 1]
    out = "".join(_escape_char(c) for c in text) if not text.isprintable() else text
    return out if width is None or len(out) <= width else out[: width - 1] + "…"


def _escape_char(c: str) -> str:
    if c.isprintable() or c == " ":
        return c
    if c in _ESCAPES:
        return _ESCAPES[c]
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _echo_into(value: Any, parts: list[str], budget: int) -> int:
    """Append the rendering of `value` to `parts`, stopping once `budget` characters are used;
    returns the budget left."""
    if budget <= 0:
        return budget
    if isinstance(value, (list, tuple, dict)):
        return _echo_collection(value, parts, budget)
    text = _echo_scalar(value, budget)
    parts.append(text)
    return budget - len(text)


def _echo_collection(value: Any, parts: list[str], budget: int) -> int:
    is_map = isinstance(value, dict)
    parts.append("{" if is_map else "[")
    budget -= 1
    for i, item in enumerate(value.items() if is_map else value):
        if budget <= 0:
            return budget
        if i:
            parts.append(", ")
            budget -= 2
        if is_map:
            budget = _echo_into(item[0], parts, budget)
            parts.append(": ")
            budget = _echo_into(item[1], parts, budget - 2)
        else:
            budget = _echo_into(item, parts, budget)
    parts.append("}" if is_map else "]")
    return budget - 1


def _digits(value: int) -> int:
    """Decimal digits of |value| without str(): the estimate from the bit length is exact or
    one short, and one comparison with a power of ten settles it (cheap below 100,000 digits)."""
    value = abs(value)
    digits = int((value.bit_length() - 1) * math.log10(2)) + 1
    return digits + 1 if digits < 100_000 and value >= 10**digits else digits


def _echo_scalar(value: Any, budget: int) -> str:
    if value is None or isinstance(value, bool):
        return _YAML_WORDS[value]
    if isinstance(value, int):
        if value.bit_length() > 3 * ECHO_WIDTH:  # str() of a huge int is slow, or refused past 4,300 digits
            return f"a {_digits(value):,}-digit number"
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (math.inf, -math.inf):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, str):
        return "'" + printable(value, budget) + "'"
    if hasattr(value, "isoformat"):  # a YAML timestamp
        return value.isoformat()
    return printable(f"a {type(value).__name__}", budget)
