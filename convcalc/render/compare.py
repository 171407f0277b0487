"""`convcalc compare`: one row per network, for lectures that put LeNet beside ResNet."""

from __future__ import annotations

import csv
import io
from typing import Any

from convcalc.engine import Network
from convcalc.errors import printable
from convcalc.layers.base import shape_text
from convcalc.render.common import human_bytes, human_count
from convcalc.render.jsontext import dumps

COLUMNS = ("network", "depth", "layers", "params", "MACs", "activations", "output", "largest layer")


def row(net: Network) -> dict[str, Any]:
    """Depth counts the layers with weights (conv, transposed conv, dense), as VGG-16's 16 does."""
    t = net.totals
    largest = max(net.layers, key=lambda r: r.params)
    return {
        "name": net.name, "depth": sum(1 for r in net.layers if r.kernel_shape is not None),
        "layers": len(net.layers), "params": t.params, "trainable_params": t.trainable_params, "macs": t.macs,
        "activation_bytes": t.activation_bytes, "input_shape": list(net.input_shape), "output_shape": list(net.output_shape),
        "largest_layer": {"name": largest.spec.name, "type": largest.spec.type, "params": largest.params},
    }


def cells(d: dict[str, Any]) -> list[str]:
    largest = d["largest_layer"]
    return [d["name"], str(d["depth"]), str(d["layers"]), f"{d['params']:,}", f"{d['macs']:,} ({human_count(d['macs'])})",
            human_bytes(d["activation_bytes"]), shape_text(tuple(d["output_shape"])),
            f"{largest['name']} ({largest['params']:,})"]


def to_json(nets: list[Network]) -> str:
    return dumps([row(n) for n in nets])


def to_csv(nets: list[Network]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "depth", "layers", "params", "trainable_params", "macs", "activation_bytes",
                     "output_shape", "largest_layer", "largest_layer_params"])
    for d in map(row, nets):
        writer.writerow([printable(d["name"]), d["depth"], d["layers"], d["params"], d["trainable_params"], d["macs"],
                         d["activation_bytes"], "x".join(map(str, d["output_shape"])), printable(d["largest_layer"]["name"]),
                         d["largest_layer"]["params"]])
    return out.getvalue()


def to_markdown(nets: list[Network]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    lines += ["| " + " | ".join(printable(c).replace("|", "\\|") for c in cells(row(n))) + " |" for n in nets]
    return "\n".join(lines) + "\n"


def print_table(nets: list[Network]) -> None:
    """The table; at 80 columns the columns after MACs move to a second table that repeats the network."""
    from convcalc.render import terminal
    from convcalc.render.grid import Column, grid

    rank = {"network": 0, "params": 1, "depth": 2, "layers": 2, "MACs": 3, "activations": 4, "output": 5, "largest layer": 6}
    columns = [Column(header=c, right=c in ("depth", "layers", "params", "MACs", "activations"), rank=rank[c],
                      wrap=c in ("network", "largest layer"), min_width=12) for c in COLUMNS]
    terminal.show(grid(title="convcalc compare", columns=columns, rows=[cells(row(net)) for net in nets]))
