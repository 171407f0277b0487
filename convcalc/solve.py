"""`convcalc solve`: the inverse problem — which kernel, stride, padding and dilation turn one
size into another? Every candidate is checked with the same formula functions the engine uses.
Pure Python."""

from __future__ import annotations

from itertools import product

from convcalc import formulas
from convcalc.errors import SpecError
from convcalc.record import record

# the search space when a value is not given: what real networks use
KERNELS = range(1, 12)
STRIDES = range(1, 9)
DILATIONS = range(1, 5)


@record
class Solution:
    input: int
    output: int
    kernel: int
    stride: int
    padding: int
    dilation: int
    output_padding: int
    check: str  # the formula with these numbers, = output
    uncovered: int  # input cells floor leaves out (0 is tidier)

    def key(self) -> tuple:
        """Simplest first: no dilation, nothing dropped, small stride, small padding, small kernel."""
        return (self.dilation, self.uncovered > 0, self.stride, self.padding, self.output_padding, self.kernel, self.input)


@record
class Problem:
    input: int | None = None
    output: int | None = None
    kernel: int | None = None
    stride: int | None = None
    padding: int | None = None
    dilation: int | None = None
    output_padding: int | None = None
    mode: str = "conv"  # conv | transposed | pool
    ceil_mode: bool = False


def solve(p: Problem) -> list[Solution]:
    if p.input is None and p.output is None:
        raise SpecError("error.solve_needs_size")
    dilations = [p.dilation] if p.dilation else (DILATIONS if p.mode != "pool" else [1])
    found = []
    for k, s, d in product([p.kernel] if p.kernel else KERNELS, [p.stride] if p.stride else STRIDES, dilations):
        span = formulas.effective_kernel(k, d)
        pads = [p.padding] if p.padding is not None else range(0, (k // 2 if p.mode == "pool" else span - 1) + 1)
        if p.mode == "transposed":
            ops = [p.output_padding] if p.output_padding is not None else range(max(s, d))
        else:
            ops = [0]
        for pad, op in product(pads, ops):
            found += _candidates(p, k, s, pad, d, op)
    return sorted(set(found), key=Solution.key)


def _candidates(p: Problem, k: int, s: int, pad: int, d: int, op: int) -> list[Solution]:
    if p.mode == "transposed" and op >= max(s, d):
        return []
    if p.mode == "pool" and 2 * pad > k:
        return []
    inputs = [p.input] if p.input is not None else _inputs_for(p, k, s, pad, d, op)
    out = []
    for n in inputs:
        size = _forward(p, n, k, s, pad, d, op)
        if size >= 1 and (p.output is None or size == p.output):
            out.append(Solution(input=n, output=size, kernel=k, stride=s, padding=pad, dilation=d, output_padding=op,
                                check=_check(p, n, k, s, pad, d, op, size), uncovered=_uncovered(p, n, k, s, pad, d)))
    return out


def _forward(p: Problem, n: int, k: int, s: int, pad: int, d: int, op: int) -> int:
    if p.mode == "transposed":
        return formulas.transposed_output_size(n, k, s, pad, d, op)
    if p.mode == "pool":
        return formulas.pool_output_size(n, k, s, pad, d, p.ceil_mode)
    return formulas.conv_output_size(n, k, s, 2 * pad, d)


def _inputs_for(p: Problem, k: int, s: int, pad: int, d: int, op: int) -> list[int]:
    """Every input size that gives p.output: the forward formulas are monotone in N, so the
    S + 2 sizes on either side of the inverse hold them all."""
    span = formulas.effective_kernel(k, d)
    if p.mode == "transposed":
        centre = (p.output - 1 + 2 * pad - (span - 1) - op) // s + 1
    else:
        centre = (p.output - 1) * s + span - 2 * pad
    window = range(max(centre - s - 2, 1), max(centre + s + 3, 1))
    return [n for n in window if _forward(p, n, k, s, pad, d, op) == p.output]


def _uncovered(p: Problem, n: int, k: int, s: int, pad: int, d: int) -> int:
    if p.mode == "transposed" or p.ceil_mode:
        return 0
    return max(formulas.uncovered_cells(n, k, s, 2 * pad, d) - pad, 0)


def _check(p: Problem, n: int, k: int, s: int, pad: int, d: int, op: int, size: int) -> str:
    """The rule with these numbers, from the same Formula `explain` prints."""
    if p.mode == "transposed":
        return f"{formulas.TRANSPOSED_OUTPUT.substitute(n=n, s=s, pad=pad, d=d, k=k, op=op)} = {size}"
    rounding = "ceil" if p.mode == "pool" and p.ceil_mode else "floor"
    if formulas.is_course_case(pad, pad, d, rounding == "ceil"):  # the course's form, as explain prints it
        return f"{formulas.course_rule(n, k, s, pad).substitute(n=n, k=k, s=s, pad=pad)} = {size}"
    return f"{formulas.SYMMETRIC_OUTPUT.substitute(rounding=rounding, n=n, pad=pad, d=d, k=k, s=s)} = {size}"


def describe_search(p: Problem) -> str:
    parts = []
    if p.kernel is None:
        parts.append(f"kernel {KERNELS.start}–{KERNELS.stop - 1}")
    if p.stride is None:
        parts.append(f"stride {STRIDES.start}–{STRIDES.stop - 1}")
    if p.padding is None:
        parts.append("padding 0–K/2" if p.mode == "pool" else "padding 0–D·(K−1)")
    if p.dilation is None and p.mode != "pool":
        parts.append(f"dilation {DILATIONS.start}–{DILATIONS.stop - 1}")
    return ", ".join(parts) or "the values given"


@record
class SamePadding:
    """`solve --same`: the padding that keeps the size, TensorFlow's split and PyTorch's options."""

    input: int
    kernel: int
    stride: int
    dilation: int
    output: int  # ceil(N/S)
    total: int  # the total pad, before + after
    before: int
    after: int  # TensorFlow puts the odd cell here
    symmetric: tuple[int, ...]  # PyTorch integer paddings that give the same size; often none


def same_padding_answer(n: int, k: int, s: int = 1, d: int = 1) -> SamePadding:
    """The padding that keeps the size (out = ceil(N/S)): TensorFlow's split, and whether a
    symmetric PyTorch padding exists."""
    lo, hi = formulas.same_padding(n, k, s, d)
    target = formulas.ceil_div(n, s)
    symmetric = tuple(pad for pad in range(0, formulas.effective_kernel(k, d))
                      if formulas.conv_output_size(n, k, s, 2 * pad, d) == target)
    return SamePadding(input=n, kernel=k, stride=s, dilation=d, output=target, total=lo + hi, before=lo, after=hi,
                       symmetric=symmetric)
