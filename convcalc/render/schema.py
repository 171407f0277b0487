"""`convcalc schema`: the JSON Schema of a spec, generated from the layer registry, so editors
can validate and complete specs (yaml-language-server, VS Code's YAML extension)."""

from __future__ import annotations

from typing import Any

from convcalc.layers import REGISTRY
from convcalc.layers.base import MAX_DIM, Arg, LayerType
from convcalc.render.jsontext import dumps
from convcalc.spec.model import MAX_LAYERS

_INT = {"type": "integer", "maximum": MAX_DIM}


def arg_schema(arg: Arg) -> dict[str, Any]:
    schema = arg.schema()
    if arg.default is None:  # `null` asks for the default
        schema = {"oneOf": [schema, {"type": "null"}]}
    schema["description"] = (arg.help + " · " if arg.help else "") + (
        "required" if arg.required else f"default {arg.describe_default()}")
    if not arg.required and arg.default is not None:
        schema["default"] = arg.default
    return schema


def _arguments(t: LayerType) -> tuple[dict, list[str]]:
    properties = {}
    for arg in t.args:
        for spelling in (arg.name, *arg.aliases):
            properties[spelling] = arg_schema(arg)
    required = [a.name for a in t.args if a.required]
    return properties, required


ENTRY_KEYS = {
    "name": {"type": "string", "minLength": 1, "description": "unique layer name; default <type>_<k>; with repeat, "
                                                             "<name>.0, <name>.1, …; {expression} makes a template"},
    "inputs": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
               "description": "layer name(s) this layer takes; default the previous layer; the network input is 'input'; "
                              "output k of a layer with several (split, chunk) is '<name>.k'"},
    "repeat": {"oneOf": [{"type": "integer", "minimum": 1, "maximum": MAX_LAYERS}, {"type": "string"}],
               "description": "the entry N times (a whole number or an expression)"},
    "first": {"type": "object", "description": "with repeat: what the first repetition changes (arguments, or a "
                                               "block's parameters)"},
    "if": {"oneOf": [{"type": "boolean"}, {"type": "string"}],
           "description": "the entry only when true (an expression); left out, its name means its input"},
}
META = {key: {"$ref": f"#/$defs/{key}"} for key in ENTRY_KEYS}  # in every entry form: written once, in $defs


def _block_use(names: list[str]) -> dict[str, Any]:
    """A use of a block from `blocks:`: its name is the user's, so any name that is not a layer
    type, in the three entry forms; its parameters are checked by convcalc, not here."""
    not_a_type = {"type": "string", "not": {"enum": names}}
    one_key = {"type": "object", "minProperties": 1, "properties": META,
               "not": {"anyOf": [{"required": [n]} for n in ("type", *names)]},
               "additionalProperties": {"oneOf": [{"type": "object", "properties": META}, {"type": "null"}]}}
    flat = {"type": "object", "required": ["type"], "properties": {"type": not_a_type, **META}}
    return {"oneOf": [not_a_type, one_key, flat], "description": "a use of a block defined under 'blocks'"}


BLOCKS = {
    "type": "object",
    "description": "named sub-networks, used like layer types: parameters with defaults (null: required at each "
                   "use), then layers whose argument values may be expressions of the parameters",
    "additionalProperties": {
        "type": "object",
        "properties": {
            "params": {"oneOf": [{"type": "object"}, {"type": "null"}]},
            "layers": {"type": "array", "minItems": 1,
                       "items": {"anyOf": [{"type": "string"}, {"type": "object", "minProperties": 1}]}},
        },
        "required": ["layers"],
        "additionalProperties": False,
    },
}


def spec_schema() -> dict[str, Any]:
    names = [n for t in REGISTRY.values() for n in (t.name, *t.aliases)]
    flat, one_key = [], []
    for t in REGISTRY.values():
        properties, required = _arguments(t)
        spellings = [t.name, *t.aliases]
        flat.append({
            "type": "object",
            "properties": {"type": {"enum": spellings}, **properties, **META},
            "required": ["type", *required], "additionalProperties": False,
        })
        body = {"type": "object", "properties": {**properties, **META}, "additionalProperties": False}
        if required:
            body["required"] = required
        else:
            body = {"oneOf": [body, {"type": "null"}]}
        for spelling in spellings:
            one_key.append({
                "type": "object", "properties": {spelling: body, **META}, "required": [spelling],
                "additionalProperties": False, "description": t.summary,
            })
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "convcalc spec",
        "description": "A CNN architecture for convcalc: channels-first input and a list of layers.",
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "input": {"oneOf": [{**_INT, "minimum": 1}, {"type": "array", "items": {**_INT, "minimum": 1},
                                                          "minItems": 1, "maxItems": 4}],
                      "description": "channels first: [F] | [C, L] | [C, H, W] | [C, D, H, W]"},
            "blocks": BLOCKS,
            "layers": {"type": "array", "minItems": 1,
                       "items": {"anyOf": [{"$ref": "#/$defs/layer"}, _block_use(names)]}},
        },
        "required": ["input", "layers"],
        "additionalProperties": False,
        # without `blocks`, an entry is a layer: an unknown type is refused, as convcalc refuses it
        "if": {"not": {"required": ["blocks"]}},
        "then": {"properties": {"layers": {"items": {"$ref": "#/$defs/layer"}}}},
        "$defs": {
            **ENTRY_KEYS,
            "layer": {"oneOf": [{"enum": names, "description": "a layer type with its defaults"}, *one_key, *flat]},
        },
    }


def to_json() -> str:
    return dumps(spec_schema())
