"""The closing-note table of issue 15 reads the old shipped database from git history and the current one."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
from issue15_before_after import DEFAULT_BEFORE, database_at, table  # noqa: E402

has_history = subprocess.run(["git", "cat-file", "-e", f"{DEFAULT_BEFORE}:planner/data/trainplan.sqlite"], cwd=REPO,
                             capture_output=True).returncode == 0


@pytest.mark.skipif(not has_history, reason="git history of the shipped database not in this checkout")
def test_before_after_table_shows_the_figures_the_issue_quotes(tmp_path):
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")[2:] for line in
            table(database_at(DEFAULT_BEFORE, tmp_path), REPO / "planner" / "data" / "trainplan.sqlite",
                  DEFAULT_BEFORE)[2:]}
    # issue 15: "H100 in us-central1 ... is $5.38 per GPU-hour"; after: 88.49 / 8 = 11.06 (Cyclenerd list price)
    assert rows["GCP H100 us-central1, cheapest on-demand"] == ["5.383", "11.061 |"]
    # issue 15: "Oregon: 322 g/kWh for AWS, 166 for the state" (eGRID2023 165.544)
    assert rows["AWS us-west-2 (Oregon) grid"] == ["322.167", "165.544 |"]
    # issue 15: "727 rows -> 29 with the test payload"; now the refresh carries TPUs and unmodelled shapes forward
    before, after = rows["GCP rows after a refresh with the test payload"]
    assert before == "29" and int(after.rstrip(" |")) > 85
