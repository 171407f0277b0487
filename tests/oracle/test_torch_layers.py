"""Property-based conformance with PyTorch: random layer configurations built both as a convcalc
spec and as the torch.nn module; output shapes (forward on zeros) and sum(p.numel()) must be
equal, and both sides must reject the same configurations."""

import pytest

torch = pytest.importorskip("torch", reason="the oracle extra is not installed: pip install -e '.[oracle]'")

from hypothesis import given, strategies as st  # noqa: E402

from tests.oracle.common import agree, convcalc_layer  # noqa: E402
from tests.oracle.torch_build import run_torch  # noqa: E402


def per_axis(dims: int, values: st.SearchStrategy) -> st.SearchStrategy:
    """An int, or a list with one value per spatial axis."""
    return st.one_of(values, st.lists(values, min_size=dims, max_size=dims))


def spatial(dims: int, high: int) -> st.SearchStrategy:
    return st.lists(st.integers(1, high), min_size=dims, max_size=dims)


def check(input_shape, type_, args):
    try:
        expected, error = run_torch(type_, args, tuple(input_shape)), None
    except (ValueError, RuntimeError) as e:
        expected, error = None, e
    if error is None and 0 in expected[0]:
        # PyTorch's transposed convs return an empty tensor where the size reaches 0; the
        # contract makes an output size < 1 an error, so that counts as rejected.
        error = ValueError(f"empty output {expected[0]}")
    agree("PyTorch", expected, error, convcalc_layer(input_shape, type_, args), (input_shape, type_, args))


@st.composite
def conv_configs(draw):
    dims = draw(st.sampled_from([1, 2, 3]))
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    in_ch = draw(st.integers(1, 6))
    filters = draw(st.integers(1, 6))
    stride = draw(per_axis(dims, st.integers(1, 3)))
    strided = stride != 1 and stride != [1] * dims
    padding = draw(st.one_of(
        per_axis(dims, st.integers(0, 3)), st.just("valid"), st.just("same") if not strided else st.just(0)))
    args = {
        "filters": filters, "kernel_size": draw(per_axis(dims, st.integers(1, 5))), "stride": stride,
        "padding": padding, "dilation": draw(per_axis(dims, st.integers(1, 3))), "groups": groups,
        "bias": draw(st.booleans()),
    }
    shape = [in_ch, *draw(spatial(dims, {1: 20, 2: 12, 3: 7}[dims]))]
    return shape, f"conv{dims}d", args


@given(conv_configs())
def test_conv(config):
    check(*config)


@st.composite
def transposed_configs(draw):
    dims = draw(st.sampled_from([1, 2, 3]))
    args = {
        "filters": draw(st.integers(1, 6)), "kernel_size": draw(per_axis(dims, st.integers(1, 4))),
        "stride": draw(per_axis(dims, st.integers(1, 3))), "padding": draw(per_axis(dims, st.integers(0, 3))),
        "output_padding": draw(per_axis(dims, st.integers(0, 2))), "dilation": draw(per_axis(dims, st.integers(1, 2))),
        "groups": draw(st.sampled_from([1, 1, 2])), "bias": draw(st.booleans()),
    }
    shape = [draw(st.integers(1, 6)), *draw(spatial(dims, {1: 12, 2: 8, 3: 5}[dims]))]
    return shape, f"conv_transpose{dims}d", args


@given(transposed_configs())
def test_conv_transpose(config):
    check(*config)


@st.composite
def pool_configs(draw):
    dims = draw(st.sampled_from([1, 2, 3]))
    kind = draw(st.sampled_from(["max", "avg"]))
    padding = draw(st.one_of(per_axis(dims, st.integers(0, 2)), st.just("valid")))
    args = {
        "pool_size": draw(per_axis(dims, st.integers(1, 4))),
        "stride": draw(st.one_of(st.none(), per_axis(dims, st.integers(1, 3)))),
        "padding": padding,
        # Keras' `valid` has no ceil_mode, PyTorch no `valid`: convcalc refuses the pair (test_vocabulary)
        "ceil_mode": draw(st.booleans()) if padding != "valid" else False,
    }
    if kind == "max":
        args["dilation"] = draw(per_axis(dims, st.integers(1, 2)))
    else:
        args["count_include_pad"] = draw(st.booleans())
    shape = [draw(st.integers(1, 3)), *draw(spatial(dims, {1: 16, 2: 10, 3: 6}[dims]))]
    return shape, f"{kind}pool{dims}d", args


@given(pool_configs())
def test_pool(config):
    check(*config)


@st.composite
def adaptive_configs(draw):
    dims = draw(st.sampled_from([1, 2, 3]))
    kind = draw(st.sampled_from(["avg", "max"]))
    args = {"output_size": draw(per_axis(dims, st.integers(1, 8)))}
    shape = [draw(st.integers(1, 3)), *draw(spatial(dims, {1: 20, 2: 12, 3: 6}[dims]))]
    return shape, f"adaptive_{kind}pool{dims}d", args


@given(adaptive_configs())
def test_adaptive_pool(config):
    check(*config)


@st.composite
def shape_any_rank(draw, high=8):
    rank = draw(st.integers(0, 3))
    return [draw(st.integers(1, 8)), *draw(spatial(rank, high))] if rank else [draw(st.integers(1, 8))]


@given(shape_any_rank(), st.floats(1e-6, 1e-2))
def test_batchnorm(shape, eps):
    check(shape, "batchnorm", {"eps": eps})


MODES = {1: ["nearest", "linear"], 2: ["nearest", "bilinear", "bicubic"], 3: ["nearest", "trilinear"]}


@st.composite
def upsample_configs(draw):
    """PyTorch's Upsample: `size` (the output size) or a scale factor (whole or not), any mode
    for any rank (PyTorch refuses a mode on the wrong rank, and align_corners with nearest)."""
    dims = draw(st.sampled_from([1, 2, 3]))
    shape = [draw(st.integers(1, 3)), *draw(spatial(dims, 6))]
    args = {"mode": draw(st.sampled_from(MODES[dims] + MODES[draw(st.sampled_from([1, 2, 3]))]))}
    if draw(st.booleans()):
        args["size"] = draw(per_axis(dims, st.integers(1, 9)))
    else:
        args["scale_factor"] = draw(per_axis(dims, st.sampled_from([1, 2, 3, 0.5, 1.5, 2.25, 0.3])))
    if draw(st.booleans()):
        args["align_corners"] = draw(st.booleans())
    return shape, "upsample", args


@given(upsample_configs())
def test_upsample(config):
    check(*config)


@given(st.data())
def test_keras_upsampling_shapes(data):
    dims = data.draw(st.sampled_from([1, 2, 3]))
    shape = [data.draw(st.integers(1, 3)), *data.draw(spatial(dims, 6))]
    interpolation = data.draw(st.sampled_from(["nearest", "bilinear"] if dims == 2 else ["nearest"]))
    check(shape, "upsampling", {"size": data.draw(per_axis(dims, st.integers(1, 3))), "interpolation": interpolation})


@st.composite
def rearrange_configs(draw):
    """Channel shuffle, pixel (un)shuffle, reshape, permute and Keras' cropping, valid or not."""
    kind = draw(st.sampled_from(["channel_shuffle", "pixel_shuffle", "pixel_unshuffle", "reshape", "permute", "crop"]))
    # PyTorch's pixel shuffles read the last three axes of any tensor as C, H, W (a [C, L] batch
    # would be misread): convcalc's are 2-D; ZeroPad has no 0-D form (convcalc's crop refuses [F])
    dims = 2 if kind.startswith("pixel") else draw(st.sampled_from([1, 2, 3] if kind == "crop" else [0, 1, 2, 3]))
    shape = [draw(st.integers(1, 12)), *draw(spatial(dims, 8))]
    if kind == "channel_shuffle":
        return shape, kind, {"groups": draw(st.integers(1, 6))}
    if kind in ("pixel_shuffle", "pixel_unshuffle"):
        key = "upscale_factor" if kind == "pixel_shuffle" else "downscale_factor"
        return shape, kind, {key: draw(st.integers(1, 3))}
    if kind == "reshape":
        target = draw(st.lists(st.sampled_from([-1, 1, 2, 3, 4, 6, 8, 12]), min_size=1, max_size=4))
        return shape, kind, {"shape": target}
    if kind == "permute":
        dims_ = draw(st.permutations(range(1, len(shape) + 1)))
        return shape, kind, {"dims": ([0] if draw(st.booleans()) else []) + list(dims_)}
    pads = st.integers(0, 4)
    cropping = draw(st.one_of(per_axis(dims, pads), st.lists(st.lists(pads, min_size=2, max_size=2),
                                                            min_size=dims, max_size=dims)))
    return shape, kind, {"cropping": cropping}


@given(rearrange_configs())
def test_rearrange(config):
    shape, kind, args = config
    if kind == "reshape" and args["shape"].count(-1) > 1:
        return  # convcalc's argument check refuses it before any shape: tested in test_layers
    check(*config)


@st.composite
def zeropad_configs(draw):
    """(shape, type, args) of a zero padding of 1 to 3 axes: one pad an axis, or per-axis pairs."""
    dims = draw(st.sampled_from([1, 2, 3]))
    pads = st.integers(0, 3)
    padding = draw(st.one_of(
        per_axis(dims, pads), st.lists(st.lists(pads, min_size=2, max_size=2), min_size=dims, max_size=dims)))
    return [draw(st.integers(1, 3)), *draw(spatial(dims, 6))], f"zeropad{dims}d", {"padding": padding}


@given(zeropad_configs())
def test_zeropad(config):
    check(*config)


@given(shape_any_rank(), st.integers(1, 12), st.booleans())
def test_flatten_dense(shape, units, bias):
    check(shape, "flatten", {})
    features = 1
    for d in shape:
        features *= d
    check([features], "dense", {"units": units, "bias": bias})


@pytest.mark.parametrize("type_", ["relu", "relu6", "leaky_relu", "elu", "gelu", "silu", "sigmoid", "tanh",
                                   "softmax", "dropout", "lrn", "global_avgpool", "global_maxpool"])
@pytest.mark.parametrize("shape", [[3, 7], [4, 5, 6], [2, 3, 4, 5]])
def test_shape_keeping_layers(type_, shape):
    check(shape, type_, {})


# --- the modern blocks' layers: normalisation, layer scale, PReLU, broadcasting merges ---

@st.composite
def norm_configs(draw):
    """layernorm over channels or the last axes (a normalized_shape that fits, or one that
    does not), groupnorm with num_groups that divides C or not, instancenorm's switches."""
    shape = draw(shape_any_rank(6))
    kind = draw(st.sampled_from(["layernorm", "groupnorm", "instancenorm"]))
    eps = draw(st.floats(1e-6, 1e-2))
    if kind == "layernorm":
        args = {"eps": eps, "elementwise_affine": draw(st.booleans()), "bias": draw(st.booleans())}
        if draw(st.booleans()):
            count = draw(st.integers(1, len(shape)))
            fits = shape[-count:]
            args["normalized_shape"] = draw(st.sampled_from([fits, [d + 1 for d in fits]]))
        return shape, kind, args
    if kind == "groupnorm":
        return shape, kind, {"num_groups": draw(st.integers(1, 8)), "eps": eps, "affine": draw(st.booleans())}
    return shape, kind, {"eps": eps, "affine": draw(st.booleans()), "track_running_stats": draw(st.booleans())}


@given(norm_configs())
def test_norms(config):
    check(*config)


@given(shape_any_rank(), st.integers(1, 9))
def test_prelu(shape, count):
    check(shape, "prelu", {"num_parameters": count})


@given(shape_any_rank(), st.sampled_from(["row", "batch"]), st.floats(0, 0.99))
def test_scale_and_stochastic_depth(shape, mode, rate):
    check(shape, "scale", {})
    check(shape, "stochastic_depth", {"rate": rate, "mode": mode})


@pytest.mark.parametrize("type_", ["hardsigmoid", "hardswish", "mish", "identity"])
@pytest.mark.parametrize("shape", [[3, 7], [4, 5, 6], [2, 3, 4, 5], [6]])
def test_new_activations_keep_the_shape(type_, shape):
    check(shape, type_, {})


@st.composite
def merge_shapes(draw):
    """2–3 shapes of one rank, each axis its full size or 1 (or, sometimes, another size)."""
    full = draw(shape_any_rank(5))
    shapes = [[draw(st.sampled_from([d, 1, d, d + 1])) for d in full] for _ in range(draw(st.integers(2, 3)))]
    return shapes, draw(st.sampled_from(["add", "multiply"]))


@given(merge_shapes())
def test_broadcasting_merges(config):
    """Each input made by an adaptive pool (or none, for the network input) to its drawn shape;
    torch's `+` and `*` broadcast or refuse, and convcalc must agree."""
    from convcalc.engine import analyze
    from convcalc.errors import SpecError
    from convcalc.spec.loader import parse_data
    from tests.oracle.torch_build import run_torch_network

    shapes, merge = config
    rank = len(shapes[0]) - 1
    top = [max(axis) for axis in zip(*shapes)]
    layers = []
    for i, s in enumerate(shapes):
        layers.append({"conv1d" if rank == 1 else "conv2d" if rank == 2 else "conv3d" if rank == 3 else "dense":
                       {"filters": s[0], "kernel_size": 1} if rank else {"units": s[0]},
                       "name": f"c{i}", "inputs": "input"})
        if rank:
            layers.append({f"adaptive_avgpool{rank}d": {"output_size": s[1:]}, "name": f"p{i}"})
    names = [f"p{i}" if rank else f"c{i}" for i in range(len(shapes))]
    spec = parse_data({"input": [2, *top[1:]], "layers": [*layers, {merge: None, "inputs": names}]})
    try:
        ours = analyze(spec).layers[-1].output_shape
    except SpecError as e:
        ours = e
    try:
        expected = run_torch_network(spec)[-1][0]
    except RuntimeError as e:
        assert isinstance(ours, SpecError), f"torch refuses {shapes} ({e}) but convcalc gives {ours}"
        return
    assert ours == expected, (shapes, merge, ours, expected)
