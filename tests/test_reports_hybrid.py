"""The hybrid plan's report section: Markdown with the answer and tables, and a byte-stable SVG curve."""

from __future__ import annotations

from planner.hybrid import CloudChoice, Overflow, OwnedCosts, Policy, hybrid_plan
from planner.reports.hybrid import curve_svg, hybrid_markdown


def plan():
    server = OwnedCosts(gpus_per_server=1, capex_usd=2000.0, fixed_usd_per_month=0.0, busy_kwh_per_gpu_hour=1.0,
                        idle_kwh_per_gpu_hour=0.0, electricity_usd_per_kwh=0.1, grid_gco2e_per_kwh=400.0,
                        embodied_kg=100.0, lifetime_months=2)
    return hybrid_plan([730.0, 1460.0], server, Overflow(CloudChoice("od", "on_demand", 2.0)),
                       Policy(utilisation_cap=1.0, basis="cash"))


def test_markdown_section_holds_the_answer_optima_curve_and_command():
    result = plan()
    text = hybrid_markdown(result, "trainplan procure p.toml --hybrid", "hybrid_curve.svg").decode()
    assert text.startswith("## Own the base, rent the peaks")
    assert result.answer in text and result.timing_verdict in text
    assert "`trainplan procure p.toml --hybrid`" in text and "![cost and CO2e" in text
    # Optima table: 5 rows; curve table: fleets 0, 1, 2.
    assert text.count("| lowest cost |") == 1 and text.count("| all owned |") == 1
    curve_rows = [line for line in text.splitlines() if line.startswith("| 0 |") or line.startswith("| 2 |")]
    assert len(curve_rows) == 2


def test_curve_svg_is_byte_stable():
    first, second = curve_svg(plan()), curve_svg(plan())
    assert first.startswith("<?xml") and first == second
    assert "owned servers" in first


def test_curve_png_is_a_png():
    from planner.reports.hybrid import curve_png
    data = curve_png(plan())
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data == curve_png(plan())
