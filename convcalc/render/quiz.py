"""What `convcalc quiz` prints, and reading a student's answer file."""

from __future__ import annotations

import sys

from convcalc import quiz
from convcalc.errors import ECHO_WIDTH, SpecError, echo, printable
from convcalc.render.jsontext import dumps


def key_json(questions) -> str:
    return dumps(quiz.answers_data(questions))


def questions_json(questions) -> str:
    data = [{"number": q.number, "topic": q.topic, "question": q.text} for q in questions]
    return dumps(data)


def read_answers(path: str) -> dict:
    """`1: 16x15x15` per line (YAML); the same bounded reader as specs."""
    import os

    from convcalc.spec.loader import load_yaml, read_source

    if path != "-" and not os.path.isfile(path):  # read_source would fall back to bundled examples
        raise SpecError("error.no_answer_file", path=path)
    text, label = read_source(path)
    data, _ = load_yaml(text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SpecError("error.answers_not_mapping", label=label)
    return data


def print_grade(graded: list[dict], as_json: bool) -> None:
    score = sum(r["correct"] for r in graded)
    if as_json:
        sys.stdout.write(dumps({"score": score, "total": len(graded), "questions": graded}, default=str))
        return
    from convcalc.render import terminal
    from convcalc.render.grid import Column, grid

    columns = (Column(header="#", right=True, rank=0), Column(header="topic"), Column(header="expected", wrap=True),
               Column(header="given", wrap=True), Column(header=""))
    rows = [(str(r["number"]), r["topic"], quiz.answer_text(quiz.Question(0, "", "", {}, "", r["expected"], "")),
             _given_text(r["given"]), (("✓", "green"),) if r["correct"] else (("✗", "bold red"),)) for r in graded]
    terminal.show(grid(title=f"score: {score}/{len(graded)} ({100 * score / len(graded):.0f}%)", columns=columns, rows=rows))


def _given_text(given) -> str:
    """A student's answer as written, in YAML's words and at most a line's worth."""
    if given is None:
        return "—"
    return printable(given, ECHO_WIDTH) if isinstance(given, str) else echo(given)
