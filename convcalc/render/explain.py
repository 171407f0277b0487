"""What `convcalc explain` prints: notes, derivations and the window picture; or the same as JSON."""

from __future__ import annotations

import json
from typing import Any

from convcalc.explain import BOTH, FIRST, PAD, SECOND, Explanation, MISSED
from convcalc.layers.base import shape_text
from convcalc.messages import as_dict
from convcalc.render.formats import layer_dict

STYLE = {FIRST: "bold cyan", SECOND: "bold magenta", BOTH: "bold yellow", PAD: "dim", MISSED: "bold red"}


def explanation_dict(e: Explanation) -> dict[str, Any]:
    d = layer_dict(e.result)
    d["steps"] = [{"what": s.what, "formula": s.formula, "substituted": s.substituted, "value": s.value,
                   "id": s.id, "params": s.values} for s in e.result.steps]
    d["notes"] = list(e.notes)
    d["note_messages"] = [as_dict(n) for n in e.notes]  # the notes again, each with its catalogue id and params
    d["warning_messages"] = [as_dict(w) for w in e.result.warnings]
    d["picture"] = None if e.picture is None else {
        "caption": e.picture.caption, "input": list(e.picture.input_rows), "output": list(e.picture.output_rows),
        "legend": e.picture.legend,
    }
    return d


def to_json(explanations: list[Explanation]) -> str:
    return json.dumps([explanation_dict(e) for e in explanations], indent=2, ensure_ascii=False) + "\n"


def _value(v: Any) -> str:
    return f"{v:,}" if isinstance(v, int) else str(v)


def _grid_text(rows, indent: str = "    "):
    from rich.text import Text

    text = Text()
    for row in rows:
        text.append(indent)
        for i, cell in enumerate(row):
            text.append(cell, style=STYLE.get(cell, ""))
            if i < len(row) - 1:
                text.append(" ")
        text.append("\n")
    return text


def print_explanations(explanations: list[Explanation], pictures: bool = True) -> None:
    from rich.console import Group
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    from convcalc.render.table import make_console

    blocks = []
    for e in explanations:
        r = e.result
        line = f" · line {r.spec.line}" if r.spec.line else ""
        blocks.append(Rule(Text(f"Layer {r.spec.index} · {r.spec.name} ({r.spec.type}){line}", style="bold"), align="left"))
        facts = [f"input {' + '.join(shape_text(s) for s in r.input_shapes)} → output {shape_text(r.output_shape)}"]
        if r.kernel_shape:
            facts.append(f"kernel {shape_text(r.kernel_shape)}")
        facts.append(f"{r.params:,} parameters" + (f" ({r.non_trainable:,} non-trainable)" if r.non_trainable else ""))
        if r.macs:
            facts.append(f"{r.macs:,} MACs")
        if r.receptive_field:
            facts.append(f"receptive field {shape_text(r.receptive_field)}")
        blocks.append(Text(" · ".join(facts)))
        for note in e.notes:
            blocks.append(Text("• " + note))
        steps = Table.grid(padding=(0, 2))
        steps.add_column(style="bold", no_wrap=True)
        steps.add_column()
        for s in r.steps:
            lines = [s.formula]
            if s.substituted not in (s.formula, _value(s.value), str(s.value)):
                lines.append(f"= {s.substituted}")
            lines.append(f"= {_value(s.value)}")
            steps.add_row(s.what, "\n".join(lines))
        if r.steps:
            blocks.append(steps)
        if pictures and e.picture:
            p = e.picture
            blocks.append(Text(p.caption, style="italic"))
            blocks.append(_grid_text(p.input_rows))
            blocks.append(Text("  output:"))
            blocks.append(_grid_text(p.output_rows))
            blocks.append(Text("  " + p.legend, style="dim"))
        for w in r.warnings:
            blocks.append(Text("warning: ", style="yellow") + Text(w))
        blocks.append(Text(""))
    group = Group(*blocks)
    console = make_console()
    console.print(group)
