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
