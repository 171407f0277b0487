"""What both code generators share: the header with the spec's numbers, Python names for the
spec's tensors, and the refusal of a construct a framework cannot express."""

from __future__ import annotations

import keyword
import re
from typing import Any

from convcalc.engine import LayerResult, Network
from convcalc.errors import SpecError, printable
from convcalc.layers.base import RuleContext, shape_text

NAME_WIDTH = 60  # characters of a network or layer name a comment of the generated code shows


def refuse(r: LayerResult, framework: str, reason: str, **params: Any) -> SpecError:
    """`layer 4 'pool' (line 9): PyTorch cannot express …`: the one way an exporter says no;
    `reason` names the catalogue entry `error.export_<reason>`."""
    return SpecError(f"error.export_{reason}", r.spec.where, framework=framework, type=r.spec.type,
                     rank=len(r.input_shapes[0]) - 1, **params)


def global_rank(r: LayerResult, framework: str) -> int:
    """The spatial rank a global pooling works over: 1 to 3, as both frameworks' layers take."""
    rank = len(r.input_shapes[0]) - 1
    if not 1 <= rank <= 3:
        raise refuse(r, framework, "global_rank")
    return rank


def header(net: Network, framework: str) -> list[str]:
    """The comment lines at the top of a generated module: where it comes from and its numbers."""
    t = net.totals
    return [
        f"# {printable(net.name, NAME_WIDTH)}: {framework} code written by `convcalc export` from the spec's layers.",
        f"# input {shape_text(net.input_shape)} -> output {shape_text(net.output_shape)} (channels first, batch left out)",
        f"# params {t.params:,} (trainable {t.trainable_params:,}, non-trainable {t.non_trainable_params:,})"
        f" · MACs {t.macs:,} · FLOPs {t.flops:,}",
    ]


def identifier(text: str) -> str:
    """A Python identifier for a spec name: `layer2.0.conv1` → `layer2_0_conv1`."""
    word = re.sub(r"\W", "_", text, flags=re.ASCII).strip("_") or "t"
    if word[0].isdigit() or keyword.iskeyword(word):
        word = "t_" + word
    return word[:NAME_WIDTH]


def variables(net: Network) -> dict[str, str]:
    """A distinct local variable for every tensor the spec names: `input` is `x`, a split's
    outputs `split_1_0`, `split_1_1`, …; a clash gets a number appended."""
    names = {"input": "x"}
    taken = {"x", "self", "torch", "nn", "F", "keras", "layers", "inputs"}
    for r in net.layers:
        for tensor in r.spec.output_names:
            word = base = identifier(tensor)
            k = 2
            while word in taken:
                word, k = f"{base}_{k}", k + 1
            taken.add(word)
            names[tensor] = word
    return names


def context(r: LayerResult) -> RuleContext:
    """The rule's view of an analysed layer, to ask the layer module's own helpers (a crop's
    pairs) instead of deriving its geometry again."""
    return RuleContext(type_name=r.spec.type, args=dict(r.spec.args), input_shapes=r.input_shapes,
                       input_names=r.spec.inputs)


def per_axis(value: Any, rank: int) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * rank


def literal(value: Any) -> str:
    """A Python literal for an argument: tuples as tuples, floats as they were written."""
    if isinstance(value, (tuple, list)):
        items = ", ".join(literal(v) for v in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    return repr(value)
