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
from convcalc.messages import Message, as_dict
from convcalc.render.common import ascii_shape, human_bytes, human_count, layer_label, outputs_text
from convcalc.render.jsontext import dumps
from convcalc.training import Setting, TrainingMemory, inference_bytes, totals_dict, training_memory


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


def network_dict(net: Network, setting: Setting | None = None) -> dict[str, Any]:
    """With a memory setting (--batch, --dtype, --training) `totals` gains `inference`, and with
    --training `training`, and each layer what it keeps for the backward pass."""
    d = {
        "name": net.name,
        "input_shape": list(net.input_shape),
        "output_shape": list(net.output_shape),
        "layers": [layer_dict(r) for r in net.layers],
        "totals": vars(net.totals).copy(),
    }
    if setting is not None:
        d["totals"].update(totals_dict(net, setting))
    if setting is not None and setting.training:
        for layer, saved in zip(d["layers"], training_memory(net, setting).layers):
            layer["training"] = {"saved": as_dict(Message(saved.what)), "saved_bytes": saved.bytes}
    return d


def to_json(net: Network, setting: Setting | None = None) -> str:
    return dumps(network_dict(net, setting), records="layers")


# --- the cells every human format shares --------------------------------------------------------

def input_text(r: LayerResult, sep: str = " + ") -> str:
    return sep.join(shape_text(s) for s in r.input_shapes)


def rf_text(r: LayerResult) -> str:
    return shape_text(r.receptive_field) if r.receptive_field else ""


def headers(saved: bool = False) -> tuple[str, ...]:
    """The columns' headings, in the chosen language; with --training (and no --depth) a column
    of what each layer keeps."""
    names = ("#", *(Message(f"heading.{key}") for key in ("layer_type", "input", "output", "kernel", "params", "macs",
                                                           "rf")))
    return (*names, Message("memory.saved_header")) if saved else names


def table_rows(net: Network, depth: int | None = None, memory: TrainingMemory | None = None) -> list[list[str]]:
    """The cells shared by the terminal table and Markdown (the grid escapes control characters);
    with `depth`, a row per block down to that depth (`--depth`); with `memory`, the bytes each
    layer keeps for the backward pass."""
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
    if memory is not None:
        for cells, saved in zip(rows, memory.layers):
            cells.append(human_bytes(saved.bytes) if saved.bytes else "—")
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


def totals_lines(net: Network, setting: Setting | None = None) -> list[str]:
    t = net.totals
    lines = [
        Message("summary.total_params", params=t.params, size=human_bytes(t.param_bytes)),
        Message("summary.trainable_params", count=t.trainable_params),
        Message("summary.non_trainable_params", count=t.non_trainable_params),
        Message("summary.macs", macs=t.macs, macs_short=human_count(t.macs), flops=t.flops,
                flops_short=human_count(t.flops)),
    ]
    if setting is None:
        return lines + [Message("summary.activations", size=human_bytes(t.activation_bytes),
                                input=human_bytes(t.input_bytes))]
    activations, given = inference_bytes(net, setting)
    lines.append(Message("memory.inference", dtype=setting.dtype, batch=setting.batch,
                         activations=human_bytes(activations), input=human_bytes(given)))
    return lines + (training_lines(training_memory(net, setting), setting) if setting.training else [])


def training_lines(m: TrainingMemory, setting: Setting) -> list[str]:
    return [
        Message("memory.training_heading", dtype=setting.dtype, batch=setting.batch, optimizer=setting.optimizer),
        Message("memory.weights", params=human_bytes(m.param_bytes), gradients=human_bytes(m.gradient_bytes)),
        Message(f"memory.state_{setting.optimizer}", state=human_bytes(m.optimizer_bytes), dtype=setting.dtype),
        Message("memory.saved", saved=human_bytes(m.saved_bytes)),
        Message("memory.total", total=human_bytes(m.total_bytes), exact=m.total_bytes),
    ]


def warning_lines(net: Network) -> list[str]:
    return [f"{r.spec.where}: {w}" for r in net.layers for w in r.warnings]


# --- CSV ----------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "index", "name", "type", "inputs", "input_shapes", "output_shape", "kernel_shape",
    "params", "trainable_params", "non_trainable_params", "macs", "receptive_field",
)


def to_csv(net: Network, depth: int | None = None, setting: Setting | None = None) -> str:
    """One row per layer (with `depth`, per block: index `5-16`, type `bottleneck ×4`); shapes as
    3x224x224, several inputs or outputs separated by `;`; with --training a last column
    `saved_bytes` (a row per layer only)."""
    memory = _per_layer(net, depth, setting)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + ("saved_bytes",) * (memory is not None))
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
    saved = [[m.bytes] for m in memory.layers] if memory is not None else [[]] * len(net.layers)
    for r, last in zip(net.layers, saved):
        writer.writerow([
            r.spec.index, printable(r.spec.name), r.spec.type, printable(";".join(r.spec.inputs)),
            ";".join(x(s) for s in r.input_shapes), ";".join(x(s) for s in r.output_shapes), x(r.kernel_shape),
            r.params, r.trainable, r.non_trainable, r.macs, x(r.receptive_field), *last,
        ])
    return out.getvalue()


# --- Markdown -----------------------------------------------------------------------------------

def to_markdown(net: Network, depth: int | None = None, setting: Setting | None = None) -> str:
    def row(cells) -> str:
        return "| " + " | ".join(printable(c).replace("|", "\\|") for c in cells) + " |"

    memory = _per_layer(net, depth, setting)
    align = ["---:", "---", "---", "---", "---", "---:", "---:", "---"] + ["---:"] * (memory is not None)
    lines = [Message("summary.markdown_title", name=printable(net.name), input=shape_text(net.input_shape),
                     output=shape_text(net.output_shape)), ""]
    lines += [row(headers(memory is not None)), "| " + " | ".join(align) + " |",
              *(row(r) for r in table_rows(net, depth, memory)), ""]
    lines += [f"- {line}" for line in totals_lines(net, setting)]
    warnings = warning_lines(net)
    if warnings:
        lines += ["", Message("summary.warnings"), *(f"- {printable(w)}" for w in warnings)]
    return "\n".join(lines) + "\n"


def _per_layer(net: Network, depth: int | None, setting: Setting | None) -> TrainingMemory | None:
    """The training memory for a per-layer column: with --training, and a row per layer."""
    if setting is None or not setting.training or depth is not None:
        return None
    return training_memory(net, setting)


# --- the terminal table (its layout modules load only here: JSON, CSV and Markdown skip them) ---

def summary_grid(net: Network, depth: int | None = None, memory: TrainingMemory | None = None):
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
    if memory is not None:  # with --training: what each layer keeps, as important as its parameters
        columns += (Column(header=Message("memory.saved_header"), right=True, rank=3),)
    title = Message("summary.title", name=net.name, input=shape_text(net.input_shape), output=shape_text(net.output_shape))
    return grid(title=title, columns=columns, rows=_rows(net, memory) if depth is None else table_rows(net, depth))


def _rows(net: Network, memory: TrainingMemory | None = None):
    previous = "input"
    for r, cells in zip(net.layers, table_rows(net, memory=memory)):
        if r.spec.inputs != (previous,):  # a graph edge: say where the inputs come from
            cells[1] = ((cells[1], ""), (f"← {', '.join(r.spec.inputs)}", "dim"))
        if len(set(r.output_shapes)) > 1:  # one output a line
            cells[3] = tuple((text, "") for text in outputs_text(r.output_shapes))
        previous = r.spec.name
        yield cells


def print_summary(net: Network, depth: int | None = None, setting: Setting | None = None) -> None:
    from convcalc.render import terminal

    columns = terminal.width()
    after = [terminal.paragraph(f" {line}", columns, hang=3) for line in totals_lines(net, setting)]
    after += [terminal.paragraph(line, columns, label=(Message("label.warning"), "yellow")) for line in warning_lines(net)]
    terminal.show(summary_grid(net, depth, _per_layer(net, depth, setting)), *after)
