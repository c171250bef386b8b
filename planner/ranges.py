"""Uncertain inputs as low / central / high values, and a seeded Monte Carlo over them.

Each uncertain input is a triple of arrays (one value per option row) ordered by its effect on the
results: ``low`` is the end that gives the lowest cost, energy and CO2e, ``high`` the end that gives the
highest. Every output of the comparison engine rises or stays flat as each input moves from its ``low``
to its ``high`` end, so evaluating all inputs at ``low`` gives each output's low bound (and the same for
``high``), and the central values lie between them. The Monte Carlo draws each input from a triangular
distribution on (low, central, high) with one uniform number per input per draw, shared by all rows of a
kind (one "world" per draw), from a random stream of its own (independent of every other input and of
the other row kind), and reports percentiles of each output per row. The central value is the mode of
each input, not its median: where an input's range is skewed (a spot price that can only rise to the
on-demand price) the central output can lie outside the 5th-95th percentiles; the engine flags it.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from planner.errors import PlanError, positive

BOUNDS = ("low", "central", "high")
DEFAULT_PERCENTILES = (5.0, 50.0, 95.0)


@dataclass(frozen=True)
class Range:
    """One uncertain input: ``low`` / ``central`` / ``high`` values (scalars or arrays, one per row)."""

    low: object
    central: object
    high: object

    def at(self, bound: str) -> object:
        """The value at ``low``, ``central`` or ``high``."""
        if bound not in BOUNDS:
            raise PlanError(f"bound '{bound}': not allowed; allowed: {', '.join(BOUNDS)}")
        return getattr(self, bound)

    @classmethod
    def fixed(cls, value: object) -> Range:
        """An input without uncertainty."""
        return cls(value, value, value)


def at_bound(ranges: Mapping[str, Range], bound: str) -> dict[str, object]:
    """Every input at one bound: ``{name: value}``."""
    return {name: r.at(bound) for name, r in ranges.items()}


def triangular_quantile(u: np.ndarray, low: object, central: object, high: object) -> np.ndarray:
    """Inverse CDF of the triangular distribution on [a, b] with mode c, vectorised and broadcasting.

    ``x = a + sqrt(u · (b - a) · (c - a))`` for ``u < (c - a) / (b - a)``, else
    ``x = b - sqrt((1 - u) · (b - a) · (b - c))``. Bounds may come in either order (a = min, b = max);
    a degenerate range (a = b) gives a.
    """
    lo, hi = np.minimum(low, high), np.maximum(low, high)
    mode = np.clip(central, lo, hi)
    width = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        split = np.where(width > 0, (mode - lo) / np.where(width > 0, width, 1.0), 0.0)
    left = lo + np.sqrt(np.clip(u * width * (mode - lo), 0.0, None))
    right = hi - np.sqrt(np.clip((1.0 - u) * width * (hi - mode), 0.0, None))
    return np.where(u < split, left, right)


def input_uniforms(seed: int, stream: str, name: str, draws: int) -> np.ndarray:
    """``draws`` uniforms on [0, 1) for one input: its own stream, ``SeedSequence(seed, spawn_key=crc32(stream/name))``.

    Each (stream, input) pair has an independent generator, so adding, removing or reordering inputs never
    changes another input's draws, and two row kinds (streams ``cloud`` and ``owned``) never share one.
    """
    key = zlib.crc32(f"{stream}/{name}".encode())
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(key,))).random(draws)


def monte_carlo(evaluate: Callable[[Mapping[str, object], Mapping[str, object]], Mapping[str, np.ndarray]],
                rows: Mapping[str, object], ranges: Mapping[str, Range], size: int, draws: int, seed: int,
                percentiles: tuple[float, ...] = DEFAULT_PERCENTILES, *, stream: str = "",
                outputs: Sequence[str] | None = None, max_elements: int = 1_000_000) -> dict[str, np.ndarray]:
    """Percentiles of each output of ``evaluate(rows, inputs)`` over ``draws`` seeded draws, per row.

    rows : the row arrays (length ``size``, or scalars); ranges : the uncertain inputs (scalars or length
    ``size``). Each input has its own random stream (``input_uniforms``; ``stream`` names the row kind) and
    one uniform per draw shared by every row (one "world" per draw). Rows are evaluated in blocks of at most
    ``max_elements`` row-draw cells, so memory stays bounded whatever the number of draws; within a block
    an input that does not vary there is passed as a (rows, 1) column, not drawn. Blocks group rows with the
    same varying inputs (e.g. spot rows apart from on-demand rows) and the results are put back in row order.
    Returns ``{output: array (len(percentiles), size)}``. Same seed, same result, whatever ``max_elements``.
    """
    draws = int(positive("monte_carlo draws", draws))
    names = list(ranges)
    bounds = {name: [np.broadcast_to(np.asarray(ranges[name].at(b), float), (size,)) for b in BOUNDS]
              for name in names}
    uniform = {name: input_uniforms(seed, stream, name, draws) for name in names}
    roots = {name: (np.sqrt(u), np.sqrt(1.0 - u)) for name, u in uniform.items()}
    # An input whose bounds are the same for every row is drawn once, as a (1, draws) row.
    shared = {name: _draw(uniform[name], roots[name], *(b[:1, None] for b in bounds[name]))
              for name in names if all(np.ndim(ranges[name].at(b)) == 0 for b in BOUNDS)}
    varies = np.array([bounds[name][0] != bounds[name][2] for name in names], dtype=bool).reshape(len(names), size)
    signature = (varies * (2 ** np.arange(len(names)))[:, None].astype(np.int64)).sum(axis=0)
    # Rows with the same varying inputs, and then the same input values, next to each other: blocks are
    # homogeneous and rows with identical draws share a block (``_distinct_percentiles``).
    order = np.lexsort([*(bounds[name][1] for name in reversed(names)), signature])
    block = max(1, int(max_elements) // draws)
    results: dict[str, np.ndarray] = {}
    start = 0
    while start < size:
        stop = min(size, start + block)
        same = signature[order[start]]
        stop = start + int(np.argmax(np.append(signature[order[start:stop]] != same, True)))
        index = order[start:stop]
        x = {}
        for i, name in enumerate(names):
            if not varies[i, index[0]]:
                x[name] = bounds[name][1][index][:, None]
            elif name in shared:
                x[name] = shared[name]
            else:
                x[name] = _draw(uniform[name], roots[name], *(b[index][:, None] for b in bounds[name]))
        block_rows = {k: (np.asarray(v)[index][:, None] if np.ndim(v) else v) for k, v in rows.items()}
        values = evaluate(block_rows, x)
        names_out = list(outputs or values)
        done: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for output in names_out:
            cells = np.broadcast_to(np.asarray(values[output], float), (len(index), draws))
            stats = _scaled_percentiles(cells, done, percentiles)
            if stats is None:
                stats = _distinct_percentiles(cells, percentiles)
                done[output] = (cells, stats)
            results.setdefault(output, np.empty((len(percentiles), size)))[:, index] = stats
        start = stop
    return results


def percentiles_along_draws(cells: np.ndarray, percentiles: Sequence[float]) -> np.ndarray:
    """``np.percentile(cells, percentiles, axis=1)`` (linear interpolation) from one partition per row.

    cells : (rows, draws). Returns (len(percentiles), rows).
    """
    draws = cells.shape[1]
    position = np.asarray(percentiles, float) / 100.0 * (draws - 1)
    below = np.floor(position).astype(int)
    above = np.minimum(below + 1, draws - 1)
    kth = np.unique(np.concatenate([below, above]))
    if cells.dtype == np.float64 and bool((cells >= 0).all()):
        # Non-negative doubles sort as their bit patterns do: partitioning those as integers is about a third
        # faster and selects the same values (NaN fails the check and keeps the float path).
        part = np.partition(cells.view(np.int64), kth, axis=1).view(np.float64)
    else:
        part = np.partition(cells, kth, axis=1)
    weight = position - below
    return (part[:, below] * (1.0 - weight) + part[:, above] * weight).T


def _distinct_percentiles(cells: np.ndarray, percentiles: Sequence[float]) -> np.ndarray:
    """``percentiles_along_draws``, partitioning only one row of each group of rows that are multiples of each other.

    Offers of the same GPU differ in price and instance count, not in the shape of their draws: their wall
    hours are equal and their on-demand costs proportional. Rows are grouped by their first draws divided by
    the first; a group is used only if every row matches its representative to 1e-12 in every draw.
    """
    rows = cells.shape[0]
    if rows < 2:
        return percentiles_along_draws(cells, percentiles)
    scale = cells[:, :1]
    if not np.all(scale > 0):
        return percentiles_along_draws(cells, percentiles)
    fingerprint = np.round(cells[:, 1:9] / scale, 9)
    _, first, inverse = np.unique(fingerprint, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if len(first) == rows:
        return percentiles_along_draws(cells, percentiles)
    shape = cells[first] / scale[first]
    # |cells - shape[inverse] * scale| <= 1e-12 |cells|, with two temporaries instead of six
    gap = shape[inverse]
    gap *= scale
    gap -= cells
    np.abs(gap, out=gap)
    tolerance = np.abs(cells)
    tolerance *= 1e-12
    if not np.all(gap <= tolerance):
        return percentiles_along_draws(cells, percentiles)
    return percentiles_along_draws(shape, percentiles)[:, inverse] * scale[:, 0][None, :]


def _scaled_percentiles(cells: np.ndarray, done: Mapping[str, tuple[np.ndarray, np.ndarray]],
                        percentiles: Sequence[float]) -> np.ndarray | None:
    """Percentiles of ``cells`` from an output already done, where every row is a positive multiple of it.

    (Embodied CO2e is billed GPUs x wall hours x a constant; an on-demand cost is instances x price x wall
    hours.) A row qualifies when ``cells / other`` is the same in every draw (to 1e-12); otherwise None.
    """
    for other, stats in done.values():
        with np.errstate(divide="ignore", invalid="ignore"):
            head = cells[:, :16] / other[:, :16]  # most pairs fail here, before the full check
            first = head[:, :1]
            if not (np.all(first > 0) and np.all(np.abs(head - first) <= 1e-12 * first)):
                continue
            ratio = cells / other
        if np.all(np.abs(ratio - first) <= 1e-12 * first):
            return stats * first[:, 0][None, :]
    return None


def _draw(u: np.ndarray, roots: tuple[np.ndarray, np.ndarray], low: np.ndarray, central: np.ndarray,
          high: np.ndarray) -> np.ndarray:
    """``triangular_quantile`` for (rows, 1) bounds and (draws,) uniforms, with sqrt(u), sqrt(1 - u) precomputed."""
    lo, hi = np.minimum(low, high), np.maximum(low, high)
    mode = np.clip(central, lo, hi)
    width = hi - lo
    split = np.where(width > 0, (mode - lo) / np.where(width > 0, width, 1.0), 0.0)
    # lo + √u·√(w·(m − lo)) below the split, hi − √(1 − u)·√(w·(hi − m)) above: the same operations, in place
    left = roots[0][None, :] * np.sqrt(width * (mode - lo))
    np.add(lo, left, out=left)
    right = roots[1][None, :] * np.sqrt(width * (hi - mode))
    np.subtract(hi, right, out=right)
    np.copyto(right, left, where=u[None, :] < split)
    return right
