"""`convcalc quiz`'s topics on the backward pass and training memory: every topic × difficulty ×
language draws, each answer is the engine's (and, for gradient shapes, PyTorch's), the key's
arithmetic adds up, grading reads shapes and bytes, and the default quiz is what it was."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from convcalc.english import CATALOGUE
from convcalc.messages import set_language
from convcalc.quiz import DEFAULT_TOPICS, DIFFICULTIES, TOPICS, make_quiz, parse_answer, run_spec
from convcalc.training import DTYPE_BYTES, STATE_COPIES, Setting, training_memory
from tests.conftest import invoke

NEW_TOPICS = ("backward-shapes", "training-memory")
LANGUAGES = ("en", "zh", "es")
SEEDS = range(40)


@pytest.fixture
def speak():
    """speak(code): draw in that language for the rest of the test."""
    yield set_language
    set_language(None)


def _engine_answer(q):
    """What the engine says of the question's spec and conditions, read after a YAML round trip
    (the spec a teacher saves with the key)."""
    spec, about = yaml.safe_load(yaml.safe_dump(q.spec)), q.about
    net = run_spec(spec)
    if q.ask == "gradient_shape":
        layer = net.layers[about["layer"] - 1]
        (gradient,) = [g for g in layer.backward.gradients if g.name == about["gradient"]]
        return list(gradient.shape)
    setting = Setting(batch=about["batch"], dtype=about["dtype"], training=True, optimizer=about["optimizer"])
    return getattr(training_memory(net, setting), q.ask)


# --- every topic × difficulty × language -----------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("difficulty", DIFFICULTIES)
@pytest.mark.parametrize("topic", NEW_TOPICS)
def test_every_topic_draws_in_every_language(topic, difficulty, language, speak):
    speak(language)
    questions = make_quiz(3, 12, (topic,), difficulty)
    assert [q.topic for q in questions] == [topic] * 12
    for q in questions:
        assert q.text.id in CATALOGUE and q.text.id.startswith("quiz.")
        assert "{" not in q.text and "{" not in q.working, q  # every placeholder filled
        assert q.answer == _engine_answer(q), q
    if language == "zh":
        assert all(re.search("[\u4e00-\u9fff]", q.text) for q in questions)


@pytest.mark.parametrize("difficulty", DIFFICULTIES)
@pytest.mark.parametrize("topic", NEW_TOPICS)
def test_numbers_are_the_same_in_every_language(topic, difficulty, speak):
    drawn = {}
    for language in LANGUAGES:
        speak(language)
        drawn[language] = [(q.spec, q.ask, q.answer, q.about) for q in make_quiz(11, 8, (topic,), difficulty)]
    assert drawn["en"] == drawn["zh"] == drawn["es"]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_answer_comes_from_the_engine(seed):
    difficulty = DIFFICULTIES[seed % 3]
    for q in make_quiz(seed, 6, NEW_TOPICS, difficulty):
        assert q.answer == _engine_answer(q), q


# --- what each difficulty draws ---------------------------------------------------------------

def _conv_args(q) -> dict:
    return q.spec["layers"][0].get("conv2d")


def test_backward_difficulty_scales():
    easy = [q for s in SEEDS for q in make_quiz(s, 4, ("backward-shapes",), "easy")]
    hard = [q for s in SEEDS for q in make_quiz(s, 4, ("backward-shapes",), "hard")]
    assert all(_conv_args(q).get("stride", 1) == 1 for q in easy if _conv_args(q))
    hard_convs = [_conv_args(q) for q in hard if _conv_args(q)]
    for conv, q in [(c, q) for q in hard for c in [_conv_args(q)] if c]:
        n, k, s, p = q.spec["input"][1], conv["kernel_size"], conv["stride"], conv["padding"]
        assert (n + 2 * p - conv.get("dilation", 1) * (k - 1) - 1) % s, "a hard conv's stride floors"
    assert any("dilation" in c for c in hard_convs) and any("groups" in c for c in hard_convs)
    asked = {q.about["gradient"] for q in easy + hard}
    assert asked == {"∂L/∂X", "∂L/∂W", "∂L/∂b", "∂L/∂γ", "∂L/∂β"}


def test_training_difficulty_scales():
    easy = [q for s in SEEDS for q in make_quiz(s, 4, ("training-memory",), "easy")]
    hard = [q for s in SEEDS for q in make_quiz(s, 4, ("training-memory",), "hard")]
    assert {q.ask for q in easy} == {"param_bytes", "gradient_bytes", "optimizer_bytes"}
    assert {q.about["dtype"] for q in easy} == {"float32"}
    assert all(q.about["optimizer"] != "sgd" for q in easy if q.ask == "optimizer_bytes")
    assert sum(q.ask == "saved_bytes" for q in hard) > len(hard) / 2
    assert {q.about["dtype"] for q in hard} == {"float32", "float16", "bfloat16"}
    for q in easy + hard:  # tiny: a student counts it by hand
        assert run_spec(q.spec).totals.params < 2_000


# --- the key's arithmetic adds up --------------------------------------------------------------

SUM = re.compile(r"(\w+) (\d+) × (?:\((\d[\d,]*) × (\d) B \+ ([\d,]+) B\)|(\d[\d,]*) × (\d) B)(?: \+ ([\d,]+) B)? = ([\d,]+) B")


def _int(text: str | None) -> int:
    return int(text.replace(",", "")) if text else 0


@pytest.mark.parametrize("seed", SEEDS)
def test_the_key_shows_how_the_bytes_are_made(seed):
    for q in make_quiz(seed, 8, ("training-memory",), DIFFICULTIES[seed % 3]):
        size, batch = DTYPE_BYTES[q.about["dtype"]], q.about["batch"]
        assert q.working.endswith(f"{q.answer:,} B") or f"= {q.answer:,} B;" in q.working, q.working
        if q.ask == "saved_bytes":
            total = 0
            for name, b, values, each, fixed, plain, each2, once, result in SUM.findall(q.working):
                assert int(b) == batch and int(each or each2) == size
                assert _int(result) == batch * (_int(values or plain) * size + _int(fixed)) + _int(once), name
                total += _int(result)
            assert total == q.answer
        elif q.ask == "optimizer_bytes":
            trainable = run_spec(q.spec).totals.trainable_params
            assert f"{STATE_COPIES[q.about['optimizer']]} × {trainable:,} × {size} B" in q.working


# --- against PyTorch: the gradient shapes autograd gives -------------------------------------

def test_gradient_shapes_hold_against_pytorch():
    torch = pytest.importorskip("torch", reason="the oracle extra is not installed")
    from tests.oracle.torch_build import torch_module

    for seed in SEEDS:
        for q in make_quiz(seed, 4, ("backward-shapes",), DIFFICULTIES[seed % 3]):
            r = run_spec(q.spec).layers[0]
            module = torch_module(r.spec.type, dict(r.spec.args), r.input_shapes[0])
            x = torch.randn(2, *q.spec["input"], requires_grad=True)
            module(x).sum().backward()
            params = dict(module.named_parameters())
            grads = {"∂L/∂X": x.grad[0], "∂L/∂W": params.get("weight"), "∂L/∂b": params.get("bias"),
                     "∂L/∂γ": params.get("weight"), "∂L/∂β": params.get("bias")}
            got = grads[q.about["gradient"]]
            assert list((got if q.about["gradient"] == "∂L/∂X" else got.grad).shape) == q.answer, q


# --- the example, worked by hand ---------------------------------------------------------

# A conv2d with 64 filters 5×5, padding 2, on a 32×14×14 input: ∂L/∂W is the kernel's shape,
# ∂L/∂X the input's, ∂L/∂b one per filter.
BY_HAND = [
    {"input": [32, 14, 14], "layer": {"conv2d": {"filters": 64, "kernel_size": 5, "padding": 2}},
     "gradients": {"∂L/∂X": [32, 14, 14], "∂L/∂W": [64, 32, 5, 5], "∂L/∂b": [64]}},
    {"input": [400], "layer": {"dense": {"units": 120}},
     "gradients": {"∂L/∂X": [400], "∂L/∂W": [120, 400], "∂L/∂b": [120]}},
    {"input": [16, 15, 15], "layer": {"maxpool2d": {"pool_size": 2, "stride": 2}}, "gradients": {"∂L/∂X": [16, 15, 15]}},
    {"input": [8, 7, 7], "layer": {"batchnorm": None},
     "gradients": {"∂L/∂X": [8, 7, 7], "∂L/∂γ": [8], "∂L/∂β": [8]}},
    {"input": [8, 15, 15], "layer": {"conv2d": {"filters": 16, "kernel_size": 3, "stride": 2, "dilation": 2, "groups": 4}},
     "gradients": {"∂L/∂X": [8, 15, 15], "∂L/∂W": [16, 2, 3, 3], "∂L/∂b": [16]}},
]


@pytest.mark.parametrize("case", BY_HAND, ids=lambda c: next(iter(c["layer"])))
def test_the_gradients_a_question_can_ask(case):
    layer = run_spec({"input": case["input"], "layers": [case["layer"]]}).layers[0]
    assert {g.name: list(g.shape) for g in layer.backward.gradients} == case["gradients"]


# 1×8×8 → conv2d 4 filters 3×3 padding 1 (40 parameters) → relu → maxpool 2 → flatten (64) →
# dense 10 (650): 690 parameters. Batch 8, float32, Adam: 2 × 690 × 4 = 5,520 B of state. Kept:
# conv2d its input 8·64·4 = 2,048; relu its output 8·256·4 = 8,192; maxpool its input (relu's
# output, counted) and 8·64 int64 indices = 4,096; dense its input 8·64·4 = 2,048: 16,384 B.
TINY = {"input": [1, 8, 8], "layers": [{"conv2d": {"filters": 4, "kernel_size": 3, "padding": 1}}, {"relu": None},
                                       {"maxpool2d": {"pool_size": 2}}, {"flatten": None}, {"dense": {"units": 10}}]}


def test_a_tiny_net_by_hand():
    m = training_memory(run_spec(TINY), Setting(batch=8, training=True, optimizer="adam"))
    assert (m.param_bytes, m.gradient_bytes, m.optimizer_bytes, m.saved_bytes) == (2_760, 2_760, 5_520, 16_384)
    assert [(s.values, s.fixed_bytes, s.bytes) for s in m.layers] == [
        (64, 0, 2_048), (256, 0, 8_192), (0, 8 * 64, 4_096), (0, 0, 0), (64, 0, 2_048)]


# --- grading: shapes for gradients, ints for bytes ---------------------------------------------

@pytest.mark.parametrize("text, shape, in_bytes, expected", [
    ("64x32x5x5", True, False, [64, 32, 5, 5]), ("64", True, False, [64]), ([64], True, False, [64]),
    ("(120, 400)", True, False, [120, 400]), ("5,520", False, True, 5520), ("5520 B", False, True, 5520),
    ("5520 bytes", False, True, 5520), ("5520字节", False, True, 5520), (5520, False, True, 5520),
    ("5.4 KiB", False, True, None), ("5520 B", False, False, None), ("B", False, True, None),
])
def test_parse_answer(text, shape, in_bytes, expected):
    assert parse_answer(text, shape, in_bytes) == expected


def _key(seed: int, count: int, topics: str) -> list[dict]:
    return json.loads(invoke("quiz", "--seed", str(seed), "-n", str(count), "--topics", topics, "--answers", "-f", "json").out)


GRADES = [  # how a student writes the key's answer → graded right?
    {"write": lambda a: "x".join(map(str, a)) if isinstance(a, list) else f"{a:,}", "correct": True},
    {"write": lambda a: a, "correct": True},
    {"write": lambda a: str(a) if isinstance(a, list) else f"{a} B", "correct": True},
    {"write": lambda a: [*a, 1] if isinstance(a, list) else a + 1, "correct": False},
    {"write": lambda a: "∂L/∂W", "correct": False},
    {"write": None, "correct": False},  # blank
]


@pytest.mark.parametrize("grade", GRADES, ids=lambda g: str(g["correct"]) if g["write"] else "blank")
def test_grading_the_new_answer_kinds(grade, tmp_path):
    topics = ",".join(NEW_TOPICS)
    key = _key(5, 6, topics)
    answers = {} if grade["write"] is None else {k["number"]: grade["write"](k["answer"]) for k in key}
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers, allow_unicode=True))
    result = invoke("quiz", "--seed", "5", "-n", "6", "--topics", topics, "--grade", str(path), "-f", "json")
    graded = json.loads(result.out)
    assert result.code == 0 and [q["correct"] for q in graded["questions"]] == [grade["correct"]] * 6
    assert graded["score"] == 6 * grade["correct"]


@pytest.mark.parametrize("language, score", [("en", "score: 3/4 (75%)"), ("zh", "得分：3/4（75%）"), ("es", "nota: 3/4 (75%)")])
def test_grade_table_in_each_language(language, score, tmp_path):
    key = _key(2, 4, "training-memory,backward-shapes")
    answers = {k["number"]: k["answer"] for k in key[:3]}
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers))
    result = invoke("quiz", "--seed", "2", "-n", "4", "--topics", "training-memory,backward-shapes",
                    "--grade", str(path), "--lang", language)
    assert result.code == 0 and score in result.out and "training-memory" in result.out


# --- determinism, the default quiz, the JSON key, bad topics -----------------------------------

def test_the_same_seed_gives_the_same_quiz():
    args = ("quiz", "--seed", "9", "-n", "6", "--topics", ",".join(NEW_TOPICS), "--difficulty", "hard")
    assert invoke(*args).out == invoke(*args).out
    assert invoke(*args).out != invoke("quiz", "--seed", "10", *args[3:]).out


def test_the_default_quiz_keeps_its_four_topics():
    assert TOPICS[:4] == DEFAULT_TOPICS and set(NEW_TOPICS) <= set(TOPICS)
    default = invoke("quiz", "--seed", "7", "-n", "8").out
    assert default == invoke("quiz", "--seed", "7", "-n", "8", "--topics", ",".join(DEFAULT_TOPICS)).out
    assert "backward" not in default and "training" not in default
    assert [q.topic for q in make_quiz(7, 8)] == [*DEFAULT_TOPICS, *DEFAULT_TOPICS]


def test_new_topics_append_to_a_quiz_without_changing_the_old_questions():
    """A question's draw depends on the draws before it, so the old topics first give their old
    questions as long as the new ones come after them."""
    old = make_quiz(4, 4)
    mixed = make_quiz(4, 6, (*DEFAULT_TOPICS, *NEW_TOPICS))
    assert [q.text for q in mixed[:4]] == [q.text for q in old]


def test_the_json_key_says_what_is_asked():
    key = _key(1, 4, "shapes,backward-shapes,training-memory,params")
    assert "ask" not in key[0] and "about" not in key[0] and "ask" not in key[3]
    assert key[1]["ask"] == "gradient_shape" and key[1]["about"]["gradient"].startswith("∂L/∂")
    assert key[2]["ask"].endswith("_bytes") and set(key[2]["about"]) == {"batch", "dtype", "optimizer"}


@pytest.mark.parametrize("topics, fragment", [
    ("backward", "unknown topic backward"), ("training_memory", "unknown topic training_memory"),
    ("shapes,memory", "backward-shapes, training-memory"),
])
def test_unknown_topics_name_the_new_ones(topics, fragment):
    result = invoke("quiz", "--topics", topics)
    assert result.code == 2 and fragment in result.err and "Traceback" not in result.err
    assert result.err.count("\n") <= 6


@pytest.mark.parametrize("language", LANGUAGES)
def test_quiz_golden_in_each_language(language, golden):
    """The questions and the key as a teacher reads them (reviewed in the diff)."""
    args = ("quiz", "--seed", "3", "-n", "6", "--topics", ",".join(NEW_TOPICS), "--difficulty", "hard", "--lang", language)
    golden(f"quiz_backward_training_seed3_{language}.md", invoke(*args).out + "\n" + invoke(*args, "--answers").out)


@pytest.mark.parametrize("language", LANGUAGES)
def test_grading_the_new_topics_fits_80_columns(language, tmp_path):
    from tests.test_terminal import assert_fits, screen

    key = _key(6, 4, "backward-shapes,training-memory")
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump({1: key[0]["answer"], 2: f"{key[1]['answer']} B", 3: "64x" * 19 + "1"}))
    code, text = screen("quiz", "--seed", "6", "-n", "4", "--topics", "backward-shapes,training-memory",
                        "--grade", str(path), "--lang", language)
    assert code == 0 and "2/4" in text
    assert_fits(text)


def test_the_readme_example_is_real_output():
    """README 'Use in a course': the questions and the key of the new topics, as printed."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    questions = "convcalc quiz --seed 4 --count 2 --topics backward-shapes,training-memory --difficulty easy"
    block = readme.split(f"$ {questions}\n", 1)[1].split("```", 1)[0]
    shown_questions, shown_key = block.split(f"$ {questions} --answers\n")
    assert shown_questions == invoke(*questions.split()[1:]).out
    assert shown_key == invoke(*questions.split()[1:], "--answers").out
