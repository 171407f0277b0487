"""YAML → layer descriptors.

Reading is bounded (file size, layer count) and uses PyYAML's safe loader, the C one when it is
there. Lines come from the composed YAML nodes, so every error can point at its entry.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from typing import Any

import yaml

from convcalc.errors import SpecError
from convcalc.layers import REGISTRY, find_type, suggest
from convcalc.layers.base import MAX_DIM, Arg, LayerType
from convcalc.spec.model import LayerSpec, Spec, frozen_args

MAX_BYTES = 1 << 20  # 1 MiB: ResNet-152 written out is ~40 KiB
MAX_LAYERS = 10_000
MAX_DEPTH = 64  # a spec nests 4 deep; libyaml's composer recurses and crashes near 100,000
TOP_KEYS = ("name", "input", "layers")
ENTRY_KEYS = ("type", "name", "inputs")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def bundled_examples() -> list[str]:
    folder = resources.files("convcalc") / "specs"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def read_source(source: str) -> tuple[str, str]:
    """The spec's text and a label for messages: a path, `-` (stdin) or a bundled example name."""
    if source == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        return _decode(data, "standard input"), "standard input"
    if os.path.exists(source):
        if os.path.isdir(source):
            raise SpecError(f"'{source}' is a folder, not a spec file")
        size = os.path.getsize(source)
        if size > MAX_BYTES:
            raise SpecError(f"'{source}' is {size:,} bytes; a spec may be at most {MAX_BYTES:,} bytes")
        try:
            with open(source, "rb") as f:
                return _decode(f.read(MAX_BYTES + 1), source), source
        except OSError as e:
            raise SpecError(f"cannot read '{source}': {e.strerror}") from None
    name = source[:-5] if source.endswith(".yaml") else source
    examples = bundled_examples()
    if name in examples:
        path = resources.files("convcalc") / "specs" / f"{name}.yaml"
        return path.read_text(encoding="utf-8"), name
    raise SpecError(f"no file or bundled example '{source}'{suggest(name, examples)} (examples: {', '.join(examples)})")


def _decode(data: bytes, label: str) -> str:
    if len(data) > MAX_BYTES:
        raise SpecError(f"{label} holds more than {MAX_BYTES:,} bytes; a spec may be at most {MAX_BYTES:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SpecError(f"{label} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})") from None


def _check_depth(text: str) -> None:
    """Refuse deep nesting from the event stream, before anything recursive sees it."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise SpecError(f"YAML nesting deeper than {MAX_DEPTH} levels at line {line}")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def load_yaml(text: str) -> tuple[Any, list[int]]:
    """The document and the YAML line of each entry under `layers`."""
    loader = _Loader(text)
    try:
        _check_depth(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecError(f"YAML syntax error{where}: {e.problem or e.context}") from None
    except yaml.YAMLError as e:
        raise SpecError(f"YAML error: {str(e).splitlines()[0]}") from None
    except RecursionError:
        raise SpecError("YAML nesting is too deep") from None
    except ValueError as e:  # an integer with more digits than Python converts
        raise SpecError(f"YAML value error: {str(e).split(';')[0]}") from None
    finally:
        loader.dispose()
    return data, _entry_lines(node)


def _entry_lines(node: Any) -> list[int]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "layers" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return []


def parse_spec(text: str, input_override: tuple[int, ...] | None = None) -> Spec:
    data, lines = load_yaml(text)
    return parse_data(data, lines, input_override)


def parse_data(data: Any, lines: list[int] | None = None, input_override: tuple[int, ...] | None = None) -> Spec:
    """A spec from already-loaded data (`lines`: the YAML line of each layer entry, if known)."""
    lines = lines or []
    if not isinstance(data, dict):
        raise SpecError(f"a spec is a mapping with 'input' and 'layers', got {type(data).__name__}")
    for key in data:
        if key not in TOP_KEYS:
            raise SpecError(f"unknown top-level key {key!r}{suggest(str(key), list(TOP_KEYS))} (valid: {', '.join(TOP_KEYS)})")
    name = data.get("name", "network")
    if not isinstance(name, str):
        raise SpecError(f"'name' must be text, got {name!r}")
    input_shape = parse_input(list(input_override) if input_override else data.get("input"))
    raw_layers = data.get("layers")
    if not isinstance(raw_layers, list) or not raw_layers:
        raise SpecError("'layers' must be a non-empty list of layer entries")
    if len(raw_layers) > MAX_LAYERS:
        raise SpecError(f"{len(raw_layers):,} layers; a spec may have at most {MAX_LAYERS:,}")
    layers = _parse_layers(raw_layers, lines)
    return Spec(name, input_shape, layers)


def parse_input(value: Any) -> tuple[int, ...]:
    if value is None:
        raise SpecError("the spec needs 'input', e.g. input: [1, 28, 28] (channels first)")
    dims = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(dims, list) or not 1 <= len(dims) <= 4:
        raise SpecError(f"'input' must be [F], [C, L], [C, H, W] or [C, D, H, W], got {value!r}")
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= MAX_DIM:
            raise SpecError(f"'input' sizes must be whole numbers from 1 to {MAX_DIM}, got {d!r}")
    return tuple(dims)


def _parse_layers(raw_layers: list, lines: list[int]) -> tuple[LayerSpec, ...]:
    counters: dict[str, int] = {}
    positions: dict[str, int] = {}
    layers: list[LayerSpec] = []
    for i, raw in enumerate(raw_layers):
        line = lines[i] if i < len(lines) else None
        layer = _parse_entry(raw, i + 1, line, counters, layers[-1].name if layers else "input")
        if layer.name in positions or layer.name == "input":
            first = "the network input" if layer.name == "input" else f"layer {positions[layer.name] + 1}"
            raise SpecError(f"name '{layer.name}' is already used by {first}; names must be unique", layer.where)
        positions[layer.name] = i
        layers.append(layer)
    for layer in layers:
        _check_inputs(layer, layers, positions)
    return tuple(layers)


def _parse_entry(raw: Any, index: int, line: int | None, counters: dict[str, int], previous: str) -> LayerSpec:
    where = f"layer {index}" + (f" (line {line})" if line else "")
    type_name, args, meta = _split_entry(raw, where)
    layer_type = find_type(type_name)
    if layer_type is None:
        raise SpecError(f"unknown layer type '{type_name}'{suggest(type_name, list(REGISTRY))}", where)
    counters[layer_type.name] = counters.get(layer_type.name, 0) + 1
    name = meta.get("name", f"{layer_type.name}_{counters[layer_type.name]}")
    if not isinstance(name, str) or not name:
        raise SpecError(f"'name' must be non-empty text, got {name!r}", where)
    where = f"layer {index} '{name}'" + (f" (line {line})" if line else "")
    inputs = meta.get("inputs", previous)
    inputs = [inputs] if isinstance(inputs, str) else inputs
    if not isinstance(inputs, list) or not inputs or not all(isinstance(n, str) for n in inputs):
        raise SpecError(f"'inputs' must be a layer name or a list of names, got {meta['inputs']!r}", where)
    _check_input_count(layer_type, len(inputs), where)
    return LayerSpec(index, name, layer_type.name, frozen_args(_parse_args(layer_type, args, where)), tuple(inputs), line)


def _split_entry(raw: Any, where: str) -> tuple[str, dict, dict]:
    """(type, arguments, {name, inputs}) from any of the three entry forms."""
    if isinstance(raw, str):
        return raw, {}, {}
    if not isinstance(raw, dict) or not raw:
        raise SpecError(f"an entry is a type name or a mapping, got {raw!r}"[:200], where)
    body = dict(raw)
    if "type" in body:
        type_name = body.pop("type")
    else:
        keys = [k for k in body if k not in ENTRY_KEYS]
        if len(keys) != 1:
            raise SpecError(f"an entry names one layer type, found keys {keys}"[:200], where)
        type_name = keys[0]
        inner = body.pop(type_name)
        if inner is not None and not isinstance(inner, dict):
            raise SpecError(f"arguments of '{type_name}' must be a mapping, got {inner!r}"[:200], where)
        body.update(inner or {})
    if not isinstance(type_name, str):
        raise SpecError(f"a layer type is a name, got {type_name!r}"[:200], where)
    meta = {k: body.pop(k) for k in ("name", "inputs") if k in body}
    return type_name, body, meta


def _check_input_count(layer_type: LayerType, count: int, where: str) -> None:
    if count < layer_type.min_inputs:
        raise SpecError(f"{layer_type.name} needs at least {layer_type.min_inputs} inputs, got {count}", where)
    if layer_type.max_inputs and count > layer_type.max_inputs:
        raise SpecError(f"{layer_type.name} takes one input, got {count}", where)


def _parse_args(layer_type: LayerType, raw: dict, where: str) -> dict[str, Any]:
    args: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, value in raw.items():
        arg = layer_type.arg(str(key))
        if arg is None:
            valid = [a.name for a in layer_type.args]
            spellings = [s for a in layer_type.args for s in (a.name, *a.aliases)]
            listing = f"valid: {', '.join(valid)}" if valid else f"{layer_type.name} takes no arguments"
            raise SpecError(f"unknown argument '{key}' for {layer_type.name}{suggest(str(key), spellings)} ({listing})", where)
        if arg.name in args:
            raise SpecError(f"'{key}' and '{spelled[arg.name]}' are the same argument; give it once", where)
        try:
            args[arg.name] = arg.check(value)
        except SpecError as e:
            raise SpecError(e.message, where) from None
        spelled[arg.name] = str(key)
    for arg in layer_type.args:
        if arg.name not in args:
            if arg.required:
                raise SpecError(f"{layer_type.name} needs '{arg.name}' ({_spellings(arg)})", where)
            args[arg.name] = arg.default
    return args


def _spellings(arg: Arg) -> str:
    return " or ".join((arg.name, *arg.aliases)) + (f": {arg.help}" if arg.help else "")


def _check_inputs(layer: LayerSpec, layers: list[LayerSpec], positions: dict[str, int]) -> None:
    for name in layer.inputs:
        if name == "input":
            continue
        pos = positions.get(name)
        if pos is None:
            known = ["input", *positions]
            raise SpecError(f"unknown input '{name}'{suggest(name, known)}", layer.where)
        if pos >= layer.index - 1:
            cycle = _find_cycle(layer.name, layers, positions)
            if cycle:
                raise SpecError(f"cycle in inputs (← reads 'takes input from'): {' ← '.join(cycle)}", layer.where)
            raise SpecError(
                f"input '{name}' is defined later, at {layers[pos].where}; list every layer after its inputs",
                layer.where,
            )


def _find_cycle(start: str, layers: list[LayerSpec], positions: dict[str, int]) -> list[str] | None:
    """The path start → … → start through `inputs`, if there is one."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        name, path = stack.pop()
        for nxt in layers[positions[name]].inputs:
            if nxt == start:
                return [*path, start]
            if nxt in positions and nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def single_layer_spec(input_shape: tuple[int, ...], entry_text: str) -> Spec:
    """A one-layer spec from `--input` and `--layer 'conv2d: {filters: 64, kernel_size: 5}'`."""
    if len(entry_text.encode()) > MAX_BYTES:
        raise SpecError(f"--layer holds more than {MAX_BYTES:,} bytes")
    entry, _ = load_yaml(entry_text)
    return parse_data({"name": "layer", "layers": [entry]}, input_override=input_shape)


def load_spec(source: str, input_override: tuple[int, ...] | None = None) -> Spec:
    text, _label = read_source(source)
    return parse_spec(text, input_override)
