"""Training memory per GPU (ZeRO paper's bytes per parameter, sharding, activation rule), hand-computed."""

from __future__ import annotations

import numpy as np
import pytest

from planner.errors import PlanError
from planner.memory import (
    MemoryModel,
    activation_gb_per_gpu,
    fits,
    min_gpus_to_fit,
    model_state_gb_per_gpu,
    required_gb_per_gpu,
    state_bytes_per_parameter,
)


def test_mixed_precision_adam_is_16_bytes_per_parameter():
    # ZeRO paper Sec. 3.1: 2 (fp16 weights) + 2 (fp16 gradients) + 12 (fp32 master, momentum, variance)
    assert state_bytes_per_parameter("bf16", "adam") == (2.0, 2.0, 12.0)
    assert sum(state_bytes_per_parameter("fp32", "adam")) == 16.0  # 4 + 4 + 8
    assert sum(state_bytes_per_parameter("bf16", "sgd")) == 12.0  # 2 + 2 + (4 master + 4 momentum)
    assert sum(state_bytes_per_parameter("fp16", "lion")) == 12.0


def test_7b_model_states_on_1_8_64_gpus_with_and_without_sharding():
    gpus = np.array([1.0, 8.0, 64.0])
    # unsharded data parallelism: 16 B x 7e9 = 112 GB on every GPU, however many there are
    assert model_state_gb_per_gpu(7e9, gpus, sharding="none") == pytest.approx([112.0, 112.0, 112.0])
    # ZeRO-3 / FSDP: 112 GB / N -> 112, 14, 1.75
    assert model_state_gb_per_gpu(7e9, gpus, sharding="zero3") == pytest.approx([112.0, 14.0, 1.75])
    assert model_state_gb_per_gpu(7e9, gpus, sharding="fsdp") == pytest.approx([112.0, 14.0, 1.75])
    # ZeRO-1 on 8: (2 + 2) x 7 + 12 x 7 / 8 = 28 + 10.5 = 38.5; ZeRO-2 on 8: 2 x 7 + 14 x 7 / 8 = 14 + 12.25
    assert model_state_gb_per_gpu(7e9, 8, sharding="zero1") == pytest.approx(38.5)
    assert model_state_gb_per_gpu(7e9, 8, sharding="zero2") == pytest.approx(26.25)


def test_model_memory_gb_replaces_bytes_per_parameter():
    # the user's 224 GB of training state, fully sharded over 8 GPUs: 28 GB each
    assert model_state_gb_per_gpu(None, 8, model_memory_gb=224.0) == pytest.approx(28.0)


def test_activation_rule_for_7b_at_4096_tokens():
    # h = (7e9 x 128 / 12)^(1/3) = 4210.8, L = h / 128 = 32.90
    # A = 2 x 4096 x h x L + 34 x 4096 x h = 1.1348e9 + 0.5864e9 bytes = 1.721 GB
    h = (7e9 * 128 / 12) ** (1 / 3)
    expected = (2 * 4096 * h * (h / 128) + 34 * 4096 * h) / 1e9
    assert expected == pytest.approx(1.721, abs=0.001)
    assert activation_gb_per_gpu(7e9, 4096) == pytest.approx(expected)


def test_required_memory_and_fewest_gpus_that_fit():
    model = MemoryModel(parameters=7e9)  # bf16, Adam, ZeRO-3, 4096-token activations
    act = activation_gb_per_gpu(7e9)
    assert required_gb_per_gpu(model, 8) == pytest.approx(14.0 + act)
    # 80 GB: 112 / (80 - 1.72) = 1.43 -> 2 GPUs; 16 GB: 112 / (16 - 1.72) = 7.84 -> 8 GPUs
    assert min_gpus_to_fit(model, np.array([80.0, 16.0])) == pytest.approx([2.0, 8.0])
    # unsharded, 112 GB never fits on an 80 GB GPU
    assert np.isinf(min_gpus_to_fit(MemoryModel(parameters=7e9, sharding="none"), 80.0))
    assert not fits(required_gb_per_gpu(model, 1), 80.0)
    assert fits(required_gb_per_gpu(model, 8), 16.0)


def test_unknown_model_size_is_not_checked():
    model = MemoryModel()
    assert not model.known
    assert np.isnan(required_gb_per_gpu(model, 8))
    assert fits(required_gb_per_gpu(model, 8), 16.0)
    assert min_gpus_to_fit(model, 16.0) == 1.0


@pytest.mark.parametrize("kwargs,field", [
    ({"optimiser": "adagrad"}, "optimiser 'adagrad'"),
    ({"precision": "fp8"}, "precision 'fp8'"),
    ({"sharding": "zero4"}, "sharding 'zero4'"),
    ({"model_memory_gb": -1.0}, "model_memory_gb"),
    ({"activation_gb": -2.0}, "activation_gb"),
    ({"parameters": 0.0}, "parameters"),
])
def test_bad_memory_inputs_name_the_field(kwargs, field):
    with pytest.raises(PlanError, match=field):
        MemoryModel(**kwargs)
