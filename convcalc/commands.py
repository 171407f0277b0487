"""What the commands do once their arguments are read, shared by the typer app (cli.py) and the
entry point's short way for a plain `summary` (launch.py): no typer here."""

from __future__ import annotations

import sys
from typing import Any, Callable

from convcalc.errors import SpecError, printable

USAGE_MESSAGE_WIDTH = 120  # a message quoting the user's value: at most this much of a line


def shape_from_text(text: str) -> tuple[int, ...] | None:
    """`3x224x224` (or `3,224,224`, `3×224×224`) → (3, 224, 224); None if it is not 1 to 4
    positive whole numbers."""
    parts = text.replace(",", "x").replace("×", "x").split("x")
    if not 1 <= len(parts) <= 4 or not all(p.strip().isascii() and p.strip().isdigit() and int(p) >= 1 for p in parts):
        return None
    return tuple(int(p) for p in parts)


def analyzed(source: str, input_shape: tuple[int, ...] | None = None):
    """The spec or model file analysed; what an import changed is said on standard error, once."""
    from convcalc.engine import analyze
    from convcalc.spec.loader import load_spec

    spec = load_spec(source, input_shape)
    for note in spec.notes:
        sys.stderr.write(f"note: {note}\n")
    return analyze(spec)


def run_summary(spec: str, fmt: str = "table", input_shape: tuple[int, ...] | None = None, get: str | None = None,
                depth: int | None = None, batch: int | None = None, dtype: str | None = None, training: bool = False,
                optimizer: str | None = None) -> None:
    """`convcalc summary`: the spec analysed, then one rendering of it; with --batch, --dtype or
    --training, its memory for that batch (else exactly as without them)."""
    net = analyzed(spec, input_shape)
    from convcalc.render import summary as render
    from convcalc.training import Setting

    setting = None
    if batch is not None or dtype is not None or training:
        setting = Setting(batch=batch or 1, dtype=dtype or "float32", training=training, optimizer=optimizer or "sgd")
    if get is not None:
        print_get(render.network_dict(net, setting), get, fmt == "json")
    elif fmt == "table":
        render.print_summary(net, depth, setting)
    elif fmt == "json":
        sys.stdout.write(render.to_json(net, setting))
    elif fmt == "csv":
        sys.stdout.write(render.to_csv(net, depth, setting))
    else:
        sys.stdout.write(render.to_markdown(net, depth, setting))


def print_get(data: Any, path: str, as_json: bool) -> None:
    from convcalc.render.query import format_value, get_path

    sys.stdout.write(format_value(get_path(data, path), as_json))


def guarded(run: Callable[[], Any]) -> int:
    """The exit code of `run`: spec errors are one line on stderr and 1, never a traceback; a
    bug of ours is one line too (the traceback with CONVCALC_DEBUG=1)."""
    try:
        code = run()
    except SpecError as e:
        sys.stderr.write(f"error: {e}\n")
        return 1
    except BrokenPipeError:  # `convcalc summary vgg16 | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as e:
        import os

        if os.environ.get("CONVCALC_DEBUG"):
            raise
        sys.stderr.write(f"internal error: {type(e).__name__}: {printable(str(e), USAGE_MESSAGE_WIDTH)} "
                         "(run with CONVCALC_DEBUG=1 for the traceback, and please report it)\n")
        return 1
    return code if isinstance(code, int) else 0
