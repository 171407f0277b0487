"""Layers that move values without learning anything: channel shuffle, reshape, permute, crop,
pixel (un)shuffle and upsampling. Each has 0 parameters and 0 MACs — torchinfo's count, which
convcalc keeps for interpolation too (fvcore would count 1 to 4 multiply-adds per output for
bilinear; see README's semantics table)."""

from __future__ import annotations

from math import prod

from convcalc import formulas as f
from convcalc.layers.base import (UNTRACKED, Arg, FieldStep, LayerType, RuleContext, RuleResult, saves_nothing,
                                  saves_nothing_a_view,
                                  shape_text)
from convcalc.layers.core import backprop_reshape
from convcalc.messages import Message


def needs_spatial(ctx: RuleContext) -> None:
    if not ctx.spatial:
        raise ctx.fail("error.needs_spatial", type=ctx.type_name, shape=shape_text(ctx.shape))


def same_field(ctx: RuleContext, shape: tuple[int, ...]) -> FieldStep | None:
    """Pass-through where the spatial axes keep their meaning (or the result is flat, read
    whole by a dense layer as after flatten); else the field is no longer tracked."""
    return None if len(shape) == 1 or shape == ctx.shape else UNTRACKED


# --- channel shuffle (ShuffleNet) ---

def infer_channel_shuffle(ctx: RuleContext) -> RuleResult:
    needs_spatial(ctx)
    groups, c = ctx.args["groups"], ctx.channels
    if c % groups:
        raise ctx.fail("error.groups_divide", groups=groups, what=Message("phrase.channels"), count=c, rest=c % groups)
    per_group = ctx.step("channels_per_group", c // groups, channels=c, groups=groups)
    ctx.note("note.channel_shuffle", channels=c, groups=groups, per_group=per_group, shape=shape_text(ctx.shape))
    return RuleResult(output_shape=ctx.shape)


def forward_channel_shuffle(run):
    """ShuffleNetV2's reshape → transpose → reshape."""
    n, c, *spatial = run.x.shape
    groups = run.args["groups"]
    return run.x.reshape(n, groups, c // groups, *spatial).swapaxes(1, 2).reshape(run.x.shape)


def backprop_channel_shuffle(run, grads):
    """The shuffle undone: channel k·G + g of the output was channel g·(C/G) + k of the input."""
    n, c, *spatial = run.x.shape
    groups = run.args["groups"]
    return (grads[0].reshape(n, c // groups, groups, *spatial).swapaxes(1, 2).reshape(run.x.shape),)


# --- reshape and permute ---

def infer_reshape(ctx: RuleContext) -> RuleResult:
    target, count = ctx.args["shape"], prod(ctx.shape)
    known = prod(d for d in target if d != -1)
    text = shape_text(target).replace("-1", "−1")
    if -1 in target:
        if count % known:
            raise ctx.fail("error.reshape_unknown", shape=shape_text(ctx.shape), count=count, target=text, known=known,
                           rest=count % known)
        inferred = ctx.step("reshape_inferred", count // known, count=count, known=known)
        target = tuple(inferred if d == -1 else d for d in target)
    elif known != count:
        raise ctx.fail("error.reshape_count", shape=shape_text(ctx.shape), count=count, target=text, needed=known)
    ctx.step("no_parameters", 0)
    ctx.note("note.reshape", count=count, input=shape_text(ctx.shape), output=shape_text(target))
    return RuleResult(output_shape=target, rf=same_field(ctx, target))


def forward_reshape(run):
    return run.x.reshape(run.x.shape[0], *run.result.output_shape)


def permutation(ctx: RuleContext) -> tuple[int, ...]:
    """`dims` numbered as in the batched tensor (batch 0, channels 1, then the spatial axes),
    the batch's leading 0 optional: Keras' Permute((2, 3, 1)) and PyTorch's permute(0, 2, 3, 1)."""
    dims, axes = ctx.args["dims"], len(ctx.shape)
    if len(dims) == axes + 1 and dims[0] == 0:
        dims = dims[1:]
    if sorted(dims) != list(range(1, axes + 1)):
        raise ctx.fail("error.permute_dims", dims=shape_text(ctx.args["dims"]).replace("×", ", "), axes=axes,
                       shape=shape_text(ctx.shape), valid=", ".join(map(str, range(1, axes + 1))))
    return tuple(d - 1 for d in dims)


def infer_permute(ctx: RuleContext) -> RuleResult:
    order = permutation(ctx)
    out = tuple(ctx.shape[d] for d in order)
    ctx.step("no_parameters", 0)
    ctx.note("note.permute", input=shape_text(ctx.shape), output=shape_text(out), channels=out[0])
    return RuleResult(output_shape=out, rf=None if order == tuple(range(len(order))) else UNTRACKED)


def forward_permute(run):
    import numpy as np

    order = permutation(run.context())
    return np.ascontiguousarray(run.x.transpose(0, *(d + 1 for d in order)))


def backprop_permute(run, grads):
    """The inverse permutation puts each axis of the gradient back where the input had it."""
    import numpy as np

    order = (0, *(d + 1 for d in permutation(run.context())))
    return (np.ascontiguousarray(grads[0].transpose(np.argsort(order))),)


# --- crop (U-Net's copy-and-crop) ---

def crop_pairs(ctx: RuleContext) -> tuple[tuple[int, int], ...]:
    """What the crop removes per spatial axis, (before, after): Keras' `cropping`, or a centre
    crop to `size` or to the second input's spatial size."""
    needs_spatial(ctx)
    ways = [w for w, given in (("cropping", ctx.args.get("cropping") is not None),
                               ("size", ctx.args.get("size") is not None),
                               ("a second input", len(ctx.input_shapes) == 2)) if given]
    if len(ways) > 1:
        raise ctx.fail("error.crop_two_ways", ways=" and ".join(ways))
    if ways == ["a second input"]:
        target = ctx.input_shapes[1][1:]
        if len(target) != len(ctx.spatial):
            raise ctx.fail("error.crop_rank", shape=shape_text(ctx.shape), target=shape_text(ctx.input_shapes[1]))
    elif ways == ["size"]:
        target = ctx.per_axis("size")
    else:
        return keras_cropping(ctx)
    for axis, n, t in zip(ctx.axis_names(), ctx.spatial, target):
        if t > n:
            raise ctx.fail("error.crop_target_larger", axis=axis, n=n, t=t, target=shape_text(target),
                           shape=shape_text(ctx.spatial))
    return tuple(f.centre_crop(n, t) for n, t in zip(ctx.spatial, target))


def keras_cropping(ctx: RuleContext) -> tuple[tuple[int, int], ...]:
    value = ctx.args.get("cropping")
    if value is None:  # Keras' default: nothing
        return ((0, 0),) * len(ctx.spatial)
    if isinstance(value, tuple) and isinstance(value[0], tuple):
        if len(value) != len(ctx.spatial):
            raise ctx.fail("error.per_axis_count", name="cropping", count=len(value), rank=len(ctx.spatial))
        pairs = value
    else:
        pairs = tuple((c, c) for c in ctx.per_axis("cropping"))
    for axis, n, (lo, hi) in zip(ctx.axis_names(), ctx.spatial, pairs):
        if lo + hi >= n:
            raise ctx.fail("error.crop_too_much", axis=axis, n=n, lo=lo, hi=hi)
    return pairs


def infer_crop(ctx: RuleContext) -> RuleResult:
    pairs = crop_pairs(ctx)
    centred = ctx.args.get("cropping") is None and (len(ctx.input_shapes) == 2 or ctx.args.get("size") is not None)
    out = []
    for axis, n, (lo, hi) in zip(ctx.axis_names(), ctx.spatial, pairs):
        if centred:
            ctx.step("centre_crop_before", lo, axis=axis, n=n, t=n - lo - hi)
        out.append(ctx.step("cropped_output", f.cropped_size(n, lo, hi), axis=axis, n=n, lo=lo, hi=hi))
    out = tuple(out)
    ctx.note("note.centre_crop" if centred else "note.crop", input=shape_text(ctx.spatial), output=shape_text(out))
    # a centre crop to a second input reads only that input's size; the engine merges the two
    # fields (the larger), a bound it cannot narrow without a per-input step
    rf = None if len(ctx.input_shapes) == 2 else FieldStep(kernel=(1,) * len(out), stride=(1,) * len(out))
    return RuleResult(output_shape=(ctx.channels, *out), rf=rf)


def forward_crop(run):
    pairs = crop_pairs(run.context())
    window = tuple(slice(lo, n - hi) for n, (lo, hi) in zip(run.x.shape[2:], pairs))
    return run.x[(slice(None), slice(None), *window)].copy()


def backprop_crop(run, grads):
    """The kept cells get their gradient, the cut ones zero; a second input gave only its size,
    so its gradient is zero."""
    import numpy as np

    pairs = crop_pairs(run.context())
    window = tuple(slice(lo, n - hi) for n, (lo, hi) in zip(run.x.shape[2:], pairs))
    grad = np.zeros_like(run.x)
    grad[(slice(None), slice(None), *window)] = grads[0]
    return (grad, *(np.zeros_like(x) for x in run.inputs[1:]))


# --- pixel shuffle (sub-pixel convolution) ---

def infer_pixel_shuffle(ctx: RuleContext) -> RuleResult:
    from fractions import Fraction  # a sub-cell step: rarely needed, and a few ms to import

    r, c = ctx.args["upscale_factor"], ctx.channels
    if c % (r * r):
        raise ctx.fail("error.pixel_shuffle_channels", channels=c, r=r, square=r * r, rest=c % (r * r))
    channels = ctx.step("pixel_shuffle_channels", c // (r * r), channels=c, r=r)
    out = tuple(ctx.step("upsampled_output", n * r, axis=axis, n=n, scale=r)
                for axis, n in zip(ctx.axis_names(), ctx.spatial))
    ctx.note("note.pixel_shuffle", r=r, square=r * r, input=shape_text(ctx.shape), output=shape_text((channels, *out)))
    return RuleResult(output_shape=(channels, *out), rf=FieldStep(kernel=(1, 1), stride=(Fraction(1, r),) * 2))


def infer_pixel_unshuffle(ctx: RuleContext) -> RuleResult:
    d = ctx.args["downscale_factor"]
    for axis, n in zip(ctx.axis_names(), ctx.spatial):
        if n % d:
            raise ctx.fail("error.pixel_unshuffle_size", axis=axis, n=n, d=d, rest=n % d)
    channels = ctx.step("pixel_unshuffle_channels", ctx.channels * d * d, channels=ctx.channels, d=d)
    out = tuple(ctx.step("downscaled_output", n // d, axis=axis, n=n, d=d)
                for axis, n in zip(ctx.axis_names(), ctx.spatial))
    ctx.note("note.pixel_unshuffle", d=d, square=d * d, input=shape_text(ctx.shape), output=shape_text((channels, *out)))
    return RuleResult(output_shape=(channels, *out), rf=FieldStep(kernel=(d, d), stride=(d, d)))


def forward_pixel_shuffle(run):
    """out[c, h·r + i, w·r + j] = in[c·r² + i·r + j, h, w] (PyTorch's order)."""
    n, c, h, w = run.x.shape
    r = run.args["upscale_factor"]
    blocks = run.x.reshape(n, c // (r * r), r, r, h, w).transpose(0, 1, 4, 2, 5, 3)
    return blocks.reshape(n, c // (r * r), h * r, w * r)


def forward_pixel_unshuffle(run):
    n, c, h, w = run.x.shape
    d = run.args["downscale_factor"]
    blocks = run.x.reshape(n, c, h // d, d, w // d, d).transpose(0, 1, 3, 5, 2, 4)
    return blocks.reshape(n, c * d * d, h // d, w // d)


def backprop_pixel_shuffle(run, grads):
    """Each output cell back to the channel it came from: a pixel unshuffle of the gradient."""
    n, c, h, w = run.x.shape
    r = run.args["upscale_factor"]
    blocks = grads[0].reshape(n, c // (r * r), h, r, w, r).transpose(0, 1, 3, 5, 2, 4)
    return (blocks.reshape(run.x.shape),)


def backprop_pixel_unshuffle(run, grads):
    """Each channel back to its cell of the r×r block: a pixel shuffle of the gradient."""
    n, c, h, w = run.x.shape
    d = run.args["downscale_factor"]
    blocks = grads[0].reshape(n, c, d, d, h // d, w // d).transpose(0, 1, 4, 2, 5, 3)
    return (blocks.reshape(run.x.shape),)


# --- upsampling: PyTorch's `upsample` (size = output size) and Keras' `upsampling` (size = factor) ---

MODE_RANK = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}  # nearest: any
KIND = {"nearest": "nearest", "linear": "linear", "bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}
TAPS = {"nearest": 1, "linear": 2, "cubic": 4}  # input cells per axis one output cell is computed from


def check_mode(ctx: RuleContext, mode: str) -> None:
    needs_spatial(ctx)
    rank = MODE_RANK.get(mode)
    if rank is not None and rank != len(ctx.spatial):
        raise ctx.fail("error.upsample_mode_rank", mode=mode, rank=("[C, L]", "[C, H, W]", "[C, D, H, W]")[rank - 1],
                       shape=shape_text(ctx.shape))


def upsample_field(ctx: RuleContext, out: tuple[int, ...], mode: str, align_corners: bool) -> FieldStep:
    """Each output cell reads `taps` neighbouring input cells (clipped to the axis); neighbouring
    output cells are N/out input cells apart ((N−1)/(out−1) with align_corners)."""
    from fractions import Fraction  # a sub-cell step: rarely needed, and a few ms to import

    taps = TAPS[KIND[mode]]
    jump = tuple(Fraction(n - 1, o - 1) if align_corners and o > 1 else Fraction(n, o) for n, o in zip(ctx.spatial, out))
    return FieldStep(kernel=tuple(min(taps, n) for n in ctx.spatial), stride=jump)


def upsample_sizes(ctx: RuleContext) -> tuple[tuple[int, ...], tuple]:
    """The output size per axis and the scale factors as PyTorch passes them on (None per axis
    for an output size): `size`, or `scale_factor` (2 when neither is given)."""
    size, scale = ctx.args.get("size"), ctx.args.get("scale_factor")
    if size is not None and scale is not None:
        raise ctx.fail("error.upsample_size_and_factor")
    if size is not None:
        return ctx.per_axis("size"), (None,) * len(ctx.spatial)
    scales = ctx.per_axis("scale_factor") if scale is not None else (2,) * len(ctx.spatial)
    out = tuple(f.scaled_size(n, s) for n, s in zip(ctx.spatial, scales))
    for axis, n, s, o in zip(ctx.axis_names(), ctx.spatial, scales, out):
        if o < 1:
            raise ctx.fail("error.upsample_empty", axis=axis, n=n, scale=s)
    return out, tuple(float(s) for s in scales)


def infer_upsample(ctx: RuleContext) -> RuleResult:
    mode, align = ctx.args["mode"], ctx.args.get("align_corners")
    check_mode(ctx, mode)
    if align is not None and mode == "nearest":
        raise ctx.fail("error.align_corners_nearest", value="true" if align else "false")
    out, scales = upsample_sizes(ctx)
    for axis, n, o, s in zip(ctx.axis_names(), ctx.spatial, out, scales):
        if s is None:
            ctx.step("sized_output", o, axis=axis, size=o)
        else:
            whole = s.is_integer()
            ctx.step("upsampled_output" if whole else "scaled_output", o, axis=axis, n=n, scale=int(s) if whole else s)
        if s is None and o < n:
            ctx.warn("warn.upsample_size_shrinks", axis=axis, n=n, size=o)
    upsample_note(ctx, mode, out, bool(align))
    return RuleResult(output_shape=(ctx.channels, *out), rf=upsample_field(ctx, out, mode, bool(align)))


def upsample_note(ctx: RuleContext, mode: str, out: tuple[int, ...], align: bool) -> None:
    texts = {"input": shape_text(ctx.spatial), "output": shape_text(out)}
    if mode == "nearest":
        ctx.note("note.upsample", **texts)
    else:
        ctx.note("note.interpolate", mode=mode, taps=TAPS[KIND[mode]], align="true" if align else "false", **texts)


def infer_keras_upsampling(ctx: RuleContext) -> RuleResult:
    """Keras' UpSampling1D/2D/3D: `size` is the factor, whole numbers only."""
    mode = ctx.args["interpolation"]
    check_mode(ctx, mode)
    scale = ctx.per_axis("size")
    out = tuple(ctx.step("upsampled_output", n * s, axis=axis, n=n, scale=s)
                for axis, n, s in zip(ctx.axis_names(), ctx.spatial, scale))
    upsample_note(ctx, mode, out, False)
    return RuleResult(output_shape=(ctx.channels, *out), rf=upsample_field(ctx, out, mode, False))


def forward_upsample(run):
    from convcalc import numpy_ops

    ctx = run.context()
    out, scales = upsample_sizes(ctx)
    mode = run.args["mode"]
    return numpy_ops.interpolate(run.x, out, KIND[mode], bool(run.args.get("align_corners")), scales)


def forward_keras_upsampling(run):
    from convcalc import numpy_ops

    scale = run.context().per_axis("size")
    if run.args["interpolation"] == "nearest":
        return numpy_ops.upsample_nearest(run.x, scale)  # Keras repeats each cell
    out = tuple(n * s for n, s in zip(run.x.shape[2:], scale))
    return numpy_ops.interpolate(run.x, out, "linear", False, (None,) * len(out))


def backprop_upsample(run, grads):
    """Interpolation is linear in x, one axis at a time (out = M·x along each axis): the
    gradient goes back through Mᵀ, each input cell getting the weighted sum of the output cells
    it contributed to."""
    from convcalc import numpy_ops

    _, scales = upsample_sizes(run.context())
    mode = run.args["mode"]
    return (numpy_ops.interpolate_backward(grads[0], run.x.shape[2:], KIND[mode], bool(run.args.get("align_corners")),
                                           scales),)


def backprop_keras_upsampling(run, grads):
    from convcalc import numpy_ops

    scale = run.context().per_axis("size")
    if run.args["interpolation"] == "nearest":
        return (numpy_ops.upsample_nearest_backward(grads[0], scale),)
    return (numpy_ops.interpolate_backward(grads[0], run.x.shape[2:], "linear", False, (None,) * len(scale)),)


def upsample_temporaries(r, batch: int) -> int:
    """The previous axis' result, one gathered tap and the sum being built: each at most the output."""
    return 3 * batch * prod(r.output_shape)


def _dims(*names: str) -> tuple[str, ...]:
    return tuple(n.format(d=d) for n in names for d in (1, 2, 3))


TYPES = (
    LayerType("channel_shuffle", "interleave the channels of `groups` groups (ShuffleNet); shape unchanged",
              (Arg("groups", "int", help="number of groups; must divide the channels"),),
              infer_channel_shuffle, forward=forward_channel_shuffle, backprop=backprop_channel_shuffle, aliases=("channelshuffle",), saved=saves_nothing),
    LayerType("reshape", "the same values in a new channels-first shape (one −1 is worked out); 0 parameters",
              (Arg("shape", "shape", aliases=("target_shape",),
                   help="the new shape without the batch axis, channels first; one −1 is worked out"),),
              infer_reshape, forward=forward_reshape, backprop=backprop_reshape, aliases=("view", "unflatten"),
              saved=saves_nothing_a_view),
    LayerType("permute", "reorder the axes: dims numbers batch 0, channels 1, then the spatial axes",
              (Arg("dims", "axes", minimum=0, aliases=("permutation",),
                   help="the new order of axes 1.. (channels 1, then spatial); a leading 0 (the batch) is allowed"),),
              infer_permute, forward=forward_permute, backprop=backprop_permute, saved=saves_nothing),
    LayerType("crop", "cut cells from the edges: Keras' `cropping`, or a centre crop to `size` or to a second "
              "input's size (U-Net)",
              (Arg("cropping", "pads", None, help="Keras' Cropping: int, per-axis list, or per-axis [before, after] pairs"),
               Arg("size", "sizes", None, help="centre-crop to this size (torchvision's CenterCrop)")),
              infer_crop, forward=forward_crop, backprop=backprop_crop, max_inputs=2, aliases=(*_dims("cropping{d}d"), "center_crop", "centre_crop"), saved=saves_nothing),
    LayerType("pixel_shuffle", "C·r² × H × W → C × H·r × W·r (sub-pixel convolution); 0 parameters",
              (Arg("upscale_factor", "int", help="r: each group of r² channels becomes an r×r block"),),
              infer_pixel_shuffle, rank=2, forward=forward_pixel_shuffle, backprop=backprop_pixel_shuffle, saved=saves_nothing),
    LayerType("pixel_unshuffle", "C × H × W → C·r² × H/r × W/r (space to depth); 0 parameters",
              (Arg("downscale_factor", "int", help="r: each r×r block becomes r² channels"),),
              infer_pixel_unshuffle, rank=2, forward=forward_pixel_unshuffle, backprop=backprop_pixel_unshuffle, saved=saves_nothing),
    LayerType(
        "upsample",
        "PyTorch's Upsample: `size` is the OUTPUT size, `scale_factor` the factor (out = floor(N·s)); nearest, "
        "(bi/tri)linear, bicubic",
        (Arg("size", "sizes", None, help="the output size, int or one per axis (PyTorch's meaning)"),
         Arg("scale_factor", "factors", None, low=0, low_open=True,
             help="the factor, a number > 0 or one per axis (2 when neither is given)"),
         Arg("mode", "choice", "nearest", choices=("nearest", "linear", "bilinear", "bicubic", "trilinear"),
             help="nearest (any input), linear [C, L], bilinear and bicubic [C, H, W], trilinear [C, D, H, W]"),
         Arg("align_corners", "bool", None, help="linear modes and bicubic: map corner cells onto corner cells")),
        infer_upsample, forward=forward_upsample, backprop=backprop_upsample, aliases=("interpolate",), temporaries=upsample_temporaries, saved=saves_nothing,
    ),
    LayerType(
        "upsampling",
        "Keras' UpSampling1D/2D/3D: `size` is the FACTOR (out = N·size); nearest repeats, bilinear interpolates",
        (Arg("size", "sizes", 2, aliases=("scale_factor",), help="the factor, int or one per axis (Keras' meaning)"),
         Arg("interpolation", "choice", "nearest", choices=("nearest", "bilinear"),
             help="nearest (any input) or bilinear ([C, H, W]: half-pixel centres, as TensorFlow and PyTorch's "
                  "align_corners=False)")),
        infer_keras_upsampling, forward=forward_keras_upsampling, backprop=backprop_keras_upsampling, aliases=_dims("upsampling{d}d"),
        temporaries=upsample_temporaries, saved=saves_nothing,
    ),
)
