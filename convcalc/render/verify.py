"""What `convcalc verify` prints: predicted vs actual per layer, as a table or JSON."""

from __future__ import annotations

from math import prod
from typing import TYPE_CHECKING, Any

from convcalc.layers.base import shape_text
from convcalc.messages import Message
from convcalc.render.common import human_bytes, layer_label, outputs_text
from convcalc.render.jsontext import dumps

if TYPE_CHECKING:  # convcalc.runner imports numpy: only the CLI's verify loads it
    from convcalc.runner import Verification
    from convcalc.runner.backward import GradientRun

MARK = {True: "✓", False: "✗"}


def verify_dict(v: Verification) -> dict[str, Any]:
    layers = []
    for run in v.runs:
        r = run.result
        layers.append({
            "index": r.spec.index, "name": r.spec.name, "type": r.spec.type,
            "predicted_shape": list(r.output_shape),
            "actual_shape": list(run.actual_shape) if run.actual_shape is not None else None,
            "predicted_shapes": [list(s) for s in r.output_shapes],
            "actual_shapes": [list(s) for s in run.actual_shapes] if run.actual_shapes is not None else None,
            "shape_ok": run.shape_ok,
            "predicted_params": r.params, "actual_params": run.trainable + run.non_trainable,
            "predicted_trainable_params": r.trainable, "actual_trainable_params": run.trainable,
            "params_ok": run.params_ok, "seconds": round(run.seconds, 6), "error": run.error,
            "non_finite_values": run.non_finite,
        })
    position = {run.result.spec.index: i for i, run in enumerate(v.runs)}
    for gradient in v.gradients or ():  # the layers the backward pass reached: the last ones
        layers[position[gradient.result.spec.index]]["gradients"] = _gradient_dict(gradient)
    result = {
        "name": v.net.name, "seed": v.seed, "batch": v.batch, "ok": v.ok,
        "agreeing_layers": v.agreeing, "layers_total": len(v.net.layers),
        "not_run": list(v.not_run), "seconds": round(v.seconds, 6),
        "estimated_peak_bytes": v.estimate.peak_bytes, "layers": layers,
    }
    if v.gradients is not None:
        result["backward"] = {"agreeing_layers": v.gradients_agreeing, "run_layers": len(v.gradients)}
    return result


def _gradient_dict(g: GradientRun) -> dict[str, Any]:
    """A layer's gradients with `verify --backward`: per example for the inputs, whole for weights."""
    def shapes(values):
        return [list(s) for s in values] if values is not None else None

    return {
        "predicted_input_shapes": shapes(g.predicted_inputs), "actual_input_shapes": shapes(g.input_shapes),
        "predicted_weight_shapes": shapes(g.predicted_weights), "actual_weight_shapes": shapes(g.weight_shapes),
        "ok": g.ok, "seconds": round(g.seconds, 6), "error": g.error,
    }


def to_json(v: Verification) -> str:
    return dumps(verify_dict(v), records="layers")


def _shapes_cell(shapes):
    """A shape, or a split's outputs one a line (equal ones once, counted)."""
    lines = outputs_text(shapes)
    return lines[0] if len(lines) == 1 else tuple((line, "") for line in lines)


def _mark(ok: bool):
    return ((MARK[ok], "green" if ok else "bold red"),)


def verify_grid(v: Verification):
    """The table: at 80 columns the name wraps, then the parameter counts move to a second table."""
    from convcalc.render.grid import Column, grid

    heading = {key: Message(f"heading.{key}") for key in ("layer_type", "predicted", "actual", "params", "counted")}
    columns = (
        Column(header="#", right=True, rank=0),
        Column(header=heading["layer_type"], wrap=True, rank=1, min_width=16),
        Column(header=heading["predicted"], rank=2), Column(header=heading["actual"], rank=2), Column(header="", rank=2),
        Column(header=heading["params"], right=True, rank=3), Column(header=heading["counted"], right=True, rank=3),
        Column(header="", rank=3),
    )
    rows = []
    for run in v.runs:
        r = run.result
        actual = _shapes_cell(run.actual_shapes) if run.actual_shapes else "—"
        rows.append((str(r.spec.index), layer_label(r), _shapes_cell(r.output_shapes), actual,
                     _mark(run.shape_ok), f"{r.params:,}", f"{run.trainable + run.non_trainable:,}", _mark(run.params_ok)))
    title = Message("verify.title", name=v.net.name, seed=v.seed, batch=v.batch)
    return grid(title=title, columns=columns, rows=rows)


def gradients_grid(v: Verification):
    """The backward pass's table: each layer's ∂L/∂X and weight gradients, predicted and actual."""
    from convcalc.render.grid import Column, grid

    heading = {key: Message(f"heading.{key}") for key in ("layer_type", "input_gradient", "weight_gradients")}
    columns = (
        Column(header="#", right=True, rank=0),
        Column(header=heading["layer_type"], wrap=True, rank=1, min_width=16),
        Column(header=heading["input_gradient"], rank=2), Column(header=Message("heading.actual"), rank=2),
        Column(header="", rank=2),
        Column(header=heading["weight_gradients"], wrap=True, rank=3),
        Column(header=Message("heading.actual"), wrap=True, rank=3), Column(header="", rank=3),
    )
    rows = []
    for g in v.gradients:
        r = g.result
        actual_in = _shapes_cell(g.input_shapes) if g.input_shapes is not None else "—"
        actual_w = _weights_text(g.weight_shapes) if g.weight_shapes is not None else "—"
        rows.append((str(r.spec.index), layer_label(r), _shapes_cell(g.predicted_inputs), actual_in,
                     _mark(g.inputs_ok), _weights_text(g.predicted_weights), actual_w, _mark(g.weights_ok)))
    return grid(title=Message("verify.backward_title", name=v.net.name), columns=columns, rows=rows)


def _weights_text(shapes) -> str:
    """`64×32×5×5 + 64`, or `—` for a layer that learns nothing."""
    return " + ".join(shape_text(s) for s in shapes) or "—"


def print_verify(v: Verification) -> None:
    from convcalc.render import terminal

    columns = terminal.width()
    after = [terminal.paragraph(Message("verify.refused", where=run.result.spec.where, error=run.error), columns,
                                style="red")
             for run in v.runs if run.error]
    after += [terminal.paragraph(Message("verify.backward_refused", where=g.result.spec.where, error=g.error),
                                 columns, style="red")
              for g in v.gradients or () if g.error]
    note = _non_finite_note(v.runs, v.batch)
    if note:
        after.append(terminal.paragraph(note, columns, style="yellow"))
    if v.not_run:
        after.append(terminal.paragraph(Message("verify.not_run", count=len(v.not_run)), columns))
    if v.gradients and len(v.gradients) < len(v.runs):
        after.append(terminal.paragraph(Message("verify.backward_not_run", count=len(v.runs) - len(v.gradients)),
                                        columns))
    summary = Message("verify.summary", agreeing=v.agreeing, total=len(v.net.layers), seconds=round(v.seconds, 6),
                      memory=human_bytes(v.estimate.peak_bytes))
    if v.gradients is not None:
        summary = Message("verify.summary_backward", agreeing=v.agreeing, total=len(v.net.layers),
                          gradients=v.gradients_agreeing, seconds=round(v.seconds, 6),
                          memory=human_bytes(v.estimate.peak_bytes))
    after.append(terminal.paragraph(("✓ " if v.ok else "✗ ") + summary, columns, style="green" if v.ok else "bold red"))
    if v.gradients:
        terminal.show(verify_grid(v), [[("", "")]])
        terminal.show(gradients_grid(v), *after)
    else:
        terminal.show(verify_grid(v), *after)


def _non_finite_note(runs, batch: int) -> str | None:
    """Where inf or NaN first appear: the layers after inherit them, so one note says it all."""
    run = next((run for run in runs if run.non_finite), None)
    if run is None:
        return None
    return Message("verify.non_finite", where=run.result.spec.where, count=run.non_finite,
                   total=sum(prod((batch, *s)) for s in run.actual_shapes))
