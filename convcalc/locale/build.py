"""Development tool (needs Babel): `python -m convcalc.locale.build [--check]`.

1. the template `convcalc.pot` from the English catalogue: msgctxt = the catalogue id, msgid =
   the English template (a `Plural` is an ngettext entry); a step gives `step.<id>.what` and,
   when its formula has words in it, `step.<id>.formula`;
2. each `<language>/LC_MESSAGES/convcalc.po` updated from it (translations kept, new entries
   empty, entries no longer used kept as obsolete `#~` lines);
3. each `.mo` compiled from its `.po`.

`--check` writes nothing and exits 1 when any file differs from what it would write.
"""

from __future__ import annotations

import copy
import io
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from convcalc.english import CATALOGUE, STEPS, Plural

HERE = Path(__file__).parent
TRANSLATED = ("zh", "es")
FIXED_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)  # so that the same catalogue gives the same bytes
# a formula with a word of three letters or more that is not a function's name needs translating
WORDS = re.compile(r"\b(?!(?:floor|ceil|max|min|round)\b)[a-z]{3,}\b")
NOT_WORDS = re.compile(r"\{[^}]*\}|\w*_\w*")  # placeholders and argument names (output_padding)


def template() -> Catalog:
    catalog = _catalog(None)
    for id, text in CATALOGUE.items():
        catalog.add((text.one, text.other) if isinstance(text, Plural) else text, context=id)
    for id, step in STEPS.items():
        catalog.add(step.what, context=f"step.{id}.what")
        if WORDS.search(NOT_WORDS.sub("", step.formula)):
            catalog.add(step.formula, context=f"step.{id}.formula")
    return catalog


def _catalog(locale: str | None) -> Catalog:
    return Catalog(locale=locale, domain="convcalc", project="convcalc", version="0.1.0",
                   creation_date=FIXED_DATE, revision_date=FIXED_DATE, fuzzy=False)


def po_bytes(catalog: Catalog, **options) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, **options)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    """The compiled catalogue, with the translated entries only: gettext then falls back to the
    English template (and its plural rule) for the rest, never to an empty text."""
    done = copy.deepcopy(catalog)
    for message in list(done)[1:]:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            done.delete(message.id, message.context)
    out = io.BytesIO()
    write_mo(out, done)
    return out.getvalue()


def po_path(language: str) -> Path:
    return HERE / language / "LC_MESSAGES" / "convcalc.po"


def read(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return _catalog(language)
    with path.open("rb") as f:
        return read_po(f, locale=language)


def updated(language: str, pot: Catalog) -> Catalog:
    catalog = read(language)
    catalog.update(pot, no_fuzzy_matching=True, update_creation_date=False)
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    return catalog


def outputs() -> dict[Path, bytes]:
    """Every file this tool writes, and its bytes."""
    pot = template()
    files = {HERE / "convcalc.pot": po_bytes(pot, omit_header=False)}
    for language in TRANSLATED:
        catalog = updated(language, pot)
        files[po_path(language)] = po_bytes(catalog)
        files[po_path(language).with_suffix(".mo")] = mo_bytes(catalog)
    return files


def main(argv: list[str]) -> int:
    stale = [path for path, data in outputs().items() if not path.exists() or path.read_bytes() != data]
    if "--check" in argv:
        for path in stale:
            print(f"out of date: {path.relative_to(HERE.parent.parent)}")
        return 1 if stale else 0
    for path, data in outputs().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {len(stale)} file(s)" if stale else "all current")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
