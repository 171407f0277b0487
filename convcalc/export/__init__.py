"""Code out: an analysed network as a runnable PyTorch or Keras module (`convcalc export`)."""

from __future__ import annotations

from importlib import import_module

from convcalc.engine import Network

FRAMEWORKS = {"pytorch": "convcalc.export.pytorch", "keras": "convcalc.export.keras"}


def to_source(net: Network, framework: str) -> str:
    """The module's text for `framework` (a key of FRAMEWORKS); a layer the framework cannot
    express is a SpecError naming it."""
    return import_module(FRAMEWORKS[framework]).to_source(net)
