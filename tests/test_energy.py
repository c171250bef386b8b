"""Energy: Strubell's formula generalised, checked against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.energy import energy_from_total_power_kwh, gpu_power_w, training_energy_kwh
from planner.errors import PlanError


def test_training_energy_hand_computed():
    # 1.2 · 10 h · (100 W + 20 W + 4 · 300 W) / 1000 = 1.2 · 10 · 1320 / 1000 = 15.84 kWh
    assert training_energy_kwh(10, 300, 4, cpu_w=100, dram_w=20, pue=1.2) == pytest.approx(15.84)


def test_transformer_base_from_summed_power():
    # 1.58 · 12 · 1415.78 / 1000 = 26.8432 kWh (Strubell Table 3 prints 27)
    assert energy_from_total_power_kwh(12, 1415.78, 1.58) == pytest.approx(26.8432, abs=1e-4)


def test_energy_broadcasts_over_series_and_arrays():
    hours = pd.Series([1.0, 2.0, 3.0])
    out = training_energy_kwh(hours, 250.0, 8, pue=1.0)
    # 8 · 250 W = 2 kW -> 2, 4, 6 kWh
    assert list(out) == [2.0, 4.0, 6.0]
    assert np.allclose(training_energy_kwh(np.array([1.0]), np.array([700.0, 400.0]), 1, pue=1.5), [1.05, 0.6])


def test_gpu_power_default_is_tdp_times_fraction_and_rejects_bad_fraction():
    assert gpu_power_w(400, 0.5) == 200
    with pytest.raises(PlanError, match="gpu_power_fraction"):
        gpu_power_w(400, 1.2)
