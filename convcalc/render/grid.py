"""Tables that fit: the columns a table declares, the layout that fits them to a width, and
the box-drawing lines — drawn here rather than by rich's Table, which lays a table out twice
and takes seconds on 10,000 rows.

Piped (no width), a table is one part at its natural width and nothing wraps: the bytes are
those of rich's Table with box.HEAVY_HEAD. On a terminal, text columns (names, types,
formulas) wrap at spaces; when that is not enough, the columns of the highest rank move to
a further table that repeats the key column (`#`). A number or a shape is never cut: only a
terminal narrower than one of them folds it onto a second line.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Iterator, Sequence, Union

from rich.cells import cell_len, chop_cells

from convcalc.errors import printable
from convcalc.record import record

Segment = tuple[str, str]  # (text, style); style "" is plain
Cell = Union[str, tuple[Segment, ...]]  # a str is one plain paragraph; a tuple, one paragraph per segment
CHROME = 3  # cells each column adds: a border and one space of padding either side


@record
class Column:
    header: str
    right: bool = False  # numbers line up on the right
    wrap: bool = False  # text that may wrap at spaces: names, types, formulas
    rank: int = 1  # 0: the key, repeated in every part; the highest ranks move out first
    min_width: int = 0  # a wrapping column that would get narrower than this moves out instead


@record
class Grid:
    """A table's title, columns and rows of cells, each cell as its (text, style) paragraphs."""

    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[tuple[Segment, ...], ...]]


def grid(*, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Cell]]) -> Grid:
    """A grid with every cell made of paragraphs and its control characters escaped."""
    cells = [tuple([((c, ""),) if type(c) is str else tuple(c) for c in row]) for row in rows]
    if not "".join([t for row in cells for cell in row for t, _ in cell]).isprintable():
        cells = [tuple(map(paragraphs, row)) for row in cells]
    return Grid(title=printable(title), columns=tuple(columns), rows=cells)


@record
class Part:
    """Some of a grid's columns (indices, in display order) and the width each gets."""

    columns: tuple[int, ...]
    widths: tuple[int, ...]


# Characters one cell wide, so that a string of them is as wide as it is long: the common case,
# measured with len(). The others are measured with rich's cell_len, as rich's Table measured
# them (its first call for a character outside Latin-1 loads a Unicode table: 10 ms).
ONE_CELL = frozenset(map(chr, range(0x20, 0x7F))) | frozenset("×—−←→·•✓✗…■□")


def width_of(text: str) -> int:
    return len(text) if ONE_CELL.issuperset(text) else cell_len(text)


def _widest(texts: list[str]) -> int:
    return max(map(len if ONE_CELL.issuperset("".join(texts)) else width_of, texts), default=0)


def paragraphs(cell: Cell) -> tuple[Segment, ...]:
    """A cell as (text, style) paragraphs, control characters escaped."""
    if isinstance(cell, str):
        return ((printable(cell), ""),)
    return tuple((printable(text), style) for text, style in cell)


@lru_cache(maxsize=4096)
def wrap(text: str, width: int, hang: int = 0) -> tuple[str, ...]:
    """`text` in lines of at most `width` cells, broken at spaces (and after a Chinese character,
    as Chinese text breaks); lines after the first are indented by `hang` spaces. A word wider
    than its line is folded, never cut. Remembered: identical layers explain themselves in
    identical sentences (a third of a 10,000-layer `explain` was wrapping them again)."""
    measure = len if ONE_CELL.issuperset(text) else width_of
    if measure(text) <= width:
        return (text,)
    width = max(width, hang + 1)
    indent = len(text) - len(text.lstrip(" "))
    words = text[indent:].split(" ")
    words[0] = text[:indent] + words[0]
    pieces = [(piece, k == 0) for word in words for k, piece in enumerate(_breakable(word, measure))]
    lines: list[str] = []
    line, used = None, 0  # the line being filled and its width
    for word, spaced in pieces:
        if line is None and not word:
            continue  # the spaces where a line breaks are dropped
        room = width - (hang if lines else 0)
        size, gap = measure(word), " " if spaced else ""
        if (size if line is None else used + len(gap) + size) <= room:
            line, used = (word, size) if line is None else (f"{line}{gap}{word}", used + len(gap) + size)
            continue
        if line is not None:
            lines.append(line.rstrip(" "))
            room, line = width - hang, None
            if not word:
                continue
        line, used = word, size
        while used > room:
            head, line = _fold(line, room)
            lines.append(head)
            room, used = width - hang, measure(line)
    if line is not None:
        lines.append(line)
    return (lines[0], *(" " * hang + line for line in lines[1:])) if lines else ("",)


# Chinese breaks after any character, but a line never starts with closing punctuation
CJK_BREAK = re.compile(r"(?<=[\u2e80-\u9fff\uf900-\ufaff\uff01-\uff60\u3000-\u303f])(?![，。、：；！？）》」』\u3001\u3002…%])")


def _breakable(word: str, measure) -> list[str]:
    """A word's pieces: itself, or for Chinese text the pieces between its break points."""
    if measure is len or not word:
        return [word]
    return [piece for piece in CJK_BREAK.split(word) if piece] or [word]


def _fold(word: str, width: int) -> tuple[str, str]:
    """The first `width` cells of a word, and the rest; at least one character, so that a wide
    character in a one-cell column still moves on."""
    head = chop_cells(word, max(width, 1))[0] or word[0]
    return head, word[len(head):]


def layout(grid: Grid, width: int | None) -> tuple[Grid, list[Part]]:
    """The parts a grid is shown in, and the grid (numbered when it has no key to repeat).

    Piped (`width` None): one part at natural width. Else one part if every column fits with
    its text wrapped to its preferred width. If not, the table splits: columns join the current
    part rank by rank while they fit, and a rank that does not starts the next part; in the
    first part, which holds the names, a wrapping column counts at up to half the width (a
    table split anyway reads better with whole names)."""
    natural = [_widest([col.header, *[t for row in grid.rows for t, _ in row[i]]]) for i, col in enumerate(grid.columns)]
    if width is None:
        return grid, [Part(columns=tuple(range(len(grid.columns))), widths=tuple(natural))]
    words = [_longest_word(col, [row[i] for row in grid.rows]) for i, col in enumerate(grid.columns)]
    preferred = [min(n, max(w, col.min_width)) if col.wrap else n for n, w, col in zip(natural, words, grid.columns)]
    groups = _part_columns(grid.columns, preferred, preferred, width)
    if len(groups) > 1:
        if not any(col.rank == 0 for col in grid.columns):
            return layout(numbered(grid), width)  # rows told apart across parts by their number
        wide = [min(n, max(p, width // 2)) if col.wrap else n for n, p, col in zip(natural, preferred, grid.columns)]
        groups = _part_columns(grid.columns, wide, preferred, width)
    return grid, [Part(columns=g, widths=_widths([natural[i] for i in g], [preferred[i] for i in g],
                                                 [words[i] for i in g], width - CHROME * len(g) - 1)) for g in groups]


def numbered(grid: Grid) -> Grid:
    return Grid(title=grid.title, columns=(Column(header="#", right=True, rank=0), *grid.columns),
                rows=[(((str(n), ""),), *row) for n, row in enumerate(grid.rows, 1)])


def _longest_word(column: Column, cells: list[tuple[Segment, ...]]) -> int:
    if not column.wrap:
        return 0
    texts = [column.header, *(t for cell in cells for t, _ in cell)]
    return max(width_of(w) for t in texts for w in t.split(" "))


def _part_columns(columns: tuple[Column, ...], first: list[int], rest: list[int], width: int) -> list[tuple[int, ...]]:
    """Columns in parts, rank by rank, counting their widths as `first` in the first part and as
    `rest` after it; each part holds the keys and at least one rank."""
    keys = [i for i, col in enumerate(columns) if col.rank == 0]
    parts, current = [], list(keys)
    for rank in sorted({col.rank for col in columns} - {0}):
        group = [i for i, col in enumerate(columns) if col.rank == rank]
        widths = rest if parts else first
        needed = sum(widths[i] for i in current + group) + CHROME * len(current + group) + 1
        if needed > width and len(current) > len(keys):
            parts.append(current)
            current = keys + group
        else:
            current += group
    return [tuple(sorted(p)) for p in [*parts, current]]


def _widths(natural: list[int], preferred: list[int], words: list[int], room: int) -> tuple[int, ...]:
    """Narrow the widest columns first (as rich does), none below its floor; the floors drop
    from the preferred widths to the longest words, then to one cell, only when they must."""
    for floors in (preferred, [w or n for w, n in zip(words, natural)], [1] * len(natural)):
        if sum(floors) <= room:
            return _level(natural, floors, room)
    return tuple([1] * len(natural))


def _level(natural: list[int], floors: list[int], room: int) -> tuple[int, ...]:
    if sum(natural) <= room:
        return tuple(natural)
    low, high = 0, max(natural)  # the highest level L at which max(floor, min(natural, L)) fits
    while low < high:
        mid = (low + high + 1) // 2
        if sum(max(f, min(n, mid)) for n, f in zip(natural, floors)) <= room:
            low = mid
        else:
            high = mid - 1
    widths = [max(f, min(n, low)) for n, f in zip(natural, floors)]
    spare = room - sum(widths)
    for i, n in enumerate(natural):  # the remainder: one more cell to the first columns still short
        if spare and widths[i] < n:
            widths[i] += 1
            spare -= 1
    return tuple(widths)


def render(grid: Grid, width: int | None) -> Iterator[list[Segment]]:
    """The lines of a grid fitted to `width` (None: piped), part after part with a blank line
    between, each line a list of (text, style) segments."""
    grid, parts = layout(grid, width)
    row = _plain_row if width is None else _row
    for n, part in enumerate(parts):
        if n:
            yield [("", "")]
        if n == 0 and grid.title:
            yield from _title(grid.title, sum(part.widths) + CHROME * len(part.widths) + 1, width)
        yield from _table(grid, part, row)


def _title(title: str, table_width: int, width: int | None) -> Iterator[list[Segment]]:
    if width is not None:
        for line in wrap(title, width):
            yield [(line, "italic")]
    else:  # as rich's Table does, padded to the table's width; but never wrapped when piped
        yield [(title + " " * (table_width - width_of(title)), "italic")]


def _table(grid: Grid, part: Part, row) -> Iterator[list[Segment]]:
    columns = tuple(grid.columns[i] for i in part.columns)
    widths = part.widths
    yield [("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓", "")]
    yield from row([((c.header, "bold"),) for c in columns], columns, widths, "┃")
    yield [("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩", "")]
    for cells in grid.rows:
        yield from row([cells[i] for i in part.columns], columns, widths, "│")
    yield [("└" + "┴".join("─" * (w + 2) for w in widths) + "┘", "")]


def _row(cells: list[tuple[Segment, ...]], columns: list[Column], widths: tuple[int, ...], bar: str):
    lines = [[(line, style) for text, style in cell for line in wrap(text, w)] if len(cell) > 1 or width_of(cell[0][0]) > w
             else cell for cell, w in zip(cells, widths)]
    for k in range(max(map(len, lines))):
        segments: list[Segment] = [(bar, "")]
        for cell_lines, column, w in zip(lines, columns, widths):
            text, style = cell_lines[k] if k < len(cell_lines) else ("", "")
            pad = " " * (w - width_of(text))
            segments += [(" " + pad, ""), (text, style), (" " + bar, "")] if column.right else \
                [(" ", ""), (text, style), (pad + " " + bar, "")]
        yield segments


def _plain_row(cells: list[tuple[Segment, ...]], columns: list[Column], widths: tuple[int, ...], bar: str):
    """A row at natural width, unstyled: the piped case, where speed matters (10,000 rows)."""
    line = _line_format(columns, widths, bar)
    for k in range(max(map(len, cells))):
        texts = [cell[k][0] if k < len(cell) else "" for cell in cells]
        if ONE_CELL.issuperset("".join(texts)):
            yield [(line.format(*texts), "")]
        else:  # wide or zero-width characters: pad by cells, not by characters
            padded = [" " * (w - width_of(t)) + t if c.right else t + " " * (w - width_of(t))
                      for t, c, w in zip(texts, columns, widths)]
            yield [(f"{bar} " + f" {bar} ".join(padded) + f" {bar}", "")]


@lru_cache(maxsize=64)
def _line_format(columns: tuple[Column, ...], widths: tuple[int, ...], bar: str) -> str:
    """`│ {:>3} │ {:<24} │ … │`: one row's line as a format string."""
    cells = [f"{{:{'>' if c.right else '<'}{w}}}" for c, w in zip(columns, widths)]
    return f"{bar} " + f" {bar} ".join(cells) + f" {bar}"
