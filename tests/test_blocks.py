"""Blocks, repeats, `if`, `first`, parameter expressions and layer paths — and every way they
can be wrong, bombs included."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from convcalc.errors import SpecError
from convcalc.spec.blocks import MAX_STEPS
from convcalc.spec.expression import MAX_NUMBER, evaluate, looks_like_expression, make_divisible
from convcalc.spec.loader import parse_spec
from tests.conftest import invoke

ENV = {"channels": 64, "stride": 2, "project": True, "ratio": 0.25, "act": "relu", "k": [3, 1], "index": 0}


# --- expressions ------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Case:
    text: str
    value: object


EXPRESSIONS = [
    Case(text="channels", value=64),
    Case(text="channels * 4", value=256),
    Case(text="channels // 3", value=21),
    Case(text="channels / 3", value=64 / 3),
    Case(text="channels % 10", value=4),
    Case(text="-channels + 1", value=-63),
    Case(text="- -2", value=2),
    Case(text="+3", value=3),
    Case(text="2 + 3 * 4", value=14),
    Case(text="(2 + 3) * 4", value=20),
    Case(text="10 - 4 - 3", value=3),
    Case(text="64 / 4 / 2", value=8.0),
    Case(text="-7 // 2", value=-4),
    Case(text="-7 % 3", value=2),
    Case(text="1.5 * 2", value=3.0),
    Case(text=".5 + 1e1", value=10.5),
    Case(text="true", value=True),
    Case(text="not project", value=False),
    Case(text="index == 0 and project", value=True),
    Case(text="stride > 1 or project", value=True),
    Case(text="not stride == 1", value=True),
    Case(text="not (stride == 2 and project)", value=False),
    Case(text="channels >= 64", value=True),
    Case(text="channels <= 63", value=False),
    Case(text="channels != 64", value=False),
    Case(text="channels < 65", value=True),
    Case(text="act == act", value=True),
    Case(text="max(1, channels // 16)", value=4),
    Case(text="max(3)", value=3),
    Case(text="min(channels, 32, 48)", value=32),
    Case(text="round(2.5)", value=2),
    Case(text="round(channels * ratio * 1.1)", value=18),
    Case(text="ceil(7 / 2)", value=4),
    Case(text="floor(7 / 2)", value=3),
    Case(text="int(-3.7)", value=-3),
    Case(text="make_divisible(channels * ratio, 8)", value=16),
    Case(text="make_divisible(10, 8)", value=16),
    Case(text="make_divisible(35, 8)", value=32),
    Case(text="make_divisible(3, 8, 1)", value=9),
    Case(text="k", value=[3, 1]),
    Case(text="4611686018427387904", value=2**62),
    Case(text="((((((channels))))))", value=64),
]


@pytest.mark.parametrize("case", EXPRESSIONS, ids=[c.text for c in EXPRESSIONS])
def test_expressions(case):
    value = evaluate(case.text, ENV)
    assert value == case.value and type(value) is type(case.value)


@pytest.mark.parametrize("v, d, expected", [
    # torchvision.models._utils._make_divisible on MobileNetV3 / EfficientNet widths
    (16 * 0.25, 8, 8), (96 * 0.25, 8, 24), (240 * 0.25, 8, 64), (32 * 1.0, 8, 32), (72 * 0.25, 8, 24),
    (576 * 0.25, 8, 144), (22.5, 8, 24), (7.1, 8, 8), (100, 16, 96), (9, 8, 16),
])
def test_make_divisible_is_mobilenets(v, d, expected):
    assert make_divisible(v, d) == expected


BAD_EXPRESSIONS = [
    # (text, fragments of the message)
    ("2 ** 3", ["no power operator"]),
    ("a = 3", ["write '=='"]),
    ("channels +", ["ends where a number"]),
    ("channels 4", ["expected an operator or the end at column 10"]),
    ("1 < 2 < 3", ["expected an operator or the end"]),
    ("(1 + 2", ["ends where ')'"]),
    ("1 + 2)", ["found ')'"]),
    ("3 # 4", ["'#' at column 3 is not part of an expression"]),
    ("chanels * 2", ["names 'chanels'", "did you mean 'channels'"]),
    ("foo(1)", ["unknown function 'foo'", "did you mean 'floor'"]),
    ("round(1, 2)", ["round() takes 1 arguments, got 2"]),
    ("make_divisible(3)", ["make_divisible() takes 2 to 3 arguments, got 1"]),
    ("make_divisible(3, 0)", ["divisor"]),
    ("make_divisible(3, 2.5)", ["divisor"]),
    ("1 / 0", ["divides by zero (/)"]),
    ("channels // (stride - 2)", ["divides by zero (//)"]),
    ("5 % 0", ["divides by zero (%)"]),
    ("project + 1", ["needs a number for +, got true"]),
    ("act * 2", ["needs a number for *, got 'relu'"]),
    ("k + 1", ["needs a number for +, got [3, 1]"]),
    ("channels and project", ["needs true or false for and, got 64"]),
    ("not channels", ["needs true or false for not, got 64"]),
    ("act < 3", ["needs a number for <"]),
    ("4611686018427387905", ["beyond the limit ±2**62"]),
    ("2147483648 * 2147483648 * 2", ["beyond the limit ±2**62"]),
    ("1e300", ["beyond the limit"]),
    ("-" * 40 + "1", ["nested more than 32 levels"]),
    ("(" * 33 + "1" + ")" * 33, ["nested more than 32 levels"]),
    ("1 + " * 60 + "1", ["has 241 characters; an expression has at most 200"]),
    ("max()", ["expected a number, a name or '('"]),
    ("and", ["expected a number, a name or '('"]),
]


@pytest.mark.parametrize("text, fragments", BAD_EXPRESSIONS, ids=[b[0][:40] for b in BAD_EXPRESSIONS])
def test_bad_expressions_say_what(text, fragments):
    with pytest.raises(SpecError) as e:
        evaluate(text, ENV)
    message = str(e.value)
    assert "\n" not in message and len(message) < 400
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("text, is_expression", [
    ("channels", True), ("index", True), ("channels*4", True), ("a-b", True), ("(x)", True), ("x < 3", True),
    ("project and other", True), ("not project", True),
    ("same", False), ("relu", False), ("nearest", False), ("valid", False), ("leaky_relu", False), ("and", False),
    ("", False),
])
def test_which_strings_are_expressions(text, is_expression):
    assert looks_like_expression(text, ENV) is is_expression


_ATOMS = st.one_of(st.integers(-10**20, 10**20).map(str), st.floats(allow_nan=False).map(repr),
                   st.sampled_from(["channels", "stride", "project", "act", "k", "index", "nope", "true", "false"]))
_PIECES = st.one_of(_ATOMS, st.sampled_from(list("+-*/%()<>=!,") + ["//", "**", "==", "<=", "and", "or", "not",
                                                                   "max(", "make_divisible(", "round(", " "]))


@given(st.lists(_PIECES, max_size=30).map(" ".join))
def test_no_expression_raises_anything_but_spec_error(text):
    try:
        value = evaluate(text, ENV)
    except SpecError as e:
        assert "\n" not in str(e)
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        assert abs(value) <= MAX_NUMBER


@given(st.text(max_size=250))
def test_any_text_is_a_value_or_a_spec_error(text):
    try:
        evaluate(text, ENV)
    except SpecError:
        pass


@given(st.integers(-1000, 1000), st.integers(-1000, 1000).filter(bool))
def test_integer_arithmetic_is_pythons(a, b):
    env = {"a": a, "b": b}
    for text, expected in (("a + b", a + b), ("a - b", a - b), ("a * b", a * b), ("a // b", a // b),
                           ("a % b", a % b), ("a / b", a / b), ("max(a, b)", max(a, b)), ("-a", -a)):
        assert evaluate(text, env) == expected


# --- expansion --------------------------------------------------------------------------------

def net(blocks: str, *layers: str, input_shape="[3, 32, 32]") -> str:
    return (f"input: {input_shape}\nblocks:\n{blocks}layers:\n" + "".join(f"  - {entry}\n" for entry in layers))


CBR = """\
  cbr:
    params: {c: null, k: 3, stride: 1}
    layers:
      - conv2d: {name: conv, filters: c, kernel_size: k, stride: stride, padding: k // 2, bias: false}
      - batchnorm: {name: bn}
      - relu: {name: act}
"""
BASIC = """\
  basic:
    params: {c: null, stride: 1, project: false}
    layers:
      - conv2d: {name: conv1, filters: c, kernel_size: 3, stride: stride, padding: 1, bias: false}
      - relu: {name: relu}
      - conv2d: {name: conv2, filters: c, kernel_size: 3, padding: 1, bias: false}
      - conv2d: {name: downsample, inputs: input, filters: c, kernel_size: 1, stride: stride, bias: false, if: project}
      - add: {name: add, inputs: [conv2, downsample]}
"""


@dataclass(frozen=True, kw_only=True)
class Expansion:
    id: str
    text: str
    names: list[str]
    inputs: dict[str, tuple[str, ...]] | None = None
    blocks: dict[str, tuple[str, ...]] | None = None


EXPANSIONS = [
    Expansion(id="use with a default", text=net(CBR, "cbr: {name: stem, c: 8}"),
              names=["stem.conv", "stem.bn", "stem.act"],
              inputs={"stem.conv": ("input",), "stem.bn": ("stem.conv",)}, blocks={"stem.bn": ("stem",)}),
    Expansion(id="flat form and bare name of a block", text=net(
        "  two:\n    layers: [relu, {relu: {name: r}}]\n", "{type: two, name: t}", "two"),
        names=["t.relu_1", "t.r", "two_1.relu_1", "two_1.r"], inputs={"two_1.relu_1": ("t.r",)}),
    Expansion(id="unnamed uses count per block", text=net(CBR, "cbr: {c: 4}", "cbr: {c: 4}", "relu"),
              names=["cbr_1.conv", "cbr_1.bn", "cbr_1.act", "cbr_2.conv", "cbr_2.bn", "cbr_2.act", "relu_1"]),
    Expansion(id="repeat with first", text=net(BASIC, "basic: {name: layer1, c: 8, repeat: 2, first: {stride: 2, project: true}}"),
              names=["layer1.0.conv1", "layer1.0.relu", "layer1.0.conv2", "layer1.0.downsample", "layer1.0.add",
                     "layer1.1.conv1", "layer1.1.relu", "layer1.1.conv2", "layer1.1.add"],
              inputs={"layer1.0.add": ("layer1.0.conv2", "layer1.0.downsample"),
                      "layer1.1.add": ("layer1.1.conv2", "layer1.0.add"), "layer1.1.conv1": ("layer1.0.add",)},
              blocks={"layer1.1.add": ("layer1", "layer1.1")}),
    Expansion(id="a repeated layer", text=net("", "relu: {name: r, repeat: 3}", "relu: {inputs: r}"),
              names=["r.0", "r.1", "r.2", "relu_1"], inputs={"relu_1": ("r.2",), "r.1": ("r.0",)},
              blocks={"r.1": ("r",), "relu_1": ()}),
    Expansion(id="an unnamed repeated layer counts each", text=net("", "relu: {repeat: 2}", "relu"),
              names=["relu_1", "relu_2", "relu_3"], blocks={"relu_2": ()}),
    Expansion(id="first on a plain layer", text=net("", "conv2d: {name: c, filters: 4, kernel_size: 1, repeat: 2, first: {stride: 2}}"),
              names=["c.0", "c.1"]),
    Expansion(id="name template", text=net(
        "  dl:\n    params: {g: 4}\n    layers: [{conv2d: {name: conv, filters: g, kernel_size: 1}}, {concat: {inputs: [input, conv]}}]\n",
        "dl: {name: 'denselayer{index + 1}', repeat: 2}"),
        names=["denselayer1.conv", "denselayer1.concat_1", "denselayer2.conv", "denselayer2.concat_1"],
        inputs={"denselayer2.conv": ("denselayer1.concat_1",)}, blocks={"denselayer2.conv": ("denselayer2",)}),
    Expansion(id="nested blocks", text=net(
        CBR + "  stage:\n    params: {c: null, n: 2}\n    layers:\n      - cbr: {name: 'unit{index}', c: c * 2, repeat: n}\n",
        "stage: {name: s, c: 4}", "stage: {c: 8, n: 1}"),
        names=["s.unit0.conv", "s.unit0.bn", "s.unit0.act", "s.unit1.conv", "s.unit1.bn", "s.unit1.act",
               "stage_1.unit0.conv", "stage_1.unit0.bn", "stage_1.unit0.act"],
        blocks={"s.unit1.bn": ("s", "s.unit1")}),
    Expansion(id="left out: its name passes the input through", text=net(BASIC, "basic: {name: b, c: 3}"),
              names=["b.conv1", "b.relu", "b.conv2", "b.add"], inputs={"b.add": ("b.conv2", "input")}),
    Expansion(id="if on an index", text=net("", "relu: {name: r, repeat: 3, if: index != 1}", "relu: {name: s}"),
              names=["r.0", "r.2", "s"], inputs={"r.2": ("r.0",), "s": ("r.2",)}),
    Expansion(id="a block's name means its output", text=net(CBR, "cbr: {name: a, c: 4}", "relu", "add: {inputs: [a, relu_1]}"),
              names=["a.conv", "a.bn", "a.act", "relu_1", "add_1"], inputs={"add_1": ("a.act", "relu_1")}),
    Expansion(id="instances by name", text=net(CBR, "cbr: {name: a, c: 4, repeat: 2}", "add: {inputs: [a.0, a]}"),
              names=["a.0.conv", "a.0.bn", "a.0.act", "a.1.conv", "a.1.bn", "a.1.act", "add_1"],
              inputs={"add_1": ("a.0.act", "a.1.act")}),
    Expansion(id="a block whose layers are all left out", text=net(
        "  none:\n    params: {use: false}\n    layers: [{relu: {if: use}}]\n", "none", "relu: {name: r}"),
        names=["r"], inputs={"r": ("input",)}),
    Expansion(id="top-level repeat and if as expressions", text=net("", "relu: {name: r, repeat: '1 + 2', if: 'index < 2'}"),
              names=["r.0", "r.1"]),
    Expansion(id="words stay words inside a block", text=net(
        "  p:\n    params: {mode: same}\n    layers: [{conv2d: {filters: 2, kernel_size: 3, padding: mode}}, "
        "{conv2d: {filters: 2, kernel_size: 3, padding: same}}]\n", "p"),
        names=["p_1.conv2d_1", "p_1.conv2d_2"]),
]


@pytest.mark.parametrize("case", EXPANSIONS, ids=[c.id for c in EXPANSIONS])
def test_expansion(case):
    layers = parse_spec(case.text).layers
    assert [l.name for l in layers] == case.names
    assert [l.index for l in layers] == list(range(1, len(layers) + 1))
    by_name = {l.name: l for l in layers}
    for name, inputs in (case.inputs or {}).items():
        assert by_name[name].inputs == inputs
    for name, path in (case.blocks or {}).items():
        assert by_name[name].block == path


@dataclass(frozen=True, kw_only=True)
class Argument:
    written: str
    name: str
    value: object


ARGUMENTS = [
    Argument(written="filters: c * 4", name="filters", value=32),
    Argument(written="filters: c / 2", name="filters", value=4),
    Argument(written="filters: 'make_divisible(c * 1.7, 8)'", name="filters", value=16),
    Argument(written="kernel_size: [k, 1]", name="kernel_size", value=(3, 1)),
    Argument(written="kernel_size: k", name="kernel_size", value=3),
    Argument(written="padding: '[k // 2, 0]'", name="padding", value="[k // 2, 0]"),
    Argument(written="padding: [k // 2, 0]", name="padding", value=(1, 0)),
    Argument(written="stride: 'index + 1'", name="stride", value=1),
    Argument(written="bias: not (c > 4)", name="bias", value=False),
]


@pytest.mark.parametrize("case", ARGUMENTS, ids=[a.written for a in ARGUMENTS])
def test_arguments_inside_a_block_are_evaluated(case):
    others = ", ".join(a for a in ("filters: 4", "kernel_size: 1") if not a.startswith(case.name))
    block = f"  b:\n    params: {{c: 8, k: 3}}\n    layers:\n      - conv2d: {{{others}, {case.written}}}\n"
    try:
        (layer,) = parse_spec(net(block, "b")).layers
    except SpecError as e:
        assert isinstance(case.value, str), e  # a quoted list is text, refused as a padding
        return
    assert layer.args[case.name] == case.value


def test_top_level_arguments_are_read_as_written():
    with pytest.raises(SpecError, match="must be a whole number"):
        parse_spec(net("", "conv2d: {filters: '4 * 2', kernel_size: 1}"))


def test_lines_and_block_context():
    text = net(CBR, "relu", "cbr: {name: stem, c: 8, stride: 2}")
    layers = parse_spec(text).layers
    assert [l.line for l in layers] == [10, 6, 7, 8]
    assert layers[2].where == "layer 3 'stem.bn' (line 7) in block 'cbr' used at line 11 (c=8, k=3, stride=2)"
    assert layers[0].where == "layer 1 'relu_1' (line 10)"


def test_resnet50_in_blocks_has_torchvisions_parameters():
    text = """\
input: [3, 224, 224]
blocks:
  bottleneck:
    params: {channels: null, stride: 1, project: false}
    layers:
      - conv2d: {name: conv1, filters: channels, kernel_size: 1, bias: false}
      - batchnorm: {name: bn1}
      - relu: {name: relu1}
      - conv2d: {name: conv2, filters: channels, kernel_size: 3, stride: stride, padding: 1, bias: false}
      - batchnorm: {name: bn2}
      - relu: {name: relu2}
      - conv2d: {name: conv3, filters: channels * 4, kernel_size: 1, bias: false}
      - batchnorm: {name: bn3}
      - conv2d: {name: downsample.0, inputs: input, filters: channels * 4, kernel_size: 1, stride: stride, bias: false, if: project}
      - batchnorm: {name: downsample.1, if: project}
      - add: {name: add, inputs: [bn3, downsample.1]}
      - relu: {name: relu3}
layers:
  - conv2d: {name: conv1, filters: 64, kernel_size: 7, stride: 2, padding: 3, bias: false}
  - batchnorm: {name: bn1}
  - relu: {name: relu}
  - maxpool2d: {name: maxpool, pool_size: 3, stride: 2, padding: 1}
  - bottleneck: {name: layer1, channels: 64, repeat: 3, first: {project: true}}
  - bottleneck: {name: layer2, channels: 128, repeat: 4, first: {stride: 2, project: true}}
  - bottleneck: {name: layer3, channels: 256, repeat: 6, first: {stride: 2, project: true}}
  - bottleneck: {name: layer4, channels: 512, repeat: 3, first: {stride: 2, project: true}}
  - global_avg_pool: {name: avgpool}
  - dense: {name: fc, units: 1000}
"""
    flat = invoke("summary", "resnet50", "--format", "json")
    result = invoke("summary", "-", "--get", "totals", "--format", "json", stdin=text.encode())
    assert result.code == 0
    assert '"trainable_params": 25557032' in result.out
    assert result.out.split('"params"')[1].split(",")[0] in flat.out
    assert invoke("summary", "-", "--get", "layers.layer2.0.downsample.0.output_shape", stdin=text.encode()).out == "512 28 28\n"


# --- errors -----------------------------------------------------------------------------------

ERRORS = [
    # (id, spec text, fragments of the one-line message)
    ("not whole", net(CBR.replace("filters: c,", "filters: c / 3,"), "cbr: {c: 64}"),
     ["layer 1 'cbr_1.conv' (line 6) in block 'cbr' used at line 10 (c=64, k=3, stride=1)",
      "'filters': 'c / 3' = 21.3333, which is not a whole number"]),
    ("shape error inside", net("  p:\n    params: {k: 3}\n    layers: [{conv2d: {filters: 2, kernel_size: k}}]\n",
                               "p: {name: s, k: 40}"),
     ["layer 1 's.conv2d_1' (line 5) in block 'p' used at line 7 (k=40)", "kernel 40 > padded"]),
    ("bad value inside", net(CBR, "cbr: {name: s, c: 0}"),
     ["layer 1 's.conv' (line 6) in block 'cbr' used at line 10 (c=0, k=3, stride=1)", "'filters' must be ≥ 1, got 0"]),
    ("unknown parameter", net(CBR, "cbr: {c: 8, kk: 3}"), ["layer 1 'cbr_1' (line 10)", "unknown parameter 'kk' for block 'cbr'",
                                                           "did you mean 'k'", "parameters: c, k, stride"]),
    ("missing parameter", net(CBR, "cbr: {k: 3}"), ["block 'cbr' needs 'c'"]),
    ("missing parameter, bare", net(CBR, "cbr"), ["block 'cbr' needs 'c'"]),
    ("no parameters", net("  z:\n    layers: [relu]\n", "z: {c: 1}"), ["unknown parameter 'c'", "it has no parameters"]),
    ("unknown name in expression", net(CBR.replace("filters: c,", "filters: cc * 2,"), "cbr: {c: 8}"),
     ["(line 6) in block 'cbr' used at line 10", "names 'cc'", "did you mean 'c'"]),
    ("syntax in expression", net(CBR.replace("filters: c,", "filters: c ** 2,"), "cbr: {c: 8}"),
     ["(line 6) in block 'cbr'", "no power operator"]),
    ("unknown inner input", net("  b:\n    layers: [relu, {relu: {inputs: nope}}]\n", "b"),
     ["unknown input 'nope' in block 'b'", "input, relu_1"]),
    ("inner input later", net("  b:\n    layers: [{relu: {inputs: x}}, {relu: {name: x}}]\n", "b"),
     ["unknown input 'x' in block 'b'"]),
    ("outer name inside", net("  b:\n    layers: [{relu: {inputs: top}}]\n", "relu: {name: top}", "b"),
     ["unknown input 'top' in block 'b'"]),
    ("block with two inputs", net(CBR, "relu: {name: a}", "cbr: {c: 2, inputs: [a, input]}"),
     ["block 'cbr' has one input, got 2"]),
    ("cycle", net("  a:\n    layers: [b]\n  b:\n    layers: [{a: {repeat: 2}}]\n", "a"),
     ["block 'a' (line 3)", "the block uses itself: a → b → a"]),
    ("self use", net("  a:\n    layers: [relu, a]\n", "relu"), ["the block uses itself: a → a"]),
    ("shadows a type", net("  conv2d:\n    layers: [relu]\n", "relu"),
     ["block 'conv2d' (line 3)", "the layer type conv2d"]),
    ("shadows an alias", net("  Conv2D:\n    layers: [relu]\n", "relu"), ["the layer type conv2d"]),
    ("block named like a key", net("  repeat:\n    layers: [relu]\n", "relu"), ["entry key"]),
    ("block not a mapping", net("  a: [relu]\n", "relu"), ["a block is a mapping with 'layers'"]),
    ("block key", net("  a:\n    layer: [relu]\n", "relu"), ["unknown key 'layer' in a block", "did you mean 'layers'"]),
    ("block without layers", net("  a:\n    params: {}\n", "relu"), ["'layers' must be a non-empty list"]),
    ("params not a mapping", net("  a:\n    params: [c]\n    layers: [relu]\n", "relu"), ["'params' must be a mapping"]),
    ("param name", net("  a:\n    params: {2c: 1}\n    layers: [relu]\n", "relu"), ["parameter name '2c'"]),
    ("reserved param", net("  a:\n    params: {index: 1}\n    layers: [relu]\n", "relu"), ["parameter name 'index'"]),
    ("blocks not a mapping", "input: [3, 8, 8]\nblocks: [a]\nlayers: [relu]\n", ["'blocks' must be a mapping"]),
    ("repeat zero", net("", "relu: {repeat: 0}"), ["'repeat' must be a whole number from 1 to 10,000, got 0"]),
    ("repeat text", net("", "relu: {repeat: many}"), ["names 'many'"]),
    ("repeat float", net("", "relu: {repeat: '7 / 2'}"), ["'repeat': '7 / 2' = 3.5, which is not a whole number"]),
    ("repeat bool", net("", "relu: {repeat: true}"), ["'repeat' must be a whole number", "got true"]),
    ("first without repeat", net("", "relu: {first: {}}"), ["'first' changes the first repetition"]),
    ("first not a mapping", net("", "relu: {repeat: 2, first: 3}"), ["'first' must be a mapping"]),
    ("first unknown param", net(CBR, "cbr: {c: 2, repeat: 2, first: {cc: 3}}"), ["unknown parameter 'cc'"]),
    ("first unknown argument", net("", "relu: {repeat: 2, first: {alpha: 3}}"), ["relu takes no arguments"]),
    ("if not a truth", net("", "relu: {if: 1}"), ["'if' must be true or false, got 1"]),
    ("if expression not a truth", net("", "relu: {if: index + 1}"), ["'if' must be true or false, got 1"]),
    ("template not closed", net("", "relu: {name: 'r{index', repeat: 2}"), ["braces in pairs"]),
    ("template not a name", net("", "relu: {name: 'r{index > 0}', repeat: 2}"), ["must give a whole number or text, got false"]),
    ("template float", net("", "relu: {name: 'r{index / 2}', repeat: 2}"), ["'name': 'index / 2' = 0.5"]),
    ("template gives one name twice", net("", "relu: {name: 'r{index // 2}', repeat: 2}"),
     ["name 'r0' is already used by layer 1"]),
    ("duplicate inside", net("  b:\n    layers: [{relu: {name: x}}, {relu: {name: x}}]\n", "b"),
     ["layer 2 'b_1.x'", "already used by layer 1"]),
    ("unknown type", net(CBR, "cbrr: {c: 2}"), ["unknown layer type 'cbrr'", "did you mean 'cbr'"]),
    ("name too long", net("", "relu: {name: " + "n" * 200 + ", repeat: 2}"), ["has 200 characters"]),
    ("name null", net("", "relu: {name: null, repeat: 2}"), ["'name' must be non-empty text, got null"]),
    ("all left out", net(CBR, "cbr: {c: 2, if: false}", "relu: {if: false}"), ["every entry is left out"]),
]


@pytest.mark.parametrize("text, fragments", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors_say_what_and_where(text, fragments):
    result = invoke("summary", "-", stdin=text.encode())
    assert result.code == 1, result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "internal error" not in result.err and "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in lines[0]


def test_a_long_parameter_value_is_cut_in_the_context():
    text = net(CBR, "cbr: {c: 2, k: 40, stride: " + "[" + ", ".join(["1"] * 200) + "]}")
    result = invoke("summary", "-", stdin=text.encode())
    assert result.code == 1 and len(result.err) < 400


# --- bombs ------------------------------------------------------------------------------------

BOMBS = [
    ("literal nest", net("  l:\n    layers: [{relu: {repeat: 1000}}]\n  m:\n    layers: [{l: {repeat: 1000}}]\n",
                         "m: {repeat: 1000}"), "needs at least"),
    ("all left out", net("  l:\n    layers: [{relu: {if: false, repeat: 1000}}]\n  m:\n    layers: [{l: {repeat: 1000}}]\n",
                         "m: {repeat: 1000}"), "needs at least"),
    ("repeats from parameters", net(
        "  l:\n    params: {n: 1000}\n    layers: [{relu: {if: false, repeat: n}}]\n"
        "  m:\n    params: {n: 1000}\n    layers: [{l: {repeat: n, n: n}}]\n", "m: {repeat: 1000}"), "steps"),
    ("layers from parameters", net(
        "  l:\n    params: {n: 1000}\n    layers: [{relu: {repeat: n}}]\n", "l: {repeat: 1000}"), "10,000"),
    ("a plain repeat", net("", "relu: {repeat: 10001}"), "10,000"),
    ("plain repeats add up", net("", "relu: {repeat: 6000}", "relu: {repeat: 6000}"), "10,000"),
    ("deep nest", net("".join(f"  b{i}:\n    layers: [{{b{i + 1}: {{repeat: 2}}}}]\n" for i in range(40))
                      + "  b40:\n    layers: [relu]\n", "b0"), "needs at least"),
]


@pytest.mark.parametrize("text, fragment", [b[1:] for b in BOMBS], ids=[b[0] for b in BOMBS])
def test_repeat_bombs_fail_fast(text, fragment):
    start = time.perf_counter()
    result = invoke("summary", "-", stdin=text.encode())
    assert time.perf_counter() - start < 1.0
    assert result.code == 1 and fragment in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_ten_thousand_layers_through_blocks_is_fine():
    text = net("  b:\n    layers: [{relu: {repeat: 100}}]\n", "b: {repeat: 100}", input_shape="[1]")
    assert len(parse_spec(text).layers) == 10_000
    with pytest.raises(SpecError, match="10,000"):
        parse_spec(net("  b:\n    layers: [{relu: {repeat: 100}}]\n", "b: {repeat: 100}", "relu", input_shape="[1]"))


def test_the_step_budget_counts_left_out_entries():
    per = MAX_STEPS // (100 * 8) + 1  # `{relu: {if: false}}` costs 4 + 4 steps
    text = net(f"  b:\n    params: {{n: {per}}}\n    layers: [{{relu: {{if: false, repeat: n}}}}]\n",
               "b: {repeat: 100}", "relu")
    with pytest.raises(SpecError, match="steps"):
        parse_spec(text)


def test_the_step_budget_counts_values_repeated():
    """A long list written once and repeated 10,000 times would be checked 10,000 times."""
    kernel = "[" + ", ".join(["1"] * 2000) + "]"
    text = net(f"  b:\n    layers: [{{maxpool1d: {{pool_size: {kernel}}}}}]\n", "b: {repeat: 1000}",
               input_shape="[1, 8]")
    start = time.perf_counter()
    with pytest.raises(SpecError, match="steps"):
        parse_spec(text)
    assert time.perf_counter() - start < 1.0


def test_cycle_search_is_not_recursive():
    chain = "".join(f"  b{i}:\n    layers: [b{i + 1}]\n" for i in range(3000)) + "  b3000:\n    layers: [b0]\n"
    with pytest.raises(SpecError, match="uses itself"):
        parse_spec(net(chain, "relu"))


def test_expressions_are_parsed_once():
    from convcalc.spec import expression

    text = net(CBR.replace("filters: c,", "filters: c * 3 + 1,"), "cbr: {c: 2, repeat: 50}")
    parse_spec(text)
    assert "c * 3 + 1" in expression._CACHE
    assert math.isfinite(len(expression._CACHE))


# --- summary --depth --------------------------------------------------------------------------

STAGES = net(BASIC + CBR, "cbr: {name: stem, c: 4}", "basic: {name: layer1, c: 4, repeat: 2, first: {project: true}}",
             "relu: {name: act, repeat: 2}", "global_avg_pool", input_shape="[3, 8, 8]")


@dataclass(frozen=True, kw_only=True)
class Depth:
    depth: int
    rows: list[tuple[str, str, str]]  # (#, name, type) of each CSV row


DEPTHS = [
    Depth(depth=1, rows=[("1-3", "stem", "cbr"), ("4-12", "layer1", "basic ×2"), ("13-14", "act", "relu ×2"),
                         ("15", "global_avgpool_1", "global_avgpool")]),
    Depth(depth=2, rows=[("1-3", "stem", "cbr"), ("1", "stem.conv", "conv2d"), ("2", "stem.bn", "batchnorm"), ("3", "stem.act", "relu"),
                         ("4-12", "layer1", "basic ×2"), ("4-8", "layer1.0", "basic"), ("9-12", "layer1.1", "basic"),
                         ("13-14", "act", "relu ×2"), ("13", "act.0", "relu"), ("14", "act.1", "relu"),
                         ("15", "global_avgpool_1", "global_avgpool")]),
]


@pytest.mark.parametrize("case", DEPTHS, ids=[f"depth {d.depth}" for d in DEPTHS])
def test_depth_collapses_rows_to_blocks(case):
    result = invoke("summary", "-", "--depth", str(case.depth), "--format", "csv", stdin=STAGES.encode())
    assert result.code == 0, result.err
    rows = [line.split(",") for line in result.out.splitlines()[1:]]
    assert [tuple(r[:3]) for r in rows] == case.rows
    full = invoke("summary", "-", "--format", "csv", stdin=STAGES.encode()).out.splitlines()[1:]
    params = {r[1]: int(r[7]) for r in (line.split(",") for line in full)}
    for row in rows:  # a group's parameters are its layers' sum
        assert int(row[7]) == sum(p for name, p in params.items() if name == row[1] or name.startswith(row[1] + "."))


def test_depth_deep_enough_is_every_layer_and_totals_never_change():
    flat = invoke("summary", "-", "--format", "markdown", stdin=STAGES.encode()).out
    deep = invoke("summary", "-", "--format", "markdown", "--depth", "3", stdin=STAGES.encode()).out
    shallow = invoke("summary", "-", "--format", "markdown", "--depth", "1", stdin=STAGES.encode()).out
    assert flat.split("- Total")[1] == deep.split("- Total")[1] == shallow.split("- Total")[1]
    assert "| 4–12 | layer1 (basic ×2) |" in shallow and "|   layer1.0 (basic) |" not in shallow
    assert deep.count("\n| ") == flat.count("\n| ") + 5  # the group rows: stem, layer1, layer1.0, layer1.1, act


def test_depth_table_indents_members():
    result = invoke("summary", "-", "--depth", "2", stdin=STAGES.encode())
    assert result.code == 0
    assert "│  4–12 │ layer1 (basic ×2) " in result.out and "│   4–8 │   layer1.0 (basic) " in result.out


def test_json_keeps_every_layer_with_its_block_path():
    import json

    data = json.loads(invoke("summary", "-", "--format", "json", "--depth", "1", stdin=STAGES.encode()).out)
    assert len(data["layers"]) == 15
    paths = {l["name"]: l["block"] for l in data["layers"]}
    assert paths["layer1.1.add"] == ["layer1", "layer1.1"] and paths["stem.bn"] == ["stem"]
    assert paths["act.0"] == ["act"] and paths["global_avgpool_1"] == []


@pytest.mark.parametrize("depth", ["0", "-1", "x"])
def test_depth_below_one_is_a_usage_error(depth):
    result = invoke("summary", "-", "--depth", depth, stdin=STAGES.encode())
    assert result.code == 2


def test_the_readme_example_is_resnet50():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### Blocks, repeats and expressions", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    result = invoke("summary", "-", "--get", "totals.trainable_params", stdin=example.encode())
    assert result.out == "25557032\n"
    context = invoke("summary", "-", "--format", "markdown", stdin=example.encode()).out
    assert "layer 45 'layer2.0.downsample.0' (line 15) in block 'bottleneck' used at line 25 (channels=128, stride=2, project=true)" in context


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-3, 12), st.floats(-2, 5), st.sampled_from(
    ["c", "c * 2", "index", "index > 0", "c / 3", "same", "x + ", "**", "{index}", "a{index}", "input", "b", "{", "[1]"]),
    st.lists(st.integers(0, 4), max_size=3))
_KEYS = st.sampled_from(["repeat", "first", "if", "name", "inputs", "c", "filters", "kernel_size", "k"])


@given(st.lists(st.tuples(st.sampled_from(["b", "conv2d", "relu", "add"]), st.dictionaries(_KEYS, _VALUES, max_size=4)),
                min_size=1, max_size=4),
       st.dictionaries(_KEYS, _VALUES, max_size=3))
def test_any_use_of_blocks_is_a_result_or_one_error_line(entries, inner):
    import json

    spec = {"input": [2, 6, 6],
            "blocks": {"b": {"params": {"c": 2, "k": 1},
                             "layers": [{"conv2d": {"filters": "c", "kernel_size": "k", **inner}}, "relu"]}},
            "layers": [{kind: args} for kind, args in entries]}
    result = invoke("summary", "-", "--format", "json", stdin=json.dumps(spec).encode())
    assert result.code in (0, 1)
    assert "internal error" not in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) <= 1


@pytest.mark.parametrize("given, filters", [
    ('"4 * (index + 1)"', [4, 8, 12]),  # a top-level use reads `index`: EfficientNet's block_id
    ("index", [0, 1, 2]),
    ("4", [4, 4, 4]),
])
def test_a_top_level_use_gives_its_parameters_as_expressions(given, filters):
    text = net(CBR, f"cbr: {{name: a, c: {given}, repeat: 3}}") if given != "index" else net(
        CBR.replace("filters: c,", "filters: c + 1,"), "cbr: {name: a, c: index, repeat: 3}")
    spec = parse_spec(text)
    got = [layer.args["filters"] for layer in spec.layers if layer.type == "conv2d"]
    assert got == ([f + 1 for f in filters] if given == "index" else filters)


def test_a_top_level_layer_argument_is_read_as_written():
    """Outside blocks a layer's argument is not an expression: `padding: same` and a text
    filters value mean what they always meant (the latter an error naming the value)."""
    result = invoke("summary", "-", stdin=net("", "conv2d: {filters: 2 * 3, kernel_size: 3}").encode())
    assert result.code == 1 and "'2 * 3'" in result.err
