"""Three languages: which one is chosen (--lang, then the environment), the gettext catalogues
current with the English one, and every message rendered in each."""

from __future__ import annotations

import pytest

from convcalc.cli import argv_language
from convcalc.messages import language_from_environment

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
