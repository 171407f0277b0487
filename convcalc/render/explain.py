"""What `convcalc explain` prints: notes, derivations and the window picture; or the same as JSON."""

from __future__ import annotations

from itertools import chain
from typing import Any, Iterator

from convcalc.errors import printable
from convcalc.explain import BOTH, FIRST, PAD, SECOND, Explanation, MISSED
from convcalc.layers.base import shape_text
from convcalc.messages import Message, as_dict
from convcalc.render.common import layer_label, outputs_text
from convcalc.render.summary import layer_dict
from convcalc.render.jsontext import dumps

Line = list[tuple[str, str]]  # (text, style) segments
STYLE = {FIRST: "bold cyan", SECOND: "bold magenta", BOTH: "bold yellow", PAD: "dim", MISSED: "bold red"}


def explanation_dict(e: Explanation) -> dict[str, Any]:
    d = layer_dict(e.result)
    d["steps"] = [{"what": s.what, "formula": s.formula, "substituted": s.substituted, "value": s.value,
                   "id": s.id, "params": s.values} for s in e.result.steps]
    d["notes"] = list(e.notes)
    d["note_messages"] = [as_dict(n) for n in e.notes]  # the notes again, each with its catalogue id and params
    d["warning_messages"] = [as_dict(w) for w in e.result.warnings]
    if e.backward is not None:
        d["backward"] = backward_dict(e.backward)
    d["picture"] = None if e.picture is None else {
        "caption": e.picture.caption, "input": list(e.picture.input_rows), "output": list(e.picture.output_rows),
        "legend": e.picture.legend,
    }
    return d


def backward_dict(b) -> dict[str, Any]:
    """`explain --backward`'s additive key: gradients, MACs, and how, with catalogue ids."""
    return {"gradients": [{"name": g.name, "shape": list(g.shape)} for g in b.gradients], "macs": b.macs,
            "steps": [{"what": s.what, "formula": s.formula, "substituted": s.substituted, "value": s.value,
                       "id": s.id, "params": s.values} for s in b.steps],
            "notes": list(b.notes), "note_messages": [as_dict(n) for n in b.notes]}


def to_json(explanations: list[Explanation]) -> str:
    return dumps([explanation_dict(e) for e in explanations])


def _value(v: Any) -> str:
    return f"{v:,}" if isinstance(v, int) else str(v)


PIPED_WIDTH = 80  # prose is read, not parsed: piped (to a file, to less) it wraps at 80 columns


def print_explanations(explanations: list[Explanation], pictures: bool = True) -> None:
    """Each layer: a heading, the facts, the notes as bullets, the steps, the picture; long
    lines wrap at the terminal's width (80 when piped) with a hanging indent."""
    from convcalc.render import terminal

    columns = terminal.width()
    width = columns or PIPED_WIDTH
    from convcalc.explain import backward_totals
    from convcalc.render.terminal import paragraph

    totals = backward_totals(explanations)
    tail = paragraph(totals, width, style="bold") if totals else ()
    lines = (line for e in explanations for line in _block(e, width, pictures))
    terminal.write(chain(lines, tail), columns is not None)


def _block(e: Explanation, columns: int, pictures: bool) -> Iterator[Line]:
    from convcalc.render.terminal import paragraph

    r = e.result
    yield from _heading(heading(r), columns)
    yield from paragraph(" · ".join(_facts(r)), columns)
    for note in e.notes:
        yield from paragraph("• " + note, columns)
    yield from _steps(r.steps, columns)
    if pictures and e.picture:
        p = e.picture
        yield from paragraph(p.caption, columns, style="italic")
        yield from _picture_rows(p.input_rows)
        yield [("  " + Message("explain.picture_output"), "")]
        yield from _picture_rows(p.output_rows)
        yield from paragraph("  " + p.legend, columns, hang=4, style="dim")
    if e.backward is not None:
        yield from _backward(e.backward, columns)
    for w in r.warnings:
        yield from paragraph(w, columns, label=(Message("label.warning"), "yellow"))
    yield [("", "")]


def _backward(b, columns: int) -> Iterator[Line]:
    """The backward pass: the gradients' shapes, how each is computed, its steps."""
    from convcalc.render.terminal import paragraph

    facts = [f"{g.name} {shape_text(g.shape)}" for g in b.gradients] + ([Message("explain.macs", macs=b.macs)] if b.macs else [])
    yield from paragraph(" · ".join(facts), columns, label=(Message("explain.backward_label"), "bold"))
    for note in b.notes:
        yield from paragraph("• " + note, columns)
    yield from _steps(b.steps, columns)


def heading(r) -> str:
    """`Layer 4 · conv2d_2 (conv2d) · line 9`."""
    label = printable(layer_label(r))
    if r.spec.line:
        return Message("explain.heading_line", index=r.spec.index, label=label, line=r.spec.line)
    return Message("explain.heading", index=r.spec.index, label=label)


def _facts(r) -> list[str]:
    facts = [Message("explain.shapes", inputs=" + ".join(shape_text(s) for s in r.input_shapes),
                     outputs=len(r.output_shapes), shapes=", ".join(outputs_text(r.output_shapes)))]
    if r.kernel_shape:
        facts.append(Message("explain.kernel", shape=shape_text(r.kernel_shape)))
    if r.non_trainable:
        facts.append(Message("explain.params_non_trainable", params=r.params, non_trainable=r.non_trainable))
    else:
        facts.append(Message("explain.params", params=r.params))
    if r.macs:
        facts.append(Message("explain.macs", macs=r.macs))
    if r.receptive_field:
        facts.append(Message("explain.receptive_field", shape=shape_text(r.receptive_field)))
    return facts


def _heading(title: str, columns: int) -> Iterator[Line]:
    """`Layer 4 · conv2d_2 (conv2d) · line 9 ─────…` to the width, as rich's Rule drew it."""
    from convcalc.render.grid import width_of, wrap

    lines = wrap(title, columns - 2, hang=2)
    for text in lines[:-1]:
        yield [(text, "bold")]
    fill = columns - width_of(lines[-1]) - 1
    yield [(lines[-1], "bold"), (" " + "─" * fill, "bright_green")] if fill > 0 else [(lines[-1], "bold")]


def _steps(steps, columns: int) -> Iterator[Line]:
    """Each step's name, then its formula, the formula with the numbers and the value, one per
    line, wrapped (hanging) only if the block is wider than the screen."""
    from convcalc.render.grid import width_of, wrap

    if not steps:
        return
    rows = [(s.what, _step_lines(s)) for s in steps]
    label = max(width_of(what) for what, _ in rows)
    value = max(width_of(text) for _, lines in rows for text in lines)
    if label + 2 + value > columns:
        room = max(columns - label - 2, 20)
        rows = [(what, [part for text in lines for part in wrap(text, room, hang=2)]) for what, lines in rows]
        value = max(width_of(text) for _, lines in rows for text in lines)
    for what, lines in rows:  # padded as rich's Table.grid padded them
        yield [(_pad(what, label) + "  ", "bold"), (_pad(lines[0], value), "")]
        for text in lines[1:]:
            yield [(" " * (label + 2), "bold"), (_pad(text, value), "")]


def _step_lines(s) -> list[str]:
    lines = [s.formula]
    if s.substituted not in (s.formula, _value(s.value), str(s.value)):
        lines.append(f"= {s.substituted}")
    lines.append(f"= {_value(s.value)}")
    return lines


def _pad(text: str, width: int) -> str:
    from convcalc.render.grid import width_of

    return text + " " * (width - width_of(text))


def _picture_rows(rows) -> Iterator[Line]:
    for row in rows:
        segments: Line = [("    ", "")]
        for i, cell in enumerate(row):
            segments.append((cell, STYLE.get(cell, "")))
            if i < len(row) - 1:
                segments.append((" ", ""))
        yield segments
    yield [("", "")]
