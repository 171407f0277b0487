"""The translations: `<language>/LC_MESSAGES/convcalc.po` (edited by translators) and the
compiled `.mo` beside it (what convcalc reads, through gettext). `python -m convcalc.locale.build`
regenerates `convcalc.pot` from `convcalc/english.py`, merges it into every `.po` and compiles."""
