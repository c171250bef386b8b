"""M/M/c queue: Erlang B and C against textbook values, and the wait it implies."""

from __future__ import annotations

import numpy as np
import pytest

from planner.queueing import erlang_b, erlang_c, mean_wait_job_lengths


def test_erlang_b_two_slots_load_one():
    # B(2, 1) = (1²/2!) / (1 + 1 + 1²/2!) = 0.5 / 2.5 = 0.2
    assert erlang_b(2, 1.0) == pytest.approx(0.2)


def test_erlang_c_two_slots_half_busy_is_one_third():
    # c = 2, a = 1 (ρ = 0.5): C = (1/2 · 2/(2−1)) / (1 + 1 + 1) = 1/3
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


def test_single_server_waits_with_probability_rho():
    # M/M/1: P(wait) = ρ; W_q / S = ρ / (1 − ρ) -> ρ = 0.8: 0.8 and 4 job lengths
    assert erlang_c(1, 0.8) == pytest.approx(0.8)
    assert mean_wait_job_lengths(1, 0.8) == pytest.approx(4.0)


def test_mean_wait_two_slots_half_busy():
    # M/M/2, λ = μ = 1: W_q = C / (cμ − λ) = (1/3) / (2 − 1) = 1/3 of a job length
    assert mean_wait_job_lengths(2, 0.5) == pytest.approx(1 / 3)


def test_erlang_c_ten_slots_textbook():
    # c = 10, a = 8: P(wait) = 0.409 (Erlang C tables, e.g. Kleinrock 1975); checked by the factorial
    # formula: Σ_{k<10} 8^k/k! = 2,136.23, 8^10/10! · 10/2 = 1,479.47 -> 1,479.47 / 3,615.70 = 0.4092
    assert erlang_c(10, 8.0) == pytest.approx(0.4092, abs=5e-4)


def test_wait_is_vectorised_and_grows_with_utilisation():
    waits = mean_wait_job_lengths(np.array([4, 4, 4]), np.array([0.5, 0.7, 0.9]))
    assert waits.shape == (3,)
    assert waits[0] < waits[1] < waits[2]


def test_saturated_queue_waits_forever():
    assert np.isinf(mean_wait_job_lengths(4, 1.0))
    assert erlang_c(4, 5.0) == 1.0


def test_large_cluster_does_not_overflow():
    # 1,000 slots at ρ = 0.9: a factorial formula would overflow; the recursion gives a small P(wait)
    p = erlang_c(1000, 900.0)
    assert 0 < p < 0.01
