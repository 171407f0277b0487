"""`convcalc summary` in every format: the table (like Keras' `summary()`), the JSON of the
contract, CSV and Markdown — one module per output, all of the summary here.

At 80 columns the table's layer name wraps first; then Input, Kernel, MACs and RF move, in that
order of rank, to a second table that repeats `#`.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from convcalc.engine import LayerResult, Network
from convcalc.errors import printable
from convcalc.layers.base import shape_text
from convcalc.messages import Message
from convcalc.render.common import ascii_shape, human_bytes, human_count, layer_label, outputs_text
from convcalc.render.jsontext import dumps


# --- JSON: the contract -------------------------------------------------------------------------

def layer_dict(r: LayerResult) -> dict[str, Any]:
    d = {
        "index": r.spec.index,
        "name": r.spec.name,
        "type": r.spec.type,
        "inputs": list(r.spec.inputs),
        "input_shapes": [list(s) for s in r.input_shapes],
        "output_shape": list(r.output_shape),
        "output_shapes": [list(s) for s in r.output_shapes],
        "kernel_shape": list(r.kernel_shape) if r.kernel_shape else None,
        "params": r.params,
        "trainable_params": r.trainable,
        "non_trainable_params": r.non_trainable,
        "macs": r.macs,
        "receptive_field": list(r.receptive_field) if r.receptive_field else None,
        "line": r.spec.line,
        "block": list(r.spec.block),
        "warnings": list(r.warnings),
    }
    d.update(dict(r.extra))
    return d


def network_dict(net: Network) -> dict[str, Any]:
    return {
        "name": net.name,
        "input_shape": list(net.input_shape),
        "output_shape": list(net.output_shape),
        "layers": [layer_dict(r) for r in net.layers],
        "totals": vars(net.totals).copy(),
    }


def to_json(net: Network) -> str:
    return dumps(network_dict(net), records="layers")


# --- the cells every human format shares --------------------------------------------------------

def input_text(r: LayerResult, sep: str = " + ") -> str:
    return sep.join(shape_text(s) for s in r.input_shapes)


def rf_text(r: LayerResult) -> str:
    return shape_text(r.receptive_field) if r.receptive_field else ""


def headers() -> tuple[str, ...]:
    """The columns' headings, in the chosen language."""
    return ("#", *(Message(f"heading.{key}") for key in ("layer_type", "input", "output", "kernel", "params", "macs",
                                                          "rf")))


def table_rows(net: Network, depth: int | None = None) -> list[list[str]]:
    """The cells shared by the terminal table and Markdown (the grid escapes control characters);
    with `depth`, a row per block down to that depth (`--depth`)."""
    if depth is not None:
        return [_block_cells(row) for row in _block_rows(net, depth)]
    rows = []
    for r in net.layers:
        name = layer_label(r)
        rows.append([
            str(r.spec.index), name, input_text(r), ", ".join(outputs_text(r.output_shapes)),
            shape_text(r.kernel_shape) if r.kernel_shape else "—",
            f"{r.params:,}", f"{r.macs:,}", rf_text(r) or "—",
        ])
    return rows


def _block_rows(net: Network, depth: int):
    from convcalc.render.depth import block_rows

    return block_rows(net, depth)


def _block_cells(row) -> list[str]:
    """A `--depth` row: a layer as without it, or a group with its layers' sums, indented by level."""
    label = f"{row.name} ({row.kind})" if row.group else layer_label(row.first)
    kernel = row.first.kernel_shape if not row.group else None
    return [
        row.index_text, "  " * row.level + label, input_text(row.first), shape_text(row.last.output_shape),
        shape_text(kernel) if kernel else "—", f"{row.params:,}", f"{row.macs:,}", rf_text(row.last) or "—",
    ]


def totals_lines(net: Network) -> list[str]:
    t = net.totals
    return [
        Message("summary.total_params", params=t.params, size=human_bytes(t.param_bytes)),
        Message("summary.trainable_params", count=t.trainable_params),
        Message("summary.non_trainable_params", count=t.non_trainable_params),
        Message("summary.macs", macs=t.macs, macs_short=human_count(t.macs), flops=t.flops,
                flops_short=human_count(t.flops)),
        Message("summary.activations", size=human_bytes(t.activation_bytes), input=human_bytes(t.input_bytes)),
    ]


def warning_lines(net: Network) -> list[str]:
    return [f"{r.spec.where}: {w}" for r in net.layers for w in r.warnings]


# --- CSV ----------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "index", "name", "type", "inputs", "input_shapes", "output_shape", "kernel_shape",
    "params", "trainable_params", "non_trainable_params", "macs", "receptive_field",
)


def to_csv(net: Network, depth: int | None = None) -> str:
    """One row per layer (with `depth`, per block: index `5-16`, type `bottleneck ×4`); shapes as
    3x224x224, several inputs or outputs separated by `;`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    x = ascii_shape
    if depth is not None:
        for row in _block_rows(net, depth):
            first, last = row.first, row.last
            writer.writerow([
                row.index_text.replace("–", "-"), printable(row.name), printable(row.kind),
                printable(";".join(first.spec.inputs)), ";".join(x(s) for s in first.input_shapes),
                x(last.output_shape), "" if row.group else x(first.kernel_shape),
                row.params, row.trainable, row.non_trainable, row.macs, x(last.receptive_field),
            ])
        return out.getvalue()
    for r in net.layers:
        writer.writerow([
            r.spec.index, printable(r.spec.name), r.spec.type, printable(";".join(r.spec.inputs)),
            ";".join(x(s) for s in r.input_shapes), ";".join(x(s) for s in r.output_shapes), x(r.kernel_shape),
            r.params, r.trainable, r.non_trainable, r.macs, x(r.receptive_field),
        ])
    return out.getvalue()


# --- Markdown -----------------------------------------------------------------------------------

def to_markdown(net: Network, depth: int | None = None) -> str:
    def row(cells) -> str:
        return "| " + " | ".join(printable(c).replace("|", "\\|") for c in cells) + " |"

    align = ["---:", "---", "---", "---", "---", "---:", "---:", "---"]
    lines = [Message("summary.markdown_title", name=printable(net.name), input=shape_text(net.input_shape),
                     output=shape_text(net.output_shape)), ""]
    lines += [row(headers()), "| " + " | ".join(align) + " |", *(row(r) for r in table_rows(net, depth)), ""]
    lines += [f"- {line}" for line in totals_lines(net)]
    warnings = warning_lines(net)
    if warnings:
        lines += ["", Message("summary.warnings"), *(f"- {printable(w)}" for w in warnings)]
    return "\n".join(lines) + "\n"


# --- the terminal table (its layout modules load only here: JSON, CSV and Markdown skip them) ---

def summary_grid(net: Network, depth: int | None = None):
    from convcalc.render.grid import Column, grid

    index, layer, given, output, kernel, params, macs, rf = headers()
    columns = (
        Column(header=index, right=True, rank=0),
        Column(header=layer, wrap=True, rank=1, min_width=20),
        Column(header=given, wrap=True, rank=4, min_width=10),
        Column(header=output, rank=2),
        Column(header=kernel, rank=5),
        Column(header=params, right=True, rank=3),
        Column(header=macs, right=True, rank=6),
        Column(header=rf, rank=7),
    )
    title = Message("summary.title", name=net.name, input=shape_text(net.input_shape), output=shape_text(net.output_shape))
    return grid(title=title, columns=columns, rows=_rows(net) if depth is None else table_rows(net, depth))


def _rows(net: Network):
    previous = "input"
    for r, cells in zip(net.layers, table_rows(net)):
        if r.spec.inputs != (previous,):  # a graph edge: say where the inputs come from
            cells[1] = ((cells[1], ""), (f"← {', '.join(r.spec.inputs)}", "dim"))
        if len(set(r.output_shapes)) > 1:  # one output a line
            cells[3] = tuple((text, "") for text in outputs_text(r.output_shapes))
        previous = r.spec.name
        yield cells


def print_summary(net: Network, depth: int | None = None) -> None:
    from convcalc.render import terminal

    columns = terminal.width()
    after = [terminal.paragraph(f" {line}", columns, hang=3) for line in totals_lines(net)]
    after += [terminal.paragraph(line, columns, label=(Message("label.warning"), "yellow")) for line in warning_lines(net)]
    terminal.show(summary_grid(net, depth), *after)
