"""The command line: thin. Reads arguments, calls the spec → engine → render stages, maps
errors to the contract's exit codes (1 spec, 2 usage, 3 verify disagreement)."""

from __future__ import annotations

import sys
from enum import Enum
from unicodedata import east_asian_width
from typing import Optional

import typer

from convcalc import __version__
from convcalc.errors import SpecError, echo, printable
from convcalc.commands import USAGE_MESSAGE_WIDTH, analyzed, guarded, print_get, run_summary, shape_from_text
from convcalc.messages import LANGUAGES, Message, set_language

USAGE_MESSAGE_LINES = 40

def argv_language(args: list[str]) -> Optional[str]:
    """The language `--lang X` or `--lang=X` names, read before typer parses anything (so that
    messages and help are in it from the start); None when absent or not one convcalc speaks."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = arg[len("--lang="):] if arg.startswith("--lang=") else args[i + 1] if arg == "--lang" and i + 1 < len(args) else None
        if value is not None and value in LANGUAGES:
            return value
    return None


OPTION_WIDTH, COMMAND_WIDTH = 44, 76  # cells for an option's help beside its name, and a command's


def _help(id: str, width: int = OPTION_WIDTH) -> str:
    """A help text in the chosen language. click wraps help by characters, so text with wide
    (Chinese) characters is wrapped here by display width instead — to fit the option column
    of an 80-column screen — and marked with click's "\\b" to keep it as wrapped (a one-line
    text stays click's to wrap, with the "[default: …]" click adds after it)."""
    text = Message(id)
    if text.isascii() or not any(east_asian_width(c) in "WF" for c in text):
        return text
    from convcalc.render.grid import wrap

    lines = wrap(text, width)
    return text if len(lines) == 1 else "\b\n" + "\n".join(lines)


# the help texts below are rendered when this module is imported (typer reads them then), so the
# language `--lang` or the environment asks for is chosen first
set_language(argv_language(sys.argv[1:]))

app = typer.Typer(
    help=_help("help.root", COMMAND_WIDTH),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

SPEC_HELP = _help("help.spec")


class Lang(str, Enum):
    en = "en"
    zh = "zh"
    es = "es"


def _use_language(value: Optional[Lang]) -> Optional[Lang]:
    if value is not None:
        set_language(value.value)
    return value


LANG = typer.Option(None, "--lang", callback=_use_language, is_eager=True,
                    help=_help("help.lang"))


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
        raise typer.BadParameter(Message("usage.shape", value=echo(text)))
    return shape


def _version(value: bool) -> None:
    if value:
        print(f"convcalc {__version__}")
        raise typer.Exit()


@app.callback(help=_help("help.root"))
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help=_help("help.root.version")),
) -> None:
    """Output shapes, parameters, MACs and receptive fields of CNN architectures."""


@app.command(help=_help("help.summary", COMMAND_WIDTH))
def summary(
    lang: Optional[Lang] = LANG,
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help=_help("help.summary.fmt")),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help=_help("help.input_shape")),
    get: Optional[str] = typer.Option(None, "--get", help=_help("help.summary.get")),
    depth: Optional[int] = typer.Option(None, "--depth", "-d", min=1, help=_help("help.summary.depth")),
    batch: Optional[int] = typer.Option(None, "--batch", min=1, max=MAX_BATCH,
                                        help=_help("help.summary.batch")),
    dtype: Optional[Dtype] = typer.Option(None, "--dtype", help=_help("help.summary.dtype")),
    training: bool = typer.Option(False, "--training", help=_help("help.summary.training")),
    optimizer: Optional[Optimizer] = typer.Option(None, "--optimizer", help=_help("help.summary.optimizer")),
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


@app.command(help=_help("help.verify", COMMAND_WIDTH))
def verify(
    lang: Optional[Lang] = LANG,
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    seed: int = typer.Option(0, "--seed", min=0, max=MAX_SEED, help=_help("help.verify.seed")),
    batch: int = typer.Option(1, "--batch", min=1, max=MAX_BATCH, help=_help("help.verify.batch")),
    max_memory: Optional[str] = typer.Option(
        None, "--max-memory", help=_help("help.verify.max_memory")),
    fmt: VerifyFormat = typer.Option(VerifyFormat.table, "--format", "-f", help=_help("help.verify.fmt")),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help=_help("help.input_shape")),
    get: Optional[str] = typer.Option(None, "--get", help=_help("help.verify.get")),
    backward: bool = typer.Option(False, "--backward", help=_help("help.verify.backward")),
) -> None:
    """Run the network in NumPy with random weights; compare every shape and parameter count."""
    from convcalc.render.common import human_bytes
    from convcalc.runner.memory import estimate_peak, memory_cap, parse_bytes

    try:
        wanted = parse_bytes(max_memory) if max_memory else None
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--max-memory") from None
    net = analyzed(spec, parse_shape(input_shape))
    estimate = estimate_peak(net, batch, backward)
    cap = memory_cap(wanted)
    where = Message("memory.where", batch=batch, place=estimate.layer)
    if estimate.peak_bytes > cap.bytes:
        raise SpecError("error.memory_estimate", peak=human_bytes(estimate.peak_bytes), where=where,
                        cap=human_bytes(cap.bytes), reason=cap.reason)
    from convcalc.render import verify as render

    try:
        verification = _verify_with_progress(net, seed, batch, estimate, backward)
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


def _verify_with_progress(net, seed: int, batch: int, estimate, backward: bool):
    """The runner's verdict, with a progress bar on a terminal (redrawn at most ten times a
    second, whatever the number of layers; each layer counts twice with the backward pass) and
    silence otherwise."""
    from convcalc.runner import verify as run_and_judge

    if not sys.stderr.isatty():
        return run_and_judge(net, seed, batch, estimate, backward=backward)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task(Message("verify.progress", name=net.name), total=len(net.layers) * (1 + backward))
        return run_and_judge(net, seed, batch, estimate, on_layer=lambda _: progress.advance(task), backward=backward)


class ExplainFormat(str, Enum):
    text = "text"
    json = "json"


@app.command(help=_help("help.explain", COMMAND_WIDTH))
def explain(
    lang: Optional[Lang] = LANG,
    spec: Optional[str] = typer.Argument(None, metavar="[SPEC]", help=_help("help.explain.spec")),
    layer: Optional[str] = typer.Argument(None, metavar="[LAYER]", help=_help("help.explain.layer")),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help=_help("help.explain.input_shape")),
    entry: Optional[str] = typer.Option(
        None, "--layer", "-l", help=_help("help.explain.entry")),
    fmt: ExplainFormat = typer.Option(ExplainFormat.text, "--format", "-f", help=_help("help.explain.fmt")),
    picture: bool = typer.Option(True, "--picture/--no-picture", help=_help("help.explain.picture")),
    get: Optional[str] = typer.Option(None, "--get", help=_help("help.explain.get")),
    backward: bool = typer.Option(False, "--backward", help=_help("help.explain.backward")),
) -> None:
    """Step by step for one layer or all: the formula, the same with this layer's numbers, the result."""
    from convcalc.engine import analyze
    from convcalc.explain import explain as explain_layers
    from convcalc.render import explain as render
    from convcalc.spec.loader import single_layer_spec

    if entry is not None:
        if spec is not None:
            raise typer.BadParameter(Message("usage.spec_and_layer"), param_hint="SPEC")
        if input_shape is None:
            raise typer.BadParameter(Message("usage.layer_needs_input"), param_hint="--input")
        net = analyze(single_layer_spec(parse_shape(input_shape), entry))
    elif spec is None:
        raise typer.BadParameter(Message("usage.no_spec"), param_hint="SPEC")
    else:
        net = analyzed(spec, parse_shape(input_shape))
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


@app.command(help=_help("help.layers", COMMAND_WIDTH))
def layers(
    lang: Optional[Lang] = LANG,
    fmt: CatalogueFormat = typer.Option(CatalogueFormat.table, "--format", "-f", help=_help("help.layers.fmt")),
) -> None:
    """The catalogue of layer types, their arguments, aliases and defaults."""
    from convcalc.render import catalogue

    if fmt is CatalogueFormat.table:
        catalogue.print_catalogue()
    else:
        sys.stdout.write(catalogue.to_json() if fmt is CatalogueFormat.json else catalogue.to_markdown())


@app.command(help=_help("help.compare", COMMAND_WIDTH))
def compare(
    lang: Optional[Lang] = LANG,
    specs: list[str] = typer.Argument(..., metavar="SPEC...", help=_help("help.compare.specs")),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help=_help("help.summary.fmt")),
) -> None:
    """One table across networks: depth, params, MACs, activation memory, output, largest layer."""
    from convcalc.render import compare as render

    if specs.count("-") > 1:
        raise typer.BadParameter(Message("usage.stdin_twice"), param_hint="SPECS")
    nets = [analyzed(s) for s in specs]
    if fmt is Format.table:
        render.print_table(nets)
    else:
        _write(fmt, render, nets)


class SolveFormat(str, Enum):
    table = "table"
    json = "json"


@app.command(help=_help("help.solve", COMMAND_WIDTH))
def solve(
    lang: Optional[Lang] = LANG,
    input_size: Optional[int] = typer.Option(None, "--input", "-i", min=1, help=_help("help.solve.input_size")),
    output_size: Optional[int] = typer.Option(None, "--output", "-o", min=1, help=_help("help.solve.output_size")),
    kernel: Optional[int] = typer.Option(None, "--kernel", "-k", min=1, help=_help("help.solve.kernel")),
    stride: Optional[int] = typer.Option(None, "--stride", "-s", min=1, help=_help("help.solve.stride")),
    padding: Optional[int] = typer.Option(None, "--padding", "-p", min=0, help=_help("help.solve.padding")),
    dilation: Optional[int] = typer.Option(None, "--dilation", "-d", min=1, help=_help("help.solve.dilation")),
    output_padding: Optional[int] = typer.Option(None, "--output-padding", min=0, help=_help("help.solve.output_padding")),
    transposed: bool = typer.Option(False, "--transposed", help=_help("help.solve.transposed")),
    pool: bool = typer.Option(False, "--pool", help=_help("help.solve.pool")),
    ceil_mode: bool = typer.Option(False, "--ceil-mode", help=_help("help.solve.ceil_mode")),
    same: bool = typer.Option(False, "--same", help=_help("help.solve.same")),
    limit: int = typer.Option(20, "--limit", min=1, help=_help("help.solve.limit")),
    fmt: SolveFormat = typer.Option(SolveFormat.table, "--format", "-f", help=_help("help.solve.fmt")),
) -> None:
    """The inverse problem: which kernel, stride, padding, dilation take INPUT to OUTPUT?"""
    from convcalc import solve as solver
    from convcalc.render import solve as render

    if transposed and pool:
        raise typer.BadParameter(Message("usage.transposed_and_pool"), param_hint="--pool")
    if same:
        if input_size is None or kernel is None:
            raise typer.BadParameter(Message("usage.same_needs"), param_hint="--same")
        answer = solver.same_padding_answer(input_size, kernel, stride or 1, dilation or 1)
        sys.stdout.write(render.same_to_json(answer) if fmt is SolveFormat.json else render.same_text(answer))
        return
    if input_size is None and output_size is None:
        raise typer.BadParameter(Message("error.solve_needs_size"),
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


@app.command(help=_help("help.quiz", COMMAND_WIDTH))
def quiz(
    lang: Optional[Lang] = LANG,
    seed: int = typer.Option(0, "--seed", help=_help("help.quiz.seed")),
    count: int = typer.Option(10, "--count", "-n", min=1, max=500, help=_help("help.quiz.count")),
    # the default is quiz.DEFAULT_TOPICS, written out so that --help does not import the quiz;
    # the help text names it (click's "[default: …]" would run past a wrapped Chinese text)
    topics: str = typer.Option(",".join(("shapes", "params", "padding", "receptive-field")), "--topics",
                               help=_help("help.quiz.topics"), show_default=False),
    difficulty: str = typer.Option("medium", "--difficulty", help=_help("help.quiz.difficulty")),
    answers: bool = typer.Option(False, "--answers", help=_help("help.quiz.answers")),
    fmt: QuizFormat = typer.Option(QuizFormat.markdown, "--format", "-f", help=_help("help.quiz.fmt")),
    grade_file: Optional[str] = typer.Option(None, "--grade", help=_help("help.quiz.grade_file")),
) -> None:
    """Exercise sets for a class: questions as Markdown, an answer key, and grading."""
    from convcalc import quiz as q
    from convcalc.render import quiz as render

    chosen = tuple(t.strip() for t in topics.split(",") if t.strip())
    unknown = [t for t in chosen if t not in q.TOPICS]
    if unknown or not chosen:
        raise typer.BadParameter(Message("usage.topic", topics=", ".join(unknown) or Message("usage.no_topic"), valid=", ".join(q.TOPICS)),
                                 param_hint="--topics")
    if difficulty not in q.DIFFICULTIES:
        raise typer.BadParameter(Message("usage.choose", valid=", ".join(q.DIFFICULTIES)), param_hint="--difficulty")
    questions = q.make_quiz(seed, count, chosen, difficulty)
    if grade_file is not None:
        render.print_grade(q.grade(questions, render.read_answers(grade_file)), fmt is QuizFormat.json)
    elif answers:
        sys.stdout.write(render.key_json(questions) if fmt is QuizFormat.json else render.answers_markdown(questions, seed))
    elif fmt is QuizFormat.json:
        sys.stdout.write(render.questions_json(questions))
    else:
        sys.stdout.write(render.questions_markdown(questions, seed, difficulty))


@app.command(help=_help("help.schema", COMMAND_WIDTH))
def schema(
    lang: Optional[Lang] = LANG,
) -> None:
    """The JSON Schema of the spec format, for editors: convcalc schema > convcalc.schema.json"""
    from convcalc.render.schema import to_json

    sys.stdout.write(to_json())


class DrawStyle(str, Enum):
    boxes = "boxes"
    graph = "graph"


class DrawFormat(str, Enum):
    svg = "svg"
    png = "png"


@app.command(help=_help("help.draw", COMMAND_WIDTH))
def draw(
    lang: Optional[Lang] = LANG,
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    output: Optional[str] = typer.Option(None, "--output", "-o", help=_help("help.draw.output")),
    fmt: Optional[DrawFormat] = typer.Option(None, "--format", "-f", help=_help("help.draw.fmt")),
    style: Optional[DrawStyle] = typer.Option(None, "--style", "-s", help=_help("help.draw.style")),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help=_help("help.input_shape")),
    depth: Optional[int] = typer.Option(None, "--depth", "-d", min=1, help=_help("help.draw.depth")),
) -> None:
    """Draw the network: feature maps as boxes with their kernels, or the layer graph (SVG or PNG)."""
    from convcalc.render import draw as render

    png = fmt is DrawFormat.png or (fmt is None and output is not None and output.lower().endswith(".png"))
    if png and output is None:
        raise typer.BadParameter(Message("usage.png_to_file"), param_hint="--format")
    net = analyzed(spec, parse_shape(input_shape))
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


@app.command(help=_help("help.report", COMMAND_WIDTH))
def report(
    lang: Optional[Lang] = LANG,
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    output: Optional[str] = typer.Option(None, "--output", "-o", help=_help("help.report.output")),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help=_help("help.input_shape")),
) -> None:
    """One self-contained HTML page: the drawing, the summary table and every layer's explanation."""
    from convcalc.render.report import to_html

    page = to_html(analyzed(spec, parse_shape(input_shape)))
    if output is None:
        sys.stdout.write(page)
    else:
        _write_file(output, page.encode())

@app.command("import", help=_help("help.import", COMMAND_WIDTH))
def import_model(
    lang: Optional[Lang] = LANG,
    model: str = typer.Argument(..., metavar="MODEL", help=_help("help.import.model")),
    output: Optional[str] = typer.Option(None, "--output", "-o", help=_help("help.import.output")),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help=_help("help.import.input_shape")),
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


@app.command(help=_help("help.export", COMMAND_WIDTH))
def export(
    lang: Optional[Lang] = LANG,
    spec: str = typer.Argument(..., metavar="SPEC", help=SPEC_HELP),
    to: ExportTarget = typer.Option(..., "--to", "-t", help=_help("help.export.to")),
    output: Optional[str] = typer.Option(None, "--output", "-o", help=_help("help.export.output")),
    input_shape: Optional[str] = typer.Option(None, "--input", "-i", help=_help("help.input_shape")),
) -> None:
    """Write the network as one runnable Python module for PyTorch or Keras, with its numbers on top."""
    from convcalc.export import to_source

    source = to_source(analyzed(spec, parse_shape(input_shape)), to.value)
    if output is None:
        sys.stdout.write(source)
    else:
        _write_file(output, source.encode())


def main() -> None:
    """The typer app, for every command but a plain `summary` (convcalc/launch.py), in the
    language `--lang` or the environment asks for: usage errors exit 2 with the user's value
    shown at most a line's worth; the rest as `guarded`."""
    set_language(argv_language(sys.argv[1:]))
    try:
        code = guarded(_run_app)
    finally:
        set_language(None)  # in-process callers (the tests) start from the environment again
    sys.exit(code)


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
