"""CPU package and DRAM energy counters through Linux powercap (Intel RAPL, also AMD RAPL since Linux 5.8).

Each zone is a directory ``<root>/intel-rapl:N`` (package) or ``intel-rapl:N:M`` (a subzone: core, uncore,
dram) holding ``name``, ``energy_uj`` (a counter in µJ) and ``max_energy_range_uj`` (the value after which
it wraps to 0). ``/sys/class/powercap`` lists every zone flat, as links. Since Linux 5.10 (CVE-2020-8694)
``energy_uj`` is readable by root only, so "no access" is common and reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

POWERCAP_ROOT = Path("/sys/class/powercap")


@dataclass(frozen=True)
class RaplZone:
    """One RAPL zone: its directory, its ``name`` (``package-0``, ``dram``), kind ``cpu`` or ``dram``, wrap value [µJ]."""

    path: Path
    name: str
    kind: str
    max_range_uj: int


class RaplUnavailable(Exception):
    """No RAPL zone can be read here; the message says why, in one line."""


def _zone_kind(name: str) -> str | None:
    # Package zones hold core and uncore; psys (whole SoC) overlaps everything: count packages and DRAM only.
    if name.startswith("package"):
        return "cpu"
    if name == "dram":
        return "dram"
    return None


def find_zones(root: Path = POWERCAP_ROOT) -> list[RaplZone]:
    """The readable package and DRAM zones under ``root``, in directory order.

    Raises RaplUnavailable when there is no powercap tree, no RAPL zone, or no permission to read one.
    ``intel-rapl-mmio:*`` zones are skipped: they duplicate the MSR package zone on recent Intel CPUs.
    """
    root = Path(root)
    if not root.is_dir():
        raise RaplUnavailable(f"no powercap interface at {root} (not Linux, or RAPL not exposed)")
    zones: list[RaplZone] = []
    denied: list[str] = []
    seen: set[Path] = set()
    for path in sorted(root.glob("intel-rapl:*")):
        real = path.resolve()
        if real in seen:
            continue
        seen.add(real)
        try:
            name = (path / "name").read_text().strip()
        except OSError:
            continue
        kind = _zone_kind(name)
        if kind is None:
            continue
        try:
            max_range = int((path / "max_energy_range_uj").read_text())
            int((path / "energy_uj").read_text())
        except PermissionError:
            denied.append(path.name)
            continue
        except (OSError, ValueError):
            continue
        zones.append(RaplZone(path, name, kind, max_range))
    if not zones and denied:
        raise RaplUnavailable(f"RAPL counters under {root} are not readable by this user "
                              f"({', '.join(denied)}; root only since Linux 5.10)")
    if not zones:
        raise RaplUnavailable(f"no RAPL package or DRAM zone under {root}")
    return zones


def read_energy_uj(zones: list[RaplZone]) -> list[int]:
    """Current counter of each zone [µJ]; OSError if a zone stops being readable."""
    return [int((zone.path / "energy_uj").read_text()) for zone in zones]


def energy_delta_uj(before: int, now: int, max_range_uj: int) -> int:
    """Energy between two readings of one counter [µJ]: ``(now − before) mod (max_range + 1)`` (wrap-aware)."""
    return (now - before) % (max_range_uj + 1)
