"""What `convcalc quiz` prints — the questions and the key as Markdown or JSON, the grade as a
table or JSON — and reading a student's answer file."""

from __future__ import annotations

import sys

from convcalc import quiz
from convcalc.errors import ECHO_WIDTH, SpecError, echo, printable
from convcalc.layers.base import shape_text
from convcalc.messages import Message
from convcalc.render.jsontext import dumps


def answer_text(answer) -> str:
    """A shape as 16×15×15, a count as 1,234."""
    return shape_text(tuple(answer)) if isinstance(answer, list) else f"{answer:,}"


def questions_markdown(questions: list[quiz.Question], seed: int, difficulty: str) -> str:
    lines = [Message("quiz.title", seed=seed, count=len(questions), difficulty=difficulty), ""]
    for q in questions:
        lines += [f"**{q.number}.** ({q.topic}) {q.text}", ""]
    return "\n".join(lines)


def answers_markdown(questions: list[quiz.Question], seed: int) -> str:
    lines = [Message("quiz.key_title", seed=seed), ""]
    lines += [f"{q.number}. **{answer_text(q.answer)}** — {q.working}" for q in questions]
    return "\n".join(lines) + "\n"


def key_json(questions) -> str:
    data = [{"number": q.number, "topic": q.topic, "question": q.text, "answer": q.answer, "working": q.working,
             "spec": q.spec, **({"ask": q.ask, "about": q.about} if q.about else {})} for q in questions]
    return dumps(data)


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


def print_grade(graded: list[quiz.Graded], as_json: bool) -> None:
    score = sum(r.correct for r in graded)
    if as_json:
        rows = [dict(vars(r)) for r in graded]  # shallow: `given` is the student's data as read
        sys.stdout.write(dumps({"score": score, "total": len(graded), "questions": rows}, default=str))
        return
    from convcalc.render import terminal
    from convcalc.render.grid import Column, grid

    columns = (Column(header="#", right=True, rank=0), Column(header=Message("heading.topic")),
               Column(header=Message("heading.expected"), wrap=True), Column(header=Message("heading.given"), wrap=True),
               Column(header=""))
    rows = [(str(r.number), r.topic, answer_text(r.expected),
             _given_text(r.given), (("✓", "green"),) if r.correct else (("✗", "bold red"),)) for r in graded]
    title = Message("quiz.score", score=score, total=len(graded), percent=100 * score / len(graded))
    terminal.show(grid(title=title, columns=columns, rows=rows))


def _given_text(given) -> str:
    """A student's answer as written, in YAML's words and at most a line's worth."""
    if given is None:
        return "—"
    return printable(given, ECHO_WIDTH) if isinstance(given, str) else echo(given)
