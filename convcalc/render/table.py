"""The table of `summary`, like Keras' `summary()`.

At 80 columns the layer name wraps first; then Input, Kernel, MACs and RF move, in that order
of rank, to a second table that repeats `#`.
"""

from __future__ import annotations

from convcalc.engine import Network
from convcalc.layers.base import shape_text
from convcalc.render import terminal
from convcalc.render.formats import table_rows, totals_lines, warning_lines
from convcalc.render.grid import Column, Grid, grid

COLUMNS = (
    Column(header="#", right=True, rank=0),
    Column(header="Layer (type)", wrap=True, rank=1, min_width=20),
    Column(header="Input", wrap=True, rank=4, min_width=10),
    Column(header="Output", rank=2),
    Column(header="Kernel", rank=5),
    Column(header="Params", right=True, rank=3),
    Column(header="MACs", right=True, rank=6),
    Column(header="RF", rank=7),
)


def summary_grid(net: Network) -> Grid:
    title = f'Model: "{net.name}" · input {shape_text(net.input_shape)} → output {shape_text(net.output_shape)}'
    return grid(title=title, columns=COLUMNS, rows=_rows(net))


def _rows(net: Network):
    previous = "input"
    for r, cells in zip(net.layers, table_rows(net)):
        if r.spec.inputs != (previous,):  # a graph edge: say where the inputs come from
            cells[1] = ((cells[1], ""), (f"← {', '.join(r.spec.inputs)}", "dim"))
        previous = r.spec.name
        yield cells


def print_summary(net: Network) -> None:
    columns = terminal.width()
    after = [terminal.paragraph(f" {line}", columns, hang=3) for line in totals_lines(net)]
    after += [terminal.paragraph(line, columns, label=("warning: ", "yellow")) for line in warning_lines(net)]
    terminal.show(summary_grid(net), *after)
