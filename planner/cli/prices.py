"""``trainplan prices refresh|status|list|diff``: the price cache from the command line (prints only).

Refresh progress goes to stderr, results to stdout. Exit codes: 0 done; 1 a provider's refresh wrote
nothing (no credentials, a failed call; its previous snapshot stays in use); 2 bad input; 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from planner import api, defaults
from planner.cli.common import add_format, emit, wrapped
from pricing.schema import PRICING_MODELS, PROVIDERS
from pricing.status import SORT_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

# Left out of the aligned text table only (csv and json keep every column): a full source runs to 200 characters.
_WIDE_COLUMNS = ("location", "source")
#: Also left out of ``prices list``'s table view so that a line fits 120 characters (``--format csv`` has them).
_LIST_DETAIL_COLUMNS = ("vcpus", "memory_gib", "fetched_at")


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _refresh(args: argparse.Namespace) -> int:
    from pricing.refresh import RefreshInterrupted, refresh

    try:
        options = {"aws": {"savings_plans": True}} if args.savings_plans else None
        report = refresh(args.provider, args.region, progress=_progress, accept_fewer_rows=args.accept_fewer_rows,
                         fetch_options=options)
    except RefreshInterrupted as interrupted:
        print("\n".join(interrupted.report.lines()))
        print("interrupted: nothing more written; the cache holds every snapshot written before Ctrl-C")
        return 130
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def _status(args: argparse.Namespace) -> int:
    if args.anomalies:
        rows = api.price_anomalies(args.provider)
        if args.format == "table":
            rows = rows[[c for c in rows.columns if c not in _WIDE_COLUMNS]]
        emit(rows, args.format, "Price rows set aside by the checks (never used; reason per row)")
        return 0
    table = api.price_snapshots(args.max_age_days)
    emit(table, args.format, "Price snapshots in use")
    warnings = table.attrs.get("warnings", [])
    for line in warnings:
        print(wrapped(f"warning: {line}"), file=sys.stderr if args.format != "table" else sys.stdout)
    for line in table.attrs.get("notes", []):
        print(wrapped(line), file=sys.stderr if args.format != "table" else sys.stdout)
    return 0


def _list(args: argparse.Namespace) -> int:
    table = api.price_offers(gpu=args.gpu, pricing=args.pricing, provider=args.provider, region=args.region,
                             sort=args.sort)
    legend: list[str] = []
    if args.format == "table":
        table = table[[c for c in table.columns if c not in _WIDE_COLUMNS + _LIST_DETAIL_COLUMNS]]
        table, legend = _numbered(table, "spot_statistic")
    emit(table, args.format, "Offers (USD per hour; usd_per_gpu_hour = usd_per_hour / gpu_count; vcpus, memory_gib, "
         "fetched_at, location and source in --format csv)" if args.format == "table" else None)
    for line in legend:
        print(wrapped(line, "  ", 8))
    for line in table.attrs.get("notes", []):
        print(line, file=sys.stderr if args.format != "table" else sys.stdout)
    return 0


def _numbered(table: pd.DataFrame, column: str) -> tuple[pd.DataFrame, list[str]]:
    """A long text column as ``[1]``, ``[2]``… with one legend line per text, so the table fits a terminal."""
    values = table[column].fillna("").astype(str) if column in table else None
    if values is None or not (values != "").any():
        return table, []
    texts = list(dict.fromkeys(v for v in values if v))
    keys = {text: f"[{i}]" for i, text in enumerate(texts, 1)} | {"": ""}
    legend = [f"{column} {keys[text]} = {text}" for text in texts]
    return table.assign(**{column: values.map(keys)}), legend


def _diff(args: argparse.Namespace) -> int:
    table = api.price_changes(args.provider)
    for line in table.attrs.get("compared", []):
        print(line, file=sys.stderr if args.format != "table" else sys.stdout)
    emit(table, args.format, "Changes (pct_change = 100 x (new - old) / old)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``trainplan prices`` and its four subcommands."""
    prices = subparsers.add_parser("prices", help="cloud GPU prices: refresh from the APIs, status, list, diff")
    sub = prices.add_subparsers(dest="prices_command", required=True)
    providers = ", ".join(PROVIDERS)

    refresh = sub.add_parser("refresh", help="fetch current prices into the user cache (credentials: each SDK's chain)")
    refresh.add_argument("--provider", action="append", help=f"{providers} (repeatable; default: all)")
    refresh.add_argument("--region", action="append", help="region code (repeatable; default: every region)")
    refresh.add_argument("--accept-fewer-rows", action="store_true",
                         help="store a fetch with far fewer rows than it replaces (refused by default as truncated)")
    refresh.add_argument("--savings-plans", action="store_true",
                         help="aws: also read EC2 Instance Savings Plans rates (1 and 3 years, no upfront)")
    refresh.set_defaults(func=_refresh)

    status = sub.add_parser("status", help="each provider's snapshot in use: origin, age, source, rows")
    status.add_argument("--max-age-days", type=float, default=None,
                        help=f"warn when prices are older (default {defaults.PRICE_SNAPSHOT_MAX_AGE_DAYS.value:g})")
    status.add_argument("--anomalies", action="store_true",
                        help="list the price rows the checks set aside in the snapshots in use, with the reason")
    status.add_argument("--provider", help=f"with --anomalies: {providers}")
    add_format(status)
    status.set_defaults(func=_status)

    listing = sub.add_parser("list", help="current offers, cheapest per GPU-hour first")
    listing.add_argument("--gpu", help="catalog GPU id (h100-sxm5-80gb) or family (h100)")
    listing.add_argument("--pricing", help=", ".join(PRICING_MODELS))
    listing.add_argument("--provider", help=providers)
    listing.add_argument("--region", help="region code of the provider")
    listing.add_argument("--sort", default="usd_per_gpu_hour", help=f"{', '.join(SORT_COLUMNS)} (default: usd_per_gpu_hour)")
    add_format(listing)
    listing.set_defaults(func=_list)

    diff = sub.add_parser("diff", help="what changed between each provider's two newest snapshots")
    diff.add_argument("--provider", help=providers)
    add_format(diff)
    diff.set_defaults(func=_diff)
