"""NumPy operations of the reference forward pass: vectorised, batch-first (N, C, *spatial).

Convolutions gather every window with `sliding_window_view` and hand one batched `matmul` to
BLAS per layer; pools reduce over the same windows. No Python loop runs over pixels or channels.

A leaf: it imports nothing of convcalc but `constants`, so the layer modules can call it
(lazily, inside their forwards) without the engine ever importing numpy. Window counts come
from NumPy's own views, not from convcalc's formulas: `verify` checks the engine against them.
"""

from __future__ import annotations

from math import prod

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convcalc.constants import BLOCK_BYTES  # im2col columns per GEMM: they stay in cache for BLAS

Pads = tuple[tuple[int, int], ...]


_scratch = np.empty(0, dtype=np.float32)


def scratch(shape: tuple[int, ...]) -> np.ndarray:
    """A reused float32 buffer for im2col columns. Fresh memory this large comes straight from
    the OS and pays a page fault per 4 KiB on first touch — on VMs that is most of a big conv's
    time — so the runner keeps the largest buffer it needed and writes into it again."""
    global _scratch
    size = prod(shape)
    if _scratch.size < size:
        _scratch = np.empty(size, dtype=np.float32)
    return _scratch[:size].reshape(shape)


def pad(x: np.ndarray, pads: Pads, value: float = 0.0) -> np.ndarray:
    if not any(lo or hi for lo, hi in pads):
        return x
    return np.pad(x, ((0, 0), (0, 0), *pads), constant_values=value)


def windows(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """View (N, C, *out, *kernel) of every window; dilation keeps every D-th cell of a span."""
    rank = len(kernel)
    spans = tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation))  # the dilated window's extent
    view = sliding_window_view(x, spans, axis=tuple(range(2, 2 + rank)))
    index = (slice(None), slice(None), *(slice(None, None, s) for s in stride), *(slice(None, None, d) for d in dilation))
    return view[index]


def conv(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, stride: tuple, pads: Pads,
         dilation: tuple, groups: int = 1) -> np.ndarray:
    """Cross-correlation as PyTorch computes it; weight (F, C/groups, *K).

    im2col in the Caffe layout — columns (G, C/G·K, N·O), output cells innermost so the copy
    reads memory in order — then one batched GEMM (G, F/G, C/G·K) @ columns for all groups.
    The columns are gathered a band of output rows at a time, so each band stays in cache
    between the copy and the GEMM (about a third faster on VGG's wide early layers).
    """
    n, c = x.shape[:2]
    rank = len(stride)
    kernel = weight.shape[2:]
    view = windows(pad(x, pads), kernel, stride, dilation)  # (N, C, *O, *K)
    out_spatial = view.shape[2:2 + rank]
    cg, f = c // groups, weight.shape[0]
    view = view.reshape(n, groups, cg, *out_spatial, *kernel)  # splitting C needs no copy
    order = (1, 2, *range(3 + rank, 3 + 2 * rank), 0, *range(3, 3 + rank))  # (G, C/G, *K, N, *O)
    w = weight.reshape(groups, f // groups, cg * prod(kernel))
    out = np.empty((f, n, *out_spatial), dtype=np.float32)
    row_bytes = 4 * c * prod(kernel) * n * prod(out_spatial[1:])
    band = max(1, BLOCK_BYTES // row_bytes)
    for start in range(0, out_spatial[0], band):
        rows = view[(slice(None),) * 3 + (slice(start, start + band),)].transpose(order)
        cols = scratch(rows.shape)
        np.copyto(cols, rows)
        product = np.matmul(w, cols.reshape(groups, cg * prod(kernel), -1))  # (G, F/G, N·rows·O')
        out[:, :, start:start + band] = product.reshape(f, n, -1, *out_spatial[1:])
    out = np.moveaxis(out, 1, 0)  # (F, N, *O) → (N, F, *O)
    if bias is not None:
        out += bias.reshape(1, -1, *(1,) * rank)
    return out


def conv_transpose(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, stride: tuple, dilation: tuple,
                   groups: int, spread_pads: Pads, out_size: tuple) -> np.ndarray:
    """Transposed convolution by input dilation: spread the input S apart, pad it by
    `spread_pads` (a negative pad crops), convolve with the flipped kernel, and keep the first
    `out_size` cells. weight is PyTorch's (C_in, F/groups, *K)."""
    n, c, *spatial = x.shape
    rank = len(stride)
    kernel = weight.shape[2:]
    spread = np.zeros((n, c, *((d - 1) * s + 1 for d, s in zip(spatial, stride))), dtype=x.dtype)
    spread[(slice(None), slice(None), *(slice(None, None, s) for s in stride))] = x
    cin_g, f_g = c // groups, weight.shape[1]
    flipped = np.flip(weight, axis=tuple(range(2, 2 + rank)))
    w = flipped.reshape(groups, cin_g, f_g, *kernel).swapaxes(1, 2).reshape(groups * f_g, cin_g, *kernel)
    padded = pad(spread, tuple((max(lo, 0), max(hi, 0)) for lo, hi in spread_pads))
    cut = (slice(None), slice(None), *(slice(max(-lo, 0), padded.shape[2 + i] - max(-hi, 0))
                                       for i, (lo, hi) in enumerate(spread_pads)))
    out = conv(np.ascontiguousarray(padded[cut]), np.ascontiguousarray(w), bias, (1,) * rank,
               tuple((0, 0) for _ in range(rank)), dilation, groups)
    cropped = out[(slice(None), slice(None), *(slice(0, o) for o in out_size))]
    return cropped.copy() if cropped.shape != out.shape else out  # a view would keep all of `out` alive


def _tap_slice(offset: tuple, dilation: tuple, stride: tuple, out: tuple) -> tuple:
    """The cells one kernel tap reads for every output position: a strided slice per axis."""
    return (slice(None), slice(None),
            *(slice(o * d, o * d + (n - 1) * s + 1, s) for o, d, s, n in zip(offset, dilation, stride, out)))


def _grouped(a: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, *O) → (G, C/G, N·O): each group's channels as rows, batch and positions as columns."""
    n, c = a.shape[:2]
    return a.reshape(n, groups, c // groups, -1).transpose(1, 2, 0, 3).reshape(groups, c // groups, -1)


def _unpad(padded: np.ndarray, pads: Pads, input_shape: tuple) -> np.ndarray:
    """The input's cells of a padded array (the padding's gradient is dropped)."""
    crop = (slice(None), slice(None), *(slice(lo, lo + m) for m, (lo, _) in zip(input_shape[2:], pads)))
    return np.ascontiguousarray(padded[crop])


def conv_input_grad(grad: np.ndarray, weight: np.ndarray, input_shape: tuple, stride: tuple, pads: Pads,
                    dilation: tuple, groups: int = 1) -> np.ndarray:
    """∂L/∂X of `conv`: the transposed convolution of ∂L/∂Y. Each kernel tap's Wᵀ·∂L/∂Y (one
    batched GEMM over the groups) is added into the cells that tap read in the padded input;
    the padding is then cropped. Cells no window reached (the rows floor dropped) stay 0."""
    n, f, *out = grad.shape
    c = input_shape[1]
    padded = np.zeros((n, c, *(m + lo + hi for m, (lo, hi) in zip(input_shape[2:], pads))), dtype=np.float32)
    g = _grouped(grad, groups)  # (G, F/G, N·O)
    w = weight.reshape(groups, f // groups, c // groups, -1)  # (G, F/G, C/G, K)
    for tap, offset in enumerate(np.ndindex(*weight.shape[2:])):
        part = np.matmul(w[..., tap].swapaxes(1, 2), g)  # (G, C/G, N·O)
        padded[_tap_slice(offset, dilation, stride, out)] += np.moveaxis(
            part.reshape(groups, c // groups, n, *out), 2, 0).reshape(n, c, *out)
    return _unpad(padded, pads, input_shape)


def conv_weight_grad(x: np.ndarray, grad: np.ndarray, kernel: tuple, stride: tuple, pads: Pads, dilation: tuple,
                     groups: int = 1) -> np.ndarray:
    """∂L/∂W of `conv`: the correlation of the padded X with ∂L/∂Y, one GEMM per kernel tap
    (∂L/∂Y's rows times that tap's input cells, summed over the batch and the positions)."""
    n, f, *out = grad.shape
    c = x.shape[1]
    x = pad(x, pads)
    g = _grouped(grad, groups)  # (G, F/G, N·O)
    result = np.empty((f, c // groups, *kernel), dtype=np.float32)
    flat = result.reshape(groups, f // groups, c // groups, -1)
    for tap, offset in enumerate(np.ndindex(*kernel)):
        cells = _grouped(x[_tap_slice(offset, dilation, stride, out)], groups)  # (G, C/G, N·O)
        flat[..., tap] = np.matmul(g, cells.swapaxes(1, 2))
    return result


def conv_transpose_grads(x: np.ndarray, weight: np.ndarray, grad: np.ndarray, stride: tuple, dilation: tuple,
                         groups: int, spread_pads: Pads) -> tuple[np.ndarray, np.ndarray]:
    """∂L/∂X and ∂L/∂W of `conv_transpose`. Its output cell o = i·S − P + k·D takes input i
    through tap k, P = D·(K−1) − (the spread input's pad before); so ∂L/∂X is the plain
    convolution of ∂L/∂Y (padded by P before, zeros after where the output was cut) with the
    same weight, stride and dilation, and ∂L/∂W that convolution's weight gradient with X in
    the place of ∂L/∂Y."""
    n_in = x.shape[2:]
    before = tuple(d * (k - 1) - lo for k, d, (lo, _) in zip(weight.shape[2:], dilation, spread_pads))
    after = tuple(max((m - 1) * s - p + d * (k - 1) - (o - 1), 0)
                  for m, s, p, d, k, o in zip(n_in, stride, before, dilation, weight.shape[2:], grad.shape[2:]))
    pads = tuple(zip(before, after))
    dx = conv(grad, weight, None, stride, pads, dilation, groups)
    dx = np.ascontiguousarray(dx[(slice(None), slice(None), *(slice(0, m) for m in n_in))])
    return dx, conv_weight_grad(grad, x, weight.shape[2:], stride, pads, dilation, groups)


def _window_slices(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple, out: tuple):
    """Each kernel offset's strided slice of x, shaped like the output: a pool reduces these
    K₁·K₂·… arrays element-wise, a loop over kernel taps rather than over pixels."""
    for offset in np.ndindex(*kernel):
        index = tuple(slice(o * d, o * d + (n - 1) * s + 1, s) for o, d, s, n in zip(offset, dilation, stride, out))
        yield x[(slice(None), slice(None), *index)]


def _pool_out(x: np.ndarray, kernel: tuple, stride: tuple, dilation: tuple) -> tuple[int, ...]:
    """How many windows fit on each axis, as NumPy's window view counts them."""
    return windows(x, kernel, stride, dilation).shape[2:2 + len(kernel)]


def max_pool(x: np.ndarray, kernel: tuple, stride: tuple, pads: Pads, dilation: tuple) -> np.ndarray:
    x = pad(x, pads, -np.inf)
    taps = _window_slices(x, kernel, stride, dilation, _pool_out(x, kernel, stride, dilation))
    out = next(taps).copy()
    for tap in taps:
        np.maximum(out, tap, out=out)
    return out


def avg_pool(x: np.ndarray, kernel: tuple, stride: tuple, pads: Pads, divisor_mask: np.ndarray) -> np.ndarray:
    """Window sums over zero padding, divided by the window sums of `divisor_mask` (ones where a
    cell counts: the padded input for count_include_pad, the real input otherwise)."""
    ones = (1,) * len(kernel)
    x = pad(x, pads)
    out_size = _pool_out(x, kernel, stride, ones)
    total = np.zeros(x.shape[:2] + out_size, dtype=np.float32)
    count = np.zeros(out_size, dtype=np.float32)
    for tap, mask in zip(_window_slices(x, kernel, stride, ones, out_size),
                         _window_slices(divisor_mask[None, None], kernel, stride, ones, out_size)):
        total += tap
        count += mask[0, 0]
    return total / count


def max_pool_grad(x: np.ndarray, out: np.ndarray, grad: np.ndarray, kernel: tuple, stride: tuple, pads: Pads,
                  dilation: tuple) -> np.ndarray:
    """∂L/∂X of `max_pool`: each window's gradient goes to its maximum — on a tie to the first
    in the window, row by row, as PyTorch's argmax — and windows that overlap add up."""
    padded = pad(x, pads, -np.inf)
    d_padded = np.zeros(padded.shape, dtype=np.float32)
    open_ = np.ones(out.shape, dtype=bool)  # windows whose maximum is not yet found
    for offset in np.ndindex(*kernel):
        cells = _tap_slice(offset, dilation, stride, out.shape[2:])
        hit = (padded[cells] == out) & open_
        open_ &= ~hit
        d_padded[cells] += np.where(hit, grad, np.float32(0))
    return _unpad(d_padded, pads, x.shape)


def avg_pool_grad(grad: np.ndarray, input_shape: tuple, kernel: tuple, stride: tuple, pads: Pads,
                  divisor_mask: np.ndarray) -> np.ndarray:
    """∂L/∂X of `avg_pool`: each window's gradient divided by its divisor, spread to all its
    cells (padding included, then cropped)."""
    ones = (1,) * len(kernel)
    out = grad.shape[2:]
    count = np.zeros(out, dtype=np.float32)
    for mask in _window_slices(divisor_mask[None, None], kernel, stride, ones, out):
        count += mask[0, 0]
    share = grad / count
    d_padded = np.zeros((*input_shape[:2], *divisor_mask.shape), dtype=np.float32)
    for offset in np.ndindex(*kernel):
        d_padded[_tap_slice(offset, ones, stride, out)] += share
    return _unpad(d_padded, pads, input_shape)



Bins = tuple[tuple[int, int], ...]  # [start, end) of each output cell's bin on one axis


def adaptive_avg_pool(x: np.ndarray, bins: tuple[Bins, ...]) -> np.ndarray:
    """Bin means, one axis at a time (a box mean is separable)."""
    for axis, (start, end) in enumerate(map(_bin_arrays, bins), start=2):
        x = _bin_means(x, axis, start, end)
    return x


def adaptive_max_pool(x: np.ndarray, bins: tuple[Bins, ...]) -> np.ndarray:
    """Bin maxima, one axis at a time: every bin's cells side by side, the last repeated."""
    for axis, (start, end) in enumerate(map(_bin_arrays, bins), start=2):
        width = int((end - start).max())
        idx = np.minimum(start[:, None] + np.arange(width)[None, :], end[:, None] - 1)  # (O, width)
        x = x.take(idx, axis=axis).max(axis=axis + 1)
    return x


def adaptive_avg_pool_grad(grad: np.ndarray, input_shape: tuple, bins: tuple[Bins, ...]) -> np.ndarray:
    """∂L/∂X of `adaptive_avg_pool`: on each axis a bin mean is a (bins × cells) matrix of
    1/width entries, so its gradient is ∂L/∂Y times that matrix, axis by axis."""
    for axis, (start, end), n in zip(range(2, grad.ndim), map(_bin_arrays, bins), input_shape[2:]):
        cells = np.arange(n)
        inside = (cells >= start[:, None]) & (cells < end[:, None])  # (O, N)
        means = inside / (end - start)[:, None].astype(np.float32)
        grad = np.moveaxis(np.moveaxis(grad, axis, -1) @ means.astype(np.float32), -1, axis)
    return np.ascontiguousarray(grad)


def adaptive_max_pool_grad(x: np.ndarray, grad: np.ndarray, bins: tuple[Bins, ...]) -> np.ndarray:
    """∂L/∂X of `adaptive_max_pool`: each bin's gradient to its maximum, the first in the bin
    row by row on a tie (PyTorch's). Every bin's cells are gathered whole (the last repeated
    to the widest bin: a repeat follows its original, so it never wins a tie), the flat argmax
    is traced back to its input cell, and the gradients are summed there (bins can overlap)."""
    rank = len(bins)
    index = []  # per axis, (O, width): the input cell of each bin's j-th place
    gathered = x
    for axis, (start, end) in enumerate(map(_bin_arrays, bins)):
        width = int((end - start).max())
        index.append(np.minimum(start[:, None] + np.arange(width)[None, :], end[:, None] - 1))
        gathered = gathered.take(index[-1], axis=2 + 2 * axis)  # (N, C, O₁, W₁, …, O, W, rest)
    order = (0, 1, *range(2, 2 + 2 * rank, 2), *range(3, 3 + 2 * rank, 2))  # (N, C, *O, *W)
    out = grad.shape[2:]
    gathered = gathered.transpose(order).reshape(*grad.shape, -1)
    place = np.unravel_index(gathered.argmax(axis=-1), tuple(i.shape[1] for i in index))
    grid = np.indices(out, sparse=True)
    cells = tuple(i[g, p] for i, g, p in zip(index, grid, place))  # each output's input cell, per axis
    target = np.ravel_multi_index(cells, x.shape[2:])  # (N, C, *O)
    per_map = prod(x.shape[2:])
    target = target + (np.arange(prod(x.shape[:2])) * per_map).reshape(*x.shape[:2], *(1,) * rank)
    sums = np.bincount(target.ravel(), weights=grad.ravel(), minlength=x.size)
    return sums.astype(np.float32).reshape(x.shape)


def _bin_arrays(bins: Bins) -> tuple[np.ndarray, np.ndarray]:
    return np.array([lo for lo, _ in bins]), np.array([hi for _, hi in bins])


def _bin_means(x: np.ndarray, axis: int, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Means of x over [start, end) along `axis`: differences of a float64 cumulative sum, the
    sum before cell 0 being 0."""
    shape = [1] * x.ndim
    shape[axis] = len(start)
    sums = x.astype(np.float64)
    np.cumsum(sums, axis=axis, out=sums)  # in place: cumsum's own cast would copy x once more
    means = sums.take(end - 1, axis=axis)
    before = sums.take(np.maximum(start - 1, 0), axis=axis)
    before *= (start > 0).reshape(shape)
    means -= before
    means /= (end - start).reshape(shape)
    return means.astype(x.dtype)


def upsample_nearest(x: np.ndarray, scale: tuple) -> np.ndarray:
    for axis, f in enumerate(scale, start=2):
        if f != 1:
            x = np.repeat(x, f, axis=axis)
    return x


CUBIC_A = -0.75  # PyTorch's bicubic (TensorFlow's is −0.5)


def interpolate(x: np.ndarray, sizes: tuple, kind: str, align_corners: bool, scales: tuple) -> np.ndarray:
    """PyTorch's F.interpolate, one spatial axis at a time (its kernels are products of per-axis
    weights, so this is the same sum): `kind` nearest, linear (bi-, tri-) or cubic; `scales` the
    scale factors as given (None per axis where an output size was given)."""
    original = x
    for axis, (out, scale) in enumerate(zip(sizes, scales), start=2):
        n = x.shape[axis]
        if kind == "linear" and out == n:
            continue  # PyTorch's linear kernels copy an axis whose size is unchanged, whatever the factor
        if kind == "nearest":
            x = x.take(nearest_index(n, out, scale, shortcut=len(sizes) == 2), axis=axis)
            continue
        index, weight = (cubic_taps if kind == "cubic" else linear_taps)(n, out, scale, align_corners)
        shape = [1] * x.ndim
        shape[axis] = out
        total = np.zeros((*x.shape[:axis], out, *x.shape[axis + 1:]), dtype=x.dtype)
        for tap in range(index.shape[1]):
            gathered = x.take(index[:, tap], axis=axis)
            gathered *= weight[:, tap].reshape(shape)
            total += gathered
        x = total
    return x.copy() if x is original else x


def nearest_index(n: int, out: int, scale: float | None, shortcut: bool) -> np.ndarray:
    """PyTorch's nearest source cell: floor(i·s) in float32, s = 1/scale_factor when one was
    given, else N/out. Its 2-D kernel (`shortcut`) first copies an equal size and halves the
    index for a doubled one, whatever the factor (the oracle found 1-D and 3-D do not)."""
    if shortcut and out == n:
        return np.arange(n)
    if shortcut and out == 2 * n:
        return np.arange(out) >> 1
    step = np.float32(1.0 / scale) if scale else np.float32(n) / np.float32(out)
    return np.minimum(np.floor(np.arange(out, dtype=np.float32) * step).astype(np.int64), n - 1)


def _source(n: int, out: int, scale: float | None, align_corners: bool, cubic: bool) -> np.ndarray:
    """PyTorch's `area_pixel_compute_source_index` for every output cell (float32)."""
    dst = np.arange(out, dtype=np.float32)
    if align_corners:
        return dst * np.float32((n - 1) / (out - 1) if out > 1 else 0)
    step = np.float32(1.0 / scale) if scale else np.float32(n) / np.float32(out)
    src = (dst + np.float32(0.5)) * step - np.float32(0.5)
    return src if cubic else np.maximum(src, 0)


def linear_taps(n: int, out: int, scale: float | None, align_corners: bool) -> tuple[np.ndarray, np.ndarray]:
    src = _source(n, out, scale, align_corners, cubic=False)
    low = np.minimum(src.astype(np.int64), n - 1)
    frac = src - low
    return np.stack([low, np.minimum(low + 1, n - 1)], 1), np.stack([1 - frac, frac], 1)


def cubic_taps(n: int, out: int, scale: float | None, align_corners: bool) -> tuple[np.ndarray, np.ndarray]:
    """Keys' cubic convolution with A = −0.75 on the four cells around the source, indices
    clamped at the border (PyTorch's `upsample_bicubic2d`)."""
    src = _source(n, out, scale, align_corners, cubic=True)
    low = np.floor(src)
    t = (src - low).astype(np.float32)
    a = np.float32(CUBIC_A)

    def near(d):  # |d| ≤ 1
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d):  # 1 < |d| < 2
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a

    index = np.clip(low.astype(np.int64)[:, None] + np.arange(-1, 3), 0, n - 1)
    return index, np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], 1)


def erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, PyTorch's GELU needs one.
    In float64, in place: three input-sized float64 arrays at most."""
    a = np.abs(x, dtype=np.float64)
    t = a * 0.3275911
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * 1.061405429
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += c
        poly *= t
    del t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a
    del a
    np.subtract(1.0, poly, out=poly)
    np.copysign(poly, x, out=poly)
    return poly.astype(x.dtype)


def local_response_norm(x: np.ndarray, size: int, alpha: float, beta: float, k: float) -> np.ndarray:
    """PyTorch's LocalResponseNorm: x / (k + α/size · Σ x² over `size` channels, centred)^β.

    The channel sums are differences of one cumulative sum over channels (float64, so they do
    not cancel), with the span clipped at the first and last channel instead of padded: the
    memory is a few copies of x whatever `size` is."""
    c = x.shape[1]
    sums = np.zeros((x.shape[0], c + 1, *x.shape[2:]))
    np.cumsum(np.square(x, dtype=np.float64), axis=1, out=sums[:, 1:])
    channel = np.arange(c)
    denominator = sums.take(np.minimum(channel + (size - 1) // 2 + 1, c), axis=1)
    denominator -= sums.take(np.maximum(channel - size // 2, 0), axis=1)
    del sums
    denominator *= alpha / size
    denominator += k
    np.power(denominator, beta, out=denominator)
    np.divide(x, denominator, out=denominator)
    return denominator.astype(x.dtype)


# --- gradients of the backward pass (`verify --backward`) ---

def _channel_window_sums(values: np.ndarray, before: int, after: int) -> np.ndarray:
    """Σ values[c − before … c + after] over channels, clipped at the first and last: differences
    of one float64 cumulative sum, as local_response_norm takes them."""
    c = values.shape[1]
    sums = np.zeros((values.shape[0], c + 1, *values.shape[2:]))
    np.cumsum(values, axis=1, out=sums[:, 1:])
    channel = np.arange(c)
    total = sums.take(np.minimum(channel + after + 1, c), axis=1)
    total -= sums.take(np.maximum(channel - before, 0), axis=1)
    return total


def local_response_norm_backward(x: np.ndarray, grad: np.ndarray, size: int, alpha: float, beta: float,
                                 k: float) -> np.ndarray:
    """∂L/∂x for y_c = x_c·d_c^−β, d_c = k + α/size·Σ x_j² over channel c's window
    [c − size//2, c + (size−1)//2]: ∂L/∂x_j = g_j·d_j^−β − 2αβ/size·x_j·Σ g_c·x_c·d_c^(−β−1) over
    the channels c whose window holds j, [j − (size−1)//2, j + size//2]."""
    x64 = x.astype(np.float64)
    d = _channel_window_sums(np.square(x64), size // 2, (size - 1) // 2)
    d *= alpha / size
    d += k
    scaled = np.power(d, -beta)  # d^−β
    spread = grad * x64 * scaled / d  # g·x·d^(−β−1)
    back = _channel_window_sums(spread, (size - 1) // 2, size // 2)
    back *= x64 * (-2 * alpha * beta / size)
    back += grad * scaled
    return back.astype(x.dtype)


def interpolation_matrix(n: int, out: int, kind: str, align_corners: bool, scale: float | None,
                         shortcut: bool) -> np.ndarray:
    """M (out × n) with interpolate's result along one axis = M·x: each output cell's taps and
    weights, as `interpolate` takes them (an unchanged size under linear is the identity)."""
    if kind == "linear" and out == n:
        return np.eye(n, dtype=np.float32)
    if kind == "nearest":
        index = nearest_index(n, out, scale, shortcut)[:, None]
        weight = np.ones(index.shape, dtype=np.float32)
    else:
        index, weight = (cubic_taps if kind == "cubic" else linear_taps)(n, out, scale, align_corners)
    matrix = np.zeros((out, n), dtype=np.float32)
    np.add.at(matrix, (np.arange(out)[:, None], index), weight)  # clamped taps meet on one cell: their weights add
    return matrix


def interpolate_backward(grad: np.ndarray, sizes: tuple, kind: str, align_corners: bool, scales: tuple) -> np.ndarray:
    """∂L/∂x of `interpolate` back to the input's `sizes`: along each axis y = M·x, so
    ∂L/∂x = Mᵀ·∂L/∂y (the axes are independent, so their order does not matter)."""
    for axis, (n, scale) in enumerate(zip(sizes, scales), start=2):
        matrix = interpolation_matrix(n, grad.shape[axis], kind, align_corners, scale, shortcut=len(sizes) == 2)
        grad = np.moveaxis(np.moveaxis(grad, axis, -1) @ matrix, -1, axis)
    return np.ascontiguousarray(grad)


def upsample_nearest_backward(grad: np.ndarray, scale: tuple) -> np.ndarray:
    """Each input cell was repeated f times along an axis: it gets the sum of those f gradients."""
    for axis, f in enumerate(scale, start=2):
        if f != 1:
            shape = grad.shape
            grad = grad.reshape(*shape[:axis], shape[axis] // f, f, *shape[axis + 1:]).sum(axis=axis + 1)
    return grad
