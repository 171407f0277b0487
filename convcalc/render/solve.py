"""What `convcalc solve` prints."""

from __future__ import annotations

import json

from convcalc.formulas import SAME_PADDING
from convcalc.messages import Message
from convcalc.record import asdict
from convcalc.render.jsontext import dumps
from convcalc.solve import SamePadding


def sizes(p) -> str:
    given = [f"{name} {value}" for name, value in (("kernel", p.kernel), ("stride", p.stride), ("padding", p.padding),
                                                   ("dilation", p.dilation), ("output_padding", p.output_padding))
             if value is not None]
    arrow = f"{p.input if p.input is not None else 'N'} → {p.output if p.output is not None else '?'}"
    kind = Message(f"solve.{p.mode}")
    if given:
        return Message("solve.problem_given", sizes=arrow, kind=kind, given=", ".join(given))
    return Message("solve.problem", sizes=arrow, kind=kind)


def to_json(p, solutions, limit: int) -> str:
    data = {"problem": asdict(p), "total": len(solutions),
            "solutions": [{k: v for k, v in asdict(s).items() if k != "uncovered"} | {"uncovered_cells": s.uncovered}
                          for s in solutions[:limit]]}
    return dumps(data)


def print_table(p, solutions, limit: int) -> None:
    """One row per solution; at 80 columns the check wraps (or, for transposed convs, moves to a
    second table, the rows numbered)."""
    from convcalc.render import terminal
    from convcalc.render.grid import Column, grid

    names = ["input", "kernel", "stride", "padding", "dilation", *(["output_padding"] if p.mode == "transposed" else []),
             "output"]
    columns = [*(Column(header=n, right=True) for n in names),
               Column(header=Message("heading.check"), wrap=True, rank=2, min_width=20)]
    rows = [(*(str(getattr(s, n)) for n in names), s.check + (Message("solve.floor_drops") if s.uncovered else ""))
            for s in solutions[:limit]]
    title = Message("solve.title", problem=sizes(p), count=len(solutions))
    more = len(solutions) - limit
    after = [terminal.paragraph(Message("solve.more", more=more), terminal.width())] if more > 0 else []
    terminal.show(grid(title=title, columns=columns, rows=rows), *after)


def same_text(a: SamePadding) -> str:
    lines = [
        Message("solve.same_output", n=a.input, k=a.kernel, s=a.stride, d=a.dilation, output=a.output),
        Message("solve.same_keras", formula=SAME_PADDING.notation, total=a.total, before=a.before, after=a.after),
    ]
    if a.symmetric:
        lines.append(Message("solve.same_pytorch", padding=", ".join(map(str, a.symmetric))))
    else:
        why = Message("solve.same_odd", total=a.total) if a.total % 2 else Message("solve.same_none_fits")
        lines.append(Message("solve.same_none", why=why))
    return "\n".join(lines) + "\n"


def same_to_json(a: SamePadding) -> str:
    return json.dumps(asdict(a), indent=2) + "\n"
