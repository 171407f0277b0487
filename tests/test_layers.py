"""Every layer type's shape and parameter rule, as a table of real cases.

Each row: input shape, one YAML layer entry, then the expected output shape, trainable
parameters, kernel shape (PyTorch's weight shape) and MACs. The figures are PyTorch's
(`sum(p.numel())`, the forward output's shape); the oracle suite re-derives them at random.
"""

import pytest

from convcalc.layers import REGISTRY
from convcalc.errors import SpecError
from tests.conftest import invoke, net_of

CASES = [
    # The seeds' classic examples.
    ([1, 28, 28], "conv2d: {filters: 16, kernel_size: 3}", (16, 26, 26), 160, (16, 1, 3, 3), 16 * 26 * 26 * 9),
    ([16, 26, 26], "conv2d: {filters: 32, kernel_size: 3}", (32, 24, 24), 4640, (32, 16, 3, 3), 32 * 24 * 24 * 144),
    ([32, 14, 14], "conv2d: {filters: 64, kernel_size: 5}", (64, 10, 10), 51_264, (64, 32, 5, 5), 6400 * 800),
    ([3, 32, 32], "conv2d: {filters: 192, kernel_size: 3, padding: 1, bias: false}", (192, 32, 32), 5184, (192, 3, 3, 3), 192 * 1024 * 27),
    # conv2d: stride, padding modes, dilation, groups, per-axis sizes, aliases
    ([1, 28, 28], "conv2d: {out_channels: 8, kernel: 3, strides: 2, padding: 1}", (8, 14, 14), 80, (8, 1, 3, 3), 8 * 196 * 9),
    ([3, 10, 10], "conv2d: {filters: 4, kernel_size: 4, padding: same}", (4, 10, 10), 196, (4, 3, 4, 4), 4 * 100 * 48),
    ([3, 7, 7], "conv2d: {filters: 4, kernel_size: 3, stride: 2, padding: same}", (4, 4, 4), 112, (4, 3, 3, 3), 4 * 16 * 27),
    ([3, 10, 10], "conv2d: {filters: 2, kernel_size: 3, dilation_rate: 2}", (2, 6, 6), 56, (2, 3, 3, 3), 2 * 36 * 27),
    ([4, 9, 9], "conv2d: {filters: 8, kernel_size: 3, groups: 2}", (8, 7, 7), 152, (8, 2, 3, 3), 8 * 49 * 18),
    ([4, 9, 9], "conv2d: {filters: 4, kernel_size: 3, groups: 4, use_bias: false}", (4, 7, 7), 36, (4, 1, 3, 3), 4 * 49 * 9),
    ([1, 10, 20], "conv2d: {filters: 2, kernel_size: [3, 5], padding: [1, 2]}", (2, 10, 20), 32, (2, 1, 3, 5), 2 * 200 * 15),
    ([1, 10, 20], "conv2d: {filters: 1, kernel_size: 3, stride: [1, 2], padding: valid}", (1, 8, 9), 10, (1, 1, 3, 3), 72 * 9),
    # conv1d / conv3d
    ([4, 100], "conv1d: {filters: 8, kernel_size: 5, stride: 2}", (8, 48), 168, (8, 4, 5), 8 * 48 * 20),
    ([2, 10], "conv1d: {filters: 3, kernel_size: 3, dilation: 2, padding: causal}", (3, 10), 21, (3, 2, 3), 30 * 6),
    ([2, 10], "conv1d: {filters: 3, kernel_size: 4, padding: same}", (3, 10), 27, (3, 2, 4), 30 * 8),
    ([2, 8, 8, 8], "conv3d: {filters: 4, kernel_size: 3, padding: 1}", (4, 8, 8, 8), 220, (4, 2, 3, 3, 3), 4 * 512 * 54),
    ([1, 5, 9, 9], "conv3d: {filters: 2, kernel_size: [1, 3, 3], stride: [1, 2, 2]}", (2, 5, 4, 4), 20, (2, 1, 1, 3, 3), 2 * 80 * 9),
    # transposed convolutions: PyTorch's rule for int padding, Keras' for valid/same
    ([16, 7, 7], "conv_transpose2d: {filters: 8, kernel_size: 4, stride: 2, padding: 1}", (8, 14, 14), 2056, (16, 8, 4, 4), 16 * 49 * 128),
    ([4, 7, 7], "conv_transpose2d: {filters: 2, kernel_size: 3, stride: 2, padding: 1, output_padding: 1}", (2, 14, 14), 74, (4, 2, 3, 3), 4 * 49 * 18),
    ([4, 7, 7], "conv_transpose2d: {filters: 2, kernel_size: 3, stride: 2, padding: same}", (2, 14, 14), 74, (4, 2, 3, 3), 4 * 49 * 18),
    ([4, 7, 7], "conv_transpose2d: {filters: 2, kernel_size: 3, stride: 2, padding: valid}", (2, 15, 15), 74, (4, 2, 3, 3), 4 * 49 * 18),
    ([4, 7, 7], "conv2d_transpose: {filters: 2, kernel_size: 3, stride: 2, padding: same, output_padding: 1}", (2, 14, 14), 74, (4, 2, 3, 3), 4 * 49 * 18),
    ([4, 10], "conv_transpose1d: {filters: 2, kernel_size: 3}", (2, 12), 26, (4, 2, 3), 40 * 6),
    ([2, 4, 4, 4], "conv_transpose3d: {filters: 3, kernel_size: 2, stride: 2}", (3, 8, 8, 8), 51, (2, 3, 2, 2, 2), 128 * 24),
    ([4, 5, 5], "conv_transpose2d: {filters: 4, kernel_size: 3, groups: 2, dilation: 2}", (4, 9, 9), 76, (4, 2, 3, 3), 100 * 18),
    # depthwise and separable (Keras)
    ([32, 14, 14], "depthwise_conv2d: {kernel_size: 3, padding: 1}", (32, 14, 14), 320, (32, 1, 3, 3), 32 * 196 * 9),
    ([32, 14, 14], "depthwise_conv2d: {kernel_size: 3, depth_multiplier: 2, bias: false}", (64, 12, 12), 576, (64, 1, 3, 3), 64 * 144 * 9),
    ([32, 14, 14], "separable_conv2d: {filters: 64, kernel_size: 3, padding: same}", (64, 14, 14), 2400, (32, 1, 3, 3), 196 * (32 * 9 + 64 * 32)),
    # pooling: per channel, no parameters
    ([32, 28, 28], "maxpool2d: {pool_size: 2}", (32, 14, 14), 0, None, 0),
    ([64, 55, 55], "maxpool2d: {kernel_size: 3, stride: 2}", (64, 27, 27), 0, None, 0),
    ([64, 112, 112], "maxpool2d: {pool_size: 3, stride: 2, ceil_mode: true}", (64, 56, 56), 0, None, 0),
    ([1, 5, 5], "maxpool2d: {pool_size: 2, stride: 2, padding: 1, ceil_mode: true}", (1, 3, 3), 0, None, 0),
    ([1, 7, 7], "maxpool2d: {pool_size: 3, stride: 2, padding: same}", (1, 4, 4), 0, None, 0),
    ([1, 10, 10], "maxpool2d: {pool_size: 3, dilation: 2}", (1, 2, 2), 0, None, 0),
    ([3, 5, 5], "avgpool2d: {pool_size: 2, padding: valid}", (3, 2, 2), 0, None, 0),
    ([3, 10], "avgpool1d: {pool_size: 3, stride: 1, padding: 1}", (3, 10), 0, None, 0),
    ([2, 8, 8, 8], "maxpool3d: {pool_size: 2}", (2, 4, 4, 4), 0, None, 0),
    ([2, 9, 9, 9], "avgpool3d: {pool_size: 2, ceil_mode: true}", (2, 5, 5, 5), 0, None, 0),
    ([4, 11], "maxpool1d: {pool_size: 2}", (4, 5), 0, None, 0),
    # regressions found by the PyTorch oracle: a ceil_mode window may hang past the end,
    # and an explicit null stride means the default
    ([1, 1], "avgpool1d: {pool_size: 2, ceil_mode: true}", (1, 1), 0, None, 0),
    ([2, 3, 3], "maxpool2d: {pool_size: 2, stride: null}", (2, 1, 1), 0, None, 0),
    ([512, 7, 7], "global_avgpool", (512,), 0, None, 0),
    ([8, 10], "global_maxpool", (8,), 0, None, 0),
    ([512, 14, 14], "adaptive_avgpool2d: {output_size: 7}", (512, 7, 7), 0, None, 0),
    ([4, 10], "adaptive_avgpool1d: {output_size: 3}", (4, 3), 0, None, 0),
    ([4, 5, 6, 7], "adaptive_maxpool3d: {output_size: [1, 2, 3]}", (4, 1, 2, 3), 0, None, 0),
    ([4, 5, 6, 7], "adaptive_avgpool3d: {output_size: 2}", (4, 2, 2, 2), 0, None, 0),
    ([2, 13, 9], "adaptive_maxpool2d: {output_size: [5, 4]}", (2, 5, 4), 0, None, 0),
    ([3, 7], "adaptive_maxpool1d: {output_size: 7}", (3, 7), 0, None, 0),
    # dense, flatten, normalisation, activations
    ([64, 10, 10], "flatten", (6400,), 0, None, 0),
    ([6400], "dense: {units: 10}", (10,), 64_010, (10, 6400), 64_000),
    # on the last axis at every position when in_features says so (ConvNeXt's Linear on channels-last)
    ([56, 56, 96], "dense: {units: 384, in_features: 96}", (56, 56, 384), 37_248, (384, 96), 56 * 56 * 96 * 384),
    ([20], "linear: {out_features: 5, bias: false}", (5,), 100, (5, 20), 100),
    ([64, 56, 56], "batchnorm", (64, 56, 56), 128, None, 0),
    ([10], "batchnorm1d: {eps: 0.001}", (10,), 20, None, 0),
    ([96, 55, 55], "lrn: {size: 5}", (96, 55, 55), 0, None, 0),
    ([3, 5, 5], "dropout: {rate: 0.2}", (3, 5, 5), 0, None, 0),
    *(([3, 5, 5], act, (3, 5, 5), 0, None, 0) for act in
      ("relu", "relu6", "leaky_relu: {negative_slope: 0.2}", "elu", "gelu", "silu", "sigmoid", "tanh", "softmax")),
    # Keras' Activation layer, and the `activation:` / PyTorch's `in_channels:` arguments
    ([3, 5, 5], "activation: {activation: relu}", (3, 5, 5), 0, None, 0),
    ([3, 5, 5], "{type: Activation, activation: softmax}", (3, 5, 5), 0, None, 0),
    ([1, 28, 28], "conv2d: {filters: 8, kernel_size: 3, activation: relu, in_channels: 1}", (8, 26, 26), 80, (8, 1, 3, 3), 8 * 676 * 9),
    ([4, 7, 7], "Conv2DTranspose: {filters: 2, kernel_size: 3, strides: 2, padding: same, activation: sigmoid}", (2, 14, 14), 74, (4, 2, 3, 3), 4 * 49 * 18),
    ([32, 14, 14], "DepthwiseConv2D: {kernel_size: 3, activation: relu6}", (32, 12, 12), 320, (32, 1, 3, 3), 32 * 144 * 9),
    ([32, 14, 14], "SeparableConv2D: {filters: 64, kernel_size: 3, padding: same, activation: swish}", (64, 14, 14), 2400, (32, 1, 3, 3), 196 * (32 * 9 + 64 * 32)),
    ([20], "Dense: {units: 5, activation: softmax}", (5,), 105, (5, 20), 100),
    ([20], "Linear: {in_features: 20, out_features: 5}", (5,), 105, (5, 20), 100),
    # MobileNetV3's and later activations; PReLU learns a slope, 1 shared or one per channel (PyTorch)
    *(([3, 5, 5], act, (3, 5, 5), 0, None, 0) for act in
      ("hardsigmoid", "Hardswish", "hard_silu", "mish", "identity", "Identity", "hard_sigmoid")),
    ([3, 5, 5], "prelu", (3, 5, 5), 1, None, 0),
    ([3, 5, 5], "PReLU: {num_parameters: 3}", (3, 5, 5), 3, None, 0),
    ([10], "prelu: {num_parameters: 10}", (10,), 10, None, 0),
    # normalisation from a sample's own values: 2 × the normalised size (γ and β), 0 MACs
    ([96, 56, 56], "layernorm", (96, 56, 56), 192, None, 0),  # ConvNeXt-T's stem LayerNorm2d(96)
    ([768, 1, 1], "LayerNorm2d: {eps: 1.0e-6}", (768, 1, 1), 1536, None, 0),  # ConvNeXt-T's head
    ([96, 56, 56], "LayerNorm: {normalized_shape: [56, 56]}", (96, 56, 56), 6272, None, 0),
    ([8, 4, 4], "layernorm: {normalized_shape: [8, 4, 4], elementwise_affine: false}", (8, 4, 4), 0, None, 0),
    ([8, 4, 4], "layernorm: {normalized_shape: 4, bias: false}", (8, 4, 4), 4, None, 0),
    ([10], "layer_normalization", (10,), 20, None, 0),
    ([64, 8, 8], "groupnorm: {num_groups: 32}", (64, 8, 8), 128, None, 0),
    ([64, 8, 8], "GroupNorm: {num_groups: 64, num_channels: 64, affine: false}", (64, 8, 8), 0, None, 0),
    ([6, 10], "GroupNormalization: {groups: 3}", (6, 10), 12, None, 0),
    ([6], "groupnorm: {num_groups: 1}", (6,), 12, None, 0),
    ([16, 8, 8], "instancenorm", (16, 8, 8), 0, None, 0),
    ([16, 8, 8], "InstanceNorm2d: {affine: true}", (16, 8, 8), 32, None, 0),
    ([4, 10], "instancenorm1d: {affine: true, track_running_stats: true}", (4, 10), 8, None, 0),
    ([2, 3, 4, 5], "InstanceNorm3d: {num_features: 2, track_running_stats: true}", (2, 3, 4, 5), 0, None, 0),
    # ConvNeXt's layer scale and stochastic depth
    ([96, 56, 56], "scale", (96, 56, 56), 96, None, 0),
    ([10], "layer_scale", (10,), 10, None, 0),
    ([96, 56, 56], "stochastic_depth: {rate: 0.1, mode: row}", (96, 56, 56), 0, None, 0),
    ([3, 5], "drop_path: {p: 0.2}", (3, 5), 0, None, 0),
    ([3, 5, 5], "StochasticDepth: {rate: 0.0, mode: batch}", (3, 5, 5), 0, None, 0),
    # merges of one tensor with itself (broadcasting: BROADCASTS below)
    ([4, 5, 5], "{multiply: null, inputs: [input, input]}", (4, 5, 5), 0, None, 0),
    ([4, 5], "{mul: null, inputs: [input, input, input]}", (4, 5), 0, None, 0),
    # zero padding and upsampling
    ([3, 5, 5], "zeropad2d: {padding: 1}", (3, 7, 7), 0, None, 0),
    ([3, 5, 5], "zeropad2d: {padding: [[1, 2], [0, 3]]}", (3, 8, 8), 0, None, 0),
    ([4, 10], "zeropad1d: {padding: 2}", (4, 14), 0, None, 0),
    ([1, 4, 4, 4], "zeropad3d: {padding: [1, 0, 2]}", (1, 6, 4, 8), 0, None, 0),
    ([3, 5, 5], "upsample: {scale_factor: 2}", (3, 10, 10), 0, None, 0),
    ([3, 5, 5], "upsample: {scale_factor: [2, 3]}", (3, 10, 15), 0, None, 0),
    ([3, 5], "upsample", (3, 10), 0, None, 0),
    # several outputs: output_shape is the first (tests/test_multi_output.py checks them all)
    ([116, 28, 28], "chunk: {chunks: 2}", (58, 28, 28), 0, None, 0),
    ([7, 4], "chunk: {chunks: 3}", (3, 4), 0, None, 0),
    ([3, 5, 6], "chunk: {chunks: 2, axis: 2}", (3, 5, 3), 0, None, 0),
    ([116, 28, 28], "split: {sizes: [24, 92]}", (24, 28, 28), 0, None, 0),
    ([10], "split: {sizes: [3, 3, 4]}", (3,), 0, None, 0),
    ([2, 3, 8, 8], "split: {sizes: [1, 2], axis: 1}", (2, 1, 8, 8), 0, None, 0),
    # rearranging values (rearrange.py): 0 parameters, 0 MACs (torchinfo's count, interpolation too)
    ([3, 5, 5], "upsample: {size: [7, 12], mode: bilinear}", (3, 7, 12), 0, None, 0),  # PyTorch: size = output
    ([3, 5, 5], "upsample: {scale_factor: 1.5, mode: bicubic, align_corners: true}", (3, 7, 7), 0, None, 0),
    ([3, 7], "upsample: {scale_factor: 0.5, mode: linear}", (3, 3), 0, None, 0),  # floor(7 × 0.5)
    ([2, 3, 4, 5], "upsample: {scale_factor: [1, 2.5, 2], mode: trilinear}", (2, 3, 10, 10), 0, None, 0),
    ([3, 5, 5], "upsampling2d: {size: 2, interpolation: bilinear}", (3, 10, 10), 0, None, 0),  # Keras: size = factor
    ([3, 5], "upsampling1d: {size: 3}", (3, 15), 0, None, 0),
    ([116, 28, 28], "channel_shuffle: {groups: 2}", (116, 28, 28), 0, None, 0),  # ShuffleNetV2 stage 2
    ([64, 7, 7], "reshape: {shape: [64, 49]}", (64, 49), 0, None, 0),
    ([64, 7, 7], "reshape: {shape: [-1, 7]}", (448, 7), 0, None, 0),
    ([3136], "reshape: {shape: [64, 7, 7]}", (64, 7, 7), 0, None, 0),
    ([3, 4, 5], "permute: {dims: [2, 3, 1]}", (4, 5, 3), 0, None, 0),  # Keras' Permute numbering
    ([3, 4, 5], "permute: {dims: [0, 1, 3, 2]}", (3, 5, 4), 0, None, 0),  # PyTorch's, batch first
    ([64, 64, 64], "crop: {size: 56}", (64, 56, 56), 0, None, 0),  # U-Net's copy-and-crop, 64 → 56
    ([3, 9, 9], "cropping2d: {cropping: [[1, 2], [0, 3]]}", (3, 6, 6), 0, None, 0),
    ([3, 9, 9, 9], "cropping3d: {cropping: 1}", (3, 7, 7, 7), 0, None, 0),
    ([3, 9], "crop", (3, 9), 0, None, 0),  # Keras' default cropping: nothing
    ([256, 8, 8], "pixel_shuffle: {upscale_factor: 4}", (16, 32, 32), 0, None, 0),
    ([3, 8, 12], "pixel_unshuffle: {downscale_factor: 4}", (48, 2, 3), 0, None, 0),
]


@pytest.mark.parametrize("input_shape, entry, out_shape, params, kernel_shape, macs", CASES, ids=[c[1] for c in CASES])
def test_layer_rule(input_shape, entry, out_shape, params, kernel_shape, macs):
    (layer,) = net_of(input_shape, entry).layers
    assert layer.output_shape == out_shape
    assert layer.trainable == params
    assert layer.kernel_shape == kernel_shape
    assert layer.macs == macs


def test_batchnorm_counts_keras_non_trainable():
    (layer,) = net_of([64, 56, 56], "batchnorm").layers
    assert (layer.trainable, layer.non_trainable, layer.params) == (128, 128, 256)


def test_separable_reports_both_kernels():
    (layer,) = net_of([32, 14, 14], "separable_conv2d: {filters: 64, kernel_size: 3}").layers
    assert dict(layer.extra)["kernel_shapes"] == [[32, 1, 3, 3], [64, 32, 1, 1]]


def test_concat_and_add():
    net = net_of(
        [3, 8, 8],
        "{conv2d: {filters: 4, kernel_size: 3, padding: 1}, name: a}",
        "{conv2d: {filters: 6, kernel_size: 1}, name: b, inputs: input}",
        "{concat: null, inputs: [a, b], name: cat}",
        "{conv2d: {filters: 10, kernel_size: 1}, name: c}",
        "{add: {}, inputs: [cat, c]}",
    )
    assert [r.output_shape for r in net.layers] == [(4, 8, 8), (6, 8, 8), (10, 8, 8), (10, 8, 8), (10, 8, 8)]


def test_instancenorm_running_statistics_are_non_trainable():
    (layer,) = net_of([16, 8, 8], "instancenorm: {affine: true, track_running_stats: true}").layers
    assert (layer.trainable, layer.non_trainable) == (32, 32)


BROADCASTS = [
    # (input, the two branches' entries, the merge, the merged shape): the squeeze-and-excitation
    # gate C×H×W × C×1×1, and a size-1 axis on either side; add broadcasts as multiply does
    ([8, 6, 6], "adaptive_avgpool2d: {output_size: 1}", "multiply", (8, 6, 6)),
    ([8, 6, 6], "adaptive_avgpool2d: {output_size: [1, 6]}", "add", (8, 6, 6)),
    ([8, 6, 6], "conv2d: {filters: 1, kernel_size: 1}", "Multiply", (8, 6, 6)),
    ([8, 6, 1], "adaptive_avgpool2d: {output_size: [1, 1]}", "add", (8, 6, 1)),
    ([1, 6, 6], "conv2d: {filters: 5, kernel_size: 1}", "mul", (5, 6, 6)),
    ([3, 10], "adaptive_maxpool1d: {output_size: 1}", "multiply", (3, 10)),
]


@pytest.mark.parametrize("input_shape, branch, merge, shape", BROADCASTS)
def test_elementwise_merges_broadcast_size_one_axes(input_shape, branch, merge, shape):
    for inputs in ("[input, b]", "[b, input]", "[b, input, b]"):
        net = net_of(input_shape, f"{{{branch}, name: b}}", f"{{{merge}: null, inputs: {inputs}}}")
        merged = net.layers[-1]
        assert (merged.output_shape, merged.params, merged.macs) == (shape, 0, 0)
        assert merged.receptive_field == net.layers[0].receptive_field  # the largest of the inputs'


RECEPTIVE_FIELDS = [
    # (input, entries, receptive field of the last layer)
    ([1, 28, 28], ["conv2d: {filters: 1, kernel_size: 3}"] * 2, (5, 5)),
    ([1, 28, 28], ["conv2d: {filters: 1, kernel_size: 3, stride: 2}", "conv2d: {filters: 1, kernel_size: 3}"], (7, 7)),
    ([1, 28, 28], ["conv2d: {filters: 1, kernel_size: 3, dilation: 2}"], (5, 5)),
    ([1, 28, 28], ["maxpool2d: {pool_size: 2}", "conv2d: {filters: 1, kernel_size: 5}"], (10, 10)),
    ([1, 28, 28], ["conv2d: {filters: 1, kernel_size: [3, 1]}"], (3, 1)),
    ([1, 8, 8], ["conv2d: {filters: 1, kernel_size: 3}", "global_avgpool"], (8, 8)),
    ([2, 20], ["conv1d: {filters: 1, kernel_size: 3, padding: causal}"] * 3, (7,)),
    # the new element-wise layers pass the field through
    ([1, 28, 28], ["conv2d: {filters: 4, kernel_size: 3}", "layernorm", "groupnorm: {num_groups: 2}", "instancenorm",
                   "scale", "stochastic_depth: {rate: 0.1}", "prelu", "hardswish", "mish", "identity"], (3, 3)),
    # rearranging: upsampling divides the jump (N/out), an interpolating mode widens the window to
    # its taps; pixel_unshuffle is an r×r window of stride r; channel moves keep the field
    ([1, 8, 8], ["maxpool2d: {pool_size: 2}", "upsample: {scale_factor: 2}", "conv2d: {filters: 1, kernel_size: 3}"], (4, 4)),
    ([1, 8, 8], ["maxpool2d: {pool_size: 2}", "upsample: {scale_factor: 2, mode: bilinear}"], (4, 4)),
    ([1, 8, 8], ["maxpool2d: {pool_size: 2}", "upsample: {scale_factor: 2, mode: bicubic}"], (8, 8)),
    ([1, 8, 8], ["pixel_unshuffle: {downscale_factor: 2}", "conv2d: {filters: 1, kernel_size: 3}"], (6, 6)),
    ([4, 8, 8], ["pixel_shuffle: {upscale_factor: 2}", "conv2d: {filters: 1, kernel_size: 3}"], (2, 2)),
    ([4, 8, 8], ["conv2d: {filters: 4, kernel_size: 3}", "channel_shuffle: {groups: 2}"], (3, 3)),
    ([4, 8, 8], ["conv2d: {filters: 4, kernel_size: 3}", "crop: {cropping: 1}", "global_avgpool"], (6, 6)),
    ([4, 8, 8], ["conv2d: {filters: 4, kernel_size: 3}", "permute: {dims: [1, 3, 2]}"], None),
    ([4, 8, 8], ["conv2d: {filters: 4, kernel_size: 3}", "reshape: {shape: [16, 9]}"], None),
    ([4, 8, 8], ["conv2d: {filters: 4, kernel_size: 3}", "reshape: {shape: [-1]}", "dense: {units: 2}"], (8, 8)),
]


@pytest.mark.parametrize("input_shape, entries, rf", RECEPTIVE_FIELDS)
def test_receptive_field(input_shape, entries, rf):
    assert net_of(input_shape, *entries).layers[-1].receptive_field == rf


def test_receptive_field_of_one_dimensional_input_is_none():
    assert net_of([10], "dense: {units: 3}").layers[0].receptive_field is None


def test_uneven_stride_warns_what_floor_drops():
    (layer,) = net_of([1, 28, 28], "conv2d: {filters: 1, kernel_size: 3, stride: 2}").layers
    assert layer.output_shape == (1, 13, 13)
    assert len(layer.warnings) == 2
    assert "the last 1 input row is never covered" in layer.warnings[0]
    assert "the last 1 input column is never covered" in layer.warnings[1]


def test_even_stride_fit_does_not_warn():
    (layer,) = net_of([1, 28, 28], "conv2d: {filters: 1, kernel_size: 3, stride: 2, padding: 1}").layers
    assert layer.warnings == ()


@pytest.mark.parametrize("input_shape, entry", [(c[0], c[1]) for c in CASES])
def test_every_windowed_layer_stores_its_geometry(input_shape, entry):
    """Convs, transposed convs, pools and zero padding carry the window resolve_window made;
    a drawn window's pads give exactly the output size (the forwards slide this geometry)."""
    (layer,) = net_of(input_shape, entry).layers
    if "padding" not in {a.name for a in REGISTRY[layer.spec.type].args}:
        return
    g = layer.geometry
    assert g is not None and len(g.axes) == len(input_shape) - 1
    if g.drawn:
        for n, out, (k, s, d, lo, hi) in zip(input_shape[1:], layer.output_shape[1:], g.axes):
            assert (n + lo + hi - d * (k - 1) - 1) // s + 1 == out


def test_identical_layers_share_one_rule_result():
    """Same type, arguments and input shapes: the rule runs once and both rows carry its result;
    a different input shape runs it again."""
    net = net_of([8, 6, 6], "conv2d: {filters: 8, kernel_size: 3, padding: 1}",
                 "conv2d: {filters: 8, kernel_size: 3, padding: 1}", "conv2d: {filters: 8, kernel_size: 3}")
    first, second, third = net.layers
    assert second.math is first.math and second.steps is first.steps
    assert third.math is not first.math and third.output_shape == (8, 4, 4)
    assert [r.receptive_field for r in net.layers] == [(3, 3), (5, 5), (7, 7)]  # the field is each layer's own


def test_merges_keep_their_own_input_names():
    """A merge's messages may name its inputs, so merges of other inputs never share a result."""
    net = net_of([4, 5, 5], "{relu: null, name: a}", "{relu: null, name: b}",
                 "{add: null, inputs: [a, b]}", "{add: null, inputs: [b, a]}", "{add: null, inputs: [a, b]}")
    assert net.layers[2].math == net.layers[3].math and net.layers[2].math is not net.layers[3].math
    assert net.layers[4].math is net.layers[2].math


REARRANGE_ERRORS = [
    # (input, entry, what the one-line error must say: the numbers and the allowed range)
    ([8, 4, 4], "channel_shuffle: {groups: 3}", ["groups 3 must divide the channels 8", "8 mod 3 = 2"]),
    ([8], "channel_shuffle: {groups: 2}", ["channel_shuffle needs spatial axes", "input 8"]),
    ([8, 4, 4], "reshape: {shape: [3, 5]}", ["8×4×4 (128 values)", "3×5 (15 values)"]),
    ([8, 4, 4], "reshape: {shape: [3, -1]}", ["128 mod 3 = 2"]),
    ([8, 4, 4], "reshape: {shape: [-1, -1]}", ["one -1", "[-1, -1]"]),
    ([8, 4, 4], "reshape: {shape: 7}", ["list of 1 to 4 sizes", "got 7"]),
    ([8, 4, 4], "reshape: {shape: [2, 0, 64]}", ["'shape' must be ≥ 1, got 0"]),
    ([8, 4, 5], "permute: {dims: [1, 2]}", ["[1, 2]", "3 axes of 8×4×5", "1, 2, 3"]),
    ([8, 4, 5], "permute: {dims: [1, 1, 3]}", ["[1, 1, 3]", "1, 2, 3"]),
    ([8, 4, 5], "permute: {dims: [0, 0, 1, 2]}", ["[0, 0, 1, 2]"]),
    ([8, 4, 4], "crop: {cropping: 2}", ["cropping 2 + 2", "height 4", "less than 4"]),
    ([8, 4, 4], "crop: {cropping: [[1, 1]]}", ["1 values but the input has 2 spatial axes"]),
    ([8, 9, 9], "crop: {size: 10}", ["height 9 to 10", "9×9 to 10×10"]),
    ([8, 9, 9], "crop: {size: 4, cropping: 1}", ["cropping and size"]),
    ([6, 4, 4], "pixel_shuffle: {upscale_factor: 2}", ["2² = 4", "got 6", "6 mod 4 = 2"]),
    ([8, 4], "pixel_shuffle: {upscale_factor: 2}", ["[C, H, W]", "8×4"]),
    ([6, 5, 6], "pixel_unshuffle: {downscale_factor: 2}", ["height divisible by downscale_factor 2, got 5", "5 mod 2 = 1"]),
    ([3, 5, 5], "upsample: {size: 2, scale_factor: 2}", ["not both"]),
    ([3, 5, 5], "upsample: {scale_factor: 0.1}", ["floor(5 × 0.1) = 0", "≥ 1/5"]),
    ([3, 5, 5], "upsample: {scale_factor: 0}", ["'scale_factor' must be a number > 0, got 0"]),
    ([3, 5, 5], "upsample: {scale_factor: [2, yes]}", ["got true"]),
    ([3, 5, 5], "upsample: {scale_factor: [2, 2, 2]}", ["3 values but the input has 2 spatial axes"]),
    ([3, 5], "upsample: {mode: bilinear}", ["mode bilinear needs a [C, H, W] input, got 3×5"]),
    ([3, 5, 5], "upsample: {mode: trilinear}", ["[C, D, H, W]", "3×5×5"]),
    ([3, 5, 5], "upsample: {align_corners: true}", ["align_corners: true", "not to nearest"]),
    ([3, 5, 5], "upsample: {mode: lanczos}", ["nearest, linear, bilinear, bicubic, trilinear", "lanczos"]),
    ([3, 5], "upsampling1d: {interpolation: bilinear}", ["[C, H, W]", "3×5"]),
    ([3, 5, 5], "upsampling2d: {size: 1.5}", ["whole number", "1.5"]),
    ([3], "upsample", ["upsample needs spatial axes", "input 3"]),
]


@pytest.mark.parametrize("input_shape, entry, parts", REARRANGE_ERRORS, ids=[e[1] for e in REARRANGE_ERRORS])
def test_rearrange_errors_name_the_numbers(tmp_path, input_shape, entry, parts):
    spec = tmp_path / "net.yaml"
    spec.write_text(f"input: {input_shape}\nlayers:\n  - {entry}\n")
    result = invoke("summary", str(spec))
    assert result.code == 1 and len(result.err.strip().splitlines()) <= 2, result.err
    assert "internal error" not in result.err and "Traceback" not in result.err
    assert "layer 1" in result.err and "(line 3)" in result.err
    for part in parts:
        assert part in result.err, (part, result.err)


def test_a_two_input_crop_cuts_to_the_second_inputs_size():
    net = net_of([4, 9, 8], "{maxpool2d: {pool_size: 2}, name: small}", "{crop: null, inputs: [input, small], name: c}")
    assert net.layers[-1].output_shape == (4, 4, 4)
    assert [s.value for s in net.layers[-1].steps] == [2, 4, 2, 4]  # 9 → 4: 2 before, 3 after
    with pytest.raises(SpecError, match="cannot centre-crop the height 4 to 9"):
        net_of([4, 9, 8], "{maxpool2d: {pool_size: 2}, name: small}", "{crop: null, inputs: [small, input]}")
    with pytest.raises(SpecError, match="cropping and a second input"):
        net_of([4, 9, 8], "{maxpool2d: {pool_size: 2}, name: small}", "{crop: {cropping: 1}, inputs: [input, small]}")


def test_upsample_size_smaller_than_the_input_warns_it_is_an_output_size():
    (layer,) = net_of([3, 14, 14], "upsample: {size: 2}").layers
    assert layer.output_shape == (3, 2, 2)
    assert "OUTPUT size" in layer.warnings[0] and "upsampling2d" in layer.warnings[0]
    assert not net_of([3, 14, 14], "upsampling2d: {size: 2}").layers[0].warnings
