"""`convcalc quiz`: exercise sets for a class, and grading.

Questions are drawn with Python's `random.Random(seed)` only (the same quiz on every machine
and numpy version) and every answer comes from the engine: a question carries the spec it
describes, and its answer is what `analyze` says of that spec — its layers' backward pass for
`backward-shapes`, `training_memory` of it for `training-memory`. Pure Python.
"""

from __future__ import annotations

import random
import re
from typing import Any

from convcalc.engine import analyze
from convcalc.errors import SpecError
from convcalc.layers.base import shape_text
from convcalc.messages import Message
from convcalc.record import field, record
from convcalc.spec.loader import parse_data
from convcalc.training import DTYPE_BYTES, STATE_COPIES, Setting, training_memory

# the default set is the first four, as before the last two came: the same seed prints the same quiz
DEFAULT_TOPICS = ("shapes", "params", "padding", "receptive-field")
TOPICS = (*DEFAULT_TOPICS, "backward-shapes", "training-memory")
DIFFICULTIES = ("easy", "medium", "hard")


@record
class Exercise:
    """What a topic's generator draws: the question, the network it is about, and its answer."""

    text: str
    spec: dict  # {"input": [...], "layers": [...]} in spec syntax: the network the question is about
    ask: str  # output_shape | params | padding | receptive_field | gradient_shape | param_bytes |
    # gradient_bytes | optimizer_bytes | saved_bytes (the last four: TrainingMemory's fields)
    answer: Any  # a list of ints (a shape) or an int
    working: str  # how to get there, for the key
    # what the question states besides the spec: the gradient asked for ({"layer": 1, "gradient":
    # "∂L/∂W"}) or the training step ({"batch", "dtype", "optimizer"}); empty for the first four topics
    about: dict = field(default_factory=dict)


@record
class Question(Exercise):
    """An exercise with its place in the quiz."""

    number: int
    topic: str


@record
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
    if kind == "batchnorm":
        return Message("quiz.batchnorm")
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


# --- backward-shapes: one gradient of one layer, the shape its registry entry's backward gives --------

WITH_RESPECT_TO = {"∂L/∂X": "quiz.wrt_input", "∂L/∂W": "quiz.wrt_kernel", "∂L/∂b": "quiz.wrt_bias",
                   "∂L/∂γ": "quiz.wrt_gamma", "∂L/∂β": "quiz.wrt_beta"}


def _strided_conv(rng: random.Random, c: int, n: int) -> dict:
    """A conv2d whose stride drops rows (the division floors), with dilation or groups at times:
    its ∂L/∂X needs an output_padding to get back to the input's size."""
    while True:
        k, s, d = rng.choice((2, 3, 4, 5, 7)), rng.choice((2, 3, 4)), rng.choice((1, 1, 2))
        p = rng.randrange(0, (d * (k - 1)) // 2 + 1)
        g = rng.choice([g for g in (1, 1, 2, 4) if c % g == 0])
        span = n + 2 * p - d * (k - 1) - 1
        if span >= 0 and span % s:
            conv = {"filters": g * rng.choice((4, 8, 16)), "kernel_size": k, "stride": s, "padding": p}
            return {"conv2d": {**conv, **({"dilation": d} if d > 1 else {}), **({"groups": g} if g > 1 else {})}}


def _backward_layer(rng: random.Random, difficulty: str) -> tuple[list[int], dict]:
    """The input and the one layer of a backward-shapes question."""
    kind = rng.choice(("conv2d", "conv2d", "conv2d", "maxpool2d", "dense") if difficulty == "hard"
                      else ("conv2d", "conv2d", "dense", "maxpool2d", "batchnorm"))
    if kind == "dense":
        return [rng.choice((64, 120, 256, 400, 512, 784))], {"dense": {"units": rng.choice((10, 32, 84, 100, 128))}}
    c = rng.choice((1, 3, 16, 32, 64) if kind == "conv2d" else (8, 16, 32, 64))
    n = rng.choice({"easy": (14, 28, 32), "medium": (7, 14, 28, 32), "hard": (13, 15, 27, 31, 32, 56)}[difficulty])
    if kind == "maxpool2d":  # easy: 2×2 windows tiling an even map; else 3×3 too, and strides that floor
        size = 2 if difficulty == "easy" else rng.choice((2, 3))
        stride = size if difficulty == "easy" else rng.choice((size, 2))
        return [c, n, n], {"maxpool2d": {"pool_size": size, "stride": stride}}
    if kind == "batchnorm":
        return [c, n, n], {"batchnorm": None}
    return [c, n, n], _strided_conv(rng, c, n) if difficulty == "hard" else _conv_entry(rng, n, difficulty)


def _backward_question(rng: random.Random, difficulty: str) -> Exercise:
    shape, entry = _backward_layer(rng, difficulty)
    spec = {"input": shape, "layers": [entry]}
    r = run_spec(spec).layers[0]
    gradient = rng.choice(r.backward.gradients)
    text = Message("quiz.backward", input=shape_text(r.input_shapes[0]), layer=_describe(entry),
                   gradient=gradient.name, wrt=Message(WITH_RESPECT_TO[gradient.name]),
                   layout=_layout(gradient.name, r.spec.type, len(gradient.shape)))
    return Exercise(text=text, spec=spec, ask="gradient_shape", answer=list(gradient.shape),
                    working=_backward_working(r, gradient.name), about={"layer": 1, "gradient": gradient.name})


def _layout(name: str, layer_type: str, rank: int) -> str:
    if name == "∂L/∂W":
        return Message("quiz.layout_conv_kernel" if layer_type == "conv2d" else "quiz.layout_dense_kernel")
    return Message("quiz.layout_map" if rank == 3 else "quiz.layout_vector")


def _backward_working(r, asked: str) -> str:
    """The layer's forward shapes, every gradient the engine gives it and, for ∂L/∂X of a
    strided layer, the engine's note on the rows floor dropped."""
    gradients = Message("quiz.list_comma").join(f"{g.name} {shape_text(g.shape)}" for g in r.backward.gradients)
    text = Message("quiz.backward_working", layer=r.spec.type, input=shape_text(r.input_shapes[0]),
                   output=shape_text(r.output_shape), gradients=gradients)
    dropped = [n for n in r.backward.notes if asked == "∂L/∂X" and n.id == "back.conv_output_padding"]
    return text + "".join(f"\n   - {note}" for note in dropped)  # a list inside the key's item


# --- training-memory: a tiny net's bytes for one training step, as `summary --training` counts -----

ASKS_WEIGHTS = ("param_bytes", "gradient_bytes", "optimizer_bytes")


def _tiny_net(rng: random.Random, difficulty: str) -> dict:
    """A VGG-like net small enough to count by hand: conv → (batchnorm) → relu → maxpool, once or
    twice, then flatten → dense."""
    layers = []
    for _ in range(2 if difficulty == "hard" and rng.randrange(2) else 1):
        layers.append({"conv2d": {"filters": rng.choice((2, 4, 8)), "kernel_size": 3, "padding": 1}})
        if difficulty != "easy" and rng.randrange(2):
            layers.append({"batchnorm": None})
        layers += [{"relu": None}, {"maxpool2d": {"pool_size": 2}}]
    layers += [{"flatten": None}, {"dense": {"units": rng.choice((2, 4, 10))}}]
    n = rng.choice((4, 8))
    return {"input": [rng.choice((1, 3)), n, n], "layers": layers}


def _training_setting(rng: random.Random, difficulty: str) -> tuple[str, Setting]:
    """What to ask and the step it is about: easy asks the weights' side in float32, hard mostly
    the saved activations."""
    weights_only = difficulty == "easy" or (difficulty == "medium" and rng.randrange(4))
    ask = rng.choice(ASKS_WEIGHTS) if weights_only or rng.randrange(3) == 0 else "saved_bytes"
    optimizers = ("momentum", "adam") if ask == "optimizer_bytes" and difficulty == "easy" else tuple(STATE_COPIES)
    dtype = "float32" if difficulty == "easy" else rng.choice(("float32", "float16", "bfloat16"))
    return ask, Setting(batch=rng.choice((1, 2, 4, 8, 16, 32)), dtype=dtype, training=True,
                        optimizer=rng.choice(optimizers))


def _training_question(rng: random.Random, difficulty: str) -> Exercise:
    spec = _tiny_net(rng, difficulty)
    ask, setting = _training_setting(rng, difficulty)
    net = run_spec(spec)
    memory = training_memory(net, setting)
    (c, n, _), size = spec["input"], DTYPE_BYTES[setting.dtype]
    rules = {"rules": _saved_rules(net, memory)} if ask == "saved_bytes" else {}
    question = Message(f"quiz.ask_{ask}", **rules)
    text = Message("quiz.training", c=c, n=n, chain=_chain(spec["layers"]), dtype=setting.dtype, size=size,
                   batch=setting.batch, optimizer=Message(f"quiz.optimizer_{setting.optimizer}"), ask=question)
    about = {"batch": setting.batch, "dtype": setting.dtype, "optimizer": setting.optimizer}
    return Exercise(text=text, spec=spec, ask=ask, answer=getattr(memory, ask),
                    working=_training_working(net, memory, setting, ask), about=about)


def _saved_rules(net, memory) -> str:
    """What each layer type of the net keeps, in the words of its registry entry's `saved` rule."""
    rules = {r.spec.type: saved.what for r, saved in zip(net.layers, memory.layers)}
    return Message("quiz.list_separator").join(Message("quiz.saved_rule", type=t, what=Message(what))
                                               for t, what in rules.items())


def _saved_sum(name: str, saved, setting: Setting) -> str:
    """`relu_1 8 × 256 × 4 B = 8,192 B`; an argmax adds its bytes per example, batchnorm's
    statistics theirs once."""
    if not saved.bytes:
        return f"{name} 0 B"
    each = f"{saved.values:,} × {DTYPE_BYTES[setting.dtype]} B"
    if saved.fixed_bytes:
        each = f"({each} + {saved.fixed_bytes:,} B)"
    once = f" + {saved.once_bytes:,} B" if saved.once_bytes else ""
    return f"{name} {setting.batch} × {each}{once} = {saved.bytes:,} B"


def _training_working(net, memory, setting: Setting, ask: str) -> str:
    size, trainable = DTYPE_BYTES[setting.dtype], net.totals.trainable_params
    if ask == "saved_bytes":
        layers = Message("quiz.list_separator").join(_saved_sum(r.spec.name, s, setting)
                                                     for r, s in zip(net.layers, memory.layers))
        return Message("quiz.saved_working", batch=setting.batch, dtype=setting.dtype, layers=layers,
                       bytes=memory.saved_bytes)
    if ask == "optimizer_bytes":
        copies = STATE_COPIES[setting.optimizer]
        return Message("quiz.optimizer_working", why=Message(f"quiz.state_{setting.optimizer}"), copies=copies,
                       trainable=trainable, size=size, bytes=memory.optimizer_bytes)
    every = ask == "param_bytes"  # else the gradients: the trainable ones only
    layers = Message("quiz.list_comma").join(f"{r.spec.name} {r.params if every else r.trainable:,}"
                                             for r in net.layers if r.params)
    return Message(f"quiz.working_{ask}", layers=layers, count=net.totals.params if every else trainable, size=size,
                   dtype=setting.dtype, bytes=getattr(memory, ask))


GENERATORS = {"shapes": _shape_question, "params": _params_question, "padding": _padding_question,
              "receptive-field": _rf_question, "backward-shapes": _backward_question,
              "training-memory": _training_question}


def make_quiz(seed: int, count: int, topics: tuple[str, ...] = DEFAULT_TOPICS, difficulty: str = "medium") -> list[Question]:
    rng = random.Random(seed)
    questions = []
    for number in range(1, count + 1):
        topic = topics[(number - 1) % len(topics)]
        exercise = GENERATORS[topic](rng, difficulty)
        questions.append(Question(number=number, topic=topic, **vars(exercise)))
    return questions


BYTES_UNIT = re.compile(r"\s*(?:B|bytes?|字节)$", re.IGNORECASE)  # the unit after a count of bytes


def parse_answer(value: Any, shape: bool, in_bytes: bool = False) -> Any:
    """A student's answer as comparable data: `16x15x15`, `16×15×15`, `[16, 15, 15]`, `1,234`;
    a count of bytes may end in its unit: `5,480 B`, `5480 bytes`."""
    if shape:
        if isinstance(value, list):
            items = value
        else:
            items = [v for v in re.split(r"[x×,\s()\[\]]+", str(value)) if v]
        try:
            return [int(v) for v in items]
        except (TypeError, ValueError):
            return None
    text = str(value).replace(",", "").replace("_", "").strip()
    if in_bytes:
        text = BYTES_UNIT.sub("", text)
    try:
        return int(text)
    except ValueError:
        return None


def grade(questions: list[Question], answers: dict) -> list[Graded]:
    rows = []
    for q in questions:
        given = answers.get(q.number, answers.get(str(q.number)))
        parsed = None if given is None else parse_answer(given, isinstance(q.answer, list), q.ask.endswith("_bytes"))
        rows.append(Graded(number=q.number, topic=q.topic, expected=q.answer, given=given, correct=parsed == q.answer))
    return rows
