"""Keras semantics — `same` (strides 1–3, odd and even kernels, dilation), `causal`, depthwise,
separable, transposed `same`/`valid`, pooling with `same` — against Keras 3 layers on the torch
backend. Keras works channels-last; shapes are turned channels-first before comparing."""

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")
keras = pytest.importorskip("keras", reason="the oracle extra is not installed: pip install -e '.[oracle]'")
np = pytest.importorskip("numpy")

from hypothesis import given, strategies as st  # noqa: E402

from tests.oracle.common import agree, convcalc_layer  # noqa: E402


def run_keras(layer, input_shape):
    """(channels-first output shape, trainable params) of a Keras layer on zeros."""
    c, *spatial = input_shape
    try:
        shape = tuple(int(d) for d in layer(np.zeros((1, *spatial, c), dtype="float32")).shape[1:])
    except RuntimeError as e:
        if "smaller than kernel size" not in str(e):
            raise
        # Keras on the torch backend hands `same` average pooling to avg_pool3d, which refuses
        # inputs smaller than the window; Keras' own shape rule (ceil(N/S)) is the semantics.
        shape = tuple(int(d) for d in layer.compute_output_shape((1, *spatial, c))[1:])
    return (shape[-1], *shape[:-1]), sum(int(np.prod(w.shape)) for w in layer.trainable_weights)


def check(input_shape, keras_factory, type_, args):
    try:
        expected, error = run_keras(keras_factory(), input_shape), None
    except (ValueError, RuntimeError) as e:
        expected, error = None, e
    if error is None and 0 in expected[0]:
        error = ValueError(f"empty output {expected[0]}")  # the contract makes size < 1 an error
    agree("Keras", expected, error, convcalc_layer(input_shape, type_, args), (input_shape, type_, args))


def stride_and_dilation(draw, dims):
    """Keras refuses strides > 1 together with dilation > 1, so draw one or the other."""
    if draw(st.booleans()):
        return [draw(st.integers(1, 3)) for _ in range(dims)], [1] * dims
    return [1] * dims, [draw(st.integers(1, 3)) for _ in range(dims)]


@given(st.data())
def test_conv_same_valid_causal(data):
    dims = data.draw(st.sampled_from([1, 2, 3]))
    padding = data.draw(st.sampled_from(["same", "valid", "causal"] if dims == 1 else ["same", "valid"]))
    strides, dilation = stride_and_dilation(data.draw, dims)
    kernel = [data.draw(st.integers(1, 5)) for _ in range(dims)]  # odd and even
    filters, bias = data.draw(st.integers(1, 5)), data.draw(st.booleans())
    shape = [data.draw(st.integers(1, 4)), *data.draw(st.lists(st.integers(1, {1: 20, 2: 11, 3: 6}[dims]),
                                                               min_size=dims, max_size=dims))]
    cls = getattr(keras.layers, f"Conv{dims}D")
    check(shape, lambda: cls(filters, kernel, strides=strides, padding=padding, dilation_rate=dilation, use_bias=bias),
          f"conv{dims}d", {"filters": filters, "kernel_size": kernel, "stride": strides, "padding": padding,
                           "dilation": dilation, "bias": bias})


@given(st.data())
def test_depthwise_and_separable(data):
    padding = data.draw(st.sampled_from(["same", "valid"]))
    strides, dilation = stride_and_dilation(data.draw, 2)
    kernel = [data.draw(st.integers(1, 5)) for _ in range(2)]
    filters, m, bias = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 3)), data.draw(st.booleans())
    shape = [data.draw(st.integers(1, 4)), data.draw(st.integers(1, 11)), data.draw(st.integers(1, 11))]
    args = {"kernel_size": kernel, "stride": strides, "padding": padding, "depth_multiplier": m,
            "dilation": dilation, "bias": bias}
    common = {"strides": strides, "padding": padding, "depth_multiplier": m, "dilation_rate": dilation, "use_bias": bias}
    check(shape, lambda: keras.layers.DepthwiseConv2D(kernel, **common), "depthwise_conv2d", args)
    check(shape, lambda: keras.layers.SeparableConv2D(filters, kernel, **common), "separable_conv2d",
          {**args, "filters": filters})


@given(st.data())
def test_conv_transpose_same_valid(data):
    dims = data.draw(st.sampled_from([1, 2, 3]))
    padding = data.draw(st.sampled_from(["same", "valid"]))
    strides = [data.draw(st.integers(1, 3)) for _ in range(dims)]
    kernel = [data.draw(st.integers(1, 5)) for _ in range(dims)]
    output_padding = data.draw(st.one_of(st.none(), st.just([data.draw(st.integers(0, s - 1)) for s in strides])))
    filters, bias = data.draw(st.integers(1, 5)), data.draw(st.booleans())
    shape = [data.draw(st.integers(1, 4)), *data.draw(st.lists(st.integers(1, {1: 12, 2: 8, 3: 5}[dims]),
                                                               min_size=dims, max_size=dims))]
    cls = getattr(keras.layers, f"Conv{dims}DTranspose")
    check(shape, lambda: cls(filters, kernel, strides=strides, padding=padding, output_padding=output_padding,
                             use_bias=bias),
          f"conv_transpose{dims}d", {"filters": filters, "kernel_size": kernel, "stride": strides, "padding": padding,
                                     "output_padding": output_padding, "bias": bias})


@given(st.data())
def test_pool_same_valid(data):
    dims = data.draw(st.sampled_from([1, 2, 3]))
    kind = data.draw(st.sampled_from(["max", "avg"]))
    padding = data.draw(st.sampled_from(["same", "valid"]))
    pool = [data.draw(st.integers(1, 4)) for _ in range(dims)]
    strides = data.draw(st.one_of(st.none(), st.lists(st.integers(1, 3), min_size=dims, max_size=dims)))
    shape = [data.draw(st.integers(1, 3)), *data.draw(st.lists(st.integers(1, {1: 16, 2: 10, 3: 6}[dims]),
                                                               min_size=dims, max_size=dims))]
    cls = getattr(keras.layers, f"{'Max' if kind == 'max' else 'Average'}Pooling{dims}D")
    check(shape, lambda: cls(pool, strides=strides, padding=padding),
          f"{kind}pool{dims}d", {"pool_size": pool, "stride": strides, "padding": padding})


@given(st.data())
def test_broadcasting_merges_follow_keras_too(data):
    """Keras 3's Add and Multiply broadcast size-1 axes as PyTorch does (the SE gate is
    H×W×C times 1×1×C there); on channels-last tensors of one rank the rule is the same, so
    convcalc's channels-first answer, turned channels-last, is Keras' (or both refuse)."""
    from convcalc.engine import analyze
    from convcalc.errors import SpecError
    from convcalc.spec.loader import parse_data

    full = [data.draw(st.integers(1, 4)) for _ in range(3)]
    shapes = [[data.draw(st.sampled_from([d, 1, d + 1])) for d in full] for _ in range(2)]
    merge = data.draw(st.sampled_from(["add", "multiply"]))
    layers = [{"conv2d": {"filters": s[0], "kernel_size": 1}, "name": f"c{i}", "inputs": "input"} for i, s in enumerate(shapes)]
    layers += [{"adaptive_avgpool2d": {"output_size": s[1:]}, "name": f"p{i}", "inputs": f"c{i}"} for i, s in enumerate(shapes)]
    spec = parse_data({"input": [1, 8, 8], "layers": [*layers, {merge: None, "inputs": ["p0", "p1"]}]})
    try:
        ours = analyze(spec).layers[-1].output_shape
    except SpecError as e:
        ours = e
    cls = keras.layers.Add if merge == "add" else keras.layers.Multiply
    try:
        out = cls()([np.zeros((1, *s[1:], s[0]), dtype="float32") for s in shapes])
        expected = (int(out.shape[-1]), *(int(d) for d in out.shape[1:-1]))
    except ValueError as e:
        assert isinstance(ours, SpecError), f"Keras refuses {shapes} ({e}) but convcalc gives {ours}"
        return
    assert ours == expected, (shapes, merge)
