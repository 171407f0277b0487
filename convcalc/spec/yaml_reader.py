"""YAML text → plain Python values, in one bounded pass over the parser's events.

PyYAML's loaders compose a node tree and then construct it; an alias is shared there, but any
code that later walks the values walks them expanded ("billion laughs": a 460 KB file, minutes
and gigabytes). This reader builds the values itself from the event stream and bounds the work
as it goes:

- every value read counts, an alias at its expanded size, up to MAX_WORK in all (a list or a
  mapping counts twice, for its start and its end: an empty `{}` costs about what `1` does, and
  the time a 1 MiB file of `{},` takes is what sets the bound);
- nesting stops at MAX_DEPTH (libyaml's own composer recurses and crashes on deep input, so it
  never runs);
- the list under one top-level key (`layers`) is counted as it streams, so a file with too many
  entries is refused at the first one too many, and the line of each entry is kept (a list
  under that key deeper down, a block's layers, keeps its lines too: a `YamlList`);
- a mapping key given twice is an error naming both lines.

Scalars follow the YAML 1.2 core schema (`010` is 10, `0o10` is 8, `0x1F` is 31, `1:00` is text,
no timestamps), with one YAML 1.1 habit kept: `yes/no/on/off` are booleans, which messages echo
as `true`/`false`. Quoted scalars are always text. Merge keys (`<<: *defaults`) work as in PyYAML.
"""

from __future__ import annotations

import gc
import math
import re
from typing import Any, Callable

import yaml

from convcalc.errors import SpecError, echo, printable
from convcalc.messages import Message
from convcalc.record import field, record

MAX_DEPTH = 64  # a spec nests 4 deep
MAX_WORK = 300_000  # values read, aliases expanded: a 10,000-layer spec at the byte cap needs ~260,000 at most
MAX_DIGITS = 30  # digits in one number; int() of a huge literal is slow, past 4,300 refused
_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # only its event parser is used

_CORE = "tag:yaml.org,2002:"
_TRUE = ("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON")
_FALSE = ("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF")
_INF = (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")
_WORDS: dict[str, Any] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys(_TRUE, True),
    **dict.fromkeys(_FALSE, False),
    **dict.fromkeys(_INF, math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
}
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_NUMBER_START = frozenset("0123456789+-.")
_COLLECTION_TAGS = (None, "!", _CORE + "seq", _CORE + "map")
_MERGE = "<<"
_UNSEEN = object()
_NO_KEY = object()  # a mapping waiting for a key, not a value
_KEY_TYPES = frozenset((str, int, float, bool, type(None)))


class YamlMap(dict):
    """A YAML mapping: a dict that also knows where each of its keys was written."""

    __slots__ = ("places",)  # key → (line, column), counted from 1: small tuples, not parser marks

    def line_of(self, key: Any) -> int | None:
        place = self.places.get(key)
        return place[0] if place else None


class YamlList(list):
    """A list under a `layers` key below the top (a block's layers): it knows the line of each item."""

    __slots__ = ("lines",)


def key_line(mapping: Any, key: Any) -> int | None:
    """The YAML line of `key` in `mapping`, when the mapping came from YAML text."""
    return mapping.line_of(key) if isinstance(mapping, YamlMap) else None


def read_yaml(text: str, *, counted_key: str, max_items: int, items_error: str) -> tuple[Any, list[int]]:
    """The document's value and the YAML line of each item of the list under the top-level
    `counted_key`; more than `max_items` such items, or any bound above, is a SpecError."""
    builder = _Builder(counted_key=counted_key, max_items=max_items, items_error=items_error)
    parser = _Parser(text)
    collecting = gc.isenabled()
    gc.disable()  # the values hold no cycles; the collector would only walk the growing heap again and again
    try:
        builder.run(parser.get_event)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = e.problem or e.context
        if mark:
            raise SpecError("error.yaml_syntax_at", line=mark.line + 1, column=mark.column + 1, problem=problem) from None
        raise SpecError("error.yaml_syntax", problem=problem) from None
    except yaml.YAMLError as e:
        raise SpecError("error.yaml", problem=str(e).splitlines()[0]) from None
    finally:
        parser.dispose()
        if collecting:
            gc.enable()
    return builder.root, builder.item_lines


@record(frozen=False, kw_only=False, slots=True)
class _Open:
    """A sequence or mapping whose end event has not come yet."""

    value: list | YamlMap
    is_list: bool
    mark: Any  # where it starts
    anchor: str | None
    work_before: int  # the work counted before it, for its anchor's expanded size
    key: Any = _NO_KEY  # a mapping's key waiting for its value
    merges: list | None = None  # `<<` values, merged in at the end
    item_lines: list[int] | None = None  # set on the one counted list


@record(frozen=False, slots=True)
class _Builder:
    counted_key: str
    max_items: int
    items_error: str
    root: Any = None
    item_lines: list[int] = field(default_factory=list)
    work: int = 0
    documents: int = 0
    stack: list[_Open] = field(default_factory=list)
    top: _Open | None = None  # stack[-1]
    anchors: dict[str, tuple[Any, int]] = field(default_factory=dict)  # name → (value, expanded size)
    plain: dict[str, Any] = field(default_factory=dict)  # short plain scalars already resolved

    def run(self, get_event: Callable[[], Any]) -> None:
        """The hot loop: plain scalars and collections here, anything rarer in a method."""
        plain, scalar_event = self.plain, yaml.ScalarEvent
        opening, closing = (yaml.SequenceStartEvent, yaml.MappingStartEvent), (yaml.SequenceEndEvent, yaml.MappingEndEvent)
        while (event := get_event()) is not None:
            kind = type(event)
            if kind is scalar_event and event.tag is None and event.implicit[0] and event.anchor is None:
                self.work += 1
                value = plain.get(event.value, _UNSEEN)
                if value is _UNSEEN:
                    value = self._resolve(event.value, event.start_mark)
                mark = event.start_mark
            elif kind in opening:
                self._open(event)
                continue
            elif kind in closing:
                value, mark = self._close()
            elif kind is scalar_event or kind is yaml.AliasEvent:
                value, mark = self._rare_value(event)
            else:
                self._other(event)
                continue
            if self.work > MAX_WORK:
                _refuse_size(mark)
            self._add(value, mark)

    def _rare_value(self, event: Any) -> tuple[Any, Any]:
        """A tagged or anchored scalar, or an alias (counted at its expanded size)."""
        if type(event) is yaml.ScalarEvent:
            self.work += 1
            value = scalar_value(event)
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, 1)
            return value, event.start_mark
        found = self.anchors.get(event.anchor)
        if found is None:
            self._refuse_alias(event)
        self.work += found[1]
        return found[0], event.start_mark

    def _other(self, event: Any) -> None:
        if type(event) is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                raise SpecError("error.yaml_second_document", line=event.start_mark.line + 1)

    def _close(self) -> tuple[Any, Any]:
        self.work += 1
        frame = self.stack.pop()
        self.top = self.stack[-1] if self.stack else None
        value = _merged(frame) if frame.merges else frame.value
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (value, self.work - frame.work_before)
        return value, frame.mark

    def _open(self, event: Any) -> None:
        mark = event.start_mark
        if len(self.stack) >= MAX_DEPTH:
            raise SpecError("error.yaml_too_deep", limit=MAX_DEPTH, line=mark.line + 1)
        if event.tag is not None and event.tag not in _COLLECTION_TAGS:
            raise SpecError("error.yaml_tag", tag=echo(_short_tag(event.tag)), line=mark.line + 1)
        is_list = type(event) is yaml.SequenceStartEvent
        counted = is_list and self.top is not None and self.top.key == self.counted_key
        if counted and len(self.stack) > 1:
            value = YamlList()
            value.lines = []
        elif is_list:
            value = []
        else:
            value = YamlMap()
            value.places = {}
        frame = _Open(value, is_list, mark, event.anchor, self.work)
        if counted:
            frame.item_lines = self.item_lines if len(self.stack) == 1 else value.lines
        self.work += 1
        self.stack.append(frame)
        self.top = frame

    def _resolve(self, text: str, mark: Any) -> Any:
        value = plain_value(text, mark)
        if len(text) <= 32 and len(self.plain) < 4096:
            self.plain[text] = value
        return value

    def _add(self, value: Any, mark: Any) -> None:
        """Put a finished value into the open collection (or make it the document)."""
        top = self.top
        if top is None:
            self.root = value
        elif top.is_list:
            top.value.append(value)
            if top.item_lines is not None:
                self._count_item(top.item_lines, mark)
        elif top.key is not _NO_KEY:
            if top.key == _MERGE:
                top.merges = _merge_sources(value, top.mark)
            else:
                top.value[top.key] = value
            top.key = _NO_KEY
        elif type(value) in _KEY_TYPES and value not in top.value.places:
            top.value.places[value] = (mark.line + 1, mark.column + 1)
            top.key = value
        else:
            _refuse_key(top, value, mark)

    def _count_item(self, lines: list[int], mark: Any) -> None:
        lines.append(mark.line + 1)
        if len(lines) > self.max_items:
            raise SpecError(self.items_error, limit=self.max_items, entry=len(lines), line=mark.line + 1)

    def _refuse_alias(self, event: Any) -> None:
        name, line = printable(event.anchor, 40), event.start_mark.line + 1
        if any(frame.anchor == event.anchor for frame in self.stack):
            raise SpecError("error.yaml_alias_loop", name=name, line=line)
        raise SpecError("error.yaml_alias_unknown", name=name, line=line)


def _refuse_size(mark: Any) -> None:
    raise SpecError("error.yaml_too_large", limit=MAX_WORK, line=mark.line + 1)


def _refuse_key(frame: _Open, key: Any, mark: Any) -> None:
    if type(key) not in _KEY_TYPES:
        raise SpecError("error.yaml_key", key=echo(key), line=mark.line + 1)
    first, second = frame.value.places[key], (mark.line + 1, mark.column + 1)
    raise SpecError("error.yaml_duplicate_key", key=echo(key), at=_place(second, first), first=_place(first, second))


def _merge_sources(value: Any, mark: Any) -> list:
    sources = value if isinstance(value, list) else [value]
    if not all(isinstance(s, YamlMap) for s in sources):
        raise SpecError("error.yaml_merge", value=echo(value), line=mark.line + 1)
    return sources


def _merged(frame: _Open) -> YamlMap:
    """PyYAML's merge: the mapping's own keys win, then the first source that has the key."""
    merged = YamlMap()
    merged.places = {}
    for source in reversed(frame.merges):
        merged.update(source)
        merged.places.update(source.places)
    merged.update(frame.value)
    merged.places.update(frame.value.places)
    return merged


def _place(place: tuple[int, int], other: tuple[int, int]) -> str:
    """`line 3`, with the column when the other place is on the same line."""
    if place[0] == other[0]:
        return Message("phrase.line_column", line=place[0], column=place[1])
    return Message("phrase.line", line=place[0])


def scalar_value(event: Any) -> Any:
    """A scalar event's value: plain scalars resolved by the core schema, quoted ones text."""
    text, tag = event.value, event.tag
    if tag is None and event.implicit[0]:
        return plain_value(text, event.start_mark)
    if tag is None or tag == "!" or tag == _CORE + "str":
        return text
    return _tagged_value(text, tag, event.start_mark)


def plain_value(text: str, mark: Any) -> Any:
    """`null`, `true`, `10`, `0x1F`, `2.5`, `.inf` — or the text itself."""
    if text in _WORDS:
        return _WORDS[text]
    if text[0] not in _NUMBER_START:
        return text
    if _INT.fullmatch(text):
        return _whole(text, mark)
    if _FLOAT.fullmatch(text):
        if len(text) > MAX_DIGITS:
            _check_digits(sum(c.isdigit() for c in text), mark)
        return float(text)
    return text


def _whole(text: str, mark: Any) -> int:
    base = {"0o": 8, "0x": 16}.get(text[:2], 10)
    if len(text) > MAX_DIGITS:
        _check_digits(len(text.lstrip("+-")) - (2 if base != 10 else 0), mark)
    return int(text[2:] if base != 10 else text, base)  # `010` is ten, as YAML 1.2 reads it


def _check_digits(digits: int, mark: Any) -> None:
    if digits > MAX_DIGITS:
        raise SpecError("error.yaml_digits", digits=digits, line=mark.line + 1, limit=MAX_DIGITS)




def _tagged_value(text: str, tag: str, mark: Any) -> Any:
    """`!!int "12"`, `!!float 3`, `!!bool yes`, `!!null ''`; any other tag is refused."""
    want = {_CORE + "int": int, _CORE + "float": float, _CORE + "bool": bool, _CORE + "null": type(None)}.get(tag)
    if want is None:
        raise SpecError("error.yaml_tag", tag=echo(_short_tag(tag)), line=mark.line + 1)
    value = plain_value(text, mark) if text else None
    if want is float and type(value) is int:
        return float(value)
    if type(value) is not want:
        raise SpecError("error.yaml_tag_value", tag=_short_tag(tag), value=echo(text), line=mark.line + 1,
                        wanted=Message(_TAG_WORDS[want]))
    return value


_TAG_WORDS = {int: "phrase.a_whole_number", float: "phrase.a_number", bool: "phrase.true_or_false", type(None): "phrase.null"}


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
