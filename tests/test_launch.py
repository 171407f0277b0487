"""The entry point's short way for a plain `summary` must read its arguments exactly as typer
does, and hand typer everything else: each case is parsed by both and compared."""

import pytest
import typer

from convcalc.cli import app
from convcalc.launch import summary_request
from tests.conftest import invoke

COMMAND = typer.main.get_command(app).commands["summary"]

PLAIN = [
    ["summary", "lenet5"],
    ["summary", "lenet5", "-f", "json"],
    ["summary", "-f", "csv", "lenet5"],
    ["summary", "lenet5", "--format=markdown", "--depth", "2"],
    ["summary", "resnet18", "--get", "totals.params", "--format", "json"],
    ["summary", "-", "--input", "3x32x32"],
    ["summary", "lenet5", "-i", "1,32,32", "-d", "1", "--get=output_shape"],
    ["summary", "lenet5", "--input=1×32×32"],
    ["summary", "lenet5", "--lang", "zh"],
    ["summary", "--lang=es", "mnist_cnn", "-f", "markdown"],
    ["summary", "mnist_cnn", "--batch", "32"],
    ["summary", "mnist_cnn", "--batch=2147483647", "--dtype", "bfloat16"],
    ["summary", "mnist_cnn", "--training", "-f", "json"],
    ["summary", "--training", "mnist_cnn", "--optimizer", "adam", "--batch", "032"],
    ["summary", "mnist_cnn", "--optimizer=momentum", "--training", "--dtype=int8", "--get", "totals.training"],
]
TO_TYPER = [
    ["summary"],  # no SPEC: typer's usage error
    ["summary", "lenet5", "--help"],
    ["summary", "lenet5", "-f", "yaml"],  # not a format
    ["summary", "lenet5", "--depth", "0"],  # below typer's min
    ["summary", "lenet5", "--depth", "٣"],  # a digit, but not one typer reads
    ["summary", "lenet5", "--input", "3x0x4"],
    ["summary", "lenet5", "-f", "json", "-f", "csv"],  # twice: typer decides
    ["summary", "lenet5", "lenet5"],
    ["summary", "lenet5", "--get"],  # no value
    ["summary", "lenet5", "--get", "-f"],
    ["summary", "lenet5", "-fjson"],
    ["summary", "--", "lenet5"],
    ["summary", "lenet5", "--unknown", "1"],
    ["summary", "lenet5", "--batch", "0"],  # below typer's min
    ["summary", "lenet5", "--batch", "2147483648"],  # above its max
    ["summary", "lenet5", "--batch", "1" * 5000],
    ["summary", "lenet5", "--batch", "+3"],
    ["summary", "lenet5", "--batch", "3.0"],
    ["summary", "lenet5", "--dtype", "xyz"],
    ["summary", "lenet5", "--dtype", "Float32"],
    ["summary", "lenet5", "--optimizer", "adam"],  # without --training: typer's usage error
    ["summary", "lenet5", "--training", "--optimizer", "rmsprop"],
    ["summary", "lenet5", "--training=yes"],
    ["summary", "lenet5", "--training", "--training"],
    ["summary", "lenet5", "--batch"],
    ["verify", "lenet5"],
    ["summary", "lenet5", "--lang", "fr"],
    [],
]


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_plain_summaries_are_read_as_typer_reads_them(args):
    ours = summary_request(args)
    theirs = COMMAND.make_context("summary", args[1:]).params
    lang = theirs["lang"]
    assert ours == {"spec": theirs["spec"], "fmt": theirs["fmt"], "input_shape": _shape(theirs["input_shape"]),
                    "get": theirs["get"], "depth": theirs["depth"], "batch": theirs["batch"], "dtype": theirs["dtype"],
                    "training": theirs["training"], "optimizer": theirs["optimizer"], "lang": getattr(lang, "value", lang)}


@pytest.mark.parametrize("args", TO_TYPER, ids=lambda a: " ".join(a) or "(none)")
def test_anything_else_goes_to_typer(args):
    assert summary_request(args) is None


@pytest.mark.parametrize("args, code", [(["summary", "lenet5", "-f", "yaml"], 2), (["summary", "lenet5", "--depth", "0"], 2),
                                        (["summary", "nope"], 1), (["summary", "lenet5", "-f", "json"], 0),
                                        (["summary", "lenet5", "--batch", "0"], 2), (["summary", "lenet5", "--dtype", "xyz"], 2),
                                        (["summary", "lenet5", "--optimizer", "adam"], 2),
                                        (["summary", "lenet5", "--training", "--optimizer", "adam", "--batch", "4"], 0)])
def test_both_ways_keep_the_exit_codes(args, code):
    assert invoke(*args).code == code


def _shape(text):
    from convcalc.cli import parse_shape

    return parse_shape(text)


def test_the_fast_way_speaks_the_language_asked_for():
    assert "总参数量" in invoke("summary", "lenet5", "--lang", "zh").out
    assert "总参数量" not in invoke("summary", "lenet5").out  # and the next call is back to the environment's


def test_version_the_short_way_says_what_typer_says():
    from typer.testing import CliRunner

    typer_says = CliRunner().invoke(app, ["--version"])
    result = invoke("--version")
    assert result.code == typer_says.exit_code == 0 and result.out == typer_says.output
