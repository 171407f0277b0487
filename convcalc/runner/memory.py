"""How much memory a run will take, estimated from the engine's shapes before anything is
allocated — so a spec with a 10¹²-element input is refused at once, never swapped into.
Pure Python: it runs before numpy is imported."""

from __future__ import annotations

import os
from math import prod
from typing import TYPE_CHECKING

from convcalc.constants import BLOCK_BYTES, BYTES
from convcalc.errors import echo
from convcalc.layers import REGISTRY
from convcalc.messages import Message
from convcalc.record import record

if TYPE_CHECKING:  # the engine's results are read here, never built: no import at run time
    from convcalc.engine import Network


@record(kw_only=False)
class Estimate:
    peak_bytes: int
    layer: str  # where the peak falls, `layer 3 'conv2d_1' (line 5)`


def estimate_peak(net: Network, batch: int, backward: bool = False) -> Estimate:
    """Peak, over the layers, of: tensors still needed later (this layer's inputs among them),
    its output and the finite check's mask over it, its weights, the temporaries its forward
    declares (`LayerType.temporaries`), and the runner's im2col buffer, which keeps the largest
    band any layer so far gathered. A test holds every layer type's real peak under it.
    With the backward pass, `backward_peak`."""
    if backward:
        return backward_peak(net, batch)
    sizes = {"input": batch * prod(net.input_shape)}
    last_use = {name: i for i, r in enumerate(net.layers) for name in r.spec.inputs}
    live = sizes["input"]
    scratch = 0
    best = Estimate(live * BYTES, Message("memory.input"))
    for i, r in enumerate(net.layers):
        outs = [batch * prod(s) for s in r.output_shapes]  # a split's outputs are copies: each counts
        out = sum(outs)
        scratch = max(scratch, _band_values(r, batch))
        temporaries = REGISTRY[r.spec.type].temporaries
        values = live + out + out // 4 + r.params + scratch + (temporaries(r, batch) if temporaries else 0)
        if values * BYTES > best.peak_bytes:
            best = Estimate(values * BYTES, r.spec.where)
        sizes.update(zip(r.spec.output_names, outs))
        live += out - sum(sizes[n] for n in set(r.spec.inputs) if last_use[n] == i)
    return best


BACKWARD_COPIES = 6  # a backprop's arrays, in input-plus-output sizes (see backward_peak)


def backward_peak(net: Network, batch: int) -> Estimate:
    """`verify --backward` keeps every tensor of the forward pass (and the output before an
    `activation:`) until the backward pass has walked back past it. Its peak is bounded by all
    of those, every weight twice (the weight and its gradient), and the largest layer's
    backward at work: ∂L/∂(its outputs), ∂L/∂(its inputs) (one more being summed into a
    tensor's gradient) and the backprop's own arrays — measured at most 4.5× its inputs and
    outputs together (adaptive max pooling's gathered bins, the norms' float64 arithmetic,
    LRN's window sums), so 6× bounds the lot, plus what a type declares beyond that
    (`LayerType.backward_temporaries`) — its forward temporaries and the im2col band.
    `tests/test_verify_hardening.py` holds every layer type's real backward peak under it."""
    kept = batch * prod(net.input_shape)
    weights = work = scratch = 0
    for r in net.layers:
        out = sum(batch * prod(s) for s in r.output_shapes)
        inputs = sum(batch * prod(s) for s in r.input_shapes)
        kept += out * (2 if dict(r.extra).get("activation") else 1)
        weights += 2 * r.params
        scratch = max(scratch, _band_values(r, batch))
        kind = REGISTRY[r.spec.type]
        own = (kind.temporaries(r, batch) if kind.temporaries else 0) + (
            kind.backward_temporaries(r, batch) if kind.backward_temporaries else 0)
        work = max(work, BACKWARD_COPIES * (out + inputs) + own)
    return Estimate((kept + weights + work + scratch) * BYTES, Message("memory.backward_pass"))


def _band_values(r, batch: int) -> int:
    """The im2col buffer a layer needs: whole output rows, about BLOCK_BYTES of them."""
    if not r.workspace:
        return 0
    rows = r.output_shape[1] if len(r.output_shape) > 1 else 1
    per_row = -(-batch * r.workspace // rows)
    return min(rows, max(1, BLOCK_BYTES // BYTES // per_row)) * per_row


RESERVE = 5  # a cap keeps 1/RESERVE of what is free for what the estimate leaves out (BLAS
# buffers, NumPy's iterator buffers, allocator slack) and for the rest of the machine
UNKNOWN_CAP = 4 * 1024**3  # where the platform says nothing about its memory


@record(kw_only=False)
class Cap:
    bytes: int
    reason: str  # which limit binds, a catalogue message: `--max-memory`, `80% of the RAM available now`


def memory_cap(max_memory: int | None) -> Cap:
    """The smallest of --max-memory, the RAM available now and the address space left under
    the process's limit (`ulimit -v`), the last two less a fifth in reserve. Without
    --max-memory and without /proc/meminfo, a quarter of the physical RAM stands in for the
    available RAM; where nothing at all is known, 4 GiB."""
    caps = [Cap(max_memory, Message("cap.max_memory"))] if max_memory is not None else []
    available = _meminfo_available()
    if available is not None:
        caps.append(Cap(available - available // RESERVE, Message("cap.available")))
    elif physical_memory():
        caps.append(Cap(physical_memory() // 4, Message("cap.quarter")))
    headroom = _address_space_left()
    if headroom is not None:
        caps.append(Cap(max(headroom - headroom // RESERVE, 0), Message("cap.address_space")))
    return min(caps, key=lambda c: c.bytes, default=Cap(UNKNOWN_CAP, Message("cap.default")))


def physical_memory() -> int:
    """Bytes of RAM, or 0 where the platform does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def _meminfo_available() -> int | None:
    """Linux's MemAvailable: RAM that can be had without swapping; None elsewhere."""
    return _proc_kib("/proc/meminfo", "MemAvailable:")


def _address_space_left() -> int | None:
    """RLIMIT_AS (`ulimit -v`) less the address space this process already maps; None when
    unlimited or unknown."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    return soft - (_proc_kib("/proc/self/status", "VmSize:") or 0)


def _proc_kib(path: str, key: str) -> int | None:
    """Bytes from a `Key:   123 kB` line of a /proc file, or None."""
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


UNITS = {"": 1, "B": 1, "K": 1024, "KB": 1000, "KIB": 1024, "M": 1024**2, "MB": 1000**2, "MIB": 1024**2,
         "G": 1024**3, "GB": 1000**3, "GIB": 1024**3, "T": 1024**4, "TB": 1000**4, "TIB": 1024**4}


def parse_bytes(text: str) -> int:
    """`6G`, `512MiB`, `1e9`, `2000000` → bytes; ValueError otherwise."""
    cleaned = text.strip().upper().replace(" ", "")
    number = cleaned.rstrip("KMGTIB")
    unit = cleaned[len(number):]
    if unit not in UNITS or not number:
        raise ValueError(Message("error.memory_size", value=echo(text)))
    try:
        value = float(number) * UNITS[unit]
    except ValueError:
        raise ValueError(Message("error.memory_size", value=echo(text))) from None
    if not 1 <= value < float("inf"):
        raise ValueError(Message("error.memory_limit", value=echo(text)))
    return int(value)
