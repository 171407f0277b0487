"""What `convcalc verify` prints: predicted vs actual per layer, as a table or JSON."""

from __future__ import annotations

from math import prod
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
            "non_finite_values": run.non_finite,
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


def _mark(ok: bool):
    return ((MARK[ok], "green" if ok else "bold red"),)


def verify_grid(net, runs, data: dict):
    """The table: at 80 columns the name wraps, then the parameter counts move to a second table."""
    from convcalc.render.grid import Column, grid

    columns = (
        Column(header="#", right=True, rank=0),
        Column(header="Layer (type)", wrap=True, rank=1, min_width=16),
        Column(header="Predicted", rank=2), Column(header="Actual", rank=2), Column(header="", rank=2),
        Column(header="Params", right=True, rank=3), Column(header="Counted", right=True, rank=3),
        Column(header="", rank=3),
    )
    rows = []
    for run in runs:
        r = run.result
        actual = shape_text(run.actual_shape) if run.actual_shape is not None else "—"
        rows.append((str(r.spec.index), f"{r.spec.name} ({r.spec.type})", shape_text(r.output_shape), actual,
                     _mark(run.shape_ok), f"{r.params:,}", f"{run.trainable + run.non_trainable:,}", _mark(run.params_ok)))
    title = f'verify "{net.name}": NumPy forward pass, seed {data["seed"]}, batch {data["batch"]}'
    return grid(title=title, columns=columns, rows=rows)


def print_verify(net, runs, data: dict) -> None:
    from convcalc.render import terminal

    columns = terminal.width()
    after = [terminal.paragraph(f"{run.result.spec.where}: the arrays refused it: {run.error}", columns, style="red")
             for run in runs if run.error]
    note = _non_finite_note(runs, data["batch"])
    if note:
        after.append(terminal.paragraph(note, columns, style="yellow"))
    if data["not_run"]:
        after.append(terminal.paragraph(f"not run after the failure: {len(data['not_run'])} layers", columns))
    summary = (f"{data['agreeing_layers']} of {data['layers_total']} layers agree"
               f" · forward {data['seconds']:.2f} s · estimated peak memory {human_bytes(data['estimated_peak_bytes'])}")
    after.append(terminal.paragraph(("✓ " if data["ok"] else "✗ ") + summary, columns,
                                    style="green" if data["ok"] else "bold red"))
    terminal.show(verify_grid(net, runs, data), *after)


def _non_finite_note(runs, batch: int) -> str | None:
    """Where inf or NaN first appear: the layers after inherit them, so one note says it all."""
    run = next((run for run in runs if run.non_finite), None)
    if run is None:
        return None
    return (f"note: {run.result.spec.where}: {run.non_finite:,} of {prod((batch, *run.actual_shape)):,} output values "
            "are inf or NaN (an overflow, a division by zero or an invalid operation); later layers compute with them, "
            "and shapes and counts are checked all the same")
