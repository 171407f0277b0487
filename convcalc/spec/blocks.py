"""Blocks and repeats: the spec's `blocks:` and the entry keys `repeat`, `first` and `if`,
expanded into the flat list of layers the engine reads.

A block is a named sub-network with parameters; a use of it is an entry like a layer's. Each
use makes an instance: its layers are named `<instance>.<inner>` and their `inputs` name the
block's own layers (`input` is what feeds the instance), so a block reads the same wherever it
is used. A layer left out by `if` passes its input through: its name means that input.

Inside a block, argument values and the parameters of the blocks it uses are expressions
(`expression.py`); `repeat`, `if` and the `{…}` of a name template are expressions anywhere.
At the top level, arguments are read as written.

Bounded before the work: every entry visited costs VISIT_STEPS steps and one more per value
written in it (the loader checks them all again for every repetition), at every repetition and
whether left out or not, at most MAX_STEPS in all — what the YAML reader allows a flat spec. A
`repeat` is checked against the steps left before it runs, counting what the block it repeats
takes at least (known from its literal repeats), so a nest of repeats fails at once instead of
after a million steps.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from convcalc.errors import SpecError, echo, layer_where, printable
from convcalc.layers import REGISTRY, find_type, suggest
from convcalc.layers.base import LayerType
from convcalc.messages import Message
from convcalc.record import field, record
from convcalc.spec.expression import FUNCTIONS, RESERVED, evaluate, looks_like_expression
from convcalc.spec.model import MAX_LAYERS, MAX_NAME, Group
from convcalc.spec.yaml_reader import key_line

MAX_STEPS = 300_000  # the YAML reader's MAX_WORK: any flat spec it reads expands within it
VISIT_STEPS = 4  # what visiting an entry costs, next to one step per value written in it
META_KEYS = ("name", "inputs", "repeat", "first", "if")
ENTRY_KEYS = ("type", *META_KEYS)
BLOCK_KEYS = ("params", "layers")
WHOLE_KINDS = frozenset(("int", "sizes", "padding", "pads"))  # argument kinds that take whole numbers
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*\Z")
_TEMPLATE = re.compile(r"\{([^{}]*)\}")


class Place(NamedTuple):
    """Where an entry is, for its messages: its index and line, the mappings its keys were
    written in (for the line of each key) and its group (for the block it is in). The text is
    made only when a message needs it. (A tuple, as Entry is.)"""

    index: int
    line: int | None
    mappings: tuple[Any, ...] = ()
    group: Group | None = None

    def where(self, key: Any = None, name: str | None = None) -> str:
        """`layer 3 'conv2d_1' (line 5)`, with the line of `key` when it has one of its own,
        and the block instance it is in."""
        found = [key_line(m, key) for m in self.mappings if key is not None and key in m]
        line = found[0] if found and found[0] else self.line
        if name is not None:
            where = layer_where(self.index, name, line)
        else:
            where = Message("where.entry_line", index=self.index, line=line) if line else Message("where.entry", index=self.index)
        return where + self.group.context() if self.group else where


class Entry(NamedTuple):
    """One layer of the expanded spec, names resolved, arguments not yet checked. (Built by
    keyword; a tuple because one is made for every layer, at a fifth of a frozen dataclass's cost.)"""

    type: LayerType
    args: dict[str, Any]
    name: Any  # checked by the loader
    inputs: tuple[str, ...]
    place: Place


@record(slots=True)
class Block:
    name: str
    params: dict[str, Any]  # name → default; None: required at each use
    layers: list
    lines: list[int]  # the YAML line of each entry of `layers`, when known
    line: int | None  # where it is defined


class _Parts(NamedTuple):
    """An entry split: its type's name, its arguments (or parameters), the entry keys, and the
    mappings it was written in. (Built by keyword; a tuple, as Entry is.)"""

    type_name: Any
    args: dict[str, Any]
    meta: dict[str, Any]
    mappings: tuple[Any, ...]


@record(frozen=False, slots=True)
class _Scope:
    """Where entries are expanded: the top level, or one block instance."""

    env: dict[str, Any]  # parameter values
    group: Group | None
    prefix: str  # "" or "layer2.0."
    input: str  # what its `input` means
    block: Block | None  # None at the top level
    aliases: dict[str, str] = field(default_factory=dict)  # a name written here → the layer it means
    counters: dict[str, int] = field(default_factory=dict)  # for default names, `<type>_<k>`


def expand(raw_layers: list, lines: list[int], raw_blocks: Any) -> list[Entry]:
    """The layers of a spec with its blocks used and its repeats and `if`s applied."""
    expander = _Expander(read_blocks(raw_blocks))
    expander.entries(raw_layers, lines, _Scope(env={}, group=None, prefix="", input="input", block=None))
    if not expander.layers:
        raise SpecError("error.all_left_out")
    return expander.layers


# --- reading `blocks:` --------------------------------------------------------------------------

def read_blocks(raw: Any) -> dict[str, Block]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SpecError("error.blocks_not_mapping", value=echo(raw))
    return {name: _read_block(name, body, key_line(raw, name)) for name, body in raw.items()}


def block_where(name: Any, line: int | None) -> str:
    name = f"'{printable(name, 40)}'" if isinstance(name, str) else echo(name)
    return Message("where.block_line", name=name, line=line) if line else Message("where.block", name=name)


def _read_block(name: Any, body: Any, line: int | None) -> Block:
    where = block_where(name, line)
    if not isinstance(name, str) or not name or len(name) > MAX_NAME or not name.isprintable():
        raise SpecError("error.block_name", where, limit=MAX_NAME)
    if name in ENTRY_KEYS:
        raise SpecError("error.block_entry_key", where, keys=", ".join(ENTRY_KEYS))
    shadowed = find_type(name)
    if shadowed is not None:
        raise SpecError("error.block_shadows_type", where, type=shadowed.name)
    if not isinstance(body, dict):
        raise SpecError("error.block_not_mapping", where, value=echo(body))
    for key in body:
        if key not in BLOCK_KEYS:
            raise SpecError("error.block_key", where, key=echo(key), suggestion=_suggest(key, BLOCK_KEYS))
    params = body.get("params") or {}
    if not isinstance(params, dict):
        raise SpecError("error.block_params", where, value=echo(params))
    for param in params:
        if not isinstance(param, str) or not _PARAM_NAME.match(param) or param in _TAKEN:
            raise SpecError("error.param_name", where, name=echo(param), taken=", ".join(sorted(_TAKEN)))
    layers = body.get("layers")
    if not isinstance(layers, list) or not layers:
        raise SpecError("error.block_layers", where, value=echo(layers))
    return Block(name=name, params=dict(params), layers=layers, lines=getattr(layers, "lines", []), line=line)


# parameter names that would read as something else: words of the grammar, functions, entry keys
_TAKEN = RESERVED | frozenset(FUNCTIONS) | frozenset(ENTRY_KEYS)


def _uses(block: Block, blocks: dict[str, Block]) -> list[tuple[str | None, int, int, bool]]:
    """(the block it uses or None, its literal repeat or 1, its steps, whether it has `if`) for
    each entry of `block`: enough to find cycles and the least work an instance costs, before
    expanding."""
    uses = []
    for raw in block.layers:
        name, meta = _type_and_meta(raw)
        repeat = meta.get("repeat")
        count = min(repeat, MAX_STEPS + 1) if type(repeat) is int and repeat >= 1 else 1
        used = name if isinstance(name, str) and name in blocks else None
        uses.append((used, count, entry_steps(raw), "if" in meta))
    return uses


def entry_steps(raw: Any) -> int:
    """What visiting an entry costs: VISIT_STEPS and one per value written in it (a list or a
    mapping counts as one, and so does each thing in it), counted up to MAX_STEPS."""
    count, stack = VISIT_STEPS, [raw]
    while stack and count <= MAX_STEPS:
        value = stack.pop()
        count += 1
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return count


def _type_and_meta(raw: Any) -> tuple[Any, dict]:
    if isinstance(raw, str):
        return raw, {}
    if not isinstance(raw, dict):
        return None, {}
    if "type" in raw:
        return raw["type"], raw
    keys = [k for k in raw if k not in ENTRY_KEYS]
    inner = raw.get(keys[0]) if len(keys) == 1 else None
    meta = {**raw, **inner} if isinstance(inner, dict) else raw
    return (keys[0] if len(keys) == 1 else None), meta


def least_steps(blocks: dict[str, Block]) -> dict[str, int]:
    """The fewest steps one instance of each block takes to expand (its entries, times their
    literal repeats, with what the blocks they use take); a block that uses itself, directly or
    through others, is an error naming the cycle. Walked without recursion."""
    uses = {name: _uses(block, blocks) for name, block in blocks.items()}
    least: dict[str, int] = {}
    visiting: set[str] = set()
    for start in blocks:
        stack = [(start, 0)]
        visiting.add(start)
        while stack:
            name, at = stack[-1]
            if at < len(uses[name]):
                stack[-1] = (name, at + 1)
                used = uses[name][at][0]
                if used is None:
                    continue
                if used in visiting:
                    cycle = [n for n, _ in stack]
                    cycle = [*cycle[cycle.index(used):], used]
                    raise SpecError("error.block_cycle", block_where(used, blocks[used].line), cycle=" → ".join(cycle))
                if used not in least:
                    visiting.add(used)
                    stack.append((used, 0))
                continue
            stack.pop()
            visiting.discard(name)
            least[name] = min(MAX_STEPS + 1, sum(count * (steps + (least[used] if used and not has_if else 0))
                                                 for used, count, steps, has_if in uses[name]))
    return least


# --- expanding ----------------------------------------------------------------------------------

class _Expander:
    def __init__(self, blocks: dict[str, Block]) -> None:
        self.blocks = blocks
        self.least = least_steps(blocks)
        self.layers: list[Entry] = []
        self.steps = 0
        self.entry_steps: dict[int, int] = {}  # id of a written entry → its steps, counted once

    def entries(self, raw_list: list, lines: list[int], scope: _Scope) -> str:
        """Expand a list of entries; returns the name of the layer that is its output."""
        previous = scope.input
        for i, raw in enumerate(raw_list):
            previous = self.entry(raw, lines[i] if i < len(lines) else None, scope, previous)
        return previous

    def _visit(self, raw: Any, line: int | None, group: Group | None) -> int:
        """Count a visit of `raw`; returns its steps."""
        steps = self.entry_steps.get(id(raw))
        if steps is None:
            steps = self.entry_steps[id(raw)] = entry_steps(raw)
        self.steps += steps
        if self.steps > MAX_STEPS:
            raise SpecError("error.expansion_too_long", Place(len(self.layers) + 1, line, (), group).where(),
                            limit=MAX_STEPS, layers=MAX_LAYERS)
        return steps

    def entry(self, raw: Any, line: int | None, scope: _Scope, previous: str) -> str:
        """Expand one entry, every repetition of it; returns the name of its output."""
        steps = self._visit(raw, line, scope.group)
        parts = split_entry(raw, len(self.layers) + 1, line, scope.group)
        place = Place(len(self.layers) + 1, line, parts.mappings, scope.group)
        block = self.blocks.get(parts.type_name)
        layer_type = None if block else find_type(parts.type_name)
        if block is None and layer_type is None:
            raise SpecError("error.unknown_type", place.where(), type=echo(parts.type_name),
                            suggestion=_suggest(parts.type_name, [*REGISTRY, *self.blocks]))
        base = _base_name(parts.meta, place)
        if block is None and parts.meta.keys() <= {"name", "inputs"} and "{" not in (base or ""):
            # a layer written once, the common case
            local = base or _default_name(layer_type.name, scope)
            name = scope.prefix + local
            inputs = self._inputs(parts.meta, place, scope, previous, name) if "inputs" in parts.meta else (previous,)
            args = self._arguments(layer_type, parts.args, scope, 0, place, name) if scope.block else parts.args
            scope.aliases[local] = self._layer(layer_type, args, inputs, place, name)
            return name
        return self._repetitions(parts, block or layer_type, base, place, scope, previous, (raw, steps))

    def _repetitions(self, parts: _Parts, what: Block | LayerType, base: str | None, place: Place, scope: _Scope,
                     previous: str, visit: tuple[Any, int]) -> str:
        """Every repetition of an entry with `repeat`, `first` or `if`, or of a block use."""
        meta, block = parts.meta, what if isinstance(what, Block) else None
        count = self._count(meta, place, scope, block, visit[1])
        first = self._first(meta, place)
        group = scope.group
        if "repeat" in meta and base is not None and "{" not in base:
            group = _child(group, scope.prefix + base, what.name, instance=False)
        for k in range(count):
            if k:
                self._visit(visit[0], place.line, group)
            place = Place(len(self.layers) + 1, place.line, parts.mappings, group)
            env = {**scope.env, "index": k}
            local = self._local_name(base, what.name, k, "repeat" in meta, env, place, scope)
            name = scope.prefix + local
            inputs = self._inputs(meta, place, scope, previous, name)
            if "if" in meta and not self._truth(meta["if"], env, place, name):
                previous = scope.aliases[local] = inputs[0]  # left out: its name means its input
                continue
            given = {**parts.args, **first} if k == 0 and first else parts.args
            if block:
                previous = self._use(block, given, env, inputs, place, scope, name, group)
            else:
                args = self._arguments(what, given, scope, k, place, name)
                previous = self._layer(what, args, inputs, place, name)
            scope.aliases[local] = previous
        if group is not scope.group:
            scope.aliases[base] = previous  # a repeated entry's name means its last repetition
        return previous

    def _count(self, meta: dict, place: Place, scope: _Scope, block: Block | None, visit_steps: int) -> int:
        """How many times the entry repeats, checked against the steps and layers left."""
        if "repeat" not in meta:
            count = 1
        else:
            value = self._expression(meta["repeat"], {**scope.env, "index": 0}, place, "repeat", None, whole=True)
            if type(value) is not int or not 1 <= value <= MAX_LAYERS:
                raise SpecError("error.repeat_count", place.where("repeat"), limit=MAX_LAYERS, value=echo(value))
            count = value
        has_if = "if" in meta
        steps = count * (visit_steps + (self.least[block.name] if block and not has_if else 0)) - visit_steps
        if self.steps + steps > MAX_STEPS:
            raise SpecError("error.expansion_too_large", place.where("repeat"), limit=MAX_STEPS, steps=steps,
                            done=self.steps, layers=MAX_LAYERS)
        if block is None and not has_if and len(self.layers) + count > MAX_LAYERS:
            raise SpecError("error.expanded_too_many_layers", place.where("repeat"), count=len(self.layers) + count,
                            limit=MAX_LAYERS)
        return count

    def _first(self, meta: dict, place: Place) -> dict:
        if "first" not in meta:
            return {}
        first = meta["first"]
        if "repeat" not in meta:
            raise SpecError("error.first_without_repeat", place.where("first"))
        if not isinstance(first, dict):
            raise SpecError("error.first_not_mapping", place.where("first"), value=echo(first))
        return first

    def _local_name(self, base: str | None, kind: str, k: int, repeated: bool, env: dict, place: Place,
                    scope: _Scope) -> str:
        """The name as written in its scope: `<type>_<k>`, `conv1`, `layer1.0`, `denselayer1`."""
        if base is None:
            return _default_name(kind, scope)
        if "{" in base:
            return self._template(base, env, place)
        return f"{base}.{k}" if repeated else base

    def _template(self, base: str, env: dict, place: Place) -> str:
        def part(match: re.Match) -> str:
            value = self._expression(match.group(1), env, place, "name", None, whole=True)
            if type(value) is not int and not isinstance(value, str):
                raise SpecError("error.name_part", place.where("name"), expression=echo(match.group(1)),
                                value=echo(value))
            return str(value)

        name = _TEMPLATE.sub(part, base)
        if "{" in name or "}" in name:
            raise SpecError("error.name_braces", place.where("name"), value=echo(base))
        return name

    def _inputs(self, meta: dict, place: Place, scope: _Scope, previous: str, name: str) -> tuple[str, ...]:
        if "inputs" not in meta:
            return (previous,)
        value = meta["inputs"]
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise SpecError("error.inputs_not_names", place.where("inputs", name), value=echo(value))
        return tuple(self._resolve(n, scope, place, name) for n in names)

    def _resolve(self, written: str, scope: _Scope, place: Place, name: str) -> str:
        """The layer a name in `inputs` means: `input`, a name written in this scope, or one
        output of one (`split_1.0`); at the top level anything else is left to the loader."""
        if written == "input":
            return scope.input
        found = scope.aliases.get(written)
        if found is not None:
            return found
        head, dot, tail = written.rpartition(".")
        if dot and tail.isdigit() and head in scope.aliases:
            return f"{scope.aliases[head]}.{tail}"
        if scope.block is None:
            return written
        known = ["input", *scope.aliases]
        raise SpecError("error.unknown_block_input", place.where("inputs", name), name=echo(written),
                        block=printable(scope.block.name, 40), suggestion=_suggest(written, known),
                        known=printable(", ".join(known), 120))

    def _truth(self, value: Any, env: dict, place: Place, name: str) -> bool:
        if isinstance(value, str):
            value = self._expression(value, env, place, "if", name)
        if type(value) is not bool:
            raise SpecError("error.if_not_truth", place.where("if", name), value=echo(value))
        return value

    def _use(self, block: Block, given: dict, env: dict, inputs: tuple[str, ...], place: Place, scope: _Scope,
             name: str, group: Group | None) -> str:
        """One instance of a block; returns the name of its output layer."""
        if len(inputs) != 1:
            raise SpecError("error.block_one_input", place.where("inputs", name), block=block.name, count=len(inputs))
        params = dict(block.params)
        for key, value in given.items():
            if key not in block.params:
                raise SpecError("error.unknown_param", place.where(key, name), key=echo(key), block=block.name,
                                suggestion=_suggest(key, list(block.params)),
                                valid=Message("phrase.params", names=", ".join(block.params)) if block.params
                                else Message("phrase.no_params"))
            params[key] = self._value(value, env, place, key, name)  # a top-level use reads `index` too
        for key, value in params.items():
            if value is None:
                raise SpecError("error.missing_param", place.where(None, name), block=block.name, name=key)
        instance = _child(group, name, block.name, instance=True, line=place.line, params=tuple(params.items()))
        inner = _Scope(env=params, group=instance, prefix=name + ".", input=inputs[0], block=block)
        return self.entries(block.layers, block.lines, inner)

    def _layer(self, layer_type: LayerType, args: dict, inputs: tuple[str, ...], place: Place, name: str) -> str:
        if len(self.layers) >= MAX_LAYERS:
            raise SpecError("error.expanded_too_many_layers", place.where(), count=len(self.layers) + 1,
                            limit=MAX_LAYERS)
        self.layers.append(Entry(type=layer_type, args=args, name=name, inputs=inputs, place=place))
        return name

    # --- values -----------------------------------------------------------------------------------

    def _arguments(self, layer_type: LayerType, given: dict, scope: _Scope, k: int, place: Place, name: str) -> dict:
        """A layer's arguments: evaluated inside a block, as written at the top level."""
        if scope.block is None:
            return given
        env = {**scope.env, "index": k}
        return {key: self._argument(layer_type, key, value, env, place, name) for key, value in given.items()}

    def _argument(self, layer_type: LayerType, key: Any, value: Any, env: dict, place: Place, name: str) -> Any:
        arg = layer_type.arg(key) if isinstance(key, str) else None
        return self._value(value, env, place, key, name, whole=arg is not None and arg.kind in WHOLE_KINDS)

    def _value(self, value: Any, env: dict, place: Place, key: Any, name: str, whole: bool = False) -> Any:
        """A value written inside a block: an expression evaluated, a word kept, a list item by item."""
        if isinstance(value, str):
            return self._expression(value, env, place, key, name, whole) if looks_like_expression(value, env) else value
        if isinstance(value, list):
            return [self._value(v, env, place, key, name, whole) for v in value]
        return value

    def _expression(self, value: Any, env: dict, place: Place, key: Any, name: str | None, whole: bool = False) -> Any:
        """`value` evaluated when it is text; a whole float becomes an int where one is wanted."""
        if not isinstance(value, str):
            return value
        try:
            result = evaluate(value, env)
        except SpecError as e:
            raise e.at(place.where(key, name)) from None
        if whole and type(result) is float:
            if not result.is_integer():
                raise SpecError("error.expr_not_whole", place.where(key, name), key=echo(key),
                                expression=echo(value), value=f"{result:.6g}")
            result = int(result)
        return result


def _base_name(meta: dict, place: Place) -> str | None:
    """The entry's `name` as written, checked enough to build names from."""
    if "name" not in meta:
        return None
    base = meta["name"]
    if not isinstance(base, str) or not base:
        raise SpecError("error.name_empty", place.where("name"), what=Message("phrase.name"), value=echo(base))
    if len(base) > MAX_NAME:
        raise SpecError("error.name_too_long", place.where("name"), what=Message("phrase.name"), length=len(base),
                        limit=MAX_NAME, value=echo(base))
    return base


def _default_name(kind: str, scope: _Scope) -> str:
    """`<type>_<k>`, counting that type (or block) from 1 in its scope."""
    scope.counters[kind] = scope.counters.get(kind, 0) + 1
    return f"{kind}_{scope.counters[kind]}"


def _child(parent: Group | None, name: str, kind: str, **fields: Any) -> Group:
    return Group(name=name, kind=kind, parent=parent, path=(*(parent.path if parent else ()), name), **fields)


def split_entry(raw: Any, index: int, line: int | None, group: Group | None) -> _Parts:
    """The type, its arguments, the entry keys and the mappings written, from any of the three
    entry forms."""
    if isinstance(raw, str):
        return _Parts(type_name=raw, args={}, meta={}, mappings=())
    place = Place(index, line, (), group)
    if not isinstance(raw, dict) or not raw:
        raise SpecError("error.entry_shape", place.where(), value=echo(raw))
    body = dict(raw)
    mappings: tuple = (raw,)
    if "type" in body:
        type_name = body.pop("type")
    else:
        keys = [k for k in body if k not in ENTRY_KEYS]
        if len(keys) != 1:
            raise SpecError("error.entry_keys", place.where(), keys=echo(keys))
        type_name = keys[0]
        inner = body.pop(type_name)
        if inner is not None and not isinstance(inner, dict):
            raise SpecError("error.arguments_not_mapping", place.where(type_name), type=echo(type_name), value=echo(inner))
        body.update(inner or {})
        mappings = (inner or {}, raw)
    if not isinstance(type_name, str):
        raise SpecError("error.type_not_name", place.where(), value=echo(type_name))
    meta = {k: body.pop(k) for k in META_KEYS if k in body}
    return _Parts(type_name=type_name, args=body, meta=meta, mappings=mappings)


def _suggest(word: Any, choices: list[str] | tuple[str, ...]) -> str:
    """`suggest`, for words short enough to be a typo."""
    return suggest(word, list(choices)) if isinstance(word, str) and len(word) <= MAX_NAME else ""
