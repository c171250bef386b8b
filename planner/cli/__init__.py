"""The ``trainplan`` command line: parse flags, call one ``planner.api`` function, print its table.

Bad input of any kind ends in one line on stderr and exit code 2; nothing here computes a number.
Each verb lives in its own module of this package with ``register(subparsers)``, listed in ``VERBS``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from planner.cli.common import Parser
from planner.cli.limits import annotate
from planner.errors import PlanError

#: One module per verb, in the order ``--help`` lists them.
VERBS: tuple[str, ...] = ("estimate", "compare", "report", "procure", "reproduce", "catalog", "prices", "measure",
                          "app")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="trainplan", description="Cost, energy and CO2e of training a model: cloud vs owned.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for verb in VERBS:
        importlib.import_module(f"planner.cli.{verb}").register(sub)
    annotate(parser)  # every flag checked by planner.fields as it is parsed, its range in --help
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except PlanError as exc:
        print(f"trainplan: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
