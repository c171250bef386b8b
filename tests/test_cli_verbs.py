"""The command line imports only the verb it runs: ``trainplan --help`` lists every verb from ``VERB_HELP``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from planner.cli import VERB_HELP, VERBS, build_parser


@pytest.mark.parametrize("verb", VERBS)
def test_each_verbs_help_line_is_the_one_the_listing_shows(verb):
    full = build_parser(verbs=(verb,))
    listed = build_parser(verbs=())
    choices = {a.dest: a for a in full._actions if a.dest == "command"}["command"]
    line = next(c.help for c in choices._choices_actions if c.dest == verb)
    assert line == VERB_HELP[verb]
    placeholder = {a.dest: a for a in listed._actions if a.dest == "command"}["command"]
    assert next(c.help for c in placeholder._choices_actions if c.dest == verb) == line


def test_help_imports_neither_pandas_nor_pint():
    code = ("import sys\nfrom planner.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('pandas', 'pint', 'numpy', 'planner.api') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
    assert "estimate" in out and "prices" in out


def test_api_imports_a_topic_module_on_first_use_of_its_names():
    # ``planner.api`` re-exports every topic module's public names lazily (PEP 562): importing it imports
    # none of them; one name imports its module only; every listed name is that module's own object.
    code = ("import sys, importlib\nfrom planner import api\nloaded = lambda: sorted(m for m in sys.modules "
            "if m.startswith('planner.api.'))\nprint(loaded())\napi.estimate_workload\n"
            "print('planner.api.hybrid' in sys.modules, 'planner.api.estimates' in sys.modules)\n"
            "bad = [n for m, names in api.EXPORTS.items() for n in names\n"
            "       if getattr(api, n) is not getattr(importlib.import_module('planner.api.' + m), n)]\n"
            "print(bad, sorted(api.__all__) == sorted(n for names in api.EXPORTS.values() for n in names))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines() == ["[]", "False True", "[] True"]


def test_estimate_imports_no_procurement_report_or_hybrid_code():
    code = ("import sys, io, contextlib\nfrom planner.cli import main\nwith contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['estimate', 'bert-base'])\n"
            "print(sorted(m for m in ('planner.api.hybrid', 'planner.api.plans', 'planner.api.reporting', "
            "'planner.reports', 'planner.hybrid', 'planner.procurement', 'pint') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_the_program_prints_what_main_returns_and_only_the_program_freezes_the_heap():
    # ``trainplan`` (main() with sys.argv) leaves the heap out of the interpreter's last collections as it
    # exits (gc.freeze); its output is the whole of what main prints, and main(argv) keeps the caller's GC.
    import gc
    import os

    from cli_capture import run_cli

    frozen = gc.get_freeze_count()
    code, out, _ = run_cli("estimate", "bert-base", "--format", "csv")
    assert code == 0 and gc.get_freeze_count() == frozen
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.run([sys.executable, "-m", "planner.cli", "estimate", "bert-base", "--format", "csv"],
                           capture_output=True, text=True, check=True, env=env)
    assert child.stdout == out and len(out.splitlines()) == 2
