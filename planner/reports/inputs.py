"""The appendix's inputs table: one line per input, with the per-option inputs of a kind on one line together.

A report's options each bring their own price, GPU TDP, throughput ratio, grid intensity, interconnect and
water figures: twenty rows of ``interconnect_…`` say one thing each. ``grouped_inputs`` keeps every value and
its source number but sets a kind's rows (``FAMILIES``, three or more of one unit) as one line, "aws_p4de. rdma
400 Gb/s [15]; gcp_tpu- ethernet 100 Gb/s [51]; …", so a reviewer reads the inputs on a page or two. The full
table, one row per input with its whole source text, is the XLSX's "assumptions" sheet.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

#: Name prefixes of the per-option inputs, and the label of their line.
FAMILIES = (
    ("price_", "Prices"), ("tdp_", "GPU TDP"), ("throughput_ratio_", "Achieved speed vs the workload's GPU"),
    ("grid_intensity_", "Grid intensity"), ("google_cfe_", "Google carbon-free energy share"),
    ("interconnect_", "Interconnect"), ("wue_", "On-site water (WUE)"), ("ewif_", "Water of grid electricity (EWIF)"),
    ("spot_band_", "Spot interruption band"), ("equivalence: ", "Equivalences"),
)
#: Fewest rows of one kind and unit set as one line.
GROUP_MIN_ROWS = 3
INPUT_COLUMNS = ("input", "value", "unit", "ref", "as_of", "grouped")
_RANGE = re.compile(r"\s*\((range [^)]*)\)\s*$")


def value_text(value: object) -> str:
    """An input's value as printed: whole numbers in full (7,000,000,000), others to 6 significant figures, with
    separators; text as it is; '' when missing."""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) < 1e15 else f"{value:,.6g}"
    return "" if value is None else str(value)


def _refs(texts: pd.Series) -> str:
    numbers = sorted({int(n) for text in texts for n in str(text).split(",") if n.strip()})
    return ", ".join(str(n) for n in numbers)


def _dates(dates: pd.Series) -> str:
    found = sorted({str(d) for d in dates if d and str(d) != "nan"})
    if not found:
        return ""
    return found[0] if len(found) == 1 else f"{found[0]} to {found[-1]}"


def grouped_inputs(assumptions: pd.DataFrame) -> pd.DataFrame:
    """The inputs as printed in the appendix: input, value, unit, ref, as_of, grouped (a kind on one line).

    assumptions : ``Report.assumptions`` (name, value, unit, ref, as_of, …), in the report's order; a group
        takes the place of its kind's first row. A grouped line's ``value`` lists "name value [ref]" for each of
        its rows (name without the kind's prefix; a row's range after its value), its ``ref`` every number cited.
    """
    frame = assumptions.reset_index(drop=True)
    units = frame["unit"].astype(str).str.replace(_RANGE, "", regex=True)
    ranges = frame["unit"].astype(str).str.extract(_RANGE, expand=False).fillna("")
    family = pd.Series("", index=frame.index)
    for prefix, _ in FAMILIES:
        family = family.where((family != "") | ~frame["name"].astype(str).str.startswith(prefix), prefix)
    labels = dict(FAMILIES)
    sizes = Counter(zip(family, units, strict=True))
    rows, done = [], set()
    for i, row in frame.iterrows():
        key = (family[i], units[i])
        if family[i] and sizes[key] >= GROUP_MIN_ROWS:
            if key in done:
                continue
            done.add(key)
            members = frame[(family == key[0]) & (units == key[1])]
            items = [f"{str(m['name'])[len(key[0]):]} {value_text(m['value'])}"
                     + (f" ({ranges[j].replace('range ', '')})" if ranges[j] else "") + f" [{m['ref']}]"
                     for j, m in members.iterrows()]
            rows.append({"input": labels[key[0]], "value": "; ".join(items), "unit": key[1],
                         "ref": _refs(members["ref"]), "as_of": _dates(members["as_of"]), "grouped": True})
        else:
            unit = units[i] + (f" ({ranges[i]})" if ranges[i] else "")
            rows.append({"input": str(row["name"]), "value": value_text(row["value"]), "unit": unit,
                         "ref": str(row["ref"]), "as_of": str(row["as_of"] or ""), "grouped": False})
    return pd.DataFrame(rows, columns=list(INPUT_COLUMNS))
