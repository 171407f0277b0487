"""`convcalc layers`: the catalogue, read from the same registry the engine uses."""

from __future__ import annotations

from convcalc.engine import RANK_NAMES
from convcalc.layers import REGISTRY
from convcalc.layers.base import Arg, LayerType
from convcalc.render.jsontext import dumps


def _input_text(t: LayerType) -> str:
    rank = RANK_NAMES[t.rank] if t.rank is not None else "any"
    if t.min_inputs > 1:
        return f"{rank}, ≥{t.min_inputs} inputs"
    return rank


def _arg_text(a: Arg) -> str:
    names = "|".join((a.name, *a.aliases))
    return names if a.required else f"{names}={a.describe_default()}"


def catalogue() -> list[dict]:
    return [
        {
            "type": t.name,
            "aliases": list(t.aliases),
            "input": _input_text(t),
            "summary": t.summary,
            "args": [
                {"name": a.name, "aliases": list(a.aliases), "kind": a.kind, "required": a.required,
                 "default": None if a.required else a.default, "choices": list(a.choices), "help": a.help}
                for a in t.args
            ],
        }
        for t in REGISTRY.values()
    ]


def to_json() -> str:
    return dumps(catalogue())


def to_markdown() -> str:
    lines = ["| type | input | arguments (defaults) | what it does |", "|---|---|---|---|"]
    for t in REGISTRY.values():
        name = t.name + "".join(f" / {a}" for a in t.aliases)
        args = ", ".join(_arg_text(a) for a in t.args) or "—"
        lines.append(f"| `{name}` | {_input_text(t)} | {args} | {t.summary} |")
    return "\n".join(lines) + "\n"


def print_catalogue() -> None:
    """The catalogue; at 80 columns "what it does" moves to a second table that repeats the type."""
    from convcalc.render import terminal
    from convcalc.render.grid import Column, grid

    columns = (Column(header="type", rank=0), Column(header="input", rank=2), Column(header="arguments (defaults)", rank=1),
               Column(header="what it does", wrap=True, rank=3, min_width=30))
    rows = [(((t.name, ""), *((a, "dim") for a in t.aliases)), _input_text(t),
             tuple((_arg_text(a), "") for a in t.args) or "—", t.summary) for t in REGISTRY.values()]
    terminal.show(grid(title="convcalc layer types", columns=columns, rows=rows))
