"""The words convcalc says, as data: every derivation step, teaching note, warning and spec
error is an id with named parameters; its text is rendered from a catalogue in the reader's
language (English in `english.py`; Chinese and Spanish as gettext catalogues in `locale/`).

The English catalogue is the gettext template: the id is the msgctxt, the English template the
msgid, a `Plural` an ngettext entry. Rules never glue words together; they name an id and pass
numbers, shapes as text (`3×3`) and users' values already echoed (`errors.echo`).
"""

from __future__ import annotations

import os
from string import Formatter
from typing import Any

from convcalc.english import CATALOGUE, STEPS, Plural, StepText, Template

LANGUAGES = ("en", "zh", "es")
ENVIRONMENT = ("CONVCALC_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # the first one set decides
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")  # os.path: pathlib costs a cold start ~5 ms
_chosen: list[str | None] = [None]  # this process's language; None: read from the environment when first needed
_loaded: dict[str, Any] = {}  # language → its gettext translation, loaded once per process


def language_code(text: str | None) -> str | None:
    """`zh_CN.UTF-8`, `es-MX`, `zh` → `zh`, `es`; a language convcalc does not speak → None."""
    code = (text or "").split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else None


def language_from_environment(environ=os.environ) -> str:
    """CONVCALC_LANG, then gettext's LANGUAGE (a list: the first language spoken here),
    LC_ALL, LC_MESSAGES, LANG; the first variable that is set decides, English otherwise."""
    for name in ENVIRONMENT:
        value = environ.get(name)
        if value:
            return next((c for c in map(language_code, value.split(":")) if c), "en")
    return "en"


def set_language(code: str | None) -> None:
    """Speak `code` from now on (None: the environment's choice)."""
    _chosen[0] = language_code(code) if code else None


def language() -> str:
    if _chosen[0] is None:
        _chosen[0] = language_from_environment()
    return _chosen[0]


def _translation():
    """The chosen language's gettext catalogue, or None for English: English needs no gettext,
    so the cold `summary --format json` path imports nothing more."""
    code = language()
    if code == "en":
        return None
    if code not in _loaded:
        import gettext

        _loaded[code] = gettext.translation("convcalc", LOCALE_DIR, languages=[code], fallback=True)
    return _loaded[code]


class Word(str):
    """A word a rule passes as a parameter (an axis name: `height`): the text is the English
    word, and a message renders it in the reader's language from the entry `phrase.word.<text>`."""

    __slots__ = ()


def _spoken(params: dict[str, Any], t) -> dict[str, Any]:
    return {k: t.pgettext(f"phrase.word.{v}", str(v)) if isinstance(v, Word) else v for k, v in params.items()}


def template_text(template: Template, params: dict[str, Any]) -> str:
    return (template.pick(params) if isinstance(template, Plural) else template).format(**params)


def render(id: str, params: dict[str, Any]) -> str:
    """The catalogue entry `id` with `params`, in the chosen language (English where a
    translation is missing)."""
    template, t = CATALOGUE[id], _translation()
    if t is None:
        return template_text(template, params)
    params = _spoken(params, t)
    if isinstance(template, Plural):
        return t.npgettext(id, template.one, template.other, params[template.count]).format(**params)
    return t.pgettext(id, template).format(**params)


def placeholders(template: Template) -> set[str]:
    """The named fields a template reads (a Plural: both forms and its count)."""
    if isinstance(template, Plural):
        return placeholders(template.one) | placeholders(template.other) | {template.count}
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in Formatter().parse(template) if field}


class Message(str):
    """A sentence rendered from the catalogue that still knows its id and parameters.

    It is the rendered text (a str), so renderers and JSON show it as before; `id` and
    `params` are what a translation or a JSON reader keys on.
    """

    id: str
    params: dict[str, Any]

    def __new__(cls, id: str, **params: Any) -> Message:
        self = super().__new__(cls, render(id, params))
        self.id, self.params = id, params
        return self

    def __reduce__(self):  # copy and pickle rebuild it from its id, not from its text
        return _rebuild, (self.id, self.params)


def _rebuild(id: str, params: dict[str, Any]) -> Message:
    return Message(id, **params)


def as_dict(message: str) -> dict[str, Any]:
    """{"id", "params", "text"} for JSON; a plain string (text from elsewhere) has no id."""
    return {"id": getattr(message, "id", None), "params": dict(getattr(message, "params", {})), "text": str(message)}


def step_text(id: str, params: dict[str, Any]) -> StepText:
    """A derivation step's label, formula and substituted formula, rendered; the substituted
    formula is numbers and symbols, the same in every language."""
    entry, t = STEPS[id], _translation()
    what, formula = entry.what, entry.formula
    if t is not None:
        params = _spoken(params, t)
        what, formula = t.pgettext(f"step.{id}.what", what), t.pgettext(f"step.{id}.formula", formula)
    return StepText(what=what.format(**params), formula=formula.format(**params),
                    substituted=entry.substituted.format(**params))
