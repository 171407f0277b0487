"""`convcalc quiz`: exercise sets for a class, and grading.

Questions are drawn with Python's `random.Random(seed)` only (the same quiz on every machine
and numpy version) and every answer comes from the engine: a question carries the spec it
describes, and its answer is what `analyze` says of that spec. Pure Python.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from convcalc.engine import analyze
from convcalc.errors import SpecError
from convcalc.layers.base import shape_text
from convcalc.messages import Message
from convcalc.spec.loader import parse_data

TOPICS = ("shapes", "params", "padding", "receptive-field")
DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True, kw_only=True)
class Exercise:
    """What a topic's generator draws: the question, the network it is about, and its answer."""

    text: str
    spec: dict  # {"input": [...], "layers": [...]} in spec syntax: the network the question is about
    ask: str  # output_shape | params | padding | receptive_field
    answer: Any  # a list of ints (a shape) or an int
    working: str  # how to get there, for the key


@dataclass(frozen=True, kw_only=True)
class Question(Exercise):
    """An exercise with its place in the quiz."""

    number: int
    topic: str


@dataclass(frozen=True, kw_only=True)
class Graded:
    """One question of a student's answer file, graded."""

    number: int
    topic: str
    expected: Any
    given: Any  # as the student wrote it; None when unanswered
    correct: bool


def run_spec(spec: dict):
    return analyze(parse_data(spec))


def _conv_entry(rng: random.Random, n: int, difficulty: str) -> dict:
    """A conv2d whose output is at least 1 cell: kernel, stride and padding to match the level."""
    while True:
        k = rng.choice((1, 3, 5, 7) if difficulty == "easy" else (1, 2, 3, 4, 5, 7, 11))
        s = 1 if difficulty == "easy" else rng.choice((1, 1, 2, 2, 3, 4))
        p = rng.randrange(0, k // 2 + 1 if difficulty != "hard" else k)
        if (n + 2 * p - k) // s + 1 >= 1:
            return {"conv2d": {"filters": rng.choice((8, 16, 32, 64, 96, 128)), "kernel_size": k, "stride": s, "padding": p}}


def _chain(layers: list[dict]) -> str:
    return Message("quiz.then").join(_describe(e) for e in layers)


def _describe(entry: dict) -> str:
    (kind, a), = entry.items()
    if kind == "conv2d":
        extra = "".join(Message("quiz.argument", key=key, value=a[key])
                        for key in ("stride", "padding", "dilation", "groups") if key in a)
        id = "quiz.conv2d" if a.get("bias", True) else "quiz.conv2d_no_bias"
        return Message(id, filters=a["filters"], k=a["kernel_size"], extra=extra)
    if kind in ("maxpool2d", "avgpool2d"):
        return Message("quiz.pool", type=kind, size=a["pool_size"], stride=a.get("stride", a["pool_size"]))
    if kind == "dense":
        return Message("quiz.dense", units=a["units"])
    return f"`{kind}`"


def _shape_question(rng: random.Random, difficulty: str) -> Exercise:
    c, n = rng.choice((1, 3, 16, 32)), rng.choice((7, 14, 28, 32, 56, 64, 224 if difficulty == "hard" else 32))
    layers = [_conv_entry(rng, n, difficulty)]
    if difficulty != "easy":
        layers.append({"maxpool2d": {"pool_size": 2}} if rng.randrange(2) else {"relu": None})
    spec = {"input": [c, n, n], "layers": layers}
    try:
        if difficulty == "hard":
            layers.append(_conv_entry(rng, run_spec(spec).output_shape[1], difficulty))
        net = run_spec(spec)
    except SpecError:  # a pool on a 1×1 map: draw another question
        return _shape_question(rng, difficulty)
    text = Message("quiz.shapes", c=c, n=n, chain=_chain(layers))
    working = "; ".join(f"{r.spec.type}: {shape_text(r.input_shapes[0])} → {shape_text(r.output_shape)}" for r in net.layers)
    return Exercise(text=text, spec=spec, ask="output_shape", answer=list(net.output_shape), working=working)


def _params_question(rng: random.Random, difficulty: str) -> Exercise:
    c, n = rng.choice((1, 3, 16, 32, 64)), rng.choice((14, 28, 32))
    entry = _conv_entry(rng, n, difficulty)
    if difficulty != "easy" and rng.randrange(2):
        entry["conv2d"]["bias"] = False
    layers = [entry]
    if difficulty == "hard":
        layers += [{"flatten": None}, {"dense": {"units": rng.choice((10, 100, 256))}}]
    spec = {"input": [c, n, n], "layers": layers}
    net = run_spec(spec)
    text = Message("quiz.params", c=c, n=n, chain=_chain(layers))
    working = "; ".join(f"{r.spec.type}: {r.trainable:,}" for r in net.layers if r.trainable)
    return Exercise(text=text, spec=spec, ask="params", answer=net.totals.trainable_params, working=working)


def _padding_question(rng: random.Random, difficulty: str) -> Exercise:
    from convcalc.solve import Problem, solve

    n = rng.choice((14, 28, 32, 56, 64))
    k = rng.choice((3, 5, 7) if difficulty == "easy" else (3, 5, 7, 9, 11))
    d = 1 if difficulty != "hard" else rng.choice((1, 2, 3))
    (first, *_) = solve(Problem(input=n, output=n, kernel=k, stride=1, dilation=d))
    layers = [{"conv2d": {"filters": 8, "kernel_size": k, "padding": first.padding,
                          **({"dilation": d} if d > 1 else {})}}]
    spec = {"input": [3, n, n], "layers": layers}
    net = run_spec(spec)  # the engine confirms the size is kept
    assert net.output_shape[1:] == (n, n)
    text = Message("quiz.padding_dilated", k=k, d=d, n=n) if d > 1 else Message("quiz.padding", k=k, n=n)
    return Exercise(text=text, spec=spec, ask="padding", answer=first.padding,
                    working=Message("quiz.padding_working", check=first.check, padding=first.padding))


def _rf_question(rng: random.Random, difficulty: str) -> Exercise:
    depth = {"easy": 2, "medium": 3, "hard": 4}[difficulty]
    layers = []
    for _ in range(depth):
        if difficulty != "easy" and rng.randrange(3) == 0:
            layers.append({"maxpool2d": {"pool_size": 2}})
        else:
            k = rng.choice((3, 3, 5, 7))
            conv = {"filters": 16, "kernel_size": k, "padding": k // 2}
            if difficulty == "hard" and rng.randrange(3) == 0:
                conv["dilation"], conv["padding"] = 2, k - 1
            layers.append({"conv2d": conv})
    spec = {"input": [1, 128, 128], "layers": layers}
    net = run_spec(spec)
    text = Message("quiz.receptive_field", chain=_chain(layers))
    working = " → ".join(str(r.receptive_field[0]) for r in net.layers)
    return Exercise(text=text, spec=spec, ask="receptive_field", answer=net.layers[-1].receptive_field[0],
                    working=Message("quiz.receptive_field_working", working=working))


GENERATORS = {"shapes": _shape_question, "params": _params_question, "padding": _padding_question,
              "receptive-field": _rf_question}


def make_quiz(seed: int, count: int, topics: tuple[str, ...] = TOPICS, difficulty: str = "medium") -> list[Question]:
    rng = random.Random(seed)
    questions = []
    for number in range(1, count + 1):
        topic = topics[(number - 1) % len(topics)]
        exercise = GENERATORS[topic](rng, difficulty)
        questions.append(Question(number=number, topic=topic, **vars(exercise)))
    return questions


def parse_answer(value: Any, shape: bool) -> Any:
    """A student's answer as comparable data: `16x15x15`, `16×15×15`, `[16, 15, 15]`, `1,234`."""
    if shape:
        if isinstance(value, list):
            items = value
        else:
            items = [v for v in re.split(r"[x×,\s()\[\]]+", str(value)) if v]
        try:
            return [int(v) for v in items]
        except (TypeError, ValueError):
            return None
    try:
        return int(str(value).replace(",", "").replace("_", "").strip())
    except ValueError:
        return None


def grade(questions: list[Question], answers: dict) -> list[Graded]:
    rows = []
    for q in questions:
        given = answers.get(q.number, answers.get(str(q.number)))
        parsed = None if given is None else parse_answer(given, isinstance(q.answer, list))
        rows.append(Graded(number=q.number, topic=q.topic, expected=q.answer, given=given, correct=parsed == q.answer))
    return rows
