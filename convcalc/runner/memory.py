"""How much memory a run will take, estimated from the engine's shapes before anything is
allocated — so a spec with a 10¹²-element input is refused at once, never swapped into.
Pure Python: it runs before numpy is imported."""

from __future__ import annotations

import os
from dataclasses import dataclass
from math import prod

from convcalc.engine import Network

BYTES = 4  # float32
BLOCK_BYTES = 4 << 20  # the runner gathers im2col columns in bands of about this size


@dataclass(frozen=True)
class Estimate:
    peak_bytes: int
    layer: str  # where the peak falls, `layer 3 'conv2d_1' (line 5)`


def estimate_peak(net: Network, batch: int) -> Estimate:
    """Peak of: tensors still needed later + this layer's inputs, output, weights and an
    im2col-sized temporary, + the runner's im2col buffer, which keeps the largest size seen.

    A layer's own temporaries (a padded input copy, a transposed view made contiguous) are
    bounded by twice its input; the estimate errs on the side of refusing.
    """
    sizes = {"input": batch * prod(net.input_shape)}
    last_use = {name: i for i, r in enumerate(net.layers) for name in r.spec.inputs}
    live = {"input"}
    scratch = 0
    best = Estimate(0, "the input")
    for i, r in enumerate(net.layers):
        out = batch * prod(r.output_shape)
        inputs = sum(sizes[n] for n in r.spec.inputs)
        scratch = max(scratch, _band_values(r, batch))
        values = sum(sizes[n] for n in live) + out + 2 * inputs + r.params + scratch
        if values * BYTES > best.peak_bytes:
            best = Estimate(values * BYTES, r.spec.where)
        sizes[r.spec.name] = out
        live.add(r.spec.name)
        live -= {n for n in r.spec.inputs if last_use.get(n) == i}
    return best


def _band_values(r, batch: int) -> int:
    """The im2col buffer a layer needs: whole output rows, about BLOCK_BYTES of them."""
    if not r.workspace:
        return 0
    rows = r.output_shape[1] if len(r.output_shape) > 1 else 1
    per_row = -(-batch * r.workspace // rows)
    return min(rows, max(1, BLOCK_BYTES // BYTES // per_row)) * per_row


def physical_memory() -> int:
    """Bytes of RAM, or 0 where the platform does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


UNITS = {"": 1, "B": 1, "K": 1024, "KB": 1000, "KIB": 1024, "M": 1024**2, "MB": 1000**2, "MIB": 1024**2,
         "G": 1024**3, "GB": 1000**3, "GIB": 1024**3, "T": 1024**4, "TB": 1000**4, "TIB": 1024**4}


def parse_bytes(text: str) -> int:
    """`6G`, `512MiB`, `1e9`, `2000000` → bytes; ValueError otherwise."""
    cleaned = text.strip().upper().replace(" ", "")
    number = cleaned.rstrip("KMGTIB")
    unit = cleaned[len(number):]
    if unit not in UNITS or not number:
        raise ValueError(f"expected a size like 6G, 512MiB or 1e9, got {text!r}")
    try:
        value = float(number) * UNITS[unit]
    except ValueError:
        raise ValueError(f"expected a size like 6G, 512MiB or 1e9, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise ValueError(f"a memory limit must be positive, got {text!r}")
    return int(value)
