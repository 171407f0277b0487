"""Words and numbers every output shares: sizes in bytes and counts as a person reads them."""

from __future__ import annotations

from convcalc.layers.base import shape_text


def human_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:,} B" if unit == "B" else f"{n:,.2f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def human_count(n: int) -> str:
    for unit, size in (("T", 10**12), ("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if n >= size:
            return f"{n / size:.2f} {unit}"
    return str(n)


def ascii_shape(shape: tuple[int, ...] | None) -> str:
    """3x224x224: plain ASCII for spreadsheets and shell scripts."""
    return "x".join(map(str, shape)) if shape else ""


def layer_label(r) -> str:
    """`conv2d_1 (conv2d)`, or `conv2d_1 (conv2d + relu)` where Keras' `activation:` argument
    applies a function inside the layer, as Keras' one row does."""
    activation = dict(r.extra).get("activation")
    return f"{r.spec.name} ({r.spec.type}{f' + {activation}' if activation else ''})"


def outputs_text(shapes: tuple[tuple[int, ...], ...]) -> list[str]:
    """A layer's outputs as lines: `58×28×28`; equal ones once, counted (`58×28×28 ×2`); else
    one line per output, so the Output column stays as narrow as its widest shape."""
    if len(set(shapes)) == 1:
        return [shape_text(shapes[0]) + (f" ×{len(shapes)}" if len(shapes) > 1 else "")]
    return [shape_text(s) for s in shapes]
