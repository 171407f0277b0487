"""`convcalc compare`: one row per network, for lectures that put LeNet beside ResNet."""

from __future__ import annotations

import csv
import io

from convcalc.engine import Network
from convcalc.errors import printable
from convcalc.layers.base import shape_text
from convcalc.messages import Message
from convcalc.record import asdict, record
from convcalc.render.common import human_bytes, human_count
from convcalc.render.jsontext import dumps

COLUMNS = ("network", "depth", "layers", "params", "macs", "activations", "output", "largest")  # catalogue: compare.*
NUMERIC = ("depth", "layers", "params", "macs", "activations")
RANK = {"network": 0, "params": 1, "depth": 2, "layers": 2, "macs": 3, "activations": 4, "output": 5, "largest": 6}


@record
class Largest:
    """The layer with the most parameters."""

    name: str
    type: str
    params: int


@record
class Row:
    """One network in the comparison; its fields, in order, are the JSON keys."""

    name: str
    depth: int
    layers: int
    params: int
    trainable_params: int
    macs: int
    activation_bytes: int
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    largest_layer: Largest


def row(net: Network) -> Row:
    """Depth counts the layers with weights (conv, transposed conv, dense), as VGG-16's 16 does."""
    t = net.totals
    largest = max(net.layers, key=lambda r: r.params)
    return Row(name=net.name, depth=sum(1 for r in net.layers if r.kernel_shape is not None), layers=len(net.layers),
               params=t.params, trainable_params=t.trainable_params, macs=t.macs, activation_bytes=t.activation_bytes,
               input_shape=net.input_shape, output_shape=net.output_shape,
               largest_layer=Largest(name=largest.spec.name, type=largest.spec.type, params=largest.params))


def cells(r: Row) -> list[str]:
    return [r.name, str(r.depth), str(r.layers), f"{r.params:,}", f"{r.macs:,} ({human_count(r.macs)})",
            human_bytes(r.activation_bytes), shape_text(r.output_shape),
            f"{r.largest_layer.name} ({r.largest_layer.params:,})"]


def to_json(nets: list[Network]) -> str:
    return dumps([asdict(row(n)) for n in nets])


def to_csv(nets: list[Network]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "depth", "layers", "params", "trainable_params", "macs", "activation_bytes",
                     "output_shape", "largest_layer", "largest_layer_params"])
    for r in map(row, nets):
        writer.writerow([printable(r.name), r.depth, r.layers, r.params, r.trainable_params, r.macs,
                         r.activation_bytes, "x".join(map(str, r.output_shape)), printable(r.largest_layer.name),
                         r.largest_layer.params])
    return out.getvalue()


def to_markdown(nets: list[Network]) -> str:
    lines = ["| " + " | ".join(Message(f"compare.{c}") for c in COLUMNS) + " |", "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    lines += ["| " + " | ".join(printable(c).replace("|", "\\|") for c in cells(row(n))) + " |" for n in nets]
    return "\n".join(lines) + "\n"


def print_table(nets: list[Network]) -> None:
    """The table; at 80 columns the columns after MACs move to a second table that repeats the network."""
    from convcalc.render import terminal
    from convcalc.render.grid import Column, grid

    columns = [Column(header=Message(f"compare.{c}"), right=c in NUMERIC, rank=RANK[c], wrap=c in ("network", "largest"),
                      min_width=12) for c in COLUMNS]
    terminal.show(grid(title="convcalc compare", columns=columns, rows=[cells(row(net)) for net in nets]))
