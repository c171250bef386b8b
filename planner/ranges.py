"""Uncertain inputs as low / central / high values, and a seeded Monte Carlo over them.

Each uncertain input is a triple of arrays (one value per option row) ordered by its effect on the
results: ``low`` is the end that gives the lowest cost, energy and CO2e, ``high`` the end that gives the
highest. Every output of the comparison engine rises or stays flat as each input moves from its ``low``
to its ``high`` end, so evaluating all inputs at ``low`` gives each output's low bound (and the same for
``high``). The Monte Carlo draws each input from a triangular distribution on (low, central, high) with
one uniform number per input per draw, shared by all rows (one "world" per draw), and reports
percentiles of each output per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def monte_carlo(evaluate: Callable[[dict[str, object]], Mapping[str, np.ndarray]], ranges: Mapping[str, Range],
                draws: int, seed: int, percentiles: tuple[float, ...] = DEFAULT_PERCENTILES,
                chunk: int = 250) -> dict[str, np.ndarray]:
    """Percentiles of each output of ``evaluate`` over ``draws`` seeded draws of the inputs.

    evaluate : inputs ``{name: array}`` -> outputs ``{name: array}``; it must broadcast, since each input
    arrives with shape (draws_in_chunk, rows) (or (draws_in_chunk, 1) for a scalar input)
    Returns ``{output: array (len(percentiles), rows)}``. Same seed, same result (numpy ``default_rng``).
    """
    draws = int(positive("monte_carlo draws", draws))
    rng = np.random.default_rng(seed)
    names = list(ranges)
    samples: dict[str, list[np.ndarray]] = {}
    uniforms = rng.random((len(names), draws, 1))  # drawn at once: the chunk size never changes the result
    done = 0
    while done < draws:
        n = min(chunk, draws - done)
        u = uniforms[:, done:done + n]
        inputs = {}
        for i, name in enumerate(names):
            r = ranges[name]
            inputs[name] = triangular_quantile(u[i], *(np.atleast_1d(np.asarray(v, dtype=float))[None, :]
                                                       for v in (r.low, r.central, r.high)))
        for output, values in evaluate(inputs).items():
            samples.setdefault(output, []).append(np.asarray(values, dtype=float))
        done += n
    return {output: np.percentile(np.concatenate(chunks, axis=0), percentiles, axis=0)
            for output, chunks in samples.items()}
