"""The words convcalc says, as data: every derivation step, teaching note, warning and spec
error is an id with named parameters; its text is rendered from a catalogue (English here).

A second language is a second catalogue with the same ids and placeholders (gettext: the id
is the msgid, `Plural` is ngettext). Rules never glue English together; they name an id and
pass numbers, shapes as text (`3×3`) and users' values already echoed (`errors.echo`).
"""

from __future__ import annotations

from string import Formatter
from typing import Any

from convcalc.english import CATALOGUE, STEPS, Plural, StepText, Template


def template_text(template: Template, params: dict[str, Any]) -> str:
    return (template.pick(params) if isinstance(template, Plural) else template).format(**params)


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
        self = super().__new__(cls, template_text(CATALOGUE[id], params))
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
    """A derivation step's label, formula and substituted formula, rendered."""
    entry = STEPS[id]
    return StepText(what=entry.what.format(**params), formula=entry.formula.format(**params),
                    substituted=entry.substituted.format(**params))
