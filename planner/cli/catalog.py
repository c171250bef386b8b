"""``trainplan catalog KIND``: what the shipped data holds, with sources."""

from __future__ import annotations

import argparse

from planner import api
from planner.cli.common import add_format, emit


def _catalog(args: argparse.Namespace) -> int:
    emit(api.catalog_table(args.kind), args.format)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    cat = subparsers.add_parser("catalog", help="list GPUs, servers, regions, presets or grid zones")
    cat.add_argument("kind", choices=api.CATALOG_KINDS)
    add_format(cat)
    cat.set_defaults(func=_catalog)
