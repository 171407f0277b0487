"""The English catalogue: every step, note, warning and spec error a rule emits is an id the
catalogue has, rendered with the parameters its template names; no entry is dead; `explain`
and `solve` print a window rule from the same Formula."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from convcalc import formulas
from convcalc.engine import analyze
from convcalc.english import CATALOGUE, STEPS
from convcalc.errors import SpecError
from convcalc.explain import explain
from convcalc.messages import placeholders
from convcalc.solve import Problem, solve
from convcalc.spec.loader import bundled_examples, load_spec, parse_spec
from tests.conftest import net_of
from tests.test_layers import CASES
from tests.test_spec import ERRORS
from tests.test_vocabulary import DECLARED_WRONG

SOURCE = Path(__file__).parent.parent / "convcalc"
EMITTERS = {"SpecError", "fail", "step", "note", "warn", "Message"}


def _networks():
    for name in bundled_examples():
        yield name, analyze(load_spec(name))
    for i, (shape, entry, *_) in enumerate(CASES):
        yield f"CASES[{i}]", net_of(shape, entry)


def _step_fields(step_id: str) -> set[str]:
    text = STEPS[step_id]
    return placeholders(text.what) | placeholders(text.formula) | placeholders(text.substituted)


@pytest.mark.parametrize("label, net", list(_networks()), ids=lambda x: x if isinstance(x, str) else "")
def test_every_step_note_and_warning_is_a_catalogue_entry(label, net):
    for e in explain(net):
        for step in e.result.steps:
            assert step.id in STEPS, (label, step.id)
            assert _step_fields(step.id) <= set(step.values), (label, step.id, step.values)
        for message in (*e.notes, *e.result.warnings):
            assert message.id in CATALOGUE, (label, message.id)
            assert placeholders(CATALOGUE[message.id]) <= set(message.params), (label, message.id)


def _raised(make) -> SpecError:
    with pytest.raises(SpecError) as info:
        make()
    return info.value


BAD = [lambda text=text: analyze(parse_spec(text)) for text, _ in ERRORS] + [
    lambda shape=shape, entries=entries: net_of(shape, *entries) for shape, entries, _ in DECLARED_WRONG
]


@pytest.mark.parametrize("make", BAD)
def test_every_spec_error_is_a_catalogue_entry(make):
    e = _raised(make)
    assert e.id in CATALOGUE and e.id.startswith("error.")
    assert placeholders(CATALOGUE[e.id]) <= set(e.params), (e.id, e.params)


def _source_trees(but: str = ""):
    return [ast.parse(path.read_text(), str(path)) for path in sorted(SOURCE.rglob("*.py")) if path.name != but]


def _emitted_literals(trees) -> set[str]:
    """The ids written as the first argument of SpecError, fail, step, note, warn and Message."""
    found = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name in EMITTERS and isinstance(node.args[0].value, str):
                    found.add(node.args[0].value)
    return found


def test_every_id_written_in_a_rule_is_in_the_catalogue():
    emitted = _emitted_literals(_source_trees())
    assert emitted, "the scan finds the emitters"
    assert sorted(emitted - CATALOGUE.keys() - STEPS.keys()) == []


def test_no_catalogue_entry_is_dead():
    """Every id occurs in the code outside the catalogue: as a string, as the literal start of
    an f-string that completes it (`f"error.foreign_{key}"`), or a string plus a written
    suffix (`wanted + "_float32"`)."""
    constants, prefixes = set(), set()
    for tree in _source_trees(but="english.py"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                constants.add(node.value)
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                prefixes.add(node.values[0].value)
    unused = [i for i in (*CATALOGUE, *STEPS) if i not in constants and not _completes(i, constants, prefixes)]
    assert unused == []


def _completes(id: str, constants: set[str], prefixes: set[str]) -> bool:
    if any(len(p) > 5 and id.startswith(p) for p in prefixes):
        return True
    return any(id.endswith(s) and id[: -len(s)] in constants for s in constants if s.startswith("_") and len(s) > 3)


@pytest.mark.parametrize("entry, step_id, rule", [
    ("maxpool2d: {pool_size: 3, stride: 2, padding: 1}", "course_output", formulas.COURSE_OUTPUT),
    ("maxpool2d: {pool_size: 2, stride: 2, padding: 0}", "course_output_floor", formulas.COURSE_OUTPUT_FLOOR),
    ("maxpool2d: {pool_size: 3, stride: 2, padding: 1, dilation: 2}", "pool_output", formulas.SYMMETRIC_OUTPUT),
    ("maxpool2d: {pool_size: 2, stride: 2, ceil_mode: true}", "pool_output", formulas.SYMMETRIC_OUTPUT),
])
def test_explain_and_solve_print_one_formula_object(entry, step_id, rule):
    """A 2-P pool window: explain's step and solve's check come from one Formula — the course's
    form where it holds (dilation 1, floor), the general one where it does not."""
    (e,) = explain(net_of([1, 7, 7], entry))
    step = next(s for s in e.result.steps if s.id == step_id)
    values = step.values
    assert step.formula == rule.notation.format(**values)
    assert step.substituted == rule.substitute(**values)
    problem = Problem(input=7, output=step.value, kernel=values["k"], stride=values["s"], padding=values["pad"],
                      dilation=values.get("d", 1), mode="pool", ceil_mode=values.get("rounding") == "ceil")
    (solution,) = solve(problem)
    assert solution.check == f"{rule.substitute(**values)} = {step.value}"


def test_transposed_explain_and_solve_share_their_formula():
    (e,) = explain(net_of([4, 5, 5], "conv_transpose2d: {filters: 2, kernel_size: 3, stride: 2, padding: 1}"))
    step = next(s for s in e.result.steps if s.id == "transposed_output")
    assert step.formula == formulas.TRANSPOSED_OUTPUT.notation
    (solution,) = solve(Problem(input=5, output=step.value, kernel=3, stride=2, padding=1, dilation=1,
                                output_padding=0, mode="transposed"))
    assert solution.check == f"{step.substituted} = {step.value}"


def test_a_conv_step_substitutes_the_conv_formula():
    (e,) = explain(net_of([1, 28, 28], "conv2d: {filters: 4, kernel_size: 4, padding: same}"))
    by_id = {s.id: s for s in e.result.steps}
    assert by_id["output_size"].formula == formulas.CONV_OUTPUT.notation  # uneven: the general rule
    assert by_id["same_padding"].formula == "P = " + formulas.SAME_PADDING.notation
