"""The command line: thin. Reads arguments, calls the spec → engine → render stages, maps
errors to the contract's exit codes (1 spec, 2 usage, 3 verify disagreement)."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Optional

import typer

from convcalc import __version__
from convcalc.errors import SpecError, echo, printable
from convcalc.messages import Message
from convcalc.commands import USAGE_MESSAGE_WIDTH, guarded, print_get, run_summary, shape_from_text

USAGE_MESSAGE_LINES = 40

app = typer.Typer(
    help="Output shapes, parameters, MACs and receptive fields of CNN architectures.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

SPEC_HELP = "spec file, '-' for standard input, or a bundled example name (e.g. lenet5)"
GET_HELP = "print one value of the JSON output, e.g. totals.params or layers.conv2d_2.output_shape"


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class Dtype(str, Enum):
    float32 = "float32"
    float16 = "float16"
    bfloat16 = "bfloat16"
    int8 = "int8"


class Optimizer(str, Enum):
    sgd = "sgd"
    momentum = "momentum"
    adam = "adam"


MAX_BATCH = 2**31 - 1


def parse_shape(text: Optional[str]) -> Optional[tuple[int, ...]]:
    """`3x224x224` (or `3,224,224`) → (3, 224, 224)."""
    if text is None:
        return None
    shape = shape_from_text(text)
    if shape is None:
        raise typer.BadParameter(f"expected sizes like 3x224x224 (1 to 4 positive whole numbers), got {echo(text)}")
    return shape


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
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table (rich), json, csv or markdown"),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help="override the spec's input shape, e.g. 3x224x224"),
    get: Optional[str] = typer.Option(None, "--get", help=GET_HELP),
    depth: Optional[int] = typer.Option(None, "--depth", "-d", min=1, help="collapse blocks below this depth into "
                                        "one row each (1: top-level entries); JSON keeps every layer"),
    batch: Optional[int] = typer.Option(None, "--batch", min=1, max=MAX_BATCH,
                                        help="memory for this many examples at once (default 1)"),
    dtype: Optional[Dtype] = typer.Option(None, "--dtype", help="bytes per value: float32 (default), float16, "
                                                                "bfloat16 or int8"),
    training: bool = typer.Option(False, "--training", help="memory of a training step: parameters, gradients, "
                                                            "optimizer state and the activations the backward pass reads"),
    optimizer: Optional[Optimizer] = typer.Option(None, "--optimizer", help="with --training: sgd (default, no state), "
                                                                            "momentum (1 copy) or adam (2 copies)"),
) -> None:
    """Per-layer table like Keras' summary(): shapes, kernels, params, MACs, receptive field."""
    if optimizer is not None and not training:
        raise typer.BadParameter(Message("usage.optimizer_without_training", optimizer=optimizer.value),
                                 param_hint="--optimizer")
    run_summary(spec, fmt.value, parse_shape(input_shape), get, depth, batch, dtype.value if dtype else None, training,
                optimizer.value if optimizer else None)


def _write(fmt: Format, module, subject) -> None:
    """JSON, CSV or Markdown from a render module's to_json / to_csv / to_markdown."""
    writer = {Format.json: module.to_json, Format.csv: module.to_csv, Format.markdown: module.to_markdown}[fmt]
    sys.stdout.write(writer(subject))


class VerifyFormat(str, Enum):
    table = "table"
    json = "json"


MAX_SEED = 2**64 - 1  # PyTorch's manual_seed takes the same range


@app.command()
def verify(
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    seed: int = typer.Option(0, "--seed", min=0, max=MAX_SEED, help="seed for the random input and weights, 0 to 2**64 − 1"),
    batch: int = typer.Option(1, "--batch", min=1, max=MAX_BATCH, help="batch size of the forward pass"),
    max_memory: Optional[str] = typer.Option(
        None, "--max-memory", help="refuse to run above this estimated peak, e.g. 6G (always within 80% of the RAM "
                                   "available and of the address space left under ulimit -v)"),
    fmt: VerifyFormat = typer.Option(VerifyFormat.table, "--format", "-f", help="table or json"),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help="override the spec's input shape, e.g. 3x224x224"),
    get: Optional[str] = typer.Option(None, "--get", help=GET_HELP.replace("totals.params or layers.conv2d_2.output_shape", "ok or layers.3.actual_shape")),
) -> None:
    """Run the network in NumPy with random weights; compare every shape and parameter count."""
    from convcalc.engine import analyze
    from convcalc.render.common import human_bytes
    from convcalc.runner.memory import estimate_peak, memory_cap, parse_bytes
    from convcalc.spec.loader import load_spec

    try:
        wanted = parse_bytes(max_memory) if max_memory else None
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--max-memory") from None
    net = analyze(load_spec(spec, parse_shape(input_shape)))
    estimate = estimate_peak(net, batch)
    cap = memory_cap(wanted)
    where = f"batch {batch}, at {estimate.layer}"
    if estimate.peak_bytes > cap.bytes:
        raise SpecError("error.memory_estimate", peak=human_bytes(estimate.peak_bytes), where=where,
                        cap=human_bytes(cap.bytes), reason=cap.reason)
    from convcalc.render import verify as render

    try:
        verification = _verify_with_progress(net, seed, batch, estimate)
    except MemoryError:
        raise SpecError("error.out_of_memory", peak=human_bytes(estimate.peak_bytes), where=where,
                        cap=human_bytes(cap.bytes), reason=cap.reason) from None
    if get is not None:
        print_get(render.verify_dict(verification), get, fmt is VerifyFormat.json)
    elif fmt is VerifyFormat.json:
        sys.stdout.write(render.to_json(verification))
    else:
        render.print_verify(verification)
    if not verification.ok:
        raise typer.Exit(3)


def _verify_with_progress(net, seed: int, batch: int, estimate):
    """The runner's verdict, with a progress bar on a terminal (redrawn at most ten times a
    second, whatever the number of layers) and silence otherwise."""
    from convcalc.runner import verify as run_and_judge

    if not sys.stderr.isatty():
        return run_and_judge(net, seed, batch, estimate)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task(f"running {net.name}", total=len(net.layers))
        return run_and_judge(net, seed, batch, estimate, on_layer=lambda _: progress.advance(task))


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def explain(
    spec: Optional[str] = typer.Argument(None, metavar="[SPEC]", help=SPEC_HELP + "; leave out with --layer"),
    layer: Optional[str] = typer.Argument(None, metavar="[LAYER]", help="a layer name or 1-based index; all layers when left out"),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help="input shape, e.g. 32x14x14 (overrides the spec's)"),
    entry: Optional[str] = typer.Option(
        None, "--layer", "-l", help="one layer entry in spec syntax, e.g. 'conv2d: {filters: 64, kernel_size: 5}'"),
    fmt: ExplainFormat = typer.Option(ExplainFormat.text, "--format", "-f", help="text or json"),
    picture: bool = typer.Option(True, "--picture/--no-picture", help="draw the window grid for small layers"),
    get: Optional[str] = typer.Option(None, "--get", help="print one value of the JSON output, e.g. conv2d_2.params"),
    backward: bool = typer.Option(False, "--backward", help="also the backward pass: gradient shapes, how, MACs"),
) -> None:
    """Step by step for one layer or all: the formula, the same with this layer's numbers, the result."""
    from convcalc.engine import analyze
    from convcalc.explain import explain as explain_layers
    from convcalc.render import explain as render
    from convcalc.spec.loader import load_spec, single_layer_spec

    if entry is not None:
        if spec is not None:
            raise typer.BadParameter("give a SPEC or --layer, not both", param_hint="SPEC")
        if input_shape is None:
            raise typer.BadParameter("--layer needs --input, e.g. --input 32x14x14", param_hint="--input")
        net = analyze(single_layer_spec(parse_shape(input_shape), entry))
    elif spec is None:
        raise typer.BadParameter("give a SPEC (file, '-' or example name), or --input with --layer", param_hint="SPEC")
    else:
        net = analyze(load_spec(spec, parse_shape(input_shape)))
    explanations = explain_layers(net, layer, backward)
    if get is not None:
        print_get([render.explanation_dict(e) for e in explanations], get, fmt is ExplainFormat.json)
    elif fmt is ExplainFormat.json:
        sys.stdout.write(render.to_json(explanations))
    else:
        render.print_explanations(explanations, picture)


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


@app.command()
def compare(
    specs: list[str] = typer.Argument(..., metavar="SPEC...", help="two or more specs: files, '-' or bundled example names"),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table (rich), json, csv or markdown"),
) -> None:
    """One table across networks: depth, params, MACs, activation memory, output, largest layer."""
    from convcalc.engine import analyze
    from convcalc.render import compare as render
    from convcalc.spec.loader import load_spec

    if specs.count("-") > 1:
        raise typer.BadParameter("standard input ('-') can be read once", param_hint="SPECS")
    nets = [analyze(load_spec(s)) for s in specs]
    if fmt is Format.table:
        render.print_table(nets)
    else:
        _write(fmt, render, nets)


class SolveFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
def solve(
    input_size: Optional[int] = typer.Option(None, "--input", "-i", min=1, help="input size N on one axis"),
    output_size: Optional[int] = typer.Option(None, "--output", "-o", min=1, help="wanted output size"),
    kernel: Optional[int] = typer.Option(None, "--kernel", "-k", min=1, help="kernel size K (searched 1–11 if left out)"),
    stride: Optional[int] = typer.Option(None, "--stride", "-s", min=1, help="stride S (searched 1–8)"),
    padding: Optional[int] = typer.Option(None, "--padding", "-p", min=0, help="symmetric padding P (searched 0–D·(K−1))"),
    dilation: Optional[int] = typer.Option(None, "--dilation", "-d", min=1, help="dilation D (searched 1–4)"),
    output_padding: Optional[int] = typer.Option(None, "--output-padding", min=0, help="transposed convs only"),
    transposed: bool = typer.Option(False, "--transposed", help="solve for a transposed convolution"),
    pool: bool = typer.Option(False, "--pool", help="solve for a pooling layer (PyTorch's rule; P ≤ K/2)"),
    ceil_mode: bool = typer.Option(False, "--ceil-mode", help="with --pool: round up"),
    same: bool = typer.Option(False, "--same", help="the padding that keeps the size: needs --input and --kernel"),
    limit: int = typer.Option(20, "--limit", min=1, help="show at most this many solutions"),
    fmt: SolveFormat = typer.Option(SolveFormat.table, "--format", "-f", help="table or json"),
) -> None:
    """The inverse problem: which kernel, stride, padding, dilation take INPUT to OUTPUT?"""
    from convcalc import solve as solver
    from convcalc.render import solve as render

    if transposed and pool:
        raise typer.BadParameter("--transposed and --pool cannot go together", param_hint="--pool")
    if same:
        if input_size is None or kernel is None:
            raise typer.BadParameter("--same needs --input and --kernel", param_hint="--same")
        answer = solver.same_padding_answer(input_size, kernel, stride or 1, dilation or 1)
        sys.stdout.write(render.same_to_json(answer) if fmt is SolveFormat.json else render.same_text(answer))
        return
    if input_size is None and output_size is None:
        raise typer.BadParameter("give --input or --output (or both): solve needs one size to start from",
                                 param_hint="--input")
    problem = solver.Problem(input=input_size, output=output_size, kernel=kernel, stride=stride, padding=padding,
                             dilation=dilation, output_padding=output_padding, ceil_mode=ceil_mode,
                             mode="transposed" if transposed else "pool" if pool else "conv")
    solutions = solver.solve(problem)
    if not solutions:
        raise SpecError("error.no_solution", sizes=render.sizes(problem), searched=solver.describe_search(problem))
    if fmt is SolveFormat.json:
        sys.stdout.write(render.to_json(problem, solutions, limit))
    else:
        render.print_table(problem, solutions, limit)


class QuizFormat(str, Enum):
    markdown = "markdown"
    json = "json"


@app.command()
def quiz(
    seed: int = typer.Option(0, "--seed", help="the same seed gives the same quiz on every machine"),
    count: int = typer.Option(10, "--count", "-n", min=1, max=500, help="number of questions"),
    topics: str = typer.Option(",".join(("shapes", "params", "padding", "receptive-field")), "--topics",
                               help="comma-separated: shapes, params, padding, receptive-field"),
    difficulty: str = typer.Option("medium", "--difficulty", help="easy, medium or hard"),
    answers: bool = typer.Option(False, "--answers", help="print the answer key instead of the questions"),
    fmt: QuizFormat = typer.Option(QuizFormat.markdown, "--format", "-f", help="markdown or json (answer key)"),
    grade_file: Optional[str] = typer.Option(None, "--grade", help="grade a student's YAML answers (number: answer)"),
) -> None:
    """Exercise sets for a class: questions as Markdown, an answer key, and grading."""
    from convcalc import quiz as q
    from convcalc.render import quiz as render

    chosen = tuple(t.strip() for t in topics.split(",") if t.strip())
    unknown = [t for t in chosen if t not in q.TOPICS]
    if unknown or not chosen:
        raise typer.BadParameter(f"unknown topic {', '.join(unknown) or '(none)'}; choose from {', '.join(q.TOPICS)}",
                                 param_hint="--topics")
    if difficulty not in q.DIFFICULTIES:
        raise typer.BadParameter(f"choose from {', '.join(q.DIFFICULTIES)}", param_hint="--difficulty")
    questions = q.make_quiz(seed, count, chosen, difficulty)
    if grade_file is not None:
        render.print_grade(q.grade(questions, render.read_answers(grade_file)), fmt is QuizFormat.json)
    elif answers:
        sys.stdout.write(render.key_json(questions) if fmt is QuizFormat.json else render.answers_markdown(questions, seed))
    elif fmt is QuizFormat.json:
        sys.stdout.write(render.questions_json(questions))
    else:
        sys.stdout.write(render.questions_markdown(questions, seed, difficulty))


@app.command()
def schema() -> None:
    """The JSON Schema of the spec format, for editors: convcalc schema > convcalc.schema.json"""
    from convcalc.render.schema import to_json

    sys.stdout.write(to_json())


class DrawStyle(str, Enum):
    boxes = "boxes"
    graph = "graph"


class DrawFormat(str, Enum):
    svg = "svg"
    png = "png"


@app.command()
def draw(
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="the file to write; SVG to standard output "
                                                                        "when left out"),
    fmt: Optional[DrawFormat] = typer.Option(None, "--format", "-f", help="svg or png (png needs the extra: pip "
                                                                          "install 'convcalc[png]'); default from "
                                                                          "-o's suffix, else svg"),
    style: Optional[DrawStyle] = typer.Option(None, "--style", "-s", help="boxes (a chain of layers, as LeNet's "
                                                                          "figure) or graph (any network); default "
                                                                          "boxes for a chain, graph otherwise"),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help="override the spec's input shape, e.g. 3x224x224"),
    depth: Optional[int] = typer.Option(None, "--depth", "-d", min=1, help="draw each block at this depth as one node "
                                        "of the graph (1: top-level entries), as summary --depth"),
) -> None:
    """Draw the network: feature maps as boxes with their kernels, or the layer graph (SVG or PNG)."""
    from convcalc.engine import analyze
    from convcalc.render import draw as render
    from convcalc.spec.loader import load_spec

    png = fmt is DrawFormat.png or (fmt is None and output is not None and output.lower().endswith(".png"))
    if png and output is None:
        raise typer.BadParameter("a PNG goes to a file: add -o net.png", param_hint="--format")
    net = analyze(load_spec(spec, parse_shape(input_shape)))
    svg = render.draw(net, style.value if style else None, depth)
    if output is None:
        sys.stdout.write(svg)
    else:
        _write_file(output, render.to_png(svg) if png else svg.encode())


def _write_file(path: str, data: bytes) -> None:
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError as e:
        raise SpecError("error.write_file", path=echo(path), reason=e.strerror or type(e).__name__) from None


@app.command()
def report(
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="the HTML file to write; standard output "
                                                                        "when left out"),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help="override the spec's input shape, e.g. 3x224x224"),
) -> None:
    """One self-contained HTML page: the drawing, the summary table and every layer's explanation."""
    from convcalc.engine import analyze
    from convcalc.render.report import to_html
    from convcalc.spec.loader import load_spec

    page = to_html(analyze(load_spec(spec, parse_shape(input_shape))))
    if output is None:
        sys.stdout.write(page)
    else:
        _write_file(output, page.encode())


@app.command("import")
def import_model(
    model: str = typer.Argument(..., metavar="MODEL", help="an .onnx file, a .keras archive or Keras JSON "
                                                           "(model.to_json())"),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="the YAML spec to write; standard output "
                                                                        "when left out"),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help="the input's sizes when the model leaves "
                                                                          "them open, e.g. 3x224x224"),
) -> None:
    """A model from another framework as a YAML spec (layer names from the graph), checked as convcalc reads it."""
    from convcalc.importers import import_model as read_model, model_kind
    from convcalc.importers.yaml_writer import spec_yaml
    from convcalc.spec.loader import parse_spec

    imported = read_model(model, model_kind(model) or "keras", parse_shape(input_shape))
    text = spec_yaml(imported.data, printable(model, 200), imported.notes)
    parse_spec(text)  # what is written reads back: every value checked as a hand-written spec's
    if output is None:
        sys.stdout.write(text)
    else:
        _write_file(output, text.encode())


class ExportTarget(str, Enum):
    pytorch = "pytorch"
    keras = "keras"


@app.command()
def export(
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    to: ExportTarget = typer.Option(..., "--to", "-t", help="pytorch (an nn.Module) or keras (a functional model, "
                                                            "channels first)"),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="the Python file to write; standard output "
                                                                        "when left out"),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help="override the spec's input shape, e.g. 3x224x224"),
) -> None:
    """Write the network as one runnable Python module for PyTorch or Keras, with its numbers on top."""
    from convcalc.engine import analyze
    from convcalc.export import to_source
    from convcalc.spec.loader import load_spec

    source = to_source(analyze(load_spec(spec, parse_shape(input_shape))), to.value)
    if output is None:
        sys.stdout.write(source)
    else:
        _write_file(output, source.encode())


def main() -> None:
    """The typer app, for every command but a plain `summary` (convcalc/launch.py): usage
    errors exit 2 with the user's value shown at most a line's worth; the rest as `guarded`."""
    sys.exit(guarded(_run_app))


def _run_app() -> int:
    try:
        from typer._click.exceptions import ClickException  # typer ≥ 0.25 carries its own click
    except ImportError:
        from click.exceptions import ClickException
    try:
        code = app(standalone_mode=False)
    except ClickException as e:
        lines = e.message.splitlines()[:USAGE_MESSAGE_LINES]  # a help text when no arguments are given
        e.message = "\n".join(printable(line, USAGE_MESSAGE_WIDTH) for line in lines)
        e.show()
        return e.exit_code
    except typer.Abort:
        sys.stderr.write("Aborted!\n")
        return 1
    return code if isinstance(code, int) else 0
