"""Real-GPU check of `trainplan measure`: idle <= average power of a matrix-multiply loop <= TDP.

    python benchmarks/gpu_power_check.py [--seconds 30] [--index 0]

Needs an NVIDIA GPU (NVML) and torch or cupy to load it; otherwise it says why in one line and exits 0
without checking anything. It measures GPU ``--index`` twice through the real CLI, at 0.2 s intervals:
a command that sleeps 5 s (idle), then a ``--seconds`` fp16 matmul loop (busy); prints idle, average and
peak power, utilisation and the power limits NVML reports, and asserts idle <= average <= TDP (the
enforced power limit, else the default limit). Exit 1 if the check fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def busy(seconds: float, library: str) -> None:
    """Multiply two 8192² fp16 matrices on GPU 0 of this process until ``seconds`` have passed."""
    if library == "torch":
        import torch

        a = torch.randn(8192, 8192, device="cuda", dtype=torch.float16)
        b = torch.randn(8192, 8192, device="cuda", dtype=torch.float16)
        sync = torch.cuda.synchronize
    else:
        import cupy

        a = cupy.random.standard_normal((8192, 8192), dtype=cupy.float32).astype(cupy.float16)
        b = cupy.random.standard_normal((8192, 8192), dtype=cupy.float32).astype(cupy.float16)
        sync = cupy.cuda.Device().synchronize
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for _ in range(20):
            a @ b
        sync()


def measure(command: list[str], index: int, out: Path) -> dict:
    """Run ``command`` under `trainplan measure` on GPU ``index``; return the record."""
    cli = [sys.executable, "-m", "planner.cli", "measure", "--interval", "0.2s", "--gpu-index", str(index),
           "--out", str(out), "--force", "--", *command]
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    subprocess.run(cli, check=True, cwd=REPO, env={**os.environ, "PYTHONPATH": path, "CUDA_VISIBLE_DEVICES": str(index)})
    return json.loads(out.read_text())


def default_limit_w(index: int) -> float | None:
    import pynvml

    pynvml.nvmlInit()
    try:
        return pynvml.nvmlDeviceGetPowerManagementDefaultLimit(pynvml.nvmlDeviceGetHandleByIndex(index)) / 1000.0
    except pynvml.NVMLError:
        return None
    finally:
        pynvml.nvmlShutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--index", type=int, default=0)
    parser.add_argument("--busy", choices=("torch", "cupy"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.busy:
        busy(args.seconds, args.busy)
        return 0

    from planner.measure.nvml import NvmlGpus, NvmlUnavailable

    try:
        gpus = NvmlGpus(indices=[args.index])
    except NvmlUnavailable as exc:
        print(f"SKIP: no GPU check: {exc}")
        return 0
    name = gpus.names[0]
    gpus.close()
    library = next((lib for lib in ("torch", "cupy") if importlib.util.find_spec(lib)), None)
    if library is None:
        print(f"SKIP: {name} found, but neither torch nor cupy is importable to load it")
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        idle = measure([sys.executable, "-c", "import time; time.sleep(5)"], args.index, Path(tmp) / "idle.json")
        load = measure([sys.executable, str(Path(__file__).resolve()), "--busy", library, "--seconds",
                        str(args.seconds)], args.index, Path(tmp) / "busy.json")
    gpu, idle_gpu = load["gpu"], idle["gpu"]
    enforced = gpu["power_limit_w"]
    default = default_limit_w(args.index)
    tdp = enforced if enforced is not None else default
    result = {
        "gpu": name, "library": library, "seconds": load["wall_s"], "samples": gpu["samples"],
        "energy_method": gpu["energy_method"], "idle_avg_w": idle_gpu["avg_w_per_gpu"],
        "busy_avg_w": gpu["avg_w_per_gpu"], "busy_peak_w": gpu["peak_w_per_gpu"],
        "busy_avg_util_pct": gpu["avg_util_pct"], "enforced_limit_w": enforced, "default_limit_w": default,
        "sampler_cpu_s": load["sampler_cpu_s"], "exit_code": load["exit_code"],
    }
    print(json.dumps(result, indent=2))
    ok = load["exit_code"] == 0 and tdp is not None and idle_gpu["avg_w_per_gpu"] <= gpu["avg_w_per_gpu"] <= tdp
    print(f"{'PASS' if ok else 'FAIL'}: idle {result['idle_avg_w']:.1f} W <= average {result['busy_avg_w']:.1f} W "
          f"<= TDP {tdp} W (peak {result['busy_peak_w']:.1f} W, {result['busy_avg_util_pct']:.0f}% busy)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
