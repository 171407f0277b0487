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
    from rich.table import Table
    from rich.text import Text

    from convcalc.render.table import make_console

    table = Table(title="convcalc layer types", title_justify="left", header_style="bold")
    for header in ("type", "input", "arguments (defaults)", "what it does"):
        table.add_column(header)
    for t in REGISTRY.values():
        name = Text(t.name)
        if t.aliases:
            name.append("\n" + "\n".join(t.aliases), style="dim")
        args = "\n".join(_arg_text(a) for a in t.args) or "—"
        table.add_row(name, Text(_input_text(t)), Text(args), Text(t.summary))
    make_console(table).print(table)
