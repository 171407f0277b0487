"""The English catalogue: every sentence convcalc says, by id, with named placeholders.

Steps (STEPS) have a label, a formula and the formula with numbers; the formulas of sliding
windows come from `formulas.py`, so `explain` and `solve` print one notation. Notes,
warnings and errors (CATALOGUE) are one template each, or a `Plural`. Numbers are formatted
here (`{weights:,}`), so a rule passes plain ints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from convcalc import formulas as f


@dataclass(frozen=True, kw_only=True)
class Plural:
    """A sentence with a singular and a plural form, chosen by the parameter `count`."""

    count: str
    one: str
    other: str

    def pick(self, params: dict[str, Any]) -> str:
        return self.one if params[self.count] == 1 else self.other


@dataclass(frozen=True, kw_only=True)
class StepText:
    """How a derivation step reads: its label, the formula, and the formula with numbers."""

    what: str
    formula: str
    substituted: str


Template = str | Plural


def _formula(what: str, formula: f.Formula, prefix: str = "") -> StepText:
    return StepText(what=what, formula=prefix + formula.notation, substituted=formula.substitution)


STEPS: dict[str, StepText] = {
    # sliding windows
    "same_padding": _formula("same padding ({axis})", f.SAME_PADDING, "P = "),
    "pad_before": StepText(what="pad before ({axis})", formula="floor(P/2)", substituted="floor({total}/2)"),
    "pad_after": StepText(what="pad after ({axis})", formula="P − floor(P/2)", substituted="{total} − {lo}"),
    "causal_padding": _formula("causal padding (before)", f.CAUSAL_PADDING),
    "output_size": _formula("output {axis}", f.CONV_OUTPUT),
    "pool_output": _formula("output {axis}", f.SYMMETRIC_OUTPUT),
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
    "widest_bin_even": StepText(what="widest bin ({axis})", formula="largest ceil((i+1)·N/O) − floor(i·N/O)",
                                substituted="{n}/{o}"),
    "widest_bin_ceil": StepText(what="widest bin ({axis})", formula="largest ceil((i+1)·N/O) − floor(i·N/O)",
                                substituted="ceil({n}/{o})"),
    "widest_bin_ceil_plus": StepText(what="widest bin ({axis})", formula="largest ceil((i+1)·N/O) − floor(i·N/O)",
                                     substituted="ceil({n}/{o}) + 1"),
    "zero_padded_output": StepText(what="output {axis}", formula="N + before + after", substituted="{n} + {lo} + {hi}"),
    "upsampled_output": StepText(what="output {axis}", formula="N × scale", substituted="{n} × {scale}"),
    # counts
    "output_channels": StepText(what="output channels", formula="one per filter", substituted="{filters}"),
    "conv_weights": StepText(what="weights", formula="filters × (C_in/groups) × kernel", substituted="{dims}"),
    "transposed_weights": StepText(what="weights", formula="C_in × (filters/groups) × kernel", substituted="{dims}"),
    "depthwise_conv_weights": StepText(what="weights", formula="C·m × 1 × kernel", substituted="{dims}"),
    "biases": StepText(what="biases", formula="one per output channel", substituted="{biases}"),
    "parameters": StepText(what="parameters", formula="weights + biases", substituted="{weights} + {biases}"),
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
    "batchnorm_trainable": StepText(what="trainable", formula="2C (scale γ and shift β)", substituted="2 × {channels}"),
    "batchnorm_non_trainable": StepText(what="non-trainable", formula="2C (running mean and variance)",
                                        substituted="2 × {channels}"),
    "concat_channels": StepText(what="channels", formula="sum of input channels", substituted="{channels}"),
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
    "note.dense": "Every one of the {units:,} units has its own weight for each of the {features:,} input features, "
                  "plus a bias: in·units + units = {params:,} parameters.",
    "note.batchnorm": "Batch normalisation keeps 4 numbers per channel: a learned scale γ and shift β (2C = {twice} "
                      "trainable) and the running mean and variance it normalises with at inference (2C = {twice} "
                      "non-trainable; Keras counts them, PyTorch calls them buffers).",
    "note.zero_padding": "Zero padding adds rows and columns of zeros around each channel: {input} becomes {output}; "
                         "0 parameters. A conv's integer `padding` does the same inside the conv.",
    "note.upsample": "Nearest upsampling repeats each cell {scale} times: {input} becomes {output}, per channel, with "
                     "0 parameters (a transposed conv would learn the upsampling).",
    "note.add": "add sums its {count} inputs element by element (a residual connection): the shapes must match "
                "exactly, 0 parameters.",
    "note.concat": "concat stacks its inputs along the channel axis: the spatial sizes must match and the channels add "
                   "up to {channels}; 0 parameters.",
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
    "warn.ceil_mode_dropped": "{axis}: ceil_mode's last window would start in the right padding, so it is dropped",
}
