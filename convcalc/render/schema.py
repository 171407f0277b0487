"""`convcalc schema`: the JSON Schema of a spec, generated from the layer registry, so editors
can validate and complete specs (yaml-language-server, VS Code's YAML extension)."""

from __future__ import annotations

from typing import Any

from convcalc.layers import REGISTRY
from convcalc.layers.base import MAX_DIM, Arg, LayerType
from convcalc.render.jsontext import dumps

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


META = {
    "name": {"type": "string", "minLength": 1, "description": "unique layer name; default <type>_<k>"},
    "inputs": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
               "description": "layer name(s) this layer takes; default the previous layer; the network input is 'input'; "
                              "output k of a layer with several (split, chunk) is '<name>.k'"},
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
            "layers": {"type": "array", "minItems": 1,
                       "items": {"oneOf": [{"enum": names, "description": "a layer type with its defaults"},
                                           *one_key, *flat]}},
        },
        "required": ["input", "layers"],
        "additionalProperties": False,
    }


def to_json() -> str:
    return dumps(spec_schema())
