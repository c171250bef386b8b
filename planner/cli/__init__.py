"""The ``trainplan`` command line: parse flags, call one ``planner.api`` function, print its table.

Bad input of any kind ends in one line on stderr and exit code 2; nothing here computes a number.
Each verb lives in its own module of this package with ``register(subparsers)``, listed in ``VERBS``. Only the
verb being run is imported (with pandas, numpy and the model behind it); the others are listed by their one
line of ``VERB_HELP``, so ``trainplan --help`` starts in a blink.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from planner.cli.parser import Parser
from planner.errors import PlanError

#: One module per verb, in the order ``--help`` lists them, with its one-line help (each module's
#: ``register`` uses the same line; a test checks they agree).
VERB_HELP: dict[str, str] = {
    "estimate": "a workload -> kWh, CO2e and a cloud cost range",
    "compare": "one workload vs every cloud offer and owned server",
    "report": "a grant-proposal report of a workload: pdf, docx, html, md, csv, xlsx",
    "procure": "buy GPU servers or rent: sizing, multi-year TCO, break-even, tornado, carbon (a TOML plan)",
    "reproduce": "reproduce a paper's tables from their inputs",
    "catalog": "list GPUs, servers, regions, presets or grid zones",
    "prices": "cloud GPU prices: refresh from the APIs, status, list, diff",
    "measure": "run a command and measure its GPU, CPU and DRAM power (NVML, RAPL)",
    "app": "serve the interactive what-if app (Streamlit) on 127.0.0.1:8501",
}
VERBS: tuple[str, ...] = tuple(VERB_HELP)


def build_parser(argv: list[str] | None = None, verbs: tuple[str, ...] | None = None) -> argparse.ArgumentParser:
    """The parser, with the verbs in ``verbs`` (default: the one named in ``argv``, or all without argv) in full.

    Every other verb is a placeholder with its help line, so listing the verbs imports none of them.
    """
    if verbs is None:
        named = [a for a in (argv or []) if a in VERB_HELP][:1]
        verbs = tuple(named) if argv is not None else VERBS
    parser = Parser(prog="trainplan", description="Cost, energy and CO2e of training a model: cloud vs owned.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for verb in VERBS:
        if verb in verbs:
            importlib.import_module(f"planner.cli.{verb}").register(sub)
        else:
            sub.add_parser(verb, help=VERB_HELP[verb])
    if verbs:
        from planner.cli.limits import annotate

        annotate(parser)  # every flag checked by planner.fields as it is parsed, its range in --help
    return parser


def main(argv: list[str] | None = None) -> int:
    program = argv is None  # run as the program (``trainplan``, ``python -m planner.cli``): the process ends next
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        args = build_parser(argv).parse_args(argv)
        return int(args.func(args) or 0)
    except PlanError as exc:
        print(f"trainplan: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    finally:
        if program:
            _before_exit()


def _before_exit() -> None:
    """Leave the heap out of the interpreter's last garbage collections (``gc.freeze``).

    With pandas, pyarrow and the engine loaded, the collections Python runs while it shuts down traverse some
    70,000 objects for nothing (the process is ending; the OS frees its memory): 60-100 ms of every command.
    Nothing waits on them: the output is flushed by Python as it exits, files are closed by their ``with``
    blocks and ``atexit`` handlers still run. Only for the program: a caller of ``main(argv)`` keeps its GC.
    """
    import gc

    gc.freeze()
