"""What `convcalc verify` prints: predicted vs actual per layer, as a table or JSON."""

from __future__ import annotations

from typing import Any

from convcalc.layers.base import shape_text
from convcalc.render.formats import human_bytes
from convcalc.render.jsontext import dumps

MARK = {True: "✓", False: "✗"}


def verify_dict(net, runs, seed: int, batch: int, estimate) -> dict[str, Any]:
    layers = []
    for run in runs:
        r = run.result
        layers.append({
            "index": r.spec.index, "name": r.spec.name, "type": r.spec.type,
            "predicted_shape": list(r.output_shape),
            "actual_shape": list(run.actual_shape) if run.actual_shape is not None else None,
            "shape_ok": run.shape_ok,
            "predicted_params": r.params, "actual_params": run.trainable + run.non_trainable,
            "predicted_trainable_params": r.trainable, "actual_trainable_params": run.trainable,
            "params_ok": run.params_ok, "seconds": round(run.seconds, 6), "error": run.error,
        })
    not_run = [r.spec.name for r in net.layers[len(runs):]]
    return {
        "name": net.name, "seed": seed, "batch": batch,
        "ok": all(run.ok for run in runs) and not not_run,
        "agreeing_layers": sum(run.ok for run in runs), "layers_total": len(net.layers),
        "not_run": not_run, "seconds": round(sum(run.seconds for run in runs), 6),
        "estimated_peak_bytes": estimate.peak_bytes, "layers": layers,
    }


def to_json(data: dict) -> str:
    return dumps(data)


def print_verify(net, runs, data: dict) -> None:
    from rich.table import Table
    from rich.text import Text

    from convcalc.render.table import make_console

    table = Table(title=Text(f'verify "{net.name}": NumPy forward pass, seed {data["seed"]}, batch {data["batch"]}'),
                  title_justify="left", header_style="bold")
    for header, right in (("#", True), ("Layer (type)", False), ("Predicted", False), ("Actual", False), ("", False),
                          ("Params", True), ("Counted", True), ("", False)):
        table.add_column(header, justify="right" if right else "left", no_wrap=True)
    for run in runs:
        r = run.result
        actual = shape_text(run.actual_shape) if run.actual_shape is not None else "—"
        table.add_row(
            str(r.spec.index), Text(f"{r.spec.name} ({r.spec.type})"), shape_text(r.output_shape), actual,
            Text(MARK[run.shape_ok], style="green" if run.shape_ok else "bold red"),
            f"{r.params:,}", f"{run.trainable + run.non_trainable:,}",
            Text(MARK[run.params_ok], style="green" if run.params_ok else "bold red"),
        )
    console = make_console(table)
    console.print(table)
    for run in runs:
        if run.error:
            console.print(Text(f"{run.result.spec.where}: the arrays refused it: {run.error}", style="red"), soft_wrap=True)
    if data["not_run"]:
        console.print(Text(f"not run after the failure: {len(data['not_run'])} layers"), soft_wrap=True)
    summary = (f"{data['agreeing_layers']} of {data['layers_total']} layers agree"
               f" · forward {data['seconds']:.2f} s · estimated peak memory {human_bytes(data['estimated_peak_bytes'])}")
    console.print(Text(("✓ " if data["ok"] else "✗ ") + summary, style="green" if data["ok"] else "bold red"), soft_wrap=True)
