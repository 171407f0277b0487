"""ONNX in, without the oracle: small graphs built with onnx.helper in the test, read back through
the CLI, and hostile files (truncated, wrong magic, a 10⁶-node graph) refused in one line."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import pytest

from tests.conftest import invoke

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed: pip install 'convcalc[onnx]'")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import numpy as np  # noqa: E402


def weight(name: str, *shape: int):
    return numpy_helper.from_array(np.zeros(shape, dtype=np.float32), name=name)


def ints(name: str, *values: int):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name=name)


def model_file(tmp_path, nodes, inits, shape=(1, 3, 8, 8), name="model.onnx", opset=17):
    graph = helper.make_graph(nodes, "net", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
                              [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)], inits)
    path = tmp_path / name
    path.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]).SerializeToString())
    return str(path)


@dataclass(frozen=True, kw_only=True)
class Case:
    label: str
    nodes: list
    inits: list = field(default_factory=list)
    types: list  # the layer types convcalc reads
    output: list  # the last layer's output shape
    params: int
    shape: tuple = (1, 3, 8, 8)


N = helper.make_node
CASES = [
    Case(label="conv with bias", nodes=[N("Conv", ["x", "w", "b"], ["y"], name="/conv1/Conv", pads=[1, 1, 1, 1])],
         inits=[weight("w", 4, 3, 3, 3), weight("b", 4)], types=["conv2d"], output=[4, 8, 8], params=112),
    Case(label="asymmetric pads: a zero-pad layer first", nodes=[N("Conv", ["x", "w"], ["y"], pads=[0, 0, 1, 1],
                                                                   strides=[2, 2])],
         inits=[weight("w", 4, 3, 3, 3)], types=["zeropad2d", "conv2d"], output=[4, 4, 4], params=108),
    Case(label="weight shared through Identity", nodes=[N("Identity", ["w"], ["w2"]), N("Conv", ["x", "w2"], ["y"])],
         inits=[weight("w", 4, 3, 1, 1)], types=["conv2d"], output=[4, 8, 8], params=12),
    Case(label="depthwise, bn, relu6 as Clip", nodes=[
        N("Conv", ["x", "w"], ["c"], group=3, pads=[1, 1, 1, 1]),
        N("BatchNormalization", ["c", "g", "b", "m", "v"], ["n"], epsilon=1e-3, momentum=0.99),
        N("Clip", ["n", "lo", "hi"], ["y"])],
        inits=[weight("w", 3, 1, 3, 3), weight("g", 3), weight("b", 3), weight("m", 3), weight("v", 3),
               numpy_helper.from_array(np.array(0, np.float32), "lo"), numpy_helper.from_array(np.array(6, np.float32), "hi")],
        types=["conv2d", "batchnorm", "relu6"], output=[3, 8, 8], params=27 + 12),
    Case(label="pools, global pool, flatten, gemm", nodes=[
        N("MaxPool", ["x"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        N("AveragePool", ["p"], ["a"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=1),
        N("GlobalAveragePool", ["a"], ["g"]), N("Flatten", ["g"], ["f"]),
        N("Gemm", ["f", "w", "b"], ["y"], transB=1)],
        inits=[weight("w", 10, 3), weight("b", 10)],
        types=["maxpool2d", "avgpool2d", "adaptive_avgpool2d", "flatten", "dense"], output=[10], params=40),
    Case(label="SiLU as Sigmoid·x, SE gate", nodes=[
        N("Sigmoid", ["x"], ["s"]), N("Mul", ["x", "s"], ["a"]),
        N("GlobalAveragePool", ["a"], ["g"]), N("Sigmoid", ["g"], ["gs"]), N("Mul", ["a", "gs"], ["y"])],
        types=["silu", "adaptive_avgpool2d", "sigmoid", "multiply"], output=[3, 8, 8], params=0),
    Case(label="add, concat, split, scalar arithmetic folded", nodes=[
        N("Add", ["x", "x"], ["a"]), N("Div", ["a", "six"], ["d"]), N("Concat", ["a", "d"], ["c"], axis=1),
        N("Split", ["c", "sizes"], ["s0", "s1"], axis=1), N("Mul", ["s0", "s1"], ["y"])],
        inits=[numpy_helper.from_array(np.array(6, np.float32), "six"), ints("sizes", 2, 2)],
        types=["add", "concat", "split", "multiply"], output=[2, 8, 8], params=0, shape=(1, 2, 8, 8)),
    Case(label="MatMul + Add is a dense layer with bias", nodes=[
        N("Flatten", ["x"], ["f"]), N("MatMul", ["f", "w"], ["m"]), N("Add", ["m", "b"], ["y"])],
        inits=[weight("w", 192, 5), weight("b", 5)], types=["flatten", "dense"], output=[5], params=965),
    Case(label="reshape with Shape/Gather/Concat target: flatten", nodes=[
        N("Shape", ["x"], ["sh"]), N("Gather", ["sh", "zero"], ["n"], axis=0), N("Unsqueeze", ["n", "axes"], ["nn"]),
        N("Concat", ["nn", "minus"], ["target"], axis=0), N("Reshape", ["x", "target"], ["y"])],
        inits=[numpy_helper.from_array(np.array(0, np.int64), "zero"), ints("axes", 0), ints("minus", -1)], types=["flatten"], output=[192], params=0),
    Case(label="channel shuffle pattern", nodes=[
        N("Reshape", ["x", "s5"], ["r"]), N("Transpose", ["r"], ["t"], perm=[0, 2, 1, 3, 4]),
        N("Reshape", ["t", "s4"], ["y"])],
        inits=[ints("s5", 1, 2, 2, 8, 8), ints("s4", 1, 4, 8, 8)], types=["channel_shuffle"], output=[4, 8, 8],
        params=0, shape=(1, 4, 8, 8)),
    Case(label="pad, resize, transposed conv, dropout", nodes=[
        N("Pad", ["x", "pads"], ["p"]), N("Resize", ["p", "", "scales"], ["r"], mode="nearest"),
        N("ConvTranspose", ["r", "w"], ["c"], strides=[2, 2]), N("Dropout", ["c"], ["y"], ratio=0.25)],
        inits=[ints("pads", 0, 0, 1, 1, 0, 0, 1, 1), numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales"),
               weight("w", 3, 5, 2, 2)],
        types=["zeropad2d", "upsample", "conv_transpose2d", "dropout"], output=[5, 40, 40], params=60),
    Case(label="slice of the channels is a split section", nodes=[
        N("Slice", ["x", "st", "en", "ax"], ["y"])],
        inits=[ints("st", 0), ints("en", 2), ints("ax", 1)], types=["split"], output=[2, 8, 8], params=0,
        shape=(1, 4, 8, 8)),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_small_graphs(case, tmp_path):
    path = model_file(tmp_path, case.nodes, case.inits, case.shape)
    r = invoke("summary", path, "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert [layer["type"] for layer in data["layers"]] == case.types
    assert data["layers"][-1]["output_shape"] == case.output
    assert data["totals"]["params"] == case.params


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_import_writes_a_spec_that_reads_back_the_same(case, tmp_path):
    path = model_file(tmp_path, case.nodes, case.inits, case.shape)
    out = tmp_path / "spec.yaml"
    assert invoke("import", path, "-o", str(out)).code == 0
    direct, via_yaml = (json.loads(invoke("summary", p, "--format", "json").out) for p in (path, str(out)))
    assert [(l["name"], l["output_shape"], l["params"]) for l in direct["layers"]] == \
        [(l["name"], l["output_shape"], l["params"]) for l in via_yaml["layers"]]


def test_scoped_names_become_module_names(tmp_path):
    path = model_file(tmp_path, CASES[0].nodes, CASES[0].inits)
    assert invoke("summary", path, "--get", "layers.1.name").out.strip() == "conv1"


def test_every_command_takes_an_onnx_file(tmp_path):
    path = model_file(tmp_path, CASES[4].nodes, CASES[4].inits)
    for args in (["explain", path, "1"], ["verify", path], ["compare", path, "lenet5"], ["draw", path],
                 ["report", path], ["summary", path, "--input", "3x16x16"]):
        r = invoke(*args)
        assert r.code == 0, (args, r.err)


def test_folded_batchnorm_is_said(tmp_path):
    r = invoke("summary", model_file(tmp_path, CASES[0].nodes, CASES[0].inits))
    assert r.code == 0 and "no BatchNormalization" in r.err and "TrainingMode.PRESERVE" in r.err


def _bad(tmp_path, data: bytes, name="bad.onnx"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _huge_graph(tmp_path) -> str:
    nodes = [N("Relu", ["x" if i == 0 else f"t{i - 1}"], [f"t{i}"]) for i in range(1_000_000)]
    return model_file(tmp_path, nodes, [], name="huge.onnx")


HOSTILE = {
    "truncated": lambda tmp: _bad(tmp, open(model_file(tmp, CASES[0].nodes, CASES[0].inits), "rb").read()[:-40]),
    "wrong magic": lambda tmp: _bad(tmp, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    "empty": lambda tmp: _bad(tmp, b""),
    "unsupported op": lambda tmp: model_file(tmp, [N("Einsum", ["x", "x"], ["y"], equation="ij,ij->ij")], []),
    "two inputs matmul": lambda tmp: model_file(tmp, [N("MatMul", ["x", "x"], ["y"])], []),
    "open input size": lambda tmp: model_file(tmp, [N("Relu", ["x"], ["y"])], [], shape=(1, 3, "h", "w")),
}


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_files_are_one_line(label, tmp_path):
    path = HOSTILE[label](tmp_path)
    r = invoke("summary", path)
    assert r.code == 1 and r.err.startswith("error: ") and len(r.err.strip().splitlines()) == 1, r.err
    assert "internal error" not in r.err and "Traceback" not in r.err


def test_unsupported_op_names_node_op_and_list(tmp_path):
    r = invoke("summary", HOSTILE["unsupported op"](tmp_path))
    assert "(Einsum)" in r.err and "supported: Add, AveragePool" in r.err


def test_a_million_nodes_is_refused_in_under_2_s(tmp_path):
    path = _huge_graph(tmp_path)
    start = time.perf_counter()
    r = invoke("summary", path)
    assert time.perf_counter() - start < 2
    assert r.code == 1 and "1,000,000 nodes" in r.err and len(r.err.strip().splitlines()) == 1
