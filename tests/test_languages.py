"""Three languages: which one is chosen (--lang, then the environment), the gettext catalogues
current with the English one, and every message rendered in each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from string import Formatter

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from convcalc.cli import argv_language
from convcalc.render.grid import wrap
from convcalc.messages import language_from_environment
from tests.conftest import invoke
from tests.test_terminal import ROOT, assert_fits, screen

ENVIRONMENTS = [
    # (environment, language)
    ({}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "es_MX.UTF-8"}, "es"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({"LC_ALL": "es_ES.UTF-8", "LANG": "zh_CN.UTF-8"}, "es"),
    ({"LC_MESSAGES": "zh_TW", "LANG": "es_ES"}, "zh"),
    ({"LANGUAGE": "fr:es:en", "LANG": "zh_CN.UTF-8"}, "es"),
    ({"LANGUAGE": "en_US:en", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"CONVCALC_LANG": "zh", "LANGUAGE": "es"}, "zh"),
    ({"CONVCALC_LANG": "es-AR", "LC_ALL": "zh_CN"}, "es"),
    ({"CONVCALC_LANG": "", "LANG": "zh_CN"}, "zh"),
    ({"LANG": "zh_CN@pinyin"}, "zh"),
]


@pytest.mark.parametrize("environ, expected", ENVIRONMENTS)
def test_the_first_variable_set_chooses_the_language(environ, expected):
    assert language_from_environment(environ) == expected


ARGVS = [
    # (arguments, language)
    (["summary", "lenet5"], None),
    (["summary", "lenet5", "--lang", "zh"], "zh"),
    (["--lang=es", "summary", "lenet5"], "es"),
    (["summary", "lenet5", "--lang", "fr"], None),
    (["summary", "lenet5", "--lang"], None),
    (["summary", "--", "--lang", "zh"], None),
]


@pytest.mark.parametrize("args, expected", ARGVS)
def test_lang_is_read_before_typer(args, expected):
    assert argv_language(args) == expected


def test_the_compiled_catalogues_are_current():
    """`python -m convcalc.locale.build` has been run: the .pot holds every English entry, each
    .po is merged from it, each .mo compiled from its .po."""
    pytest.importorskip("babel")
    from convcalc.locale.build import outputs

    stale = [str(path) for path, data in outputs().items() if not path.exists() or path.read_bytes() != data]
    assert stale == [], "run: python -m convcalc.locale.build"


# --- every entry translated, placeholders exact ---------------------------------------------------

TRANSLATED = ["zh", "es"]


def _fields(text: str) -> set[str]:
    """Placeholders with their format specs (`weights:,`): a translation keeps them exactly."""
    return {f"{name}:{spec}" for _, name, spec, _ in Formatter().parse(text) if name is not None}


def _entries(language: str):
    pytest.importorskip("babel")
    from convcalc.locale.build import read, template

    translated = {m.context: m for m in list(read(language))[1:]}
    return [(m, translated.get(m.context)) for m in list(template())[1:]]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_is_translated(language):
    missing = [m.context for m, t in _entries(language)
               if t is None or not all(t.string if isinstance(t.string, tuple) else (t.string,))]
    assert missing == [], f"{len(missing)} entries without a {language} translation"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders(language):
    wrong = []
    for m, t in _entries(language):
        if t is None:
            continue
        if isinstance(m.id, tuple):  # a plural: every form uses English fields, together those both forms use
            one, other = _fields(m.id[0]), _fields(m.id[1])
            forms = [_fields(s) for s in t.string]
            ok = all(f <= one | other for f in forms) and set().union(*forms) >= one & other
        else:
            ok = _fields(t.string) == _fields(m.id)
        if not ok:
            wrong.append(m.context)
    assert wrong == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_renders_in_each_language(language):
    """Each catalogue entry formats with its English placeholders' values, in the language."""
    from convcalc.english import CATALOGUE
    from convcalc.messages import Message, placeholders, set_language

    set_language(language)
    try:
        for id, template in CATALOGUE.items():
            Message(id, **{name: 2 for name in placeholders(template)})
    finally:
        set_language(None)


# --- what a person sees ---------------------------------------------------------------------------

def test_done_when_explain_in_chinese_and_spanish():
    zh = invoke("explain", "mnist_cnn", "conv2d_2", "--lang", "zh").out
    (layer,) = json.loads(invoke("explain", "mnist_cnn", "conv2d_2", "--lang", "zh", "-f", "json").out)
    assert "64 个卷积核每个都是 32×5×5" in layer["notes"][0] and "51,264" in zh and "输出高度" in zh
    es = " ".join(invoke("explain", "mnist_cnn", "conv2d_2", "--lang", "es").out.split())
    assert "cada uno de los 64 filtros es un bloque de 32×5×5" in es and "51,264" in es and "altura de salida" in es


def test_lang_in_the_environment_chooses_the_headings():
    env = {**os.environ, "LANG": "zh_CN.UTF-8", "PYTHONPATH": str(ROOT)}
    for name in ("CONVCALC_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        env.pop(name, None)
    out = subprocess.run([sys.executable, "-m", "convcalc", "summary", "lenet5"], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert "层（类型）" in out and "总参数量：61,706" in out


@pytest.mark.parametrize("language", TRANSLATED)
def test_json_keeps_ids_and_numbers_and_speaks_the_language(language):
    english = json.loads(invoke("explain", "mnist_cnn", "-f", "json").out)
    spoken = json.loads(invoke("explain", "mnist_cnn", "-f", "json", "--lang", language).out)
    for e, s in zip(english, spoken):
        assert [(x["id"], x["params"], x["value"], x["substituted"]) for x in e["steps"]] == \
               [(x["id"], x["params"], x["value"], x["substituted"]) for x in s["steps"]]
        assert [n["id"] for n in e["note_messages"]] == [n["id"] for n in s["note_messages"]]
        assert {k: v for k, v in e.items() if k not in ("steps", "notes", "note_messages", "picture")} == \
               {k: v for k, v in s.items() if k not in ("steps", "notes", "note_messages", "picture")}
        assert e["notes"] == [] or e["notes"] != s["notes"]
    assert invoke("summary", "vgg16", "-f", "json", "--lang", language).out == invoke("summary", "vgg16", "-f", "json").out


def test_a_spec_error_in_spanish_by_the_environment(monkeypatch):
    monkeypatch.setenv("CONVCALC_LANG", "es")
    result = invoke("summary", "-", stdin=b"input: [1, 3, 3]\nlayers:\n  - conv2d: {filters: 4, kernel_size: 5}\n")
    assert result.code == 1 and result.err.count("\n") == 1
    assert "capa 1 'conv2d_1' (línea 3): núcleo 5 > altura con relleno 3" in result.err


def test_a_spec_error_in_chinese():
    result = invoke("summary", "-", "--lang", "zh", stdin=b"input: [1, 3, 3]\nlayers:\n  - conv2d: {filters: 4, kernel_size: 5}\n")
    assert result.code == 1 and result.err.count("\n") == 1
    assert "卷积核 5 > 填充后的高度 3" in result.err and "第 1 层 'conv2d_1'（第 3 行）" in result.err


SCREENS = [
    ["summary", "mnist_cnn"], ["summary", "googlenet"], ["summary", "resnet18", "--depth", "2"],
    ["explain", "mnist_cnn"], ["explain", "alexnet"], ["explain", "shufflenet_v2_x1_0"], ["verify", "lenet5"],
    ["compare", "lenet5", "alexnet", "vgg16", "resnet50"], ["solve", "--input", "28", "--output", "14"],
    ["solve", "--input", "28", "--output", "14", "--pool", "--limit", "50"], ["layers"],
]


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("args", SCREENS, ids=" ".join)
def test_every_line_fits_80_columns(language, args):
    code, text = screen(*args, "--lang", language)
    assert code == 0
    assert_fits(text)
    assert len(text.split()) > 5


@pytest.mark.parametrize("language, words", [("en", "Per-layer table"), ("zh", "逐层表格"), ("es", "Tabla por capas")])
def test_help_in_each_language(language, words):
    """Help texts are rendered when the CLI module is imported: a fresh process, as users run it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "convcalc", "summary", "--help", "--lang", language], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert words in out and "--lang" in out


@given(st.integers(min_value=8, max_value=90), st.integers(min_value=0, max_value=4))
def test_chinese_prose_wraps_by_display_width(width, hang):
    """Every line within the width in cells, nothing lost, no line starting with closing punctuation."""
    from convcalc.english import CATALOGUE
    from convcalc.messages import Message, placeholders, set_language

    set_language("zh")
    try:
        text = "• " + Message("note.conv_spans_all", **{k: 32 for k in placeholders(CATALOGUE["note.conv_spans_all"])})
    finally:
        set_language(None)
    lines = wrap(text, width, hang)
    assert all(cell_len(line) <= max(width, hang + 2) for line in lines)
    assert "".join(line.strip() for line in lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line.strip()[:1] in "，。、：；）" for line in lines[1:])


COMMANDS = ["summary", "verify", "explain", "solve", "quiz", "compare", "layers", "draw", "report", "schema"]


@pytest.mark.parametrize("language", TRANSLATED)
def test_help_fits_80_columns(language):
    """click wraps help by characters; wide text is wrapped by display width before it gets there."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80"}
    for command in COMMANDS:
        out = subprocess.run([sys.executable, "-m", "convcalc", command, "--help", "--lang", language], env=env,
                             capture_output=True, text=True, check=True).stdout
        assert_fits(out)


@pytest.mark.parametrize("language, args, words", [
    ("zh", ["quiz", "--topics", "foo"], "未知的题型 foo"),
    ("es", ["explain", "--layer", "relu"], "--layer necesita --input"),
    ("zh", ["summary", "lenet5", "--input", "3x"], "需要 3x224x224 这样的尺寸"),
])
def test_usage_errors_in_the_language(language, args, words):
    result = invoke(*args, "--lang", language)
    assert result.code == 2 and words in result.err
