"""What `convcalc quiz` prints, and reading a student's answer file."""

from __future__ import annotations

import json

from convcalc import quiz
from convcalc.errors import SpecError


def key_json(questions) -> str:
    return json.dumps(quiz.answers_data(questions), indent=2, ensure_ascii=False) + "\n"


def questions_json(questions) -> str:
    data = [{"number": q.number, "topic": q.topic, "question": q.text} for q in questions]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


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


def print_grade(rows: list[dict], as_json: bool) -> None:
    score = sum(r["correct"] for r in rows)
    if as_json:
        print(json.dumps({"score": score, "total": len(rows), "questions": rows}, indent=2, ensure_ascii=False, default=str))
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
