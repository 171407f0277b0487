"""Output-size arithmetic: one formula, one function.

The engine, `explain` and the tests all call these, so an explanation can never disagree with
the number in the table. Every function works on one spatial axis and plain ints.
"""

from __future__ import annotations

from collections.abc import Callable

from convcalc.record import record


def effective_kernel(kernel: int, dilation: int = 1) -> int:
    """Span of a dilated kernel: D·(K−1) + 1 cells."""
    return dilation * (kernel - 1) + 1


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def conv_output_size(n: int, kernel: int, stride: int = 1, pad_total: int = 0, dilation: int = 1) -> int:
    """floor((N + P_total − D·(K−1) − 1)/S) + 1 — PyTorch's and Keras' rule for a conv or pool."""
    return (n + pad_total - effective_kernel(kernel, dilation)) // stride + 1


def course_output_size(n: int, kernel: int, stride: int = 1, pad: int = 0) -> int:
    """floor((N − K + 2P)/S) + 1: the course's rule, for symmetric padding P and dilation 1.
    It is conv_output_size with P_total = 2P and D = 1, since N + 2P − 1·(K−1) − 1 = N − K + 2P."""
    return conv_output_size(n, kernel, stride, 2 * pad, 1)


def is_course_case(pad_before: int, pad_after: int, dilation: int, ceil_mode: bool = False) -> bool:
    """Whether the course's form holds: the same padding on both sides, dilation 1, floor."""
    return pad_before == pad_after and dilation == 1 and not ceil_mode


def course_remainder(n: int, kernel: int, stride: int, pad: int) -> int:
    """(N − K + 2P) mod S: what floor drops from the course's division (0 when it is exact)."""
    return (n - kernel + 2 * pad) % stride


def seed_parameters(filters: int, channels: int, cells: int) -> int:
    """n·(f·k·k + 1): a standard convolution's weights (n filters of f·k·k) and n biases."""
    return filters * (channels * cells + 1)


def same_padding(n: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """TF/Keras `same`: the output is ceil(N/S); the total pad is split with the extra cell at
    the end (TensorFlow's choice, which PyTorch's `same` for stride 1 also makes)."""
    out = ceil_div(n, stride)
    total = max((out - 1) * stride + effective_kernel(kernel, dilation) - n, 0)
    return total // 2, total - total // 2


def causal_padding(kernel: int, dilation: int = 1) -> tuple[int, int]:
    """Keras `causal` (1-D): pad D·(K−1) on the left only, so output t sees inputs ≤ t."""
    return dilation * (kernel - 1), 0


def uncovered_cells(n: int, kernel: int, stride: int, pad_total: int, dilation: int = 1) -> int:
    """Cells at the end of the padded input that no window reaches because floor drops them."""
    return (n + pad_total - effective_kernel(kernel, dilation)) % stride


def pool_output_size(
    n: int, kernel: int, stride: int, pad: int, dilation: int = 1, ceil_mode: bool = False
) -> int:
    """PyTorch's pooling rule with symmetric padding `pad`.

    With ceil_mode the division rounds up, but a last window that would start inside the right
    padding is dropped: PyTorch checks (out − 1)·S ≥ N + P and then removes it.
    """
    span = n + 2 * pad - effective_kernel(kernel, dilation)
    out = (ceil_div(span, stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= n + pad:
        out -= 1
    return out


def transposed_output_size(
    n: int, kernel: int, stride: int = 1, pad: int = 0, dilation: int = 1, output_padding: int = 0
) -> int:
    """PyTorch ConvTranspose: (N−1)·S − 2P + D·(K−1) + output_padding + 1."""
    return (n - 1) * stride - 2 * pad + dilation * (kernel - 1) + output_padding + 1


def keras_transposed_output_size(
    n: int, kernel: int, stride: int, padding: str, dilation: int = 1, output_padding: int | None = None
) -> int:
    """Keras Conv*DTranspose (`deconv_output_length`) for `valid` and `same`."""
    k = effective_kernel(kernel, dilation)
    if output_padding is None:
        return n * stride + max(k - stride, 0) if padding == "valid" else n * stride
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * stride + k - 2 * pad + output_padding


def adaptive_bin_bounds(n: int, out: int, i: int) -> tuple[int, int]:
    """PyTorch's adaptive pooling bin i: [floor(i·N/O), ceil((i+1)·N/O))."""
    return (i * n) // out, ceil_div((i + 1) * n, out)


def adaptive_max_bin(n: int, out: int) -> int:
    """Widest adaptive-pooling bin, the window size that sets the receptive field.

    Bins are N/O wide when O divides N; otherwise a bin spans ceil(N/O) cells, plus one more
    when some bin starts off the grid of whole cells, which happens unless N mod O = gcd(N, O)
    (checked against the bin-by-bin maximum for every N, O < 200 in the tests).
    """
    from math import gcd

    rest = n % out
    if rest == 0:
        return n // out
    return ceil_div(n, out) + (0 if rest == gcd(n, out) else 1)


@record
class Formula:
    """One rule as it is printed and computed: the notation (`floor((N + 2P − …)/S) + 1`), the
    same with named placeholders for this layer's numbers, and the function. `explain`,
    `solve` and the engine all print a rule from its Formula, so it reads the same everywhere."""

    notation: str
    substitution: str
    function: Callable[..., int] | None = None

    def substitute(self, **values: object) -> str:
        return self.substitution.format(**values)


CONV_OUTPUT = Formula(
    notation="floor((N + P_before + P_after − D·(K−1) − 1)/S) + 1",
    substitution="floor(({n} + {lo} + {hi} − {d}·({k}−1) − 1)/{s}) + 1",
    function=conv_output_size,
)
# symmetric padding P on both sides; {rounding} is floor, or ceil for PyTorch's ceil_mode
SYMMETRIC_OUTPUT = Formula(
    notation="{rounding}((N + 2P − D·(K−1) − 1)/S) + 1",
    substitution="{rounding}(({n} + 2·{pad} − {d}·({k}−1) − 1)/{s}) + 1",
    function=pool_output_size,
)
# the course's form (symmetric padding, dilation 1): exact division, or floor when it is not
COURSE_OUTPUT = Formula(
    notation="(N − K + 2P)/S + 1",
    substitution="({n} − {k} + 2·{pad})/{s} + 1",
    function=course_output_size,
)
COURSE_OUTPUT_FLOOR = Formula(
    notation="floor((N − K + 2P)/S) + 1",
    substitution="floor(({n} − {k} + 2·{pad})/{s}) + 1",
    function=course_output_size,
)


def course_rule(n: int, kernel: int, stride: int, pad: int) -> Formula:
    """The course's form as printed: plain division when it is exact, floor when it is not."""
    return COURSE_OUTPUT_FLOOR if course_remainder(n, kernel, stride, pad) else COURSE_OUTPUT


SAME_OUTPUT = Formula(notation="ceil(N/S)", substitution="ceil({n}/{s})", function=ceil_div)
SAME_PADDING = Formula(
    notation="max((ceil(N/S) − 1)·S + D·(K−1) + 1 − N, 0)",
    substitution="max((ceil({n}/{s}) − 1)·{s} + {d}·({k}−1) + 1 − {n}, 0)",
    function=same_padding,
)
CAUSAL_PADDING = Formula(notation="D·(K−1)", substitution="{d}·({k}−1)", function=causal_padding)
UNCOVERED = Formula(
    notation="(N + P − D·(K−1) − 1) mod S",
    substitution="({n} + {pad_total} − {span}) mod {s}",
    function=uncovered_cells,
)
TRANSPOSED_OUTPUT = Formula(
    notation="(N−1)·S − 2P + D·(K−1) + output_padding + 1",
    substitution="({n}−1)·{s} − 2·{pad} + {d}·({k}−1) + {op} + 1",
    function=transposed_output_size,
)
# a standard convolution's parameters, the seed formula n·(f·k·k + 1): n filters, f input
# channels, one weight per kernel cell and one bias each; {letters} is k, k·k or k·k·k
SEED_PARAMETERS = Formula(
    notation="n·(f·{letters} + 1)",
    substitution="{n}·({f}·{cells} + 1)",
    function=seed_parameters,
)
# ∂L/∂X of a conv is a transposed conv of ∂L/∂Y (O cells) with the same K, S, P, D; the
# output_padding it needs is what floor dropped: (N + P − D·(K−1) − 1) mod S (`uncovered_cells`)
GRAD_INPUT_UNEVEN = Formula(
    notation="(O−1)·S − P_before − P_after + D·(K−1) + output_padding + 1",
    substitution="({n}−1)·{s} − {lo} − {hi} + {d}·({k}−1) + {op} + 1",
)
KERAS_TRANSPOSED_VALID = Formula(
    notation="N·S + max(D·(K−1) + 1 − S, 0)",
    substitution="{n}·{s} + max({d}·({k}−1) + 1 − {s}, 0)",
    function=keras_transposed_output_size,
)
KERAS_TRANSPOSED_SAME = Formula(notation="N·S", substitution="{n}·{s}", function=keras_transposed_output_size)
KERAS_TRANSPOSED_PADDED = Formula(
    notation="(N−1)·S + D·(K−1) + 1 − 2P + output_padding",
    substitution="({n}−1)·{s} + {d}·({k}−1) + 1 − 2·{pad} + {op}",
    function=keras_transposed_output_size,
)


def broadcast_size(sizes: tuple[int, ...]) -> int | None:
    """One axis of inputs merged element-wise, broadcast as PyTorch (and NumPy) do: sizes that
    are equal or 1 give the largest; any other mix has no size (None)."""
    wide = set(sizes) - {1}
    if len(wide) > 1:
        return None
    return wide.pop() if wide else 1
def cropped_size(n: int, before: int, after: int) -> int:
    """N − before − after: what a crop keeps of one axis."""
    return n - before - after


def centre_crop(n: int, target: int) -> tuple[int, int]:
    """The cells a centre crop of N to T removes before and after: floor((N − T)/2) before, the
    extra cell of an odd difference after (Keras' CenterCrop; torchvision rounds half to even)."""
    before = (n - target) // 2
    return before, n - target - before


def scaled_size(n: int, scale: float) -> int:
    """floor(N·s): PyTorch's interpolate output for a scale factor s (exact for whole s)."""
    return n * scale if isinstance(scale, int) else int(n * scale // 1)


CROPPED = Formula(notation="N − before − after", substitution="{n} − {lo} − {hi}", function=cropped_size)
CENTRE_CROP = Formula(notation="floor((N − T)/2)", substitution="floor(({n} − {t})/2)", function=centre_crop)
SCALED = Formula(notation="floor(N × scale)", substitution="floor({n} × {scale})", function=scaled_size)
