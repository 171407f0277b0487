"""Shared test helpers: run the CLI in-process, and compare against golden files."""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from convcalc.launch import main
from convcalc.engine import Network, analyze
from convcalc.spec.loader import parse_spec

GOLDEN = Path(__file__).parent / "golden"

# Property tests: 500 examples per family in CI (CI=true), 40 locally, 5000 with
# --hypothesis-profile=deep when hunting for disagreements.
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("ci", max_examples=500, deadline=None, suppress_health_check=_QUIET, derandomize=False)
settings.register_profile("deep", max_examples=5000, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("dev", max_examples=40, deadline=None, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite tests/golden/* from the current output")


@dataclass
class Result:
    code: int
    out: str
    err: str


def invoke(*args: str, stdin: bytes = b"") -> Result:
    """Run `convcalc ARGS` in this process, as the console script would, and capture it."""
    saved = sys.argv, sys.stdin, sys.stdout, sys.stderr
    out, err = io.StringIO(), io.StringIO()
    sys.argv = ["convcalc", *args]
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    sys.stdout, sys.stderr = out, err
    code = 0
    try:
        main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.argv, sys.stdin, sys.stdout, sys.stderr = saved
    return Result(code, out.getvalue(), err.getvalue())


def net_of(input_shape, *layers: str) -> Network:
    """A network from an input shape and YAML layer entries (`'conv2d: {filters: 8, kernel_size: 3}'`)."""
    body = "\n".join(f"  - {entry}" for entry in layers)
    return analyze(parse_spec(f"input: {list(input_shape)}\nlayers:\n{body}\n"))


@pytest.fixture
def golden(request):
    """golden(name, text): equal to tests/golden/NAME, or rewrite it with --update-goldens."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if request.config.getoption("--update-goldens"):
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"missing golden file {path}; run pytest --update-goldens and review the diff"
        assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"

    return check
