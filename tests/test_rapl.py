"""RAPL through a fake powercap tree: which zones count, reading them, and counter wrap-around."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_sensors import rapl_zone, two_socket_tree

from planner.measure.rapl import RaplUnavailable, energy_delta_uj, find_zones, read_energy_uj


def test_packages_and_dram_found_core_psys_and_mmio_skipped(tmp_path):
    zones = find_zones(two_socket_tree(tmp_path))
    assert [(z.path.name, z.name, z.kind) for z in zones] == [
        ("intel-rapl:0", "package-0", "cpu"), ("intel-rapl:0:1", "dram", "dram"),
        ("intel-rapl:1", "package-1", "cpu"), ("intel-rapl:1:0", "dram", "dram")]
    assert zones[1].max_range_uj == 65_712_999_613


def test_read_energy_returns_the_counters_in_zone_order(tmp_path):
    zones = find_zones(two_socket_tree(tmp_path))
    assert read_energy_uj(zones) == [1_000_000, 200_000, 3_000_000, 400_000]
    (tmp_path / "intel-rapl:1" / "energy_uj").write_text("3000500\n")
    assert read_energy_uj(zones)[2] == 3_000_500


def test_wrap_around_counts_through_the_maximum():
    # max 1000: 900 -> 1000 is 100 µJ, 1000 -> 0 is 1 more (the counter's range is 0..1000), 0 -> 50 is 50: 151
    assert energy_delta_uj(900, 50, 1000) == 151
    assert energy_delta_uj(100, 350, 1000) == 250


def test_wrap_around_on_a_fake_zone_between_two_reads(tmp_path):
    rapl_zone(tmp_path, "intel-rapl:0", "package-0", 262_143_328_000, 262_143_328_850)
    zone = find_zones(tmp_path)[0]
    before = read_energy_uj([zone])[0]
    (zone.path / "energy_uj").write_text("149\n")
    # 850 µJ up to the maximum, 1 to wrap to 0, 149 after: 1,000 µJ
    assert energy_delta_uj(before, read_energy_uj([zone])[0], zone.max_range_uj) == 1000


def test_no_powercap_tree_is_one_line(tmp_path):
    with pytest.raises(RaplUnavailable, match="no powercap interface"):
        find_zones(tmp_path / "absent")


def test_tree_without_rapl_zones(tmp_path):
    rapl_zone(tmp_path, "intel-rapl:0", "psys", 1)
    with pytest.raises(RaplUnavailable, match="no RAPL package or DRAM zone"):
        find_zones(tmp_path)


def test_unreadable_counters_say_root_only(tmp_path, monkeypatch):
    two_socket_tree(tmp_path)
    real_read = Path.read_text

    def deny(self, *args, **kwargs):
        if self.name == "energy_uj":
            raise PermissionError(13, "Permission denied")
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", deny)
    with pytest.raises(RaplUnavailable, match="not readable by this user.*root only"):
        find_zones(tmp_path)
