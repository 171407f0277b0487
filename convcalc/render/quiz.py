"""What `convcalc quiz` prints, and reading a student's answer file."""

from __future__ import annotations

import sys

from convcalc import quiz
from convcalc.errors import SpecError
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
        raise SpecError(f"no answer file '{path}'")
    text, label = read_source(path)
    data, _ = load_yaml(text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SpecError(f"{label}: answers are a mapping of question number to answer, e.g. `1: 16x15x15`")
    return data


def print_grade(rows: list[dict], as_json: bool) -> None:
    score = sum(r["correct"] for r in rows)
    if as_json:
        sys.stdout.write(dumps({"score": score, "total": len(rows), "questions": rows}, default=str))
        return
    from rich.table import Table
    from rich.text import Text

    from convcalc.render.table import make_console

    table = Table(title=Text(f"score: {score}/{len(rows)} ({100 * score / len(rows):.0f}%)"), title_justify="left",
                  header_style="bold")
    for column in ("#", "topic", "expected", "given", ""):
        table.add_column(column, no_wrap=True)
    for r in rows:
        expected = quiz.answer_text(quiz.Question(0, "", "", {}, "", r["expected"], ""))
        given = "—" if r["given"] is None else str(r["given"])
        table.add_row(str(r["number"]), r["topic"], expected, Text(given),
                      Text("✓" if r["correct"] else "✗", style="green" if r["correct"] else "bold red"))
    make_console(table).print(table)
