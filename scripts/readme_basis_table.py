"""Rewrite the README's table of examples/cluster_plan.toml under each cost basis from the current data.

    PYTHONPATH=$PWD python scripts/readme_basis_table.py

tests/test_cli_procure.py recomputes the table; when shipped prices or conversions move, run this and commit.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from planner import api  # noqa: E402

HEADER = ("| view | money | residual | F&A | owned (USD) | cheapest cloud (USD) | cloud / owned | answer |\n"
          "|---|---|---|---|---|---|---|---|\n")


def table_rows() -> list[str]:
    """The six rows: institution (NPV, cash) and grant (NPV, cash) at F&A 0 and 0.55."""
    config = tomllib.loads((REPO / "examples" / "cluster_plan.toml").read_text(encoding="utf-8"))
    config["monte_carlo"] = 0
    lines = []
    for fa in (0.0, 0.55):
        plan = api.procurement_plan_from_config({**config, "basis": {**config["basis"], "fa_rate": fa}})
        for r in plan.bases.itertuples():
            if r.view == "institution" and fa:
                continue
            money = "NPV 7%" if r.money == "npv" else "cash"
            shown = "—" if r.view == "institution" else ("0.55" if fa else "0")
            lines.append(f"| {r.view} | {money} | {r.residual} | {shown} | {r.owned_usd:,.0f} | {r.cloud_usd:,.0f} | "
                         f"{r.cloud_vs_owned:.2f} | {r.verdict} |")
    return lines


def main() -> int:
    readme = REPO / "README.md"
    lines = table_rows()
    pattern = re.compile(re.escape(HEADER) + r"(?:\|.*\|\n){6}")
    text, count = pattern.subn(HEADER + "\n".join(lines) + "\n", readme.read_text(encoding="utf-8"))
    if count != 1:
        print("README.md: the basis table was not found", file=sys.stderr)
        return 1
    readme.write_text(text, encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
