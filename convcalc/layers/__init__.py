"""The layer registry: every layer type, found by its name or an alias."""

from __future__ import annotations

from convcalc.layers import conv, core, merge, norms, pool, rearrange, split
from convcalc.layers.base import LayerType
from convcalc.messages import Message

REGISTRY: dict[str, LayerType] = {t.name: t for t in (*conv.TYPES, *pool.TYPES, *core.TYPES, *norms.TYPES, *merge.TYPES, *rearrange.TYPES, *split.TYPES)}


def _key(name: str) -> str:
    """Spellings match loosely: `MaxPool2d`, `max_pool2d` and `maxpool2d` are one type."""
    return name.lower().replace("_", "").replace("-", "")


_LOOKUP: dict[str, LayerType] = {}
for _t in REGISTRY.values():
    for _name in (_t.name, *_t.aliases):
        _LOOKUP[_key(_name)] = _t


def find_type(name: str) -> LayerType | None:
    return _LOOKUP.get(_key(name))


def suggest(word: str, choices: list[str]) -> str:
    """` — did you mean 'conv2d'?` for a typo, or nothing."""
    import difflib  # only when a name is unknown

    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return Message("phrase.did_you_mean", word=close[0]) if close else ""
