"""Sliding windows, shared by convolutions and pools: padding, output size per axis, and the
warning when floor leaves input cells uncovered."""

from __future__ import annotations

from math import prod

from convcalc import formulas
from convcalc.layers.base import Arg, Call, Window

PAD_STRINGS = ("valid", "same")
Pads = tuple[tuple[int, int], ...]


def kernel_arg(name: str = "kernel_size", aliases: tuple[str, ...] = ("kernel",)) -> Arg:
    return Arg(name, "sizes", aliases=aliases, help="window size, int or one per axis")


def stride_arg(default: object = 1) -> Arg:
    return Arg("stride", "sizes", default, aliases=("strides",), help="step between windows")


def dilation_arg() -> Arg:
    return Arg("dilation", "sizes", 1, aliases=("dilation_rate",), help="gap between kernel taps")


def padding_arg(choices: tuple[str, ...] = PAD_STRINGS) -> Arg:
    return Arg("padding", "padding", 0, choices=choices, help="int (symmetric per axis), per-axis list, or " + "/".join(choices))


def resolve_padding(call: Call, kernel: tuple, stride: tuple, dilation: tuple) -> Pads:
    """(before, after) per axis for int, per-axis, `valid`, `same` and `causal` padding."""
    padding = call.args["padding"]
    if padding == "valid":
        return tuple((0, 0) for _ in kernel)
    if padding == "same":
        pads = tuple(formulas.same_padding(n, k, s, d) for n, k, s, d in zip(call.spatial, kernel, stride, dilation))
        for axis, n, k, s, d, (lo, hi) in zip(call.axis_names(), call.spatial, kernel, stride, dilation, pads):
            total = call.step(
                f"same padding ({axis})",
                "P = max((ceil(N/S) − 1)·S + D·(K−1) + 1 − N, 0)",
                f"max((ceil({n}/{s}) − 1)·{s} + {d}·({k}−1) + 1 − {n}, 0)",
                lo + hi,
            )
            call.step(f"pad before ({axis})", "floor(P/2)", f"floor({total}/2)", lo)
            call.step(f"pad after ({axis})", "P − floor(P/2)", f"{total} − {lo}", hi)
        return pads
    if padding == "causal":
        if len(kernel) != 1:
            raise call.fail("padding 'causal' is only defined for 1-D layers")
        return (formulas.causal_padding(kernel[0], dilation[0]),)
    return tuple((p, p) for p in call.per_axis("padding", len(kernel)))


def window_output(call: Call, kernel: tuple, stride: tuple, dilation: tuple, pads: Pads, what: str = "kernel") -> tuple[int, ...]:
    """floor((N + P − D·(K−1) − 1)/S) + 1 per axis; a window larger than the padded input is an
    error, and input cells that floor leaves uncovered become a warning."""
    out = []
    for axis, n, k, s, d, (lo, hi) in zip(call.axis_names(), call.spatial, kernel, stride, dilation, pads):
        size = formulas.conv_output_size(n, k, s, lo + hi, d)
        span = formulas.effective_kernel(k, d)
        substituted = f"floor(({n} + {lo} + {hi} − {d}·({k}−1) − 1)/{s}) + 1"
        if span > n + lo + hi:
            eff = f"{what} {k}" if d == 1 else f"dilated {what} {span} (= {d}·({k}−1) + 1)"
            raise call.fail(f"{eff} > padded {axis} {n + lo + hi}: ({n} + {lo + hi} − {span})/{s} + 1 = {size}")
        call.step(f"output {axis}", "floor((N + P_before + P_after − D·(K−1) − 1)/S) + 1", substituted, size)
        warn_uncovered(call, axis, n, k, s, d, lo + hi, hi)
        out.append(size)
    return tuple(out)


def warn_uncovered(call: Call, axis: str, n: int, k: int, s: int, d: int, pad_total: int, pad_after: int) -> None:
    left = formulas.uncovered_cells(n, k, s, pad_total, d) - pad_after
    if left > 0:
        unit = {"height": "row", "width": "column", "depth": "slice"}.get(axis, "cell")
        plural = "" if left == 1 else "s"
        verb = "is" if left == 1 else "are"
        call.warnings.append(
            f"{axis}: stride {s} does not fit — the last {left} input {unit}{plural} {verb} never covered by a window, "
            f"floor drops {'it' if left == 1 else 'them'} ((N + P − D·(K−1) − 1) mod S = "
            f"({n} + {pad_total} − {formulas.effective_kernel(k, d)}) mod {s} = {formulas.uncovered_cells(n, k, s, pad_total, d)})"
        )


def padded_values(batch: int, shape: tuple, pads: Pads) -> int:
    """Values of the zero-padded copy of a (batch, *shape) input a forward makes; 0 unpadded."""
    if not any(lo or hi for lo, hi in pads):
        return 0
    return batch * shape[0] * prod(n + lo + hi for n, (lo, hi) in zip(shape[1:], pads))


def rf_window(kernel: tuple, stride: tuple, dilation: tuple) -> Window:
    return Window(
        tuple(formulas.effective_kernel(k, d) for k, d in zip(kernel, dilation)),
        tuple(stride),
    )
