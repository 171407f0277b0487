"""split and chunk against torch.split and torch.chunk: every output's shape, which
configurations each side refuses, the NumPy runner's values, and a ShuffleNetV2 unit built
in torch.nn layer by layer (`x1, x2 = x.chunk(2, dim=1)`)."""

import pytest

torch = pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")
np = pytest.importorskip("numpy")

import yaml  # noqa: E402
from hypothesis import given, strategies as st  # noqa: E402

from convcalc.engine import analyze  # noqa: E402
from convcalc.runner import run_network  # noqa: E402
from convcalc.spec.loader import parse_spec  # noqa: E402
from tests.oracle.common import agree, convcalc_layer  # noqa: E402
from tests.oracle.torch_build import TorchNetwork, run_torch  # noqa: E402
from tests.oracle.test_runner_numerics import ATOL, RTOL  # noqa: E402
from tests.test_multi_output import SHUFFLE_UNIT  # noqa: E402


def check(input_shape, type_, args):
    """Both give the same shapes, or both refuse. Where PyTorch returns an empty section (a size
    0) or fewer chunks than asked, convcalc refuses by contract: it must know the number of
    outputs from the arguments, and every size is ≥ 1."""
    try:
        expected, error = run_torch(type_, args, tuple(input_shape)), None
    except (ValueError, RuntimeError, IndexError) as e:
        expected, error = None, e
    if error is None:
        shapes = expected[0] if isinstance(expected[0][0], tuple) else (expected[0],)
        count = len(args["sizes"]) if type_ == "split" else args["chunks"]
        if any(0 in s for s in shapes) or len(shapes) != count:
            error = ValueError(f"PyTorch gives {len(shapes)} outputs {shapes} for {count}")
    agree("PyTorch", expected, error, convcalc_layer(input_shape, type_, args), (input_shape, type_, args))


@st.composite
def shapes(draw):
    return [draw(st.integers(1, 9)) for _ in range(draw(st.integers(1, 4)))]


@given(shapes(), st.lists(st.integers(0, 6), min_size=1, max_size=5), st.integers(0, 4))
def test_split(shape, sizes, axis):
    check(shape, "split", {"sizes": sizes, "axis": axis})


@given(shapes(), st.integers(1, 12), st.integers(0, 4))
def test_chunk(shape, chunks, axis):
    check(shape, "chunk", {"chunks": chunks, "axis": axis})


@given(st.data())
def test_split_that_adds_up(data):
    """Random sizes that fit: the sizes drawn first, the input made to match."""
    sizes = data.draw(st.lists(st.integers(1, 6), min_size=1, max_size=6))
    shape = data.draw(shapes())
    axis = data.draw(st.integers(0, len(shape) - 1))
    shape[axis] = sum(sizes)
    check(shape, "split", {"sizes": sizes, "axis": axis})


def test_the_shuffle_unit_layer_by_layer():
    spec = parse_spec(SHUFFLE_UNIT)
    ours = analyze(spec).layers
    torch_net = TorchNetwork(spec)
    theirs = torch_net(torch.zeros(1, *spec.input_shape))
    assert len(ours) == len(theirs)
    for layer, (first, params) in zip(ours, theirs):
        assert (layer.output_shape, layer.trainable) == (first, params), layer.spec.where
        assert layer.output_shapes == torch_net.output_shapes[layer.spec.name], layer.spec.where


@pytest.mark.parametrize("shape, entries, expected", [
    ([6, 5, 5], ["split: {sizes: [2, 4]}", "{relu: null, inputs: split_1.1}", "{concat: null, inputs: [relu_1, split_1.0]}"],
     lambda x: torch.cat([torch.relu(torch.split(x, [2, 4], 1)[1]), torch.split(x, [2, 4], 1)[0]], 1)),
    ([7, 3], ["chunk: {chunks: 3}", "{tanh: null, inputs: chunk_1.2}", "{concat: null, inputs: [chunk_1.0, tanh_1, chunk_1.1]}"],
     lambda x: torch.cat([x.chunk(3, 1)[0], torch.tanh(x.chunk(3, 1)[2]), x.chunk(3, 1)[1]], 1)),
    ([2, 3, 9], ["chunk: {chunks: 2, axis: 2}", "{add: null, inputs: [chunk_1.1, chunk_1.1]}"],
     lambda x: x.chunk(2, 3)[1] * 2),
    ([2, 6, 3], ["split: {sizes: [1, 3, 2], axis: 1}", "{maxpool2d: {pool_size: [3, 1]}, inputs: split_1.1}",
                 "{add: null, inputs: [split_1.0, maxpool2d_1]}"],
     lambda x: torch.split(x, [1, 3, 2], 2)[0] + torch.nn.functional.max_pool2d(torch.split(x, [1, 3, 2], 2)[1], (3, 1))),
])
def test_runner_values_through_a_graph(shape, entries, expected):
    text = yaml.safe_dump({"input": shape, "layers": [yaml.safe_load(e) for e in entries]})
    net = analyze(parse_spec(text))
    runs, tensors = run_network(net, seed=5, batch=2, keep=True)
    assert all(r.ok for r in runs)
    want = expected(torch.from_numpy(tensors["input"])).numpy()
    np.testing.assert_allclose(tensors[net.layers[-1].spec.name], want, rtol=RTOL, atol=ATOL)
