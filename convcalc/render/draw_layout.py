"""A layered layout for a network's graph, top to bottom: which row (rank) and which column
each node takes, and the path of each edge. Knows nothing of layers: nodes are 0..n−1 in the
spec's order (every input defined before it is read), edges are (source, target) pairs.

The classic steps (Sugiyama et al. 1981), each bounded by the size of the graph:
1. ranks by longest path from the top, then each node pulled down next to its first reader
   (a ResNet shortcut's 1×1 conv sits beside the conv it runs in parallel with);
2. the order within each rank by barycentre sweeps, at most SWEEPS of them;
3. columns: the main line (the output's longest chain of inputs) in column 0, each other
   node as near its inputs' columns as the order allows;
4. edges: straight or one elbow between neighbouring ranks and down free columns; an edge
   that would cross nodes goes around the main column in a lane on the right (at most
   MAX_LANES lanes, assigned shortest edge first so that nested skips nest).
"""

from __future__ import annotations

from bisect import bisect_right

from convcalc.record import record

SWEEPS = 4  # barycentre sweeps (down, up, down, up): enough for nets, bounded for any spec
MAX_LANES = 24  # more overlapping skip edges than this share the outermost lane


@record
class Box:
    """The drawing's unit sizes: every node is `width` × `height`, `gap` apart across and
    `row_gap` apart down; lanes are `lane_gap` beyond the nodes and `lane_step` apart."""

    width: float
    height: float
    gap: float
    row_gap: float
    lane_gap: float = 18
    lane_step: float = 10


@record
class Layout:
    ranks: tuple[int, ...]
    columns: tuple[int, ...]  # 0 is the main line; negative columns lie to its left
    edges: tuple[tuple[tuple[float, float], ...], ...]  # one polyline per edge, in the edges' order
    positions: tuple[tuple[float, float], ...]  # each node's top-left corner
    size: tuple[float, float]  # the width and height of everything drawn


def layout(count: int, edges: list[tuple[int, int]], box: Box, margin: float) -> Layout:
    preds, succs = _adjacency(count, edges)
    longest = _longest_path(preds)
    ranks = _pull_down(list(longest), preds, succs)
    order = _order(ranks, preds, succs)
    columns = _columns(order, preds, _main_line(ranks, longest, preds))
    left = min(columns)
    positions = tuple((margin + (c - left) * (box.width + box.gap), margin + r * (box.height + box.row_gap))
                      for c, r in zip(columns, ranks))
    right = max(x for x, _ in positions) + box.width
    routes = _routes(edges, ranks, columns, positions, box)
    lanes_right = max((x for route in routes for x, _ in route), default=right)
    height = max(y for _, y in positions) + box.height + margin
    return Layout(ranks=ranks, columns=columns, edges=routes, positions=positions,
                  size=(max(right, lanes_right) + margin, height))


def _adjacency(count: int, edges: list[tuple[int, int]]) -> tuple[list[list[int]], list[list[int]]]:
    """Inputs and readers of each node; an edge that does not run forward is drawn, not ranked."""
    preds: list[list[int]] = [[] for _ in range(count)]
    succs: list[list[int]] = [[] for _ in range(count)]
    for s, t in edges:
        if s < t:
            preds[t].append(s)
            succs[s].append(t)
    return preds, succs


def _longest_path(preds: list[list[int]]) -> list[int]:
    ranks: list[int] = []
    for inputs in preds:  # nodes come in spec order: every input is ranked before its reader
        ranks.append(1 + max((ranks[p] for p in inputs), default=-1))
    return ranks


def _pull_down(ranks: list[int], preds: list[list[int]], succs: list[list[int]]) -> tuple[int, ...]:
    """Each node with inputs moves down to just above its earliest reader: a short branch ends
    beside the merge it feeds instead of hanging under the fork."""
    for v in range(len(ranks) - 1, -1, -1):
        if preds[v] and succs[v]:
            ranks[v] = max(ranks[v], min(ranks[s] for s in succs[v]) - 1)
    return tuple(ranks)


def _rows(ranks: tuple[int, ...]) -> list[list[int]]:
    rows: list[list[int]] = [[] for _ in range(max(ranks) + 1)]
    for v, r in enumerate(ranks):
        rows[r].append(v)
    return rows


def _order(ranks: tuple[int, ...], preds: list[list[int]], succs: list[list[int]]) -> list[list[int]]:
    """Nodes of each rank left to right: spec order, then SWEEPS barycentre passes, each
    sorting a rank by the mean position of its neighbours in the ranks already sorted."""
    rows = _rows(ranks)
    position = {v: i for row in rows for i, v in enumerate(row)}
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        neighbours = preds if downward else succs
        for row in rows if downward else reversed(rows):
            row.sort(key=lambda v: _barycentre(v, neighbours[v], position))
            position.update((v, i) for i, v in enumerate(row))
    return rows


def _barycentre(v: int, neighbours: list[int], position: dict[int, int]) -> tuple[float, int]:
    if not neighbours:
        return position[v], v
    return sum(position[n] for n in neighbours) / len(neighbours), v


def _main_line(ranks: tuple[int, ...], longest: list[int], preds: list[list[int]]) -> set[int]:
    """From the last node up, each time through the input drawn lowest — on a tie the one on
    the longer chain (not pulled down), then the first listed: the path a residual block's
    skip edge goes around, an Inception module's longest branch."""
    line, v = set(), len(ranks) - 1
    while True:
        line.add(v)
        if not preds[v]:
            return line
        v = max(preds[v], key=lambda p: (ranks[p], longest[p], -preds[v].index(p)))


def _columns(order: list[list[int]], preds: list[list[int]], main: set[int]) -> tuple[int, ...]:
    """Column 0 for the main line; any other node as near the mean column of its inputs as
    its rank's order allows, packed outwards from the main node (or from the left)."""
    columns: dict[int, int] = {}
    for row in order:
        wanted = [_wanted(v, preds[v], columns, main) for v in row]
        anchor = next((i for i, v in enumerate(row) if v in main), None)
        if anchor is None:
            anchor = 0
        placed = [0] * len(row)
        placed[anchor] = wanted[anchor]
        for i in range(anchor + 1, len(row)):
            placed[i] = max(wanted[i], placed[i - 1] + 1)
        for i in range(anchor - 1, -1, -1):
            placed[i] = min(wanted[i], placed[i + 1] - 1)
        columns.update(zip(row, placed))
    return tuple(columns[v] for v in range(len(columns)))


def _wanted(v: int, inputs: list[int], columns: dict[int, int], main: set[int]) -> int:
    if v in main or not inputs:
        return 0
    mean = sum(columns[p] for p in inputs) / len(inputs)
    return int(mean + 0.5) if mean >= 0 else -int(-mean + 0.5)


def _routes(edges, ranks, columns, positions, box: Box):
    occupied = _occupied(ranks, columns)
    lanes = _lanes([(s, t) for s, t in edges if not _direct(s, t, ranks, columns, occupied)], ranks)
    widest = _RangeMax([max(xs) + box.width if xs else 0 for xs in _row_lefts(ranks, positions)])
    routes = []
    for s, t in edges:
        if (s, t) not in lanes:
            routes.append(_route(s, t, positions, box))
            continue
        low, high = sorted((ranks[s], ranks[t]))
        routes.append(_around(s, t, positions, box, widest(low, high) + box.lane_gap + lanes[(s, t)] * box.lane_step))
    return tuple(routes)


def _row_lefts(ranks, positions) -> list[list[float]]:
    rows: list[list[float]] = [[] for _ in range(max(ranks) + 1)]
    for r, (x, _) in zip(ranks, positions):
        rows[r].append(x)
    return rows


class _RangeMax:
    """The largest of values[low..high] in constant time (a sparse table: log n levels)."""

    def __init__(self, values: list[float]) -> None:
        self.levels = [values]
        while 2 ** len(self.levels) <= len(values):
            last, half = self.levels[-1], 2 ** (len(self.levels) - 1)
            self.levels.append([max(last[i], last[i + half]) for i in range(len(last) - half)])

    def __call__(self, low: int, high: int) -> float:
        level = (high - low + 1).bit_length() - 1
        row = self.levels[level]
        return max(row[low], row[high - 2 ** level + 1])


def _occupied(ranks, columns) -> dict[int, list[int]]:
    """For each column, the sorted ranks that hold a node there."""
    by_column: dict[int, list[int]] = {}
    for r, c in sorted(zip(ranks, columns)):
        by_column.setdefault(c, []).append(r)
    return by_column


def _direct(s: int, t: int, ranks, columns, occupied) -> bool:
    """True when the edge can drop straight down the target's column: nothing stands in the
    ranks between (neighbouring ranks always can)."""
    low, high = ranks[s], ranks[t]
    if high <= low:
        return False
    taken = occupied.get(columns[t], [])
    first_after = bisect_right(taken, low)
    return first_after >= len(taken) or taken[first_after] >= high


def _lanes(edges: list[tuple[int, int]], ranks) -> dict[tuple[int, int], int]:
    """A lane for each edge that goes around: shortest first, each in the innermost lane whose
    edges it does not overlap, so a long skip encloses the shorter ones inside it."""
    lanes: list[tuple[list[int], list[int]]] = []  # per lane, its spans' starts and ends, sorted
    lane_of = {}
    for s, t in sorted(edges, key=lambda e: (abs(ranks[e[1]] - ranks[e[0]]), e)):
        low, high = min(ranks[s], ranks[t]), max(ranks[s], ranks[t])
        lane = next((i for i, (starts, ends) in enumerate(lanes) if not _overlaps(low, high, starts, ends)),
                    len(lanes))
        if lane == len(lanes):
            if lane == MAX_LANES:
                lane -= 1
            else:
                lanes.append(([], []))
        starts, ends = lanes[lane]
        i = bisect_right(starts, low)
        starts.insert(i, low)
        ends.insert(i, high)
        lane_of[(s, t)] = lane
    return lane_of


def _overlaps(low: int, high: int, starts: list[int], ends: list[int]) -> bool:
    """Whether [low, high] meets a lane's spans (disjoint, sorted: only the last one starting
    at or before `high` can reach back to `low`)."""
    i = bisect_right(starts, high) - 1
    return i >= 0 and ends[i] >= low


def _route(s: int, t: int, positions, box: Box):
    """From the bottom of the source to the top of the target; one elbow in the gap under the
    source when the columns differ."""
    (xs, ys), (xt, yt) = positions[s], positions[t]
    start, end = (xs + box.width / 2, ys + box.height), (xt + box.width / 2, yt)
    if start[0] == end[0]:
        return start, end
    bend = start[1] + box.row_gap / 2
    return start, (start[0], bend), (end[0], bend), end


def _around(s: int, t: int, positions, box: Box, lane: float):
    """Out of the source's right side (low), down the lane, into the target's right side
    (high), so a merge's incoming skip and its own outgoing one do not share a segment."""
    (xs, ys), (xt, yt) = positions[s], positions[t]
    y_start, y_end = ys + box.height * 2 / 3, yt + box.height / 3
    return (xs + box.width, y_start), (lane, y_start), (lane, y_end), (xt + box.width, y_end)
