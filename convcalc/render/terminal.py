"""Where rendered lines go: a terminal (through rich, for its width, colours and NO_COLOR) or
anything else (plain text written directly; nothing wraps, as the README promises)."""

from __future__ import annotations

import os
import sys
from typing import Iterable

from convcalc.errors import printable
from convcalc.render.grid import Grid, Segment, render, wrap

Line = list[Segment]


def width() -> int | None:
    """The width of the terminal standard output is, or None when it is not one (a pipe, a file)."""
    try:
        maybe = sys.stdout.isatty()
    except (AttributeError, ValueError):
        maybe = False
    if not (maybe or "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ):
        return None  # the common piped case, decided without importing rich.console
    console = _console()
    return console.width if console.is_terminal else None


def _console():
    from rich.console import Console

    return Console(highlight=False)


def write(lines: Iterable[Line], terminal: bool) -> None:
    if not terminal:
        sys.stdout.write("".join("".join(text for text, _ in line) + "\n" for line in lines))
        return
    from rich.text import Text

    out = Text()
    for line in lines:
        for text, style in line:
            out.append(text, style or None)
        out.append("\n")
    _console().print(out, end="", soft_wrap=True)


def show(grid: Grid, *after: Iterable[Line]) -> None:
    """A grid fitted to the terminal (or at full width when piped), then the lines that follow it."""
    columns = width()
    write((line for block in (render(grid, columns), *after) for line in block), columns is not None)


def paragraph(text: str, columns: int | None, *, hang: int = 2, style: str = "", label: Segment = ("", "")) -> list[Line]:
    """One paragraph: `label` (styled on its own, e.g. "warning: ") then `text`, control characters
    escaped, wrapped to `columns` with a hanging indent — or one line when `columns` is None."""
    head, head_style = label
    text = printable(text)
    if columns is None:
        return [[(head, head_style), (text, style)]] if head else [[(text, style)]]
    lines = wrap(head + text, columns, hang)
    first = lines[0][len(head):]
    return [[(head, head_style), (first, style)], *([(line, style)] for line in lines[1:])]
