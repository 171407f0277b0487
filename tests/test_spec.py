"""The spec format: entry forms, aliases, names, graphs — and every way a spec can be wrong."""

import pytest

from convcalc.errors import SpecError
from convcalc.spec.loader import parse_spec
from tests.conftest import invoke


def spec(*layers: str, input_shape="[1, 28, 28]") -> str:
    return f"input: {input_shape}\nlayers:\n" + "".join(f"  - {entry}\n" for entry in layers)


@pytest.mark.parametrize("entry", [
    "conv2d: {filters: 8, kernel_size: 3}",
    "{type: conv2d, filters: 8, kernel_size: 3}",
    "{conv2d: {out_channels: 8, kernel: 3}}",
    "{Conv2d: {filters: 8, kernel_size: [3, 3]}}",
])
def test_entry_forms_are_equivalent(entry):
    (layer,) = parse_spec(spec(entry)).layers
    assert (layer.type, layer.args["filters"]) == ("conv2d", 8)
    assert layer.args["kernel_size"] in (3, (3, 3))
    assert layer.args["stride"] == 1 and layer.args["bias"] is True


def test_default_names_count_per_type():
    layers = parse_spec(spec("conv2d: {filters: 1, kernel_size: 1}", "relu", "conv2d: {filters: 1, kernel_size: 1}", "flatten")).layers
    assert [l.name for l in layers] == ["conv2d_1", "relu_1", "conv2d_2", "flatten_1"]


def test_names_inputs_and_lines():
    layers = parse_spec(spec(
        "{conv2d: {filters: 1, kernel_size: 1}, name: a}",
        "{type: relu, name: b, inputs: input}",
        "{add: null, inputs: [a, b]}",
    )).layers
    assert [l.inputs for l in layers] == [("input",), ("input",), ("a", "b")]
    assert [l.line for l in layers] == [3, 4, 5]


ERRORS = [
    # (spec text, fragments the one-line message must contain)
    ("input: [1, 28, 28]\nlayers:\n  - conv2d: {filters: 8, kernel_size: 3\n", ["YAML syntax error", "line"]),
    ("input: [1, 28, 28]\nlayers: [relu]\nlayres: []\n", ["unknown top-level key 'layres'", "did you mean 'layers'"]),
    ("layers: [relu]\n", ["needs 'input'"]),
    ("input: [1, 0, 28]\nlayers: [relu]\n", ["'input' sizes"]),
    ("input: [1, 28, 28]\nlayers: []\n", ["non-empty list"]),
    (spec("conv2: {filters: 8, kernel_size: 3}"), ["layer 1 (line 3)", "unknown layer type 'conv2'", "did you mean 'conv2d'"]),
    (spec("conv2d: {filters: 8, kernal_size: 3}"), ["layer 1 'conv2d_1' (line 3)", "unknown argument 'kernal_size'", "did you mean 'kernel_size'"]),
    (spec("conv2d: {filters: 8}"), ["conv2d needs 'kernel_size'"]),
    (spec("conv2d: {filters: -8, kernel_size: 3}"), ["'filters' must be ≥ 1, got -8"]),
    (spec("conv2d: {filters: 8, kernel_size: 3.5}"), ["'kernel_size' must be a whole number"]),
    (spec("conv2d: {filters: 8, kernel_size: 3, padding: full}"), ["'padding' must be", "valid, same"]),
    (spec("conv2d: {filters: 8, kernel_size: 3, bias: 1}"), ["'bias' must be true or false"]),
    (spec("conv2d: {filters: 8, out_channels: 8, kernel_size: 3}"), ["same argument"]),
    (spec("conv2d: {filters: 8, kernel_size: [3, 3, 3]}"), ["'kernel_size' has 3 values but the input has 2 spatial axes"]),
    (spec("relu: {alpha: 1}"), ["relu takes no arguments"]),
    (spec("conv2d: {filters: 8, kernel_size: 3, padding: causal}"), ["must be", "valid, same"]),
    (spec("maxpool2d: {pool_size: 2}", "conv2d: {filters: 8, kernel_size: 3}", "maxpool2d: {pool_size: 2}",
          "conv2d: {filters: 8, kernel_size: 5}", input_shape="[1, 19, 19]"),
     ["layer 4 'conv2d_2' (line 6)", "kernel 5 > padded height 3: (3 + 0 − 5)/1 + 1 = -1"]),
    (spec("conv2d: {filters: 8, kernel_size: 3, dilation: 4}", input_shape="[1, 8, 8]"),
     ["dilated kernel 9 (= 4·(3−1) + 1) > padded height 8"]),
    (spec("conv2d: {filters: 8, kernel_size: 3, groups: 3}", input_shape="[4, 8, 8]"), ["groups 3 must divide the input channels 4"]),
    (spec("{conv2d: {filters: 8, kernel_size: 1}, name: a}", "{conv2d: {filters: 4, kernel_size: 1}, name: b, inputs: input}",
          "{add: null, inputs: [a, b]}"),
     ["layer 3 'add_1' (line 5)", "sizes are equal or 1 on each axis", "'a' 8×28×28, 'b' 4×28×28"]),
    # the merges that broadcast: each input named with its shape
    (spec("{conv2d: {filters: 8, kernel_size: 1}, name: a}", "{flatten: null, name: f}",
          "{multiply: null, inputs: [a, f]}"),
     ["layer 3 'multiply_1' (line 5)", "multiply needs inputs of the same rank", "'a' 8×28×28, 'f' 6272"]),
    (spec("{conv2d: {filters: 3, kernel_size: 1}, name: a}", "{maxpool2d: {pool_size: 2}, name: b, inputs: input}",
          "{Multiply: null, inputs: [a, b, input]}"),
     ["'a' 3×28×28, 'b' 1×14×14, 'input' 1×28×28"]),
    # the normalisation and element-wise types with weights
    (spec("prelu: {num_parameters: 3}"), ["num_parameters must be 1 (one shared slope) or the input's 1 channels", "got 3"]),
    (spec("layernorm: {normalized_shape: [28, 27]}"), ["normalized_shape 28×27 must equal the last 2 sizes of the input 1×28×28"]),
    (spec("LayerNorm: {normalized_shape: [2, 1, 28, 28]}"), ["normalized_shape 2×1×28×28 must equal the last 4 sizes"]),
    (spec("layernorm: {normalized_shape: [1, 2, 3, 4, 5]}"), ["'normalized_shape' must be a whole number or a list of 1 to 4"]),
    (spec("layernorm: {normalized_shape: 0}"), ["'normalized_shape' must be ≥ 1, got 0"]),
    (spec("groupnorm: {num_groups: 32}", input_shape="[48, 8, 8]"), ["num_groups 32 must divide the 48 channels (48 mod 32 = 16)"]),
    (spec("groupnorm"), ["groupnorm needs 'num_groups'"]),
    (spec("global_avgpool", "groupnorm: {num_groups: 8}", input_shape="[8, 5, 5]"),
     ["each of the 8 groups of the input 8 holds one value", "use fewer groups"]),
    (spec("adaptive_avgpool2d: {output_size: 1}", "instancenorm"), ["the input 1×1×1 has one position per channel"]),
    (spec("flatten", "InstanceNorm1d"), ["instancenorm normalises each channel over its positions", "input 784 has no spatial"]),
    (spec("stochastic_depth: {rate: 1.0}"), ["'rate' must be a number in [0, 1), got 1.0"]),
    (spec("drop_path: {mode: sample}"), ["'mode' must be one of row, batch; got 'sample'"]),
    (spec("{conv2d: {filters: 8, kernel_size: 1}, name: a}", "{maxpool2d: {pool_size: 2}, name: b, inputs: input}",
          "{concat: null, inputs: [a, b]}"), ["concat needs equal spatial sizes"]),
    (spec("dense: {units: 10}"), ["layer 1 'dense_1' (line 3)", "dense needs a 1-D input but got 1×28×28", "add `flatten`",
                                  "or declare `in_features: 28` to apply it to the last axis"]),
    (spec("dense: {units: 10, in_features: 784}"), ["layer 1 'dense_1' (line 3)", "add `flatten`", "784 features"]),
    (spec("dense: {units: 10, in_features: 27}"), ["layer 1 'dense_1' (line 3)", "'in_features' is 27", "28 features"]),
    (spec("flatten", "conv2d: {filters: 1, kernel_size: 1}"), ["conv2d expects a [C, H, W] input, got 784"]),
    (spec("conv1d: {filters: 1, kernel_size: 1}"), ["conv1d expects a [C, L] input"]),
    (spec("conv_transpose2d: {filters: 1, kernel_size: 1, padding: 3}", input_shape="[1, 2, 2]"), ["output height", "< 1"]),
    (spec("conv_transpose2d: {filters: 1, kernel_size: 3, stride: 2, output_padding: 2}"), ["output_padding 2", "smaller than the stride 2"]),
    (spec("maxpool2d: {pool_size: 3, padding: 2}"), ["padding 2 on the height is more than half the window 3"]),
    (spec("maxpool2d: {pool_size: 40}"), ["pool window 40 > padded height 28"]),
    # regressions found by the PyTorch oracle: the padding bound uses the undilated kernel,
    # and AvgPool3d checks the unpadded input against the window
    (spec("maxpool2d: {pool_size: 3, dilation: 2, padding: 2}"), ["padding 2 on the height is more than half the window 3"]),
    (spec("avgpool3d: {pool_size: 2, padding: 1}", input_shape="[1, 1, 4, 4]"), ["avgpool3d needs every input axis ≥ its window", "depth 1 < 2"]),
    (spec("global_avgpool", "global_avgpool"), ["global pooling needs spatial axes"]),
    (spec("{relu: null, inputs: nowhere}"), ["unknown input 'nowhere'"]),
    (spec("{relu: null, name: a, inputs: b}", "{relu: null, name: b, inputs: a}"), ["cycle in inputs", "a ← b ← a"]),
    (spec("{relu: null, name: a, inputs: b}", "{relu: null, name: b, inputs: input}"), ["input 'b' is defined later"]),
    (spec("{relu: null, name: a}", "{relu: null, name: a}"), ["layer 2 'a' (line 4)", "name 'a' is already used by layer 1"]),
    (spec("{relu: null, name: input}"), ["already used by the network input"]),
    (spec("{add: null}"), ["add needs at least 2 inputs, got 1"]),
    (spec("{relu: null, inputs: [input, input]}"), ["relu takes one input, got 2"]),
    (spec("[1, 2]"), ["an entry is a type name or a mapping"]),
    (spec("{conv2d: 3}"), ["arguments of 'conv2d' must be a mapping"]),
    (spec("upsample: {scale_factor: 2147483647}", "upsample: {scale_factor: 2147483647}", input_shape="[1, 4]"),
     ["layer 1 'upsample_1' (line 3)", "exceeds the limit 2147483647"]),
    (spec("conv2d: {filters: 99999999999, kernel_size: 3}"), ["exceeds the limit"]),
    ("input: [1, " + "9" * 5000 + "]\nlayers: [relu]\n", ["a number with 5,000 digits at line 1; numbers here have at most 30"]),
    ("layers: " + "[" * 100 + "]" * 100 + "\n", ["YAML nesting deeper than 64 levels"]),
    ("- just\n- a list\n", ["a spec is a mapping"]),
    # several outputs: naming them in `inputs`
    (spec("chunk: {chunks: 2}", "relu", input_shape="[4, 6, 6]"),
     ["layer 2 'relu_1' (line 4)", "'chunk_1' has 2 outputs: name one of chunk_1.0, chunk_1.1"]),
    (spec("split: {sizes: [1, 3]}", "{relu: null, inputs: split_1}", input_shape="[4, 6, 6]"),
     ["layer 2 'relu_1' (line 4)", "'split_1' has 2 outputs: name one of split_1.0, split_1.1"]),
    (spec("split: {sizes: [1, 3]}", "{relu: null, inputs: split_1.5}", input_shape="[4, 6, 6]"),
     ["input 'split_1.5': 'split_1' has 2 outputs, numbered 0 to 1"]),
    (spec("split: {sizes: [1, 3]}", "{relu: null, inputs: split_1.01}", input_shape="[4, 6, 6]"),
     ["input 'split_1.01': 'split_1' has 2 outputs, numbered 0 to 1"]),
    (spec("split: {sizes: [1, 3]}", "{relu: null, inputs: split_1.-1}", input_shape="[4, 6, 6]"),
     ["numbered 0 to 1"]),
    (spec("relu", "{relu: null, inputs: relu_1.0}"), ["input 'relu_1.0': 'relu_1' has one output, named 'relu_1'"]),
    (spec("{relu: null, name: chunk_1.1}", "chunk: {chunks: 2}", input_shape="[4, 6, 6]"),
     ["layer 1 'chunk_1.1' (line 3)", "name 'chunk_1.1' is taken: layer 2 'chunk_1' (line 4) has 2 outputs",
      "'chunk_1.0' to 'chunk_1.1'"]),
    (spec("chunk: {chunks: 2}", "{relu: null, name: chunk_1.7, inputs: chunk_1.0}", input_shape="[4, 6, 6]"),
     ["name 'chunk_1.7' is taken"]),
    (spec("{split: {sizes: [2, 2]}, inputs: relu_1}", "{relu: null, inputs: split_1.0}", input_shape="[4, 6, 6]"),
     ["cycle in inputs", "split_1 ← relu_1 ← split_1"]),
    (spec("{relu: null, inputs: split_1.0}", "{split: {sizes: [2, 2]}, inputs: input}", input_shape="[4, 6, 6]"),
     ["input 'split_1.0' is defined later"]),
    (spec("split: {sizes: [1, 2]}", input_shape="[4, 6, 6]"),
     ["sizes [1, 2] add up to 3, but axis 0 (channels) of the input 4×6×6 is 4", "add up to exactly 4"]),
    (spec("split: {sizes: [3, 3]}", input_shape="[4, 6, 6]"), ["add up to 6, but axis 0 (channels) of the input 4×6×6 is 4"]),
    (spec("split: {sizes: [6, 2], axis: 2}", input_shape="[4, 6, 6]"), ["add up to 8, but axis 2 (width) of the input 4×6×6 is 6"]),
    (spec("split: {sizes: 4}", input_shape="[4, 6, 6]"), ["'sizes' must be a list of 1 to 1024 whole numbers", "got 4"]),
    (spec("split: {sizes: []}", input_shape="[4, 6, 6]"), ["'sizes' must be a list of 1 to 1024"]),
    (spec("split: {sizes: [2, 0, 2]}", input_shape="[4, 6, 6]"), ["'sizes' must be ≥ 1, got 0"]),
    (spec("split: {sizes: [2, 2], axis: 3}", input_shape="[4, 6, 6]"),
     ["split along axis 3, but the input 4×6×6 has axes 0 to 2"]),
    (spec("split: {sizes: [2, 2], axis: -1}", input_shape="[4, 6, 6]"), ["'axis' must be ≥ 0, got -1"]),
    (spec("chunk: {chunks: 4}", input_shape="[6, 6, 6]"),
     ["4 chunks do not fit 6 channels", "ceil(6/4) = 2", "fill only 3 of them", "use chunks: 3"]),
    (spec("chunk: {chunks: 5}", input_shape="[4, 6, 6]"), ["fill only 4 of them"]),
    (spec("chunk: {chunks: 1025}", input_shape="[4, 6, 6]"), ["'chunks' = 1025 exceeds the limit 1024"]),
    (spec("chunk: {chunks: 0}", input_shape="[4, 6, 6]"), ["'chunks' must be ≥ 1, got 0"]),
    (spec("chunk", input_shape="[4, 6, 6]"), ["chunk needs 'chunks'"]),
    (spec("chunk: {chunks: 2, axis: 1}", input_shape="[4]"), ["chunk along axis 1, but the input 4 has axes 0 to 0"]),
]


@pytest.mark.parametrize("text, fragments", ERRORS, ids=[f[0] for _, f in ERRORS])
def test_bad_spec_exits_1_with_one_clear_line(text, fragments):
    result = invoke("summary", "-", stdin=text.encode())
    assert result.code == 1, result.out
    assert result.out == ""
    assert "Traceback" not in result.err
    assert 1 <= len(result.err.strip().splitlines()) <= 2, result.err
    for fragment in fragments:
        assert fragment in result.err


def test_spec_error_carries_where():
    with pytest.raises(SpecError) as info:
        parse_spec(spec("relu", "conv2d: {filters: 8, kernal_size: 3}"))
    assert info.value.where == "layer 2 'conv2d_1' (line 4)"


def test_alias_bomb_is_refused_fast():
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    text = "\n".join(levels) + "\ninput: [1, 28, 28]\nlayers: *a9\n"
    result = invoke("summary", "-", stdin=text.encode())
    assert result.code == 1 and "more than 300,000 values by line 6" in result.err
    bomb_in_layers = "input: [1, 28, 28]\nlayers:\n  - &a0 [x, x]\n" + "".join(
        f"  - &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 12))
    result = invoke("summary", "-", stdin=bomb_in_layers.encode())
    assert result.code == 1 and "more than 300,000 values" in result.err


def test_non_utf8_bytes():
    result = invoke("summary", "-", stdin=b"input: [1, 2, 2]\nlayers: [relu]\n# \xff\n")
    assert result.code == 1 and "not UTF-8 text (byte 0xff at offset 34)" in result.err


def test_oversized_input_is_refused_without_reading_it_all(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (10 * 1024 * 1024))
    result = invoke("summary", str(big))
    assert result.code == 1 and "a spec may be at most 1,048,576 bytes" in result.err
    result = invoke("summary", "-", stdin=b"#" * (2 * 1024 * 1024))
    assert result.code == 1 and "more than 1,048,576 bytes" in result.err


def test_too_many_layers():
    result = invoke("summary", "-", stdin=("input: [4]\nlayers:\n" + "  - relu\n" * 10_001).encode())
    assert result.code == 1 and "more than 10,000 layers (entry 10,001 is at line 10003); a spec may have at most 10,000" in result.err


def test_unreadable_and_folder_paths(tmp_path):
    assert "is a folder" in invoke("summary", str(tmp_path)).err
    locked = tmp_path / "locked.yaml"
    locked.write_text("input: [1]\nlayers: [relu]\n")
    locked.chmod(0)
    result = invoke("summary", str(locked))
    locked.chmod(0o644)
    import os

    if os.geteuid() != 0:  # root reads anything
        assert result.code == 1 and "cannot read" in result.err
