"""How long jobs wait on a shared cluster at a given utilisation: the M/M/c (Erlang C) queue.

The model (Erlang 1917; any queueing text, e.g. Kleinrock, *Queueing Systems* vol. 1, 1975, sec. 3.5):

- jobs arrive as a Poisson process at rate λ; each holds one of ``c`` identical slots (a slot = the
  GPUs one job uses: a whole server, or one GPU) for an exponentially distributed time of mean ``S``;
- offered load ``a = λ · S`` [slots busy on average], utilisation ``ρ = a / c`` (= demand / capacity);
- the chance a job must wait is Erlang's C formula,
  ``C(c, a) = (a^c / c!) · c/(c − a) / (Σ_{k<c} a^k/k! + (a^c / c!) · c/(c − a))``;
- the mean wait before starting ``W_q = C(c, a) · S / (c − a)``, i.e. ``C / (c · (1 − ρ))`` job lengths.

Real GPU jobs are neither Poisson nor exponential (heavier tails wait longer), so read the wait as a
proxy that rises steeply as ρ → 1, not a forecast. Pure functions, broadcast over numpy arrays.
"""

from __future__ import annotations

import numpy as np

from planner.units import Num


def erlang_b(c: Num, a: Num) -> np.ndarray:
    """Erlang B blocking probability for ``c`` slots at offered load ``a`` [-].

    Stable recursion ``B(0) = 1``, ``B(k) = a · B(k−1) / (k + a · B(k−1))`` (no factorials, so large
    clusters do not overflow). ``c`` is floored to a whole number of slots.
    """
    slots = np.floor(np.asarray(c, dtype=float))
    load = np.asarray(a, dtype=float)
    slots, load = np.broadcast_arrays(slots, load)
    blocking = np.ones(slots.shape)
    for k in range(1, int(slots.max(initial=0)) + 1):
        step = load * blocking / (k + load * blocking)
        blocking = np.where(k <= slots, step, blocking)
    return blocking


def erlang_c(c: Num, a: Num) -> np.ndarray:
    """Probability that an arriving job waits, M/M/c [-]: ``C = c·B / (c − a·(1 − B))``.

    1 where the queue is unstable (``a ≥ c``) or there is no slot (``c < 1``).
    """
    slots = np.floor(np.asarray(c, dtype=float))
    load = np.asarray(a, dtype=float)
    blocking = erlang_b(slots, load)
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = slots * blocking / (slots - load * (1.0 - blocking))
    return np.where((load >= slots) | (slots < 1), 1.0, np.where(load <= 0, 0.0, wait))


def mean_wait_job_lengths(c: Num, utilisation: Num) -> np.ndarray:
    """Mean wait before a job starts, in mean job lengths: ``W_q / S = C(c, ρc) / (c · (1 − ρ))`` [-].

    c : slots (servers, or GPUs when jobs use one GPU) [-]; utilisation : ρ = demand / capacity [-].
    Infinite where ρ ≥ 1.
    """
    slots = np.floor(np.asarray(c, dtype=float))
    rho = np.asarray(utilisation, dtype=float)
    p_wait = erlang_c(slots, rho * slots)
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = p_wait / (slots * (1.0 - rho))
    return np.where((rho >= 1) | (slots < 1), np.inf, wait)


def allen_cunneen_factor(job_length_cv: Num, arrival_cv: Num = 1.0) -> Num:
    """Allen–Cunneen scaling of the M/M/c wait for general job lengths: ``W_q(G/G/c) ≈ W_q(M/M/c) · (c_a² + c_s²) / 2``.

    job_length_cv : coefficient of variation of job lengths c_s (1 = exponential) [-]; arrival_cv : of the
    gaps between arrivals c_a (1 = Poisson) [-]. Allen, *Probability, Statistics and Queueing Theory*, 2nd ed.
    (1990): an approximation, exact for M/M/c and close for M/G/c at moderate load.
    """
    return (np.asarray(arrival_cv, dtype=float) ** 2 + np.asarray(job_length_cv, dtype=float) ** 2) / 2.0
