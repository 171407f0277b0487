"""The English catalogue: every sentence convcalc says, by id, with named placeholders.

Steps (STEPS) have a label, a formula and the formula with numbers; the formulas of sliding
windows come from `formulas.py`, so `explain` and `solve` print one notation. Notes,
warnings and errors (CATALOGUE) are one template each, or a `Plural`. Numbers are formatted
here (`{weights:,}`), so a rule passes plain ints.
"""

from __future__ import annotations

from typing import Any

from convcalc import formulas as f
from convcalc.record import record


@record
class Plural:
    """A sentence with a singular and a plural form, chosen by the parameter `count`."""

    count: str
    one: str
    other: str

    def pick(self, params: dict[str, Any]) -> str:
        return self.one if params[self.count] == 1 else self.other


@record
class StepText:
    """How a derivation step reads: its label, the formula, and the formula with numbers."""

    what: str
    formula: str
    substituted: str


Template = str | Plural


def _formula(what: str, formula: f.Formula, prefix: str = "") -> StepText:
    return StepText(what=what, formula=prefix + formula.notation, substituted=formula.substitution)


# the widest of adaptive pooling's bins: one formula, three ways to substitute it
WIDEST_BIN = "largest ceil((i+1)·N/O) − floor(i·N/O)"

STEPS: dict[str, StepText] = {
    # sliding windows
    "same_padding": _formula("same padding ({axis})", f.SAME_PADDING, "P = "),
    "pad_before": StepText(what="pad before ({axis})", formula="floor(P/2)", substituted="floor({total}/2)"),
    "pad_after": StepText(what="pad after ({axis})", formula="P − floor(P/2)", substituted="{total} − {lo}"),
    "causal_padding": _formula("causal padding (before)", f.CAUSAL_PADDING),
    "output_size": _formula("output {axis}", f.CONV_OUTPUT),
    "pool_output": _formula("output {axis}", f.SYMMETRIC_OUTPUT),
    "course_output": _formula("output {axis}", f.COURSE_OUTPUT),
    "course_output_floor": _formula("output {axis}", f.COURSE_OUTPUT_FLOOR),
    "pool_output_dropped": StepText(
        what="output {axis}",
        formula=f.SYMMETRIC_OUTPUT.notation + ", less the window that starts in the right padding",
        substituted=f.SYMMETRIC_OUTPUT.substitution + " − 1",
    ),
    "pool_output_same": _formula("output {axis}", f.SAME_OUTPUT),
    "transposed_output": _formula("output {axis}", f.TRANSPOSED_OUTPUT),
    "keras_transposed_valid": _formula("output {axis}", f.KERAS_TRANSPOSED_VALID),
    "keras_transposed_same": _formula("output {axis}", f.KERAS_TRANSPOSED_SAME),
    "keras_transposed_padded": _formula("output {axis}", f.KERAS_TRANSPOSED_PADDED),
    "widest_bin_even": StepText(what="widest bin ({axis})", formula=WIDEST_BIN,
                                substituted="{n}/{o}"),
    "widest_bin_ceil": StepText(what="widest bin ({axis})", formula=WIDEST_BIN,
                                substituted="ceil({n}/{o})"),
    "widest_bin_ceil_plus": StepText(what="widest bin ({axis})", formula=WIDEST_BIN,
                                     substituted="ceil({n}/{o}) + 1"),
    "zero_padded_output": StepText(what="output {axis}", formula="N + before + after", substituted="{n} + {lo} + {hi}"),
    "upsampled_output": StepText(what="output {axis}", formula="N × scale", substituted="{n} × {scale}"),
    "scaled_output": _formula("output {axis}", f.SCALED),
    "sized_output": StepText(what="output {axis}", formula="size (given: the output size)", substituted="{size}"),
    "cropped_output": _formula("output {axis}", f.CROPPED),
    "centre_crop_before": StepText(what="crop before ({axis})", formula=f.CENTRE_CROP.notation + ", the extra cell after",
                                   substituted=f.CENTRE_CROP.substitution),
    "downscaled_output": StepText(what="output {axis}", formula="N / r", substituted="{n} / {d}"),
    "channels_per_group": StepText(what="channels per group", formula="C / groups", substituted="{channels} / {groups}"),
    "reshape_inferred": StepText(what="the −1 axis", formula="values / product of the other sizes",
                                 substituted="{count} / {known}"),
    "pixel_shuffle_channels": StepText(what="output channels", formula="C / r²", substituted="{channels} / ({r} × {r})"),
    "pixel_unshuffle_channels": StepText(what="output channels", formula="C × r²", substituted="{channels} × {d} × {d}"),
    # counts
    "output_channels": StepText(what="output channels", formula="one per filter", substituted="{filters}"),
    "conv_weights": StepText(what="weights", formula="filters × (C_in/groups) × kernel", substituted="{dims}"),
    "transposed_weights": StepText(what="weights", formula="C_in × (filters/groups) × kernel", substituted="{dims}"),
    "depthwise_conv_weights": StepText(what="weights", formula="C·m × 1 × kernel", substituted="{dims}"),
    "biases": StepText(what="biases", formula="one per output channel", substituted="{biases}"),
    "parameters": StepText(what="parameters", formula="weights + biases", substituted="{weights} + {biases}"),
    "seed_parameters": _formula("parameters", f.SEED_PARAMETERS),
    # the backward pass (explain --backward)
    "grad_input_size": StepText(what="∂L/∂X {axis}", formula=f.TRANSPOSED_OUTPUT.notation,
                                substituted=f.TRANSPOSED_OUTPUT.substitution),
    "grad_input_size_uneven": StepText(what="∂L/∂X {axis}", formula=f.GRAD_INPUT_UNEVEN.notation, substituted=f.GRAD_INPUT_UNEVEN.substitution),
    "grad_output_padding": StepText(what="output_padding ({axis})", formula=f.UNCOVERED.notation,
                                    substituted=f.UNCOVERED.substitution),
    "backward_macs": StepText(what="backward MACs", formula="∂L/∂X + ∂L/∂W, each the forward's MACs",
                              substituted="{macs} + {macs}"),
    "conv_macs": StepText(what="MACs", formula="output elements × weights per output",
                          substituted="{output} × {per_output}"),
    "transposed_macs": StepText(what="MACs", formula="input elements × (filters/groups) × kernel",
                                substituted="{input} × {per_input}"),
    "depthwise_weights": StepText(what="depthwise weights", formula="C·m × 1 × kernel", substituted="{dims}"),
    "pointwise_weights": StepText(what="pointwise weights", formula="filters × C·m × 1×1",
                                  substituted="{filters} × {mid}"),
    "separable_parameters": StepText(what="parameters", formula="depthwise + pointwise + biases",
                                     substituted="{depthwise} + {pointwise} + {biases}"),
    "separable_macs": StepText(what="MACs", formula="output pixels × (C·m × kernel + filters × C·m)",
                               substituted="{pixels} × ({mid} × {kernel} + {filters} × {mid})"),
    "pool_parameters": StepText(what="parameters", formula="none: a fixed max or mean", substituted="0"),
    "global_features": StepText(what="output features", formula="C", substituted="{channels}"),
    "no_parameters": StepText(what="parameters", formula="none", substituted="0"),
    "flatten_features": StepText(what="features", formula="C × H × W × …", substituted="{shape}"),
    "dense_weights": StepText(what="weights", formula="in × units", substituted="{features} × {units}"),
    "dense_parameters": StepText(what="parameters", formula="in × units + units", substituted="{weights} + {biases}"),
    "dense_macs": StepText(what="MACs", formula="in × units", substituted="{features} × {units}"),
    "dense_macs_positions": StepText(what="MACs", formula="positions × in × units",
                                     substituted="{positions} × {features} × {units}"),
    "batchnorm_trainable": StepText(what="trainable", formula="2C (scale γ and shift β)", substituted="2 × {channels}"),
    "batchnorm_non_trainable": StepText(what="non-trainable", formula="2C (running mean and variance)",
                                        substituted="2 × {channels}"),
    "concat_channels": StepText(what="channels", formula="sum of input channels", substituted="{channels}"),
    # several outputs (layers/split.py)
    "split_section": StepText(what="output {k} ({axis})", formula="sizes[{k}]", substituted="{size}"),
    "split_sum": StepText(what="sections together ({axis})", formula="sum of sizes, must be the input's {axis}",
                          substituted="{sizes}"),
    "chunk_size": StepText(what="chunk size ({axis})", formula="ceil(N/chunks)", substituted="ceil({n}/{chunks})"),
    "chunk_count": StepText(what="chunks made", formula="ceil(N/size), must be chunks", substituted="ceil({n}/{size})"),
    "chunk_last": StepText(what="last chunk ({axis})", formula="N − (chunks − 1)·size",
                           substituted="{n} − ({chunks} − 1)·{size}"),
    "broadcast_output": StepText(what="output {axis}", formula="the size that is not 1 (a size-1 axis repeats)",
                                 substituted="max({sizes})"),
    "elementwise_macs": StepText(what="MACs", formula="none counted: element by element (MACs count conv and dense "
                                                      "weights)", substituted="0"),
    "prelu_parameters": StepText(what="parameters", formula="one slope shared, or one per channel",
                                 substituted="{count}"),
    "normalised_channels": StepText(what="normalised together", formula="C values at each position",
                                    substituted="{channels}"),
    "normalised_last_axes": StepText(what="normalised together", formula="product of normalized_shape (the last axes)",
                                     substituted="{dims}"),
    "group_channels": StepText(what="channels per group", formula="C / num_groups", substituted="{channels}/{groups}"),
    "norm_parameters": StepText(what="parameters", formula="γ + β, one each per normalised value or channel",
                                substituted="{gamma} + {beta}"),
    "affine_trainable": StepText(what="trainable", formula="2C (γ and β per channel: affine)",
                                 substituted="2 × {channels}"),
    "affine_none": StepText(what="trainable", formula="none (affine is false)", substituted="0"),
    "running_non_trainable": StepText(what="non-trainable", formula="2C (running mean and variance: "
                                                                    "track_running_stats)", substituted="2 × {channels}"),
    "running_none": StepText(what="non-trainable", formula="none (track_running_stats is false)", substituted="0"),
    "scale_parameters": StepText(what="parameters", formula="one γ per channel", substituted="{channels}"),
}

CATALOGUE: dict[str, Template] = {
    # --- notes: the teaching points `explain` prints ---
    "note.conv_spans_all": Plural(
        count="channels",
        one="Every filter spans the 1 input channel: the kernel depth equals the input's channel count, so each of the "
            "{filters} filters is a {channels}×{kernel} block. Weight tensor {filters}×{channels}×{kernel} = {weights:,} "
            "weights. The output has one channel per filter: {filters}.",
        other="Every filter spans all {channels} input channels: the kernel depth equals the input's channel count, so "
              "each of the {filters} filters is a {channels}×{kernel} block. Weight tensor {filters}×{channels}×{kernel} "
              "= {weights:,} weights. The output has one channel per filter: {filters}.",
    ),
    "note.conv_per_channel": "The per-channel alternative: with groups = {channels} each filter sees 1 channel, "
                             "{filters}×1×{kernel} = {per_channel:,} weights instead of {weights:,} ({channels}× fewer) — "
                             "that is a depthwise convolution, which never mixes channels.",
    "note.conv_groups": Plural(
        count="per_group",
        one="With groups = {groups} the {channels} input channels are split into {groups} groups of {per_group}: each "
            "filter sees only its group's {per_group} channel. Weight tensor {filters}×{per_group}×{kernel} = "
            "{weights:,} weights, against {full:,} for a standard convolution (groups = 1) — {groups}× fewer.",
        other="With groups = {groups} the {channels} input channels are split into {groups} groups of {per_group}: each "
              "filter sees only its group's {per_group} channels. Weight tensor {filters}×{per_group}×{kernel} = "
              "{weights:,} weights, against {full:,} for a standard convolution (groups = 1) — {groups}× fewer.",
    ),
    "note.pointwise_is_dense": "A 1×1 convolution is a dense layer applied at every pixel: it mixes {channels} channels "
                               "into {filters} without looking at neighbours.",
    "note.same_even_kernel": "An even kernel ({kernel}) has no centre cell, so `same` cannot pad both sides equally: "
                             "the extra pad cell goes at the end (after), as TensorFlow does.",
    "note.same_odd_kernel": "Odd kernels have a centre cell: at stride 1, `same` pads (D·(K−1))/2 on each side "
                            "and the output keeps the input's size.",
    # the course's formulas (issue 12): when floor drops, when the general rule is needed, odd kernels
    "note.floor_drops": "{axis}: ({n} − {k} + 2·{pad})/{s} = {top}/{s} is not a whole number, so floor keeps {whole} "
                        "whole steps of {s} and drops the remainder {rest}: the window cannot take one more full step.",
    "note.general_form": "The course's rule (N − K + 2P)/S + 1 does not apply here ({reason}), so the general rule "
                         "floor((N + P_before + P_after − D·(K−1) − 1)/S) + 1 is shown. With D = 1 and P_before = "
                         "P_after = P it reduces to the course's: N + 2P − 1·(K−1) − 1 = N − K + 2P.",
    "reason.dilation": "dilation {d} spreads the kernel to D·(K−1) + 1 cells",
    "reason.same_uneven": "`same` pads unevenly here",
    "reason.causal_uneven": "`causal` pads on the left only",
    "reason.ceil_mode": "ceil_mode rounds up instead of down",
    "note.even_kernel": "Why kernels are usually odd: an odd kernel has a centre cell, so each output sits over one input "
                        "cell and P = (K−1)/2 on both sides keeps the size ((N − K + 2P)/1 + 1 = N). This {kernel} "
                        "kernel has no centre: its outputs sit between input cells, and keeping the size would need "
                        "uneven padding.",
    # the backward pass: how each gradient is computed
    "back.passes": "No weights of its own to learn: ∂L/∂X has the input's shape ({input}); each value of ∂L/∂Y goes "
                   "back to the input value(s) it came from, times the local derivative.",
    "back.through_weights": "∂L/∂X has the input's shape ({input}); each of its values gets back the gradients of "
                            "the outputs it helped make, through the weights that used it.",
    "back.parameters": "Its {count:,} learned values each get a gradient: ∂L/∂θ has their shape.",
    "back.conv_input": "∂L/∂X ({input}) is the full correlation of ∂L/∂Y ({output}) with the kernel rotated 180°: a "
                       "transposed convolution with the same stride ({stride}), padding and dilation ({dilation}), "
                       "from {filters} channels back to {channels}.",
    "back.conv_output_padding": "{axis}: the transposed convolution alone gives {short}; output_padding {op} gives "
                                "back the input's {n}. The last {op} cells of the padded input, which floor dropped in "
                                "the forward pass, get zero gradient.",
    "back.conv_weight": "∂L/∂W ({kernel}) is the correlation of X with ∂L/∂Y: each weight sums input × gradient over "
                        "the {positions:,} output positions (and the batch).",
    "back.bias": "∂L/∂b ({filters}) sums ∂L/∂Y over every position (and the batch) of its channel.",
    "back.max_pool": "No weights: ∂L/∂X ({input}) is zero except at each window's maximum (its argmax), which receives "
                     "that window's gradient — summed where windows overlap.",
    "back.avg_pool": "No weights: each input cell of a window receives 1/K = 1/{cells} of that window's gradient "
                     "(summed where windows overlap), so ∂L/∂X has the input's shape ({input}).",
    "back.dense": "∂L/∂X = Wᵀ·∂L/∂Y ({units} values back to {features}); ∂L/∂W = ∂L/∂Y·Xᵀ, the outer product "
                  "{units}×{features}; ∂L/∂b = ∂L/∂Y ({units}).",
    "back.batchnorm": "Its 2C = {count} learned values get gradients: ∂L/∂γ ({channels}) sums ∂L/∂Y·x̂ and ∂L/∂β "
                      "({channels}) sums ∂L/∂Y over the batch and positions of each channel; the running mean and "
                      "variance get none. While training, ∂L/∂X also flows through the batch mean and variance.",
    "back.totals": "Backward pass: {backward:,} MACs per example (forward {forward:,}): a training step costs about "
                   "{total:,} MACs per example, {ratio:.1f}× the forward.",
    "note.causal": "`causal` pads {pad} cells on the left only, so output t sees inputs up to t and never the future.",
    "note.transposed": "A transposed convolution runs a convolution backwards: each input cell is spread {stride} apart "
                       "and stamps a {kernel} kernel onto the output, so the output grows. PyTorch stores its weight "
                       "as (in, out/groups, *kernel) = {kernel_shape} — input channels first.",
    "note.depthwise": Plural(
        count="multiplier",
        one="A depthwise convolution gives each of the {channels} input channels its own {kernel} filter "
            "(× depth_multiplier {multiplier}): channels never mix. {weights:,} weights, against {standard:,} for a "
            "standard convolution to the same {out_channels} channels.",
        other="A depthwise convolution gives each of the {channels} input channels its own {kernel} filters "
              "(× depth_multiplier {multiplier}): channels never mix. {weights:,} weights, against {standard:,} for a "
              "standard convolution to the same {out_channels} channels.",
    ),
    "note.separable": "Separable = depthwise {kernel} per channel, then a 1×1 pointwise conv mixing {mid} channels into "
                      "{filters}: {params:,} parameters, against {standard:,} for a standard convolution "
                      "({ratio:.1f}× more).",
    "note.activation_argument": "Then {name} is applied to every output value inside this layer (Keras' `activation` "
                                "argument): no parameters, and the shape is unchanged.",
    "note.ceil_mode_hangs": "ceil_mode rounds up: the last window on the {axis} hangs past the input's end and pools "
                            "what it covers.",
    "note.max_pool": "Pooling works on each channel separately: every {kernel} window of one channel gives one value "
                     "(its maximum), so the {channels} channels stay {channels}. It has no weights — nothing is learned "
                     "— so 0 parameters.",
    "note.avg_pool": "Pooling works on each channel separately: every {kernel} window of one channel gives one value "
                     "(its average), so the {channels} channels stay {channels}. It has no weights — nothing is learned "
                     "— so 0 parameters.",
    "note.global_avg_pool": "Global pooling averages each of the {channels} channels over all {spatial} positions: "
                            "{channels} values, 0 parameters — a cheap replacement for flatten + a large dense layer.",
    "note.global_max_pool": "Global pooling takes the maximum of each of the {channels} channels over all {spatial} "
                            "positions: {channels} values, 0 parameters — a cheap replacement for flatten + a large "
                            "dense layer.",
    "note.adaptive_pool": "Adaptive pooling picks its windows to give a fixed {sizes} output whatever the input: bin i "
                          "covers cells floor(i·N/O) to ceil((i+1)·N/O) − 1, per channel, with 0 parameters.",
    "note.elementwise": "{type} is applied to every value on its own: the shape stays {shape} and there are no weights.",
    "note.dropout": "{type} zeroes a random fraction of values while training and is the identity at inference: the "
                    "shape stays {shape} and there are no weights.",
    "note.lrn": "{type} divides each value by a sum over its neighbouring channels: the shape stays {shape} and there "
                "are no weights.",
    "note.activation_layer": "Keras' Activation layer applies {name} to every value: the shape stays {shape} and there "
                             "are no weights.",
    "note.flatten": "Flatten only reshapes: {shape} values become one vector of {features:,} features, with 0 "
                    "parameters. A dense layer after it needs one weight per feature for every unit.",
    "note.dense_last_axis": "dense works on the last axis: the same {params:,} parameters turn the {features:,} "
                            "values at each of the {positions:,} positions of {shape} into new ones, as PyTorch's "
                            "Linear and Keras' Dense do (a 1×1 convolution, when the last axis holds the channels).",
    "note.dense": "Every one of the {units:,} units has its own weight for each of the {features:,} input features, "
                  "plus a bias: in·units + units = {params:,} parameters.",
    "note.batchnorm": "Batch normalisation keeps 4 numbers per channel: a learned scale γ and shift β (2C = {twice} "
                      "trainable) and the running mean and variance it normalises with at inference (2C = {twice} "
                      "non-trainable; Keras counts them, PyTorch calls them buffers).",
    "note.zero_padding": "Zero padding adds rows and columns of zeros around each channel: {input} becomes {output}; "
                         "0 parameters. A conv's integer `padding` does the same inside the conv.",
    "note.add": "add sums its {count} inputs element by element (a residual connection): 0 parameters.",
    "note.multiply": "multiply takes the product of its {count} inputs element by element (a squeeze-and-excitation "
                     "gate scales each channel this way): 0 parameters.",
    "note.broadcast": "The inputs' shapes differ only where one has size 1: {type} repeats that axis to the other "
                      "inputs' size (broadcasting, as PyTorch does), so the output is {shape}.",
    "note.prelu": Plural(
        count="count",
        one="PReLU is max(0, x) + a·min(0, x) with a learned slope a: 1 slope shared by all {channels} channels, "
            "1 parameter; the shape stays {shape}.",
        other="PReLU is max(0, x) + a·min(0, x) with a learned slope a: one per channel, {count} parameters; the "
              "shape stays {shape}.",
    ),
    "note.layernorm_channels": "Layer normalisation over channels (ConvNeXt's LayerNorm2d): at each position the {channels} "
                               "channel values are normalised to mean 0 and variance 1 together, then scaled by γ and "
                               "shifted by β, one each per channel; no running statistics, so training and inference "
                               "compute the same.",
    "note.layernorm_last": "Layer normalisation over the last axes (PyTorch's LayerNorm({dims})): each block of {size:,} "
                           "values is normalised to mean 0 and variance 1 together, then scaled by γ and shifted by β, "
                           "one each per normalised value.",
    "note.groupnorm": "Group normalisation splits the {channels} channels into {groups} groups of {per_group} and "
                      "normalises each group over its channels and positions, per sample; γ and β are per channel "
                      "(2C = {twice}) and nothing depends on the batch.",
    "note.instancenorm": "Instance normalisation normalises each channel of each sample over its {positions:,} positions "
                         "(group normalisation with one channel per group).",
    "note.scale": "Layer scale multiplies each of the {channels} channels by its own learned γ (ConvNeXt keeps the "
                  "residual branch small at first this way): {channels} parameters, the shape stays {shape}.",
    "note.stochastic_depth": "Stochastic depth drops a whole residual branch per sample (mode row) or per batch while "
                             "training, and is the identity at inference: the shape stays {shape}, no weights.",
    "note.upsample": "Nearest upsampling copies each output cell from the nearest input cell: {input} becomes "
                     "{output}, per channel, with 0 parameters (a transposed conv would learn the upsampling).",
    "note.interpolate": "{mode} interpolation computes each output cell from {taps} neighbouring input cells per axis "
                        "(align_corners {align}): {input} becomes {output}, per channel, with 0 parameters and 0 MACs "
                        "as torchinfo counts it (the weights are fixed by position, not learned).",
    "note.channel_shuffle": "Channel shuffle splits the {channels} channels into {groups} groups of {per_group} and "
                            "interleaves them (reshape to {groups}×{per_group}, transpose, reshape back), so the next "
                            "grouped convolution sees channels from every group. The shape stays {shape}; 0 parameters.",
    "note.reshape": "Reshape re-reads the {count:,} values in order (row-major, channels first, as PyTorch's view): "
                    "{input} becomes {output}, 0 parameters. Later layers read the first axis as channels and the "
                    "rest as spatial axes.",
    "note.permute": "Permute reorders the axes: {input} becomes {output}, 0 parameters. Later layers read the first "
                    "axis as channels: {channels} of them.",
    "note.crop": "Cropping removes cells at the edges of each channel: {input} becomes {output}; 0 parameters.",
    "note.centre_crop": "A centre crop keeps the middle of each channel: {input} becomes {output}; 0 parameters. An odd "
                        "difference cuts its extra cell at the end, as Keras' CenterCrop does (torchvision's "
                        "center_crop rounds half to even, so it cuts it at the start when the difference is 3 mod 4).",
    "note.pixel_shuffle": "Pixel shuffle turns each group of {square} channels into an {r}×{r} block of cells: {input} "
                          "becomes {output}, the same values rearranged; 0 parameters.",
    "note.pixel_unshuffle": "Pixel unshuffle turns each {d}×{d} block of cells into {square} channels: {input} becomes "
                            "{output}, the same values rearranged; 0 parameters.",
    "note.concat": "concat stacks its inputs along the channel axis: the spatial sizes must match and the channels add "
                   "up to {channels}; 0 parameters.",
    "note.split": "split cuts the {axis} of {shape} into {count} sections of {sizes} (axis {number}, PyTorch's dim "
                  "{dim}): every other axis is kept, 0 parameters. A later layer reads section k as `<this layer's "
                  "name>.k`, counting from 0.",
    "note.chunk": "chunk cuts the {axis} of {shape} into {chunks} chunks as torch.chunk does: each ceil({n}/{chunks}) "
                  "= {size} wide, the last {last} (axis {number}, PyTorch's dim {dim}); 0 parameters. A later layer "
                  "reads chunk k as `<this layer's name>.k`, counting from 0.",
    "note.dense_share": "This one layer holds {percent:.1f}% of the network's {total:,} parameters: {features:,} "
                        "features × {units:,} units. Dense layers after a flatten dominate VGG-like networks.",
    "note.bottleneck": "Cutting {c_in} channels to {c_out} before '{consumer}' (GoogLeNet's trick): {macs:,} + "
                       "{consumer_macs:,} = {both:,} MACs, against {direct:,} if '{consumer}' ran on all {c_in} "
                       "channels — {saved:,} MACs saved.",
    # --- warnings ---
    "warn.uncovered": Plural(
        count="left",
        one="{axis}: stride {s} does not fit — the last {left} input {unit} is never covered by a window, floor drops "
            "it (" + f.UNCOVERED.notation + " = " + f.UNCOVERED.substitution + " = {remainder})",
        other="{axis}: stride {s} does not fit — the last {left} input {unit} are never covered by a window, floor "
              "drops them (" + f.UNCOVERED.notation + " = " + f.UNCOVERED.substitution + " = {remainder})",
    ),
    "unit.row": Plural(count="count", one="row", other="rows"),
    "unit.column": Plural(count="count", one="column", other="columns"),
    "unit.slice": Plural(count="count", one="slice", other="slices"),
    "unit.cell": Plural(count="count", one="cell", other="cells"),
    "warn.upsample_size_shrinks": "{axis}: size {size} is the OUTPUT size (PyTorch's meaning), smaller than the "
                                  "input {n}, so this shrinks it; for a factor write scale_factor, or use "
                                  "upsampling2d (Keras' size is the factor)",
    "warn.ceil_mode_dropped": "{axis}: ceil_mode's last window would start in the right padding, so it is dropped",
    # --- phrases other sentences are built from ---
    "phrase.channels": "channels",
    "phrase.features": "features",
    "phrase.input_channels": "input channels",
    "phrase.filters": "filters",
    "phrase.why_in_channels": "a kernel is as deep as its input",
    "phrase.why_in_features": "a dense layer has one weight per input feature for every unit",
    "phrase.why_num_features": "batch normalisation keeps γ, β, a mean and a variance per channel",
    "phrase.why_norm_channels": "a normalisation layer's γ and β are one per channel",
    "phrase.network_input": "the network input is",
    "phrase.layer_gives": "layer '{name}' gives",
    # the axes, as rules name them (messages.Word)
    "phrase.word.length": "length",
    "phrase.word.depth": "depth",
    "phrase.word.height": "height",
    "phrase.word.width": "width",
    "hint.channels_last": " (the input {shape} looks channels-last; convcalc reads {layout}: try {first})",
    # --- spec errors: arguments ---
    "error.arg_bool": "'{name}' must be true or false, got {value}",
    "error.arg_choice": "'{name}' must be one of {choices}; got {value}",
    "error.arg_padding": "'{name}' must be a whole number, a list per axis, or one of {choices}; got {value}",
    "error.arg_axes": "'{name}' must have one value per spatial axis (1 to 3), got {count}",
    "error.arg_number": "'{name}' must be a number, got {value}",
    "error.arg_number_in": "'{name}' must be a number {range}, got {value}",
    "error.arg_number_float32": "'{name}' must be a number and {bound} (float32's range), got {value}",
    "error.arg_number_in_float32": "'{name}' must be a number {range} and {bound} (float32's range), got {value}",
    "error.arg_whole": "'{name}' must be a whole number from {low} to {high}, got {value}",
    "error.arg_too_small": "'{name}' must be ≥ {low}, got {value}",
    "error.arg_too_large": "'{name}' = {value} exceeds the limit {high}",
    "error.arg_int_list": "'{name}' must be a list of 1 to {most} whole numbers, e.g. [58, 58], got {value}",
    "error.arg_pair": "'{name}' pairs must be [before, after], got {value}",
    "error.arg_shape": "'{name}' must be a list of 1 to 4 sizes (whole numbers from 1 to {high}, one may be -1), "
                       "got {value}",
    "error.arg_shape_two_unknown": "'{name}' may have one -1 (worked out from the count), got {value}",
    "error.arg_axes_list": "'{name}' must be a list of 1 to 5 axis numbers, got {value}",
    "error.per_axis_count": "'{name}' has {count} values but the input has {rank} spatial axes",
    "error.declared_size": "'{arg}' is {declared} but the input has {found} {what} ({source} {shape}): {why}, so "
                           "convcalc takes it from the input — drop '{arg}' or make it {found}",
    "error.foreign_activation": "{type} takes no 'activation': put the activation in a layer of its own after it, e.g. "
                                "`- relu` (convolutions and dense layers take `activation:` as Keras does)",
    "error.foreign_input_shape": "'input_shape' is not a layer argument: give the network's input at the top of the "
                                 "spec, channels first, e.g. `input: [1, 28, 28]`",
    "error.foreign_data_format": "convcalc always reads channels first ([C, H, W], PyTorch's layout); drop "
                                 "'data_format' and write the input channels first, e.g. `input: [3, 224, 224]`",
    # --- spec errors: layer rules ---
    "error.groups_divide": "groups {groups} must divide the {what} {count} ({count} mod {groups} = {rest})",
    "error.transposed_output_too_small": "output {axis} {text} = {size} < 1",
    "error.output_padding_too_large": "output_padding {op} on the {axis} must be smaller than the stride {s} or the "
                                      "dilation {d}",
    "error.dense_needs_flat": "dense needs a 1-D input but got {shape}: add `flatten` before it (it would give "
                              "{features} features), or declare `in_features: {last}` to apply it to the last axis "
                              "at every position, as PyTorch's Linear does",
    "error.lrn_needs_spatial": "lrn needs a [C, …] input with spatial axes, got {shape}",
    "error.merge_shapes": "{type} needs inputs of the same rank whose sizes are equal or 1 on each axis (1 is "
                          "broadcast), got {shapes}",
    "error.prelu_parameters": "num_parameters must be 1 (one shared slope) or the input's {channels} channels (one "
                              "slope each), got {count}",
    "error.layernorm_shape": "normalized_shape {wanted} must equal the last {count} sizes of the input {shape} "
                             "(PyTorch's LayerNorm normalises over the last axes); leave it out to normalise over "
                             "channels",
    "error.num_groups_divide": "num_groups {groups} must divide the {channels} channels ({channels} mod {groups} = "
                               "{rest}): every group holds the same number of channels",
    "error.instancenorm_needs_spatial": "instancenorm normalises each channel over its positions, but the input "
                                        "{shape} has no spatial axes",
    "error.groupnorm_single_value": "each of the {groups} groups of the input {shape} holds one value, and a "
                                    "single value always normalises to 0 (PyTorch refuses it): use fewer groups",
    "error.instancenorm_single_value": "the input {shape} has one position per channel, and a single value always "
                                       "normalises to 0 (PyTorch refuses it); track_running_stats: true normalises "
                                       "with running statistics instead",
    "error.arg_dims": "'{name}' must be a whole number or a list of 1 to 4 of them, got {count} values",
    "error.needs_spatial": "{type} needs spatial axes, but the input {shape} has none",
    "error.reshape_count": "cannot reshape {shape} ({count:,} values) to {target} ({needed:,} values): the counts "
                           "must be equal",
    "error.reshape_unknown": "cannot reshape {shape} ({count:,} values) to {target}: the other sizes hold {known:,} "
                             "values, which does not divide {count:,} ({count:,} mod {known:,} = {rest:,})",
    "error.permute_dims": "'dims' [{dims}] must order the {axes} axes of {shape}, numbered {valid} (channels 1; a "
                          "leading 0, the batch, may stay first)",
    "error.crop_two_ways": "crop takes one target: {ways} were given",
    "error.crop_rank": "crop to a second input needs the same number of spatial axes: {shape} and {target}",
    "error.crop_target_larger": "cannot centre-crop the {axis} {n} to {t} ({shape} to {target}): a crop only removes "
                                "cells",
    "error.crop_too_much": "cropping {lo} + {hi} cells leaves nothing of the {axis} {n} (the two must add up to less "
                           "than {n})",
    "error.pixel_shuffle_channels": "pixel_shuffle needs channels divisible by upscale_factor² = {r}² = {square}, got "
                                    "{channels} ({channels} mod {square} = {rest})",
    "error.pixel_unshuffle_size": "pixel_unshuffle needs the {axis} divisible by downscale_factor {d}, got {n} ({n} "
                                  "mod {d} = {rest})",
    "error.upsample_mode_rank": "mode {mode} needs a {rank} input, got {shape} (nearest takes any; linear [C, L], "
                                "bilinear and bicubic [C, H, W], trilinear [C, D, H, W])",
    "error.align_corners_nearest": "align_corners: {value} applies to the linear modes and bicubic, not to nearest "
                                   "(PyTorch refuses it there); drop it or choose a mode",
    "error.upsample_size_and_factor": "upsample takes 'size' (the output size) or 'scale_factor' (the factor), not "
                                      "both",
    "error.upsample_empty": "output {axis} floor({n} × {scale}) = 0: scale_factor {scale} leaves no cell (it must be "
                            "≥ 1/{n})",
    "error.concat_shapes": "concat needs equal spatial sizes (it stacks channels), got {shapes}",
    "error.split_axis": "{type} along axis {axis}, but the input {shape} has axes 0 to {last} (0 is the channels, "
                        "counted without the batch axis)",
    "error.split_sum": "sizes {sizes} add up to {total}, but axis {number} ({axis}) of the input {shape} is {size}: "
                       "the sections must add up to exactly {size}",
    "error.chunk_fewer": "{chunks} chunks do not fit {n} {axis}: torch.chunk makes chunks of ceil({n}/{chunks}) = "
                         "{size}, and {n} {axis} fill only {given} of them (PyTorch would return {given}, not "
                         "{chunks}); use chunks: {given}, or split with sizes that add up to {n}",
    "error.pool_padding_too_large": "padding {pad} on the {axis} is more than half the window {k} (PyTorch requires "
                                    "P ≤ K/2)",
    "error.pool_window_too_large": "pool window {span} > padded {axis} {padded}: ({n} + {pad_total} − {span})/{s} + 1 "
                                   "= {size}",
    "error.ceil_mode_with_valid": "ceil_mode: true with padding 'valid': ceil_mode rounds PyTorch's formula for a "
                                  "numeric padding, but 'valid' is Keras' rule and keeps only whole windows (floor) — "
                                  "write padding as a number (valid is 0) or drop ceil_mode",
    "error.ceil_mode_with_same": "ceil_mode: true with padding 'same': ceil_mode rounds PyTorch's formula for a "
                                 "numeric padding, but 'same' is Keras' rule and always gives ceil(N/S) — write "
                                 "padding as a number (valid is 0) or drop ceil_mode",
    "error.avgpool3d_window": "avgpool3d needs every input axis ≥ its window (PyTorch): {axis} {n} < {k}",
    "error.global_pool_needs_spatial": "global pooling needs spatial axes, but the input {shape} has none",
    "error.causal_not_1d": "padding 'causal' is only defined for 1-D layers",
    "error.padding_pairs": "'padding' has {count} pairs but the input has {rank} spatial axes",
    "error.kernel_too_large": "kernel {k} > padded {axis} {padded}: ({n} + {pad_total} − {span})/{s} + 1 = {size}",
    "error.dilated_kernel_too_large": "dilated kernel {span} (= {d}·({k}−1) + 1) > padded {axis} {padded}: "
                                      "({n} + {pad_total} − {span})/{s} + 1 = {size}",
    # --- spec errors: the engine ---
    "error.no_layer": "no layer '{key}': give a name or an index from 1 to {count}",
    "error.rank": "{type} expects a {rank} input, got {shape}",
    "error.rank_flat": "{type} expects a {rank} input, got {shape} (did a flatten or dense come too early?)",
    "error.output_too_large": "output size {size} exceeds the limit {limit}",
    # --- spec errors: reading and parsing ---
    "phrase.did_you_mean": " — did you mean '{word}'?",
    "phrase.network_name": "the network's 'name'",
    "phrase.name": "'name'",
    "phrase.the_network_input": "the network input",
    "phrase.layer_number": "layer {index}",
    "phrase.valid": "valid: {valid}",
    "phrase.no_arguments": "{type} takes no arguments",
    "error.source_is_folder": "{source} is a folder, not a spec file",
    "error.source_too_large": "{source} is {size:,} bytes; a spec may be at most {limit:,} bytes",
    "error.source_unreadable": "cannot read {source}: {reason}",
    "error.no_source": "no file or bundled example {source}{suggestion} (examples: {examples})",
    "error.text_too_large": "{label} holds more than {limit:,} bytes; a spec may be at most {limit:,} bytes",
    "error.not_utf8": "{label} is not UTF-8 text (byte 0x{byte:02x} at offset {offset})",
    "error.empty_spec": "the spec is empty (an empty file, only comments, or null); write a mapping with 'input' and "
                        "'layers'",
    "error.spec_not_mapping": "a spec is a mapping with 'input' and 'layers', got {value}",
    "error.unknown_top_key": "unknown top-level key {key}{suggestion} (valid: {valid})",
    "error.no_layers": "the spec needs 'layers', a non-empty list of layer entries, e.g. layers: [flatten, dense: "
                       "{{units: 10}}]",
    "error.layers_not_list": "'layers' must be a non-empty list of layer entries, got {value}",
    "error.too_many_layers": "{count:,} layers; a spec may have at most {limit:,}",
    "error.no_input": "the spec needs 'input', e.g. input: [1, 28, 28] (channels first)",
    "error.input_rank": "'input' must be [F], [C, L], [C, H, W] or [C, D, H, W], got {value}",
    "error.input_size": "'input' sizes must be whole numbers from 1 to {high}, got {value}",
    "error.name_empty": "{what} must be non-empty text, got {value}",
    "error.name_too_long": "{what} has {length:,} characters; a name has at most {limit}: {value}",
    "error.name_not_printable": "{what} must be printable text (letters, digits, spaces, punctuation), got {value} "
                                "with {bad} in it",
    "error.name_taken": "name '{name}' is already used by {first}; names must be unique",
    "error.unknown_type": "unknown layer type {type}{suggestion}",
    "error.inputs_not_names": "'inputs' must be a layer name or a list of names, got {value}",
    "error.entry_shape": "an entry is a type name or a mapping, got {value}",
    "error.entry_keys": "an entry names one layer type, found keys {keys}",
    "error.arguments_not_mapping": "arguments of {type} must be a mapping, got {value}",
    "error.type_not_name": "a layer type is a name, got {value}",
    "error.too_few_inputs": "{type} needs at least {least} inputs, got {count}",
    "error.one_input": "{type} takes one input, got {count}",
    "error.unknown_argument": "unknown argument {key} for {type}{suggestion} ({listing})",
    "error.argument_twice": "'{key}' and '{first}' are the same argument; give it once",
    "error.missing_argument": "{type} needs '{name}' ({spellings})",
    "error.unknown_input": "unknown input {name}{suggestion}",
    "error.input_has_outputs": "'{name}' has {count} outputs: name one of {outputs}",
    "error.no_such_output": "input {input}: '{name}' has {count} outputs, numbered 0 to {last}",
    "error.input_one_output": "input {input}: '{name}' has one output, named '{name}' (a number after a dot names "
                              "one of several outputs)",
    "error.name_is_output": "name '{name}' is taken: {other} has {count} outputs, named '{base}.0' to "
                            "'{base}.{last}'; choose another name",
    "error.input_cycle": "cycle in inputs (← reads 'takes input from'): {cycle}",
    "error.input_later": "input '{name}' is defined later, at {at}; list every layer after its inputs",
    "error.layer_option_too_large": "--layer holds more than {limit:,} bytes",
    # --- spec errors: expressions in blocks ---
    "error.expr_too_long": "the expression {expression} has {length} characters; an expression has at most {limit}",
    "error.expr_syntax": "cannot read the expression {expression}: {problem}",
    "error.expr_value": "the expression {expression} {problem}",
    "error.expr_not_whole": "{key}: {expression} = {value}, which is not a whole number",
    "phrase.expr_bad_char": "{char} at column {column} is not part of an expression (numbers, names, + - * / // %, "
                            "comparisons, and/or/not, parentheses and function calls are)",
    "phrase.expr_an_operator": "an operator or the end",
    "phrase.expr_a_value": "a number, a name or '('",
    "phrase.expr_power": "'**' at column {column}: there is no power operator; write the product out",
    "phrase.expr_single_equals": "'=' at column {column}: write '==' to compare",
    "phrase.expr_ends": "it ends where {expected} was expected",
    "phrase.expr_unexpected": "expected {expected} at column {column}, found {found}",
    "phrase.expr_nesting": "nested more than {limit} levels deep",
    "phrase.expr_unknown_function": "unknown function {name} at column {column}{suggestion} (functions: {functions})",
    "phrase.expr_arguments": "{name}() takes {expected} arguments, got {count}",
    "phrase.expr_unknown_name": "names {name}, which is not a parameter here{suggestion} (names: {names})",
    "phrase.expr_not_number": "needs a number for {operator}, got {value}",
    "phrase.expr_not_truth": "needs true or false for {operator}, got {value}",
    "phrase.expr_too_large": "reaches {value}, beyond the limit ±{limit}",
    "phrase.expr_zero_division": "divides by zero ({operator})",
    "phrase.expr_divisor": "gives make_divisible a divisor (or minimum) other than a whole number ≥ 1: {values}",
    # --- spec errors: blocks and repeats ---
    "error.blocks_not_mapping": "'blocks' must be a mapping of block names to blocks ({{params: …, layers: […]}}), "
                                "got {value}",
    "error.block_name": "a block's name must be printable text of 1 to {limit} characters",
    "error.block_entry_key": "a block cannot be called like an entry key ({keys})",
    "error.block_shadows_type": "the name is the layer type {type}; give the block a name of its own",
    "error.block_not_mapping": "a block is a mapping with 'layers' (and 'params'), got {value}",
    "error.block_key": "unknown key {key} in a block{suggestion} (valid: params, layers)",
    "error.block_params": "'params' must be a mapping of parameter names to defaults (null: required), got {value}",
    "error.param_name": "parameter name {name} must be a word of letters, digits and _ (not starting with a digit), "
                        "and not one of {taken}",
    "error.block_layers": "a block's 'layers' must be a non-empty list of entries, got {value}",
    "error.block_cycle": "the block uses itself: {cycle}",
    "error.repeat_count": "'repeat' must be a whole number from 1 to {limit:,}, got {value}",
    "error.if_not_truth": "'if' must be true or false, got {value}",
    "error.first_without_repeat": "'first' changes the first repetition, so it needs 'repeat'",
    "error.first_not_mapping": "'first' must be a mapping of the values the first repetition changes, got {value}",
    "error.expansion_too_large": "this repeat needs at least {steps:,} more steps to expand, {done:,} are taken: "
                                 "past the limit of {limit:,} (an entry costs 4 steps and 1 per value written in "
                                 "it, at every repetition, left out or not; a spec has at most {layers:,} layers)",
    "error.expansion_too_long": "expanding blocks and repeats takes more than {limit:,} steps by here (an entry "
                                "costs 4 steps and 1 per value written in it, at every repetition, left out or "
                                "not; a spec has at most {layers:,} layers)",
    "error.expanded_too_many_layers": "blocks and repeats expand to {count:,} layers or more; a spec may have at "
                                      "most {limit:,}",
    "error.all_left_out": "every entry is left out ('if' is false everywhere): the network has no layers",
    "error.name_part": "a name's {{{expression}}} must give a whole number or text, got {value}",
    "error.name_braces": "a name template needs its braces in pairs, each around an expression: {value}",
    "error.unknown_block_input": "unknown input {name} in block '{block}'{suggestion} (inside a block, 'inputs' "
                                 "names the block's own layers written before it, or 'input': {known})",
    "error.block_one_input": "block '{block}' has one input, got {count}",
    "error.unknown_param": "unknown parameter {key} for block '{block}'{suggestion} ({valid})",
    "error.missing_param": "block '{block}' needs '{name}' (its default is null: give it at each use)",
    "phrase.no_params": "it has no parameters",
    "phrase.params": "parameters: {names}",
    # --- spec errors: YAML ---
    "phrase.line": "line {line}",
    "phrase.line_column": "line {line}, column {column}",
    "phrase.a_whole_number": "a whole number",
    "phrase.a_number": "a number",
    "phrase.true_or_false": "true or false",
    "phrase.null": "null",
    "error.yaml_syntax_at": "YAML syntax error at line {line}, column {column}: {problem}",
    "error.yaml_syntax": "YAML syntax error: {problem}",
    "error.yaml": "YAML error: {problem}",
    "error.yaml_second_document": "a second YAML document starts at line {line}; a spec is one document",
    "error.yaml_too_deep": "YAML nesting deeper than {limit} levels at line {line}",
    "error.yaml_tag": "unsupported YAML tag {tag} at line {line}; a spec holds plain YAML values (numbers, text, "
                      "true/false, null, lists and mappings)",
    "error.yaml_too_many_layers": "more than {limit:,} layers (entry {entry:,} is at line {line}); a spec may have at "
                                  "most {limit:,}",
    "error.yaml_alias_loop": "the alias *{name} at line {line} is inside the node it names (a loop); a spec cannot "
                             "hold one",
    "error.yaml_alias_unknown": "the alias *{name} at line {line} names no anchor before it (write &{name} on a value "
                                "first)",
    "error.yaml_too_large": "the YAML is too large to read: more than {limit:,} values by line {line} (an alias counts "
                            "as everything it repeats); a spec needs far fewer",
    "error.yaml_key": "a mapping key must be a plain value (text or a number), got {key} at line {line}",
    "error.yaml_duplicate_key": "duplicate key {key} at {at} (first at {first}); give each key once",
    "error.yaml_merge": "a merge key '<<' takes a mapping or a list of mappings, got {value} (mapping at line {line})",
    "error.yaml_digits": "a number with {digits:,} digits at line {line}; numbers here have at most {limit}",
    "error.yaml_tag_value": "{tag} {value} at line {line} is not {wanted}",
    # --- errors of the commands ---
    "error.get_no_key": "--get: no key '{key}' at {where}; valid: {valid}",
    "error.get_no_item_named": "--get: no item '{key}' at {where}; give a name ({names}) or an index from 1 to {count}",
    "error.get_no_item": "--get: no item '{key}' at {where}; give an index from 1 to {count}",
    "error.get_scalar": "--get: {where} is a value ({value}), it has no '{key}'",
    "error.solve_needs_size": "give --input or --output (or both): solve needs one size to start from",
    "error.memory_estimate": "estimated peak memory {peak} ({where}) exceeds {cap} ({reason}); refusing to run: a "
                             "smaller --batch or --input needs less",
    "error.out_of_memory": "out of memory in the forward pass, although the estimated peak was {peak} ({where}), "
                           "within {cap} ({reason}): other programs may have taken the rest; try a smaller --batch",
    "error.no_solution": "no solution: nothing takes {sizes} (searched {searched})",
    "error.no_answer_file": "no answer file '{path}'",
    "error.answers_not_mapping": "{label}: answers are a mapping of question number to answer, e.g. `1: 16x15x15`",
    # --- draw and report ---
    "error.draw_boxes_chain": "reads {inputs}, not just the layer before it ({previous}): the boxes style draws a "
                              "chain of layers; draw this network with --style graph",
    "error.draw_too_many_boxes": "{count:,} feature maps are too many to draw as boxes in one row (at most {limit}); "
                                 "use --style graph",
    "error.draw_png_extra": "--format png needs the optional rasteriser: pip install 'convcalc[png]'",
    "error.draw_png_failed": "the rasteriser could not render the drawing: {reason}",
    "error.draw_depth_boxes": "--depth draws blocks as nodes of the graph: use --style graph (or leave --style out)",
    "error.write_file": "cannot write {path}: {reason}",
    # --- importing models (ONNX, Keras) ---
    "error.import_no_file": "no model file {path}",
    "error.import_too_large": "{path} is {size:,} bytes, more than a model file may be ({limit:,})",
    "error.import_onnx_extra": "reading ONNX files needs the onnx package: pip install 'convcalc[onnx]'",
    "error.import_not_onnx": "{path} is not a readable ONNX model: {reason}",
    "phrase.onnx_nodes": "nodes",
    "phrase.onnx_initializers": "initializers (weight tensors)",
    "error.import_too_many_nodes": "{path} has {count:,} {what}, more than a model may have ({limit:,})",
    "error.import_input_count": "{path}: the graph has {count} inputs ({names}); convcalc reads networks with one "
                                "input",
    "error.import_input_shape": "{path}: input '{name}' has sizes {shape}, not all fixed after the batch: give them "
                                "with --input, e.g. --input 3x224x224",
    "error.import_op_unsupported": "node '{node}' ({op}): convcalc has no layer for ONNX's {op}; supported: "
                                   "{supported}",
    "error.import_attribute": "node '{node}' ({op}): {attribute} = {value} cannot be read as a layer; expected "
                              "{expected}",
    "error.import_constant_input": "node '{node}' ({op}): its input '{input}' is not a tensor the network computes "
                                   "from its input",
    "error.import_weight_computed": "node '{node}' ({op}): its input '{input}' should be a weight or a constant, "
                                    "but the network computes it",
    "error.import_shape_unknown": "node '{node}' ({op}): ONNX's shape inference did not find the sizes of "
                                  "'{tensor}'",
    "error.import_constant_too_large": "node '{node}' ({op}): constant '{input}' has {size:,} values, more than a "
                                       "size or pad list may have ({limit:,})",
    "error.import_constant_failed": "node '{node}' ({op}): constant '{input}' could not be worked out: {reason}",
    "error.import_elementwise": "node '{node}' ({op}): an element-wise op with {count} constant input(s) of {size} "
                                "values; convcalc reads two computed tensors (add, multiply), a scalar constant, "
                                "or a per-channel scale",
    "error.import_not_keras": "{path} is not a readable Keras model: {reason}",
    "error.import_zip_bomb": "{path}: config.json would unpack to {size:,} bytes (or entries), more than a Keras "
                             "model's may ({limit:,}, at most 200× its packed size)",
    "error.import_keras_inputs": "{path}: layer '{layer}' names no input layer in its inbound_nodes",
    "error.import_keras_unsupported": "{path}: layer '{layer}' ({kind}): convcalc has no layer for Keras' {kind}; "
                                      "`convcalc layers` lists the types it reads",
    "phrase.import_no_model_config": "no Sequential or Functional model config with layers",
    "phrase.import_no_config_json": "the archive has no config.json",
    "note.import_channels_last": "Keras' shapes are channels last (H×W×C); convcalc shows them channels first "
                                 "(C×H×W), as PyTorch does: the same sizes in another order",
    "phrase.import_no_graph": "no graph with nodes in it (truncated, or not an ONNX file)",
    "note.import_no_batchnorm": "the graph has convolutions but no BatchNormalization: an inference export folds "
                                "batchnorm into the convolutions' biases, so the totals differ from the trained "
                                "model's; export with training=torch.onnx.TrainingMode.PRESERVE, "
                                "do_constant_folding=False to keep it",
    # --- the memory cap `verify` checks against ---
    "cap.max_memory": "--max-memory",
    "cap.available": "80% of the RAM available now",
    "cap.quarter": "a quarter of the RAM",
    "cap.address_space": "80% of the address space left under `ulimit -v`",
    "cap.default": "the default where the RAM is unknown",
    "error.memory_size": "expected a size like 6G, 512MiB or 1e9, got {value}",
    "error.memory_limit": "a memory limit must be at least 1 byte and finite, got {value}",
    # --- memory for a batch and a training step (summary --batch --dtype --training) ---
    "memory.inference": "Activations ({dtype}, batch {batch}): {activations} · input: {input}",
    "memory.training_heading": "Training step ({dtype}, batch {batch}, {optimizer}):",
    "memory.weights": "  parameters: {params} · gradients: {gradients}",
    "memory.state_sgd": "  optimizer state: {state} (plain SGD keeps none)",
    "memory.state_momentum": "  optimizer state: {state} (one velocity per trainable parameter, in {dtype} as PyTorch keeps it)",
    "memory.state_adam": "  optimizer state: {state} (two moments per trainable parameter, in {dtype} as PyTorch keeps them)",
    "memory.saved": "  activations kept for the backward pass: {saved}",
    "memory.total": "  total: {total} ({exact:,} B)",
    "memory.saved_header": "Saved",
    "memory.backward_pass": "the backward pass, every forward tensor kept",
    "memory.where": "batch {batch}, at {place}",
    "memory.input": "the network's input",
    "saved.input": "its input",
    "saved.output": "its output",
    "saved.input_and_output": "its input, and its output for the activation",
    "saved.input_and_stats": "its input, and the batch's mean and 1/std per channel (float32)",
    "saved.input_and_argmax": "its input, and the argmax of each window (int64)",
    "saved.mask": "the mask of kept units (1 byte each)",
    "saved.sample_flag": "one keep flag per sample",
    "saved.nothing": "nothing: its backward pass needs only shapes",
    "usage.optimizer_without_training": "--optimizer {optimizer} chooses the optimizer of a training step: add "
                                        "--training",
    # --- export: code for PyTorch and Keras (convcalc export) ---
    "error.export_transposed_extra": "{framework} cannot express this {type}: Keras' output is longer than the full "
                                     "transposed result by at least the stride; give an int padding instead",
    "error.export_avg_same_uneven": "{framework} cannot express this {type}: padding 'same' averages the real cells "
                                    "only, and here the padding is uneven (more after than before), which PyTorch's "
                                    "count_include_pad=False cannot say; use an int padding or an odd pool size",
    "error.export_global_rank": "{framework} has no global pooling for an input with {rank} spatial axes; it needs 1 to 3 "
                                "axes ([C, L], [C, H, W] or [C, D, H, W])",
    "error.export_instancenorm_rank": "{framework} has no instance normalisation for an input with {rank} spatial axes; it needs 1 "
                                      "to 3 spatial axes",
    "error.export_crop_rank": "{framework} has no cropping layer for an input with {rank} spatial axes (channels "
                              "first)",
    "error.export_instancenorm_stats": "{framework} has no instance normalisation with running statistics "
                                       "(track_running_stats: true); Keras' GroupNormalization with one group per "
                                       "channel keeps none",
    "error.export_transposed_int_padding": "{framework} cannot express this {type}: its transposed convolutions take "
                                           "padding 'valid' or 'same', not PyTorch's int padding",
    "error.export_transposed_groups": "{framework} cannot express this {type}: its transposed convolutions have no "
                                      "groups",
    "error.export_stride_and_dilation": "{framework} cannot express this {type}: it refuses a stride > 1 together "
                                        "with a dilation > 1",
    "error.export_softmax_inside": "{framework} cannot express this {type}: its `activation: softmax` works on the "
                                   "last axis, not the channels; use a softmax layer after it",
    "error.export_pool_dilation": "{framework} cannot express this {type}: its pools have no dilation",
    "error.export_pool_int_padding": "{framework} cannot express this {type}: its pools take 'valid' or 'same', and "
                                     "zeros in front would change a max pool (or an average without the padding); "
                                     "use padding 'same' or 0",
    "error.export_pool_ceil_mode": "{framework} cannot express this {type}: its pools have no ceil_mode",
    "error.export_upsample": "{framework} cannot express this {type}: it upsamples by whole factors with nearest, "
                             "or resizes 2-D maps (bilinear, bicubic) without align_corners",
    "error.export_upsampling_1d": "{framework} cannot express this {type} on a [C, L] input: UpSampling1D has no "
                                  "channels_first",
    "error.export_lrn": "{framework} has no local response normalisation layer",
    # --- explain's window picture ---
    "picture.caption": "input {input} padded ({pads}) → output {output}; kernel {kernel}, stride {stride}, "
                       "dilation {dilation}",
    "picture.legend": "{pad} padding  {cell} input  {first} first window  {second} second window (one stride on)  "
                      "{both} in both  {missed} never covered",
    # --- what the commands print around the numbers: headings, titles, totals ---
    "heading.layer_type": "Layer (type)",
    "heading.input": "Input",
    "heading.output": "Output",
    "heading.kernel": "Kernel",
    "heading.params": "Params",
    "heading.macs": "MACs",
    "heading.rf": "RF",
    "heading.predicted": "Predicted",
    "heading.actual": "Actual",
    "heading.counted": "Counted",
    "heading.input_gradient": "∂L/∂X",
    "heading.weight_gradients": "∂L/∂(weights)",
    "heading.check": "check",
    "heading.topic": "topic",
    "heading.expected": "expected",
    "heading.given": "given",
    "label.warning": "warning: ",
    "summary.title": 'Model: "{name}" · input {input} → output {output}',
    "summary.markdown_title": "**{name}** — input {input} → output {output}",
    "summary.total_params": "Total params: {params:,} ({size})",
    "summary.trainable_params": "Trainable params: {count:,}",
    "summary.non_trainable_params": "Non-trainable params: {count:,}",
    "summary.macs": "MACs: {macs:,} ({macs_short}) · FLOPs: {flops:,} ({flops_short})",
    "summary.activations": "Activations (float32, batch 1): {size} · input: {input}",
    "summary.warnings": "Warnings:",
    "explain.heading": "Layer {index} · {label}",
    "explain.heading_line": "Layer {index} · {label} · line {line}",
    "explain.shapes": Plural(count="outputs", one="input {inputs} → output {shapes}",
                             other="input {inputs} → outputs {shapes}"),
    "explain.kernel": "kernel {shape}",
    "explain.params": "{params:,} parameters",
    "explain.params_non_trainable": "{params:,} parameters ({non_trainable:,} non-trainable)",
    "explain.macs": "{macs:,} MACs",
    "explain.backward_label": "backward: ",
    "explain.receptive_field": "receptive field {shape}",
    "explain.picture_output": "output:",
    "verify.title": 'verify "{name}": NumPy forward pass, seed {seed}, batch {batch}',
    "verify.refused": "{where}: the arrays refused it: {error}",
    "verify.non_finite": "note: {where}: {count:,} of {total:,} output values are inf or NaN (an overflow, a division "
                         "by zero or an invalid operation); later layers compute with them, and shapes and counts are "
                         "checked all the same",
    "verify.not_run": "not run after the failure: {count} layers",
    "verify.summary": "{agreeing} of {total} layers agree · forward {seconds:.2f} s · estimated peak memory {memory}",
    "verify.progress": "running {name}",
    "verify.backward_title": 'verify "{name}": NumPy backward pass, the gradient of each input and weight',
    "verify.backward_refused": "{where}: the backward pass refused it: {error}",
    "verify.backward_not_run": "the backward pass stopped there: {count} layers before it not reached",
    "verify.summary_backward": "{agreeing} of {total} layers agree · {gradients} of {total} backward · forward and "
                               "backward {seconds:.2f} s · estimated peak memory {memory}",
    "solve.conv": "a convolution",
    "solve.transposed": "a transposed convolution",
    "solve.pool": "a pooling layer",
    "solve.problem": "{sizes} with {kind}",
    "solve.problem_given": "{sizes} with {kind} ({given})",
    "solve.title": Plural(count="count", one="{problem}: {count} solution, simplest first",
                          other="{problem}: {count} solutions, simplest first"),
    "solve.floor_drops": "  (floor drops input cells)",
    "solve.more": "… and {more} more (--limit to show them)",
    "solve.same_output": "same padding for N={n}, K={k}, S={s}, D={d}: output ceil(N/S) = {output}",
    "solve.same_keras": "  TensorFlow/Keras: total pad {formula} = {total}, split {before} before and {after} after (the "
                        "extra cell at the end)",
    "solve.same_pytorch": "  PyTorch integer padding that gives the same size: padding={padding}",
    "solve.same_none": "  PyTorch: no symmetric integer padding gives this size ({why}); use padding='same' (stride 1) "
                       "or pad asymmetrically first (zeropad2d with [before, after] pairs)",
    "solve.same_odd": "the total pad {total} is odd, so it cannot be split evenly",
    "solve.same_none_fits": "none fits",
    "compare.network": "network",
    "compare.depth": "depth",
    "compare.layers": "layers",
    "compare.params": "params",
    "compare.macs": "MACs",
    "compare.activations": "activations",
    "compare.output": "output",
    "compare.largest": "largest layer",
    "quiz.title": "# convcalc quiz — seed {seed}, {count} questions, {difficulty}",
    "quiz.key_title": "# Answer key — seed {seed}",
    "quiz.score": "score: {score}/{total} ({percent:.0f}%)",
    "quiz.conv2d": "a `conv2d` with {filters} filters of {k}×{k}{extra}",
    "quiz.conv2d_no_bias": "a `conv2d` with {filters} filters of {k}×{k}{extra} and no bias",
    "quiz.argument": ", {key} {value}",
    "quiz.pool": "a `{type}` with pool size {size}, stride {stride}",
    "quiz.dense": "a `dense` layer with {units} units",
    "quiz.then": ", then ",
    "quiz.shapes": "An input of shape {c}×{n}×{n} (channels first) goes through {chain}. What is the output shape? "
                   "(C×H×W)",
    "quiz.params": "An input of shape {c}×{n}×{n} goes through {chain}. How many trainable parameters are there in "
                   "total?",
    "quiz.padding": "A `conv2d` with a {k}×{k} kernel and stride 1 receives a {n}×{n} input. Which symmetric padding P "
                    "keeps the output {n}×{n}?",
    "quiz.padding_dilated": "A `conv2d` with a {k}×{k} kernel with dilation {d} and stride 1 receives a {n}×{n} input. "
                            "Which symmetric padding P keeps the output {n}×{n}?",
    "quiz.padding_working": "{check}, so P = {padding} = D·(K−1)/2",
    "quiz.receptive_field": "A 128×128 image goes through {chain}. How many input pixels wide is the receptive field "
                            "of one output cell?",
    "quiz.receptive_field_working": "receptive field layer by layer: {working}",
    "quiz.batchnorm": "a `batchnorm` layer",
    "quiz.backward": "An input of shape {input} (one example) goes through {layer}. In the backward pass, what is the "
                     "shape of {gradient}, the gradient of the loss with respect to {wrt}? (write it {layout})",
    "quiz.wrt_input": "the layer's input",
    "quiz.wrt_kernel": "its weights",
    "quiz.wrt_bias": "its bias",
    "quiz.wrt_gamma": "its learned scale γ",
    "quiz.wrt_beta": "its learned shift β",
    "quiz.layout_map": "as C×H×W",
    "quiz.layout_vector": "as a single number: its length",
    "quiz.layout_conv_kernel": "in PyTorch's order: filters × input channels per group × K × K",
    "quiz.layout_dense_kernel": "in PyTorch's order: units × input features",
    "quiz.backward_working": "{layer}: {input} → {output}; each gradient has the shape of the tensor it is taken "
                             "with respect to: {gradients}",
    "quiz.training": "A small network takes a {c}×{n}×{n} input (channels first): {chain}. It is trained in {dtype} "
                     "({size} bytes per value) with batches of {batch}, using {optimizer}. {ask}",
    "quiz.optimizer_sgd": "plain SGD",
    "quiz.optimizer_momentum": "SGD with momentum",
    "quiz.optimizer_adam": "Adam",
    "quiz.ask_param_bytes": "How many bytes do its parameters take, trainable or not?",
    "quiz.ask_gradient_bytes": "How many bytes do the gradients of its parameters take?",
    "quiz.ask_optimizer_bytes": "How many bytes of optimizer state does the optimizer keep?",
    "quiz.ask_saved_bytes": "How many bytes of activations does one training step keep for the backward pass? "
                            "Each layer type keeps what its backward pass reads: {rules}. A tensor that two layers "
                            "keep is stored once.",
    "quiz.saved_rule": "`{type}` keeps {what}",
    "quiz.list_separator": "; ",
    "quiz.list_comma": ", ",
    "quiz.state_sgd": "plain SGD keeps no state",
    "quiz.state_momentum": "momentum keeps one velocity per trainable parameter",
    "quiz.state_adam": "Adam keeps two moments per trainable parameter",
    "quiz.optimizer_working": "{why}: {copies} × {trainable:,} × {size} B = {bytes:,} B",
    "quiz.working_param_bytes": "every parameter, learned or not ({layers}): {count:,} × {size} B ({dtype}) = "
                                "{bytes:,} B; the batch size does not change it",
    "quiz.working_gradient_bytes": "one gradient per trainable parameter ({layers}): {count:,} × {size} B ({dtype}) "
                                   "= {bytes:,} B; the batch size does not change it",
    "quiz.saved_working": "kept for the backward pass, batch {batch} in {dtype}, each tensor counted at the first "
                          "layer that keeps it: {layers}; in all {bytes:,} B",
    "report.title": "{name}: input {input} → output {output}",
    "report.drawing": "Drawing",
    "report.summary": "Summary",
    "report.layers": "Layer by layer",
    # --- usage errors (exit 2): click puts "Invalid value for '--input':" in front ---
    "usage.shape": "expected sizes like 3x224x224 (1 to 4 positive whole numbers), got {value}",
    "usage.spec_and_layer": "give a SPEC or --layer, not both",
    "usage.layer_needs_input": "--layer needs --input, e.g. --input 32x14x14",
    "usage.no_spec": "give a SPEC (file, '-' or example name), or --input with --layer",
    "usage.stdin_twice": "standard input ('-') can be read once",
    "usage.transposed_and_pool": "--transposed and --pool cannot go together",
    "usage.same_needs": "--same needs --input and --kernel",
    "usage.topic": "unknown topic {topics}; choose from {valid}",
    "usage.no_topic": "(none)",
    "usage.choose": "choose from {valid}",
    "usage.png_to_file": "a PNG goes to a file: add -o net.png",
    # --- the command line's --help ---
    "help.root": "Output shapes, parameters, MACs and receptive fields of CNN architectures.",
    "help.root.version": "print the version and exit",
    "help.lang": "language of everything printed: en, zh or es (default: CONVCALC_LANG, then LANGUAGE, LC_ALL, "
                 "LC_MESSAGES, LANG)",
    "help.spec": "spec file, '-' for standard input, or a bundled example name (e.g. lenet5)",
    "help.input_shape": "override the spec's input shape, e.g. 3x224x224",
    "help.summary": "Per-layer table like Keras' summary(): shapes, kernels, params, MACs, receptive field.",
    "help.summary.fmt": "table (rich), json, csv or markdown",
    "help.summary.get": "print one value of the JSON output, e.g. totals.params or layers.conv2d_2.output_shape",
    "help.summary.depth": "collapse blocks below this depth into one row each (1: top-level entries); JSON keeps every "
                          "layer",
    "help.verify": "Run the network in NumPy with random weights; compare every shape and parameter count.",
    "help.verify.seed": "seed for the random input and weights, 0 to 2**64 − 1",
    "help.verify.batch": "batch size of the forward pass",
    "help.verify.max_memory": "refuse to run above this estimated peak, e.g. 6G (always within 80% of the RAM "
                              "available and of the address space left under ulimit -v)",
    "help.verify.fmt": "table or json",
    "help.verify.backward": "run the backward pass too, and compare the shape of every gradient (∂L/∂X, ∂L/∂W, "
                            "∂L/∂b) with the prediction",
    "help.verify.get": "print one value of the JSON output, e.g. ok or layers.3.actual_shape",
    "help.explain": "Step by step for one layer or all: the formula, the same with this layer's numbers, the result.",
    "help.explain.spec": "spec file, '-' for standard input, or a bundled example name (e.g. lenet5); leave out with "
                         "--layer",
    "help.explain.layer": "a layer name or 1-based index; all layers when left out",
    "help.explain.input_shape": "input shape, e.g. 32x14x14 (overrides the spec's)",
    "help.explain.entry": "one layer entry in spec syntax, e.g. 'conv2d: {{filters: 64, kernel_size: 5}}'",
    "help.explain.fmt": "text or json",
    "help.explain.picture": "draw the window grid for small layers",
    "help.explain.get": "print one value of the JSON output, e.g. conv2d_2.params",
    "help.layers": "The catalogue of layer types, their arguments, aliases and defaults.",
    "help.layers.fmt": "table, json or markdown",
    "help.compare": "One table across networks: depth, params, MACs, activation memory, output, largest layer.",
    "help.compare.specs": "two or more specs: files, '-' or bundled example names",
    "help.solve": "The inverse problem: which kernel, stride, padding, dilation take INPUT to OUTPUT?",
    "help.solve.input_size": "input size N on one axis",
    "help.solve.output_size": "wanted output size",
    "help.solve.kernel": "kernel size K (searched 1–11 if left out)",
    "help.solve.stride": "stride S (searched 1–8)",
    "help.solve.padding": "symmetric padding P (searched 0–D·(K−1))",
    "help.solve.dilation": "dilation D (searched 1–4)",
    "help.solve.output_padding": "transposed convs only",
    "help.solve.transposed": "solve for a transposed convolution",
    "help.solve.pool": "solve for a pooling layer (PyTorch's rule; P ≤ K/2)",
    "help.solve.ceil_mode": "with --pool: round up",
    "help.solve.same": "the padding that keeps the size: needs --input and --kernel",
    "help.solve.limit": "show at most this many solutions",
    "help.solve.fmt": "table or json",
    "help.quiz": "Exercise sets for a class: questions as Markdown, an answer key, and grading.",
    "help.quiz.seed": "the same seed gives the same quiz on every machine",
    "help.quiz.count": "number of questions",
    "help.quiz.topics": "comma-separated: shapes, params, padding, receptive-field (these four by default), "
                        "backward-shapes, training-memory",
    "help.quiz.difficulty": "easy, medium or hard",
    "help.quiz.answers": "print the answer key instead of the questions",
    "help.quiz.fmt": "markdown or json (answer key)",
    "help.quiz.grade_file": "grade a student's YAML answers (number: answer)",
    "help.schema": "The JSON Schema of the spec format, for editors: convcalc schema > convcalc.schema.json",
    "help.draw": "Draw the network: feature maps as boxes with their kernels, or the layer graph (SVG or PNG).",
    "help.draw.output": "the file to write; SVG to standard output when left out",
    "help.draw.fmt": "svg or png (png needs the extra: pip install 'convcalc[png]'); default from -o's suffix, else svg",
    "help.draw.style": "boxes (a chain of layers, as LeNet's figure) or graph (any network); default boxes for a "
                       "chain, graph otherwise",
    "help.report": "One self-contained HTML page: the drawing, the summary table and every layer's explanation.",
    "help.report.output": "the HTML file to write; standard output when left out",
    "help.summary.batch": "memory for this many examples at once (default 1)",
    "help.summary.dtype": "bytes per value: float32 (default), float16, bfloat16 or int8",
    "help.summary.training": "memory of a training step: parameters, gradients, optimizer state and the activations "
                             "the backward pass reads",
    "help.summary.optimizer": "with --training: sgd (default, no state), momentum (1 copy) or adam (2 copies)",
    "help.draw.depth": "draw each block at this depth as one node of the graph (1: top-level entries), as summary "
                       "--depth",
    "help.explain.backward": "also the backward pass: gradient shapes, how each is computed, MACs",
    "help.import": "A model from another framework as a YAML spec (layer names from the graph), checked as convcalc "
                   "reads it.",
    "help.import.model": "an .onnx file, a .keras archive or Keras JSON (model.to_json())",
    "help.import.output": "the YAML spec to write; standard output when left out",
    "help.import.input_shape": "the input's sizes when the model leaves them open, e.g. 3x224x224",
    "help.export": "Write the network as one runnable Python module for PyTorch or Keras, with its numbers on top.",
    "help.export.to": "pytorch (an nn.Module) or keras (a functional model, channels first)",
    "help.export.output": "the Python file to write; standard output when left out",
    # --- where an error is: put in front of its message ---
    "where.layer_line": "layer {index} '{name}' (line {line})",
    "where.layer": "layer {index} '{name}'",
    "where.entry_line": "layer {index} (line {line})",
    "where.entry": "layer {index}",
    "where.block_line": "block {name} (line {line})",
    "where.block": "block {name}",
    "where.in_block_line": " in block '{block}' used at line {line}{values}",
    "where.in_block": " in block '{block}'{values}",
}
