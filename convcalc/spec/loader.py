"""YAML → layer descriptors.

Reading is bounded: bytes here, values, aliases, nesting, layers and digits in `yaml_reader`
(one pass over PyYAML's event parser, the C one when it is there). The reader keeps the line of
every layer entry and of every key, so an error points at its entry, or at the argument itself.
Every user value a message shows goes through `echo`; names are printable text.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Sequence

from convcalc.errors import SpecError, echo, printable
from convcalc.files import read_bounded
from convcalc.layers import suggest
from convcalc.layers.base import MAX_DIM, Arg, LayerType
from convcalc.messages import Message
from convcalc.record import replace
from convcalc.spec.blocks import Entry, Place, expand
from convcalc.spec.model import MAX_LAYERS, MAX_NAME, LayerSpec, Spec, frozen_args
from convcalc.spec.yaml_reader import read_yaml

MAX_BYTES = 1 << 20  # 1 MiB: ResNet-152 written out is ~40 KiB
TOP_KEYS = ("name", "input", "blocks", "layers")


# the bundled examples, beside the package (a plain folder in a wheel or a checkout:
# importlib.resources would add 5 ms of imports to every cold start)
SPECS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "specs")


def bundled_examples() -> list[str]:
    return sorted(name[:-5] for name in os.listdir(SPECS) if name.endswith(".yaml"))


def read_source(source: str) -> tuple[str, str]:
    """The spec's text and a label for messages: a path, `-` (stdin) or a bundled example name."""
    if source == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        return _decode(data, "standard input"), "standard input"
    if os.path.exists(source):
        data = read_bounded(source, MAX_BYTES, "error.source_too_large", source=echo(source))
        return _decode(data, echo(source)), echo(source)
    name = source[:-5] if source.endswith(".yaml") else source
    examples = bundled_examples()
    if name in examples:
        with open(os.path.join(SPECS, f"{name}.yaml"), encoding="utf-8") as f:
            return f.read(), name
    raise SpecError("error.no_source", source=echo(source), suggestion=_suggest(name, examples),
                    examples=", ".join(examples))


def _decode(data: bytes, label: str) -> str:
    if len(data) > MAX_BYTES:
        raise SpecError("error.text_too_large", label=label, limit=MAX_BYTES)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SpecError("error.not_utf8", label=label, byte=data[e.start], offset=e.start) from None


def load_yaml(text: str) -> tuple[Any, list[int]]:
    """The document and the YAML line of each entry under `layers`, in one bounded pass."""
    return read_yaml(text, counted_key="layers", max_items=MAX_LAYERS, items_error="error.yaml_too_many_layers")


def parse_spec(text: str, input_override: tuple[int, ...] | None = None) -> Spec:
    data, lines = load_yaml(text)
    return parse_data(data, lines, input_override)


def parse_data(data: Any, lines: list[int] | None = None, input_override: tuple[int, ...] | None = None) -> Spec:
    """A spec from already-loaded data (`lines`: the YAML line of each layer entry, if known)."""
    lines = lines or []
    if data is None:
        raise SpecError("error.empty_spec")
    if not isinstance(data, dict):
        raise SpecError("error.spec_not_mapping", value=echo(data))
    for key in data:
        if key not in TOP_KEYS:
            raise SpecError("error.unknown_top_key", key=echo(key), suggestion=_suggest(key, TOP_KEYS),
                            valid=", ".join(TOP_KEYS))
    name = data.get("name", "network")
    problem = _name_problem(name, "phrase.network_name")
    if problem:
        raise problem
    input_shape = parse_input(list(input_override) if input_override else data.get("input"))
    raw_layers = data.get("layers")
    if raw_layers is None:
        raise SpecError("error.no_layers")
    if not isinstance(raw_layers, list) or not raw_layers:
        raise SpecError("error.layers_not_list", value=echo(raw_layers))
    if len(raw_layers) > MAX_LAYERS:
        raise SpecError("error.too_many_layers", count=len(raw_layers), limit=MAX_LAYERS)
    layers = _parse_layers(raw_layers, lines, data.get("blocks"))
    return Spec(name, input_shape, layers)


def parse_input(value: Any) -> tuple[int, ...]:
    if value is None:
        raise SpecError("error.no_input")
    dims = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(dims, list) or not 1 <= len(dims) <= 4:
        raise SpecError("error.input_rank", value=echo(value))
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= MAX_DIM:
            raise SpecError("error.input_size", high=MAX_DIM, value=echo(d))
    return tuple(dims)


def _name_problem(name: Any, what: str) -> SpecError | None:
    """What is wrong with a layer or network name, if anything: a name is text that a terminal,
    a CSV cell and a message can show as it is."""
    if not isinstance(name, str) or not name:
        return SpecError("error.name_empty", what=Message(what), value=echo(name))
    if len(name) > MAX_NAME:
        return SpecError("error.name_too_long", what=Message(what), length=len(name), limit=MAX_NAME, value=echo(name))
    if not name.isprintable():
        bad = next(c for c in name if not c.isprintable())
        return SpecError("error.name_not_printable", what=Message(what), value=echo(name), bad=printable(bad))
    return None


def _suggest(word: Any, choices: Sequence[str]) -> str:
    """`suggest`, for words short enough to be a typo."""
    return suggest(word, list(choices)) if isinstance(word, str) and len(word) <= MAX_NAME else ""


def _parse_layers(raw_layers: list, lines: list[int], raw_blocks: Any) -> tuple[LayerSpec, ...]:
    positions: dict[str, int] = {}
    layers: list[LayerSpec] = []
    for i, entry in enumerate(expand(raw_layers, lines, raw_blocks)):
        layer = _parse_entry(entry, i + 1)
        if layer.name in positions or layer.name == "input":
            first = (Message("phrase.the_network_input") if layer.name == "input"
                     else Message("phrase.layer_number", index=positions[layer.name] + 1))
            raise SpecError("error.name_taken", layer.where, name=layer.name, first=first)
        positions[layer.name] = i
        layers.append(layer)
    for layer in layers:
        _check_not_an_output(layer, layers, positions)
        _check_inputs(layer, layers, positions)
    return tuple(layers)


def _parse_entry(entry: Entry, index: int) -> LayerSpec:
    """A layer from one expanded entry (`blocks.expand` gave it its name and inputs)."""
    place, name, layer_type = entry.place, entry.name, entry.type
    problem = _name_problem(name, "phrase.name")
    if problem:
        raise problem.at(place.where("name"))
    problem = _input_count_problem(layer_type, len(entry.inputs))
    if problem:
        raise problem.at(place.where("inputs", name))
    args = frozen_args(_parse_args(layer_type, entry.args, place, name))
    group = place.group
    return LayerSpec(index, name, layer_type.name, args, entry.inputs, place.line, layer_type.outputs(args),
                     group.path if group else (), group)


def _input_count_problem(layer_type: LayerType, count: int) -> SpecError | None:
    if count < layer_type.min_inputs:
        return SpecError("error.too_few_inputs", type=layer_type.name, least=layer_type.min_inputs, count=count)
    if layer_type.max_inputs and count > layer_type.max_inputs:
        return SpecError("error.one_input", type=layer_type.name, count=count)
    return None


def _parse_args(layer_type: LayerType, raw: dict, place: Place, name: str) -> dict[str, Any]:
    args: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, value in raw.items():
        arg = layer_type.arg(key) if isinstance(key, str) else None
        if arg is None:
            valid = [a.name for a in layer_type.args]
            spellings = [s for a in layer_type.args for s in (a.name, *a.aliases)]
            listing = (Message("phrase.valid", valid=", ".join(valid)) if valid
                       else Message("phrase.no_arguments", type=layer_type.name))
            raise SpecError("error.unknown_argument", place.where(key, name), key=echo(key), type=layer_type.name,
                            suggestion=_suggest(key, spellings), listing=listing)
        if arg.name in args:
            raise SpecError("error.argument_twice", place.where(key, name), key=key, first=spelled[arg.name])
        try:
            args[arg.name] = arg.check(value)
        except SpecError as e:
            raise e.at(place.where(key, name)) from None
        spelled[arg.name] = key
    for arg in layer_type.args:
        if arg.name not in args:
            if arg.required:
                raise SpecError("error.missing_argument", place.where(None, name), type=layer_type.name, name=arg.name,
                                spellings=_spellings(arg))
            args[arg.name] = arg.default
    return args


def _spellings(arg: Arg) -> str:
    return " or ".join((arg.name, *arg.aliases)) + (f": {arg.help}" if arg.help else "")


def _check_inputs(layer: LayerSpec, layers: list[LayerSpec], positions: dict[str, int]) -> None:
    for name in layer.inputs:
        if name == "input":
            continue
        pos = _source(name, layer, layers, positions)
        if pos >= layer.index - 1:
            cycle = _find_cycle(layer.name, layers, positions)
            if cycle:
                raise SpecError("error.input_cycle", layer.where, cycle=" ← ".join(cycle))
            raise SpecError("error.input_later", layer.where, name=name, at=layers[pos].where)


def _source(name: str, layer: LayerSpec, layers: list[LayerSpec], positions: dict[str, int]) -> int:
    """The position of the layer whose tensor `name` is: a layer's name, or `<name>.k` for
    output k of a layer with several."""
    pos = positions.get(name)
    if pos is not None:
        if layers[pos].outputs > 1:
            raise SpecError("error.input_has_outputs", layer.where, name=name, count=layers[pos].outputs,
                            outputs=_output_list(layers[pos]))
        return pos
    base, _, k = name.rpartition(".")
    pos = positions.get(base)
    if pos is None:
        raise SpecError("error.unknown_input", layer.where, name=echo(name), suggestion=_suggest(name, ["input", *positions]))
    count = layers[pos].outputs
    if count == 1:
        raise SpecError("error.input_one_output", layer.where, input=echo(name), name=base)
    if not _output_number(k) or int(k) >= count:
        raise SpecError("error.no_such_output", layer.where, input=echo(name), name=base, count=count, last=count - 1)
    return pos


def _output_number(text: str) -> bool:
    """`0`, `1`, `12`: how an output is numbered (no sign, no leading zero, ASCII digits)."""
    return text.isascii() and text.isdigit() and str(int(text)) == text


def _output_list(layer: LayerSpec) -> str:
    """`split_1.0, split_1.1`; past six outputs, the first three, `…` and the last."""
    names = layer.output_names
    return ", ".join(names if len(names) <= 6 else (*names[:3], "…", names[-1]))


def _check_not_an_output(layer: LayerSpec, layers: list[LayerSpec], positions: dict[str, int]) -> None:
    """`split_1.0` names an output of `split_1` when that layer has several: no layer may take it."""
    base, _, k = layer.name.rpartition(".")
    pos = positions.get(base)
    if pos is not None and layers[pos].outputs > 1 and _output_number(k):
        raise SpecError("error.name_is_output", layer.where, name=layer.name, other=layers[pos].where,
                        base=base, count=layers[pos].outputs, last=layers[pos].outputs - 1)


def _layer_name(tensor: str, positions: dict[str, int]) -> str:
    """The layer a tensor name belongs to: itself, or `split_1` for `split_1.0`."""
    return tensor if tensor in positions else tensor.rpartition(".")[0]


def _find_cycle(start: str, layers: list[LayerSpec], positions: dict[str, int]) -> list[str] | None:
    """The path start → … → start through `inputs`, if there is one."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        name, path = stack.pop()
        for tensor in layers[positions[name]].inputs:
            nxt = _layer_name(tensor, positions)
            if nxt == start:
                return [*path, start]
            if nxt in positions and nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def single_layer_spec(input_shape: tuple[int, ...], entry_text: str) -> Spec:
    """A one-layer spec from `--input` and `--layer 'conv2d: {filters: 64, kernel_size: 5}'`."""
    if len(entry_text.encode()) > MAX_BYTES:
        raise SpecError("error.layer_option_too_large", limit=MAX_BYTES)
    entry, _ = load_yaml(entry_text)
    return parse_data({"name": "layer", "layers": [entry]}, input_override=input_shape)


def load_spec(source: str, input_override: tuple[int, ...] | None = None) -> Spec:
    """A spec from YAML, or from a model file (.onnx, .keras, Keras JSON) through its importer,
    with the import's notes (what the conversion changed) for the command to show."""
    from convcalc.importers import import_model, model_kind

    kind = model_kind(source) if source != "-" else None
    if kind:
        model = import_model(source, kind, input_override)
        return replace(parse_data(model.data, input_override=input_override), notes=tuple(model.notes))
    text, _label = read_source(source)
    return parse_spec(text, input_override)
