"""The command line: thin. Reads arguments, calls the spec → engine → render stages, maps
errors to the contract's exit codes (1 spec, 2 usage, 3 verify disagreement)."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Optional

import typer

from convcalc import __version__
from convcalc.errors import SpecError

app = typer.Typer(
    help="Output shapes, parameters, MACs and receptive fields of CNN architectures.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

SPEC_HELP = "spec file, '-' for standard input, or a bundled example name (e.g. lenet5)"


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def parse_shape(text: Optional[str]) -> Optional[tuple[int, ...]]:
    """`3x224x224` (or `3,224,224`) → (3, 224, 224)."""
    if text is None:
        return None
    parts = text.replace(",", "x").replace("×", "x").split("x")
    if not 1 <= len(parts) <= 4 or not all(p.strip().isdigit() and int(p) >= 1 for p in parts):
        raise typer.BadParameter(f"expected sizes like 3x224x224 (1 to 4 positive whole numbers), got {text!r}")
    return tuple(int(p) for p in parts)


def _version(value: bool) -> None:
    if value:
        print(f"convcalc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="print the version and exit"),
) -> None:
    """Output shapes, parameters, MACs and receptive fields of CNN architectures."""


@app.command()
def summary(
    spec: str = typer.Argument(..., help=SPEC_HELP),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table (rich), json, csv or markdown"),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help="override the spec's input shape, e.g. 3x224x224"),
) -> None:
    """Per-layer table like Keras' summary(): shapes, kernels, params, MACs, receptive field."""
    from convcalc.engine import analyze
    from convcalc.spec.loader import load_spec

    net = analyze(load_spec(spec, parse_shape(input_shape)))
    if fmt is Format.table:
        from convcalc.render.table import print_summary

        print_summary(net)
        return
    from convcalc.render import formats

    render = {Format.json: formats.to_json, Format.csv: formats.to_csv, Format.markdown: formats.to_markdown}[fmt]
    sys.stdout.write(render(net))


class CatalogueFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


@app.command()
def layers(
    fmt: CatalogueFormat = typer.Option(CatalogueFormat.table, "--format", "-f", help="table, json or markdown"),
) -> None:
    """The catalogue of layer types, their arguments, aliases and defaults."""
    from convcalc.render import catalogue

    if fmt is CatalogueFormat.table:
        catalogue.print_catalogue()
    else:
        sys.stdout.write(catalogue.to_json() if fmt is CatalogueFormat.json else catalogue.to_markdown())


def main() -> None:
    """Entry point: spec errors become one line on stderr and exit 1, never a traceback."""
    try:
        app()
    except SpecError as e:
        sys.stderr.write(f"error: {e}\n")
        sys.exit(1)
    except BrokenPipeError:  # `convcalc summary vgg16 | head`
        sys.stderr.close()
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
