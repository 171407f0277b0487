"""Plain renderings of a network: the JSON of the contract, CSV and Markdown. No rich here."""

from __future__ import annotations

import csv
import io
from typing import Any

from convcalc.engine import Network, LayerResult
from convcalc.errors import printable
from convcalc.layers.base import shape_text
from convcalc.render.jsontext import dumps


def layer_dict(r: LayerResult) -> dict[str, Any]:
    d = {
        "index": r.spec.index,
        "name": r.spec.name,
        "type": r.spec.type,
        "inputs": list(r.spec.inputs),
        "input_shapes": [list(s) for s in r.input_shapes],
        "output_shape": list(r.output_shape),
        "kernel_shape": list(r.kernel_shape) if r.kernel_shape else None,
        "params": r.params,
        "trainable_params": r.trainable,
        "non_trainable_params": r.non_trainable,
        "macs": r.macs,
        "receptive_field": list(r.receptive_field) if r.receptive_field else None,
        "line": r.spec.line,
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
    return dumps(network_dict(net))


def input_text(r: LayerResult, sep: str = " + ") -> str:
    return sep.join(shape_text(s) for s in r.input_shapes)


def rf_text(r: LayerResult) -> str:
    return "×".join(map(str, r.receptive_field)) if r.receptive_field else ""


CSV_COLUMNS = (
    "index", "name", "type", "inputs", "input_shapes", "output_shape", "kernel_shape",
    "params", "trainable_params", "non_trainable_params", "macs", "receptive_field",
)


def ascii_shape(shape: tuple[int, ...] | None) -> str:
    """3x224x224: plain ASCII for spreadsheets and shell scripts."""
    return "x".join(map(str, shape)) if shape else ""


def to_csv(net: Network) -> str:
    """One row per layer; shapes as 3x224x224, several inputs separated by `;`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    x = ascii_shape
    for r in net.layers:
        writer.writerow([
            r.spec.index, printable(r.spec.name), r.spec.type, printable(";".join(r.spec.inputs)),
            ";".join(x(s) for s in r.input_shapes), x(r.output_shape), x(r.kernel_shape),
            r.params, r.trainable, r.non_trainable, r.macs, x(r.receptive_field),
        ])
    return out.getvalue()


def table_rows(net: Network) -> list[list[str]]:
    """The cells shared by the terminal table and Markdown (the grid escapes control characters)."""
    rows = []
    for r in net.layers:
        name = f"{r.spec.name} ({r.spec.type})"
        rows.append([
            str(r.spec.index), name, input_text(r), shape_text(r.output_shape),
            shape_text(r.kernel_shape) if r.kernel_shape else "—",
            f"{r.params:,}", f"{r.macs:,}", rf_text(r) or "—",
        ])
    return rows


HEADERS = ("#", "Layer (type)", "Input", "Output", "Kernel", "Params", "MACs", "RF")


def human_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:,} B" if unit == "B" else f"{n:,.2f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def human_count(n: int) -> str:
    for unit, size in (("T", 10**12), ("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if n >= size:
            return f"{n / size:.2f} {unit}"
    return str(n)


def totals_lines(net: Network) -> list[str]:
    t = net.totals
    return [
        f"Total params: {t.params:,} ({human_bytes(t.param_bytes)})",
        f"Trainable params: {t.trainable_params:,}",
        f"Non-trainable params: {t.non_trainable_params:,}",
        f"MACs: {t.macs:,} ({human_count(t.macs)}) · FLOPs: {t.flops:,} ({human_count(t.flops)})",
        f"Activations (float32, batch 1): {human_bytes(t.activation_bytes)} · input: {human_bytes(t.input_bytes)}",
    ]


def warning_lines(net: Network) -> list[str]:
    return [f"{r.spec.where}: {w}" for r in net.layers for w in r.warnings]


def to_markdown(net: Network) -> str:
    def row(cells) -> str:
        return "| " + " | ".join(printable(c).replace("|", "\\|") for c in cells) + " |"

    align = ["---:", "---", "---", "---", "---", "---:", "---:", "---"]
    lines = [f"**{printable(net.name)}** — input {shape_text(net.input_shape)} → output {shape_text(net.output_shape)}", ""]
    lines += [row(HEADERS), "| " + " | ".join(align) + " |", *(row(r) for r in table_rows(net)), ""]
    lines += [f"- {line}" for line in totals_lines(net)]
    warnings = warning_lines(net)
    if warnings:
        lines += ["", "Warnings:", *(f"- {printable(w)}" for w in warnings)]
    return "\n".join(lines) + "\n"
