"""The rich table of `summary`, like Keras' `summary()`."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from convcalc.engine import Network
from convcalc.layers.base import shape_text
from convcalc.render.formats import HEADERS, table_rows, totals_lines, warning_lines


def make_console(renderable=None, stderr: bool = False) -> Console:
    """A console for the terminal, or, when piped, one wide enough that nothing wraps."""
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal and renderable is not None:
        width = Console(width=10_000).measure(renderable).maximum
        console = Console(stderr=stderr, highlight=False, width=max(width, 80))
    return console


def summary_table(net: Network) -> Table:
    title = f'Model: "{net.name}" · input {shape_text(net.input_shape)} → output {shape_text(net.output_shape)}'
    table = Table(title=Text(title), title_justify="left", header_style="bold")
    for header in HEADERS:
        numeric = header in ("#", "Params", "MACs")
        table.add_column(header, justify="right" if numeric else "left", no_wrap=True)
    previous = "input"
    for r, cells in zip(net.layers, table_rows(net)):
        texts = [Text(c) for c in cells]
        if r.spec.inputs != (previous,):  # a graph edge: say where the inputs come from
            texts[1].append(f"\n← {', '.join(r.spec.inputs)}", style="dim")
        previous = r.spec.name
        table.add_row(*texts)
    return table


def print_summary(net: Network) -> None:
    table = summary_table(net)
    console = make_console(table)
    console.print(table)
    for line in totals_lines(net):
        console.print(Text(f" {line}"), soft_wrap=True)
    for line in warning_lines(net):
        console.print(Text("warning: ", style="yellow") + Text(line), soft_wrap=True)
