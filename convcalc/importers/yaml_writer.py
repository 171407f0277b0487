"""An imported model's data → a readable YAML spec: one line a layer, in flow style."""

from __future__ import annotations

from typing import Any

import yaml

from convcalc.layers import find_type
from convcalc.messages import Message


def spec_yaml(data: dict[str, Any], source: str, notes: tuple[Message, ...]) -> str:
    lines = [f"# imported from {source} by convcalc import"]
    lines += [f"# note: {note}" for note in notes]
    lines += [f"name: {_flow(data['name'])}", f"input: {_flow(data['input'])}", "layers:"]
    previous = "input"
    for entry in data["layers"]:
        lines.append(f"  - {_entry(entry, previous)}")
        previous = entry["name"]
    return "\n".join(lines) + "\n"


def _entry(entry: dict[str, Any], previous: str) -> str:
    """`conv2d: {name: conv1, filters: 64, …}`; `inputs` left out when it is the layer before, and
    arguments equal to their defaults (stride 1, no dilation)."""
    layer_type = find_type(entry["type"])
    defaults = {arg.name: arg.default for arg in layer_type.args} if layer_type else {}
    args = {key: value for key, value in entry.items()
            if key != "type" and not (key in defaults and defaults[key] == value and type(defaults[key]) is type(value))}
    if args["inputs"] == [previous]:
        del args["inputs"]
    elif len(args["inputs"]) == 1:
        args["inputs"] = args["inputs"][0]
    return f"{entry['type']}: {_flow(args)}"


def _flow(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=1 << 30, sort_keys=False).strip().removesuffix("\n...")
