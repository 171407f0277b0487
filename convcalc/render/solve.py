"""What `convcalc solve` prints."""

from __future__ import annotations

import json
from dataclasses import asdict

from convcalc.formulas import SAME_PADDING
from convcalc.render.jsontext import dumps
from convcalc.solve import SamePadding


def sizes(p) -> str:
    given = [f"{name} {value}" for name, value in (("kernel", p.kernel), ("stride", p.stride), ("padding", p.padding),
                                                   ("dilation", p.dilation), ("output_padding", p.output_padding))
             if value is not None]
    arrow = f"{p.input if p.input is not None else 'N'} → {p.output if p.output is not None else '?'}"
    kind = {"conv": "a convolution", "transposed": "a transposed convolution", "pool": "a pooling layer"}[p.mode]
    return f"{arrow} with {kind}" + (f" ({', '.join(given)})" if given else "")


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
    columns = [*(Column(header=n, right=True) for n in names), Column(header="check", wrap=True, rank=2, min_width=20)]
    rows = [(*(str(getattr(s, n)) for n in names), s.check + ("  (floor drops input cells)" if s.uncovered else ""))
            for s in solutions[:limit]]
    title = f"{sizes(p)}: {len(solutions)} solution{'s' if len(solutions) != 1 else ''}, simplest first"
    more = len(solutions) - limit
    after = [terminal.paragraph(f"… and {more} more (--limit to show them)", terminal.width())] if more > 0 else []
    terminal.show(grid(title=title, columns=columns, rows=rows), *after)


def same_text(a: SamePadding) -> str:
    lines = [
        f"same padding for N={a.input}, K={a.kernel}, S={a.stride}, D={a.dilation}: output ceil(N/S) = {a.output}",
        f"  TensorFlow/Keras: total pad {SAME_PADDING.notation} = {a.total}, "
        f"split {a.before} before and {a.after} after (the extra cell at the end)",
    ]
    if a.symmetric:
        lines.append(f"  PyTorch integer padding that gives the same size: padding={', '.join(map(str, a.symmetric))}")
    else:
        why = f"the total pad {a.total} is odd, so it cannot be split evenly" if a.total % 2 else "none fits"
        lines.append(f"  PyTorch: no symmetric integer padding gives this size ({why}); use padding='same' (stride 1) "
                     "or pad asymmetrically first (zeropad2d with [before, after] pairs)")
    return "\n".join(lines) + "\n"


def same_to_json(a: SamePadding) -> str:
    return json.dumps(asdict(a), indent=2) + "\n"
