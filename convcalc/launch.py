"""The entry point. `summary`, the command course scripts call in loops, runs straight from here
when its arguments are plain (`summary SPEC -f json --get totals.params`); everything else, and
anything unusual — help, a bad value, an option given twice — goes through the typer app in
cli.py, which calls the same `commands.run_summary`. Importing typer and its click costs about a
third of a cold `summary` (benchmarks/cli.py), and a plain summary needs none of it.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

from convcalc.commands import guarded, run_summary, shape_from_text
from convcalc.messages import LANGUAGES, set_language

FORMATS = ("table", "json", "csv", "markdown")
DTYPES = ("float32", "float16", "bfloat16", "int8")
OPTIMIZERS = ("sgd", "momentum", "adam")
MAX_BATCH = 2**31 - 1  # cli.py's
# summary's options as cli.py declares them: spelling → parameter
SUMMARY_OPTIONS = {"--format": "fmt", "-f": "fmt", "--input": "input_shape", "-i": "input_shape", "--get": "get",
                   "--depth": "depth", "-d": "depth", "--batch": "batch", "--dtype": "dtype",
                   "--optimizer": "optimizer", "--lang": "lang"}
SUMMARY_FLAGS = {"--training": "training"}


def main() -> None:
    # a run builds hundreds of thousands of small objects and frees them by reference count;
    # the cycle collector's default pace re-walks that growing heap (a third of a 10,000-layer
    # summary's time), so it runs rarely here
    gc.set_threshold(100_000, 50, 1000)
    if sys.argv[1:] == ["--version"]:  # what scripts check first; typer's eager option says the same
        from convcalc import __version__

        print(f"convcalc {__version__}")
        sys.exit(0)
    request = summary_request(sys.argv[1:])
    if request is None:
        from convcalc.cli import main as typer_main

        typer_main()
    set_language(request.pop("lang"))  # None: the environment's
    try:
        code = guarded(lambda: run_summary(**request))
    finally:
        set_language(None)  # in-process callers (the tests) start from the environment again
    sys.exit(code)


def summary_request(args: list[str]) -> dict[str, Any] | None:
    """`summary`'s parameters when `args` are plain — one SPEC, each option at most once as
    `--opt value` or `--opt=value`, every value valid — else None (typer takes them)."""
    if not args or args[0] != "summary":
        return None
    found: dict[str, Any] = {}
    tokens = iter(args[1:])
    for token in tokens:
        option, equals, value = token.partition("=") if token.startswith("--") else (token, "", None)
        if token in SUMMARY_FLAGS:
            key, value = SUMMARY_FLAGS[token], "yes"
        elif option in SUMMARY_OPTIONS:
            value = value if equals else next(tokens, None)
            key = SUMMARY_OPTIONS[option]
        elif token == "-" or not token.startswith("-"):
            key, value = "spec", token
        else:
            return None  # --help, an unknown option, `--`
        if value is None or value.startswith("-") and key != "spec" or key in found:
            return None
        found[key] = value
    return _checked(found) if "spec" in found else None


def _checked(found: dict[str, str]) -> dict[str, Any] | None:
    """The values converted as typer converts them, or None where typer would refuse one."""
    fmt = found.get("fmt", "table")
    depth, batch = found.get("depth"), found.get("batch")
    shape = shape_from_text(found["input_shape"]) if "input_shape" in found else None
    if fmt not in FORMATS or depth is not None and not _whole(depth, 1, None):
        return None
    if found.get("lang", "en") not in LANGUAGES:
        return None
    if "input_shape" in found and shape is None or batch is not None and not _whole(batch, 1, MAX_BATCH):
        return None
    if found.get("dtype", DTYPES[0]) not in DTYPES or found.get("optimizer", OPTIMIZERS[0]) not in OPTIMIZERS:
        return None
    if "optimizer" in found and "training" not in found:
        return None  # typer's usage error says what to add
    return {"spec": found["spec"], "fmt": fmt, "input_shape": shape, "get": found.get("get"),
            "depth": int(depth) if depth is not None else None, "batch": int(batch) if batch is not None else None,
            "dtype": found.get("dtype"), "training": "training" in found, "optimizer": found.get("optimizer"),
            "lang": found.get("lang")}


def _whole(text: str, low: int, high: int | None) -> bool:
    """Plain ASCII digits within [low, high] (anything else: typer decides)."""
    if not (text.isascii() and text.isdigit() and len(text) <= 20):  # 20 digits: int() is quick, typer reads them too
        return False
    return low <= int(text) and (high is None or int(text) <= high)
