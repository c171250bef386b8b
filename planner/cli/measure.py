"""`trainplan measure`: run a command under the power sampler and write a measurement file."""

from __future__ import annotations

import argparse
import sys

from planner import api
from planner.errors import PlanError
from planner.measure.record import summary_lines


def _gpu_indices(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise PlanError(f"gpu-index '{text}': not a comma-separated list of GPU indices (e.g. 0,1)") from None


def _say(line: str) -> None:
    print(f"trainplan measure: {line}", file=sys.stderr, flush=True)


def _measure(args: argparse.Namespace) -> int:
    command = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    indices = _gpu_indices(args.gpu_index) if args.gpu_index else None
    status, record = api.measure_command(command, interval=args.interval, duration=args.duration, out=args.out,
                                         force=args.force, gpu_indices=indices, say=_say)
    for line in summary_lines(record):
        _say(line)
    _say(f"wrote {args.out}")
    return status


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `trainplan measure [--interval 1s] [--duration …] [--out FILE] -- COMMAND …`."""
    parser = subparsers.add_parser(
        "measure", help="run a command and measure its GPU, CPU and DRAM power (NVML, RAPL)",
        description="Run COMMAND, sample GPU power and utilisation (NVML) and CPU package and DRAM energy (RAPL) "
                    "every --interval, and write a measurement file for `trainplan estimate --power`. "
                    "Exits with the command's exit code.")
    parser.add_argument("--interval", default="1s", help="sampling period (default 1s; at least 0.05s)")
    parser.add_argument("--duration", help="stop the command after this long (e.g. '24h'); default: let it finish")
    parser.add_argument("--out", default="measured.json", help="measurement file to write (default measured.json)")
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    parser.add_argument("--gpu-index", help="NVML indices of the GPUs to measure, e.g. 0,1 (default: all)")
    parser.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- COMMAND …", help="the command to run")
    parser.set_defaults(func=_measure)
