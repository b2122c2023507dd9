"""Every override Hydra cannot apply is refused in one line naming the key, the override as
typed and what is allowed: deletions of schema keys, deletions of missing keys, appends over
existing keys, bad syntax and interpolations that do not resolve (issue 15, item 10)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.api import compose_config
from sim.config import ConfigError

ROOT = Path(__file__).resolve().parent.parent

REFUSALS = [   # override, start of the message, what it says is allowed
    ("~policy.adherence", "policy.adherence = '~policy.adherence'", "cannot be deleted"),
    ("~policy.gatekeeping.mode", "policy.gatekeeping.mode = '~policy.gatekeeping.mode'",
     "cannot be deleted; set a value instead (policy.gatekeeping.mode=VALUE)"),
    ("~network.facilities", "network.facilities = '~network.facilities'", "cannot be deleted"),
    ("~policy.adherence=0.3", "policy.adherence = '~policy.adherence=0.3'", "cannot be deleted"),
    ("~no_such.key", "no_such.key = '~no_such.key'", "no such key to delete"),
    ("+policy.adherence=0.5", "policy.adherence = '+policy.adherence=0.5'",
     "already set; drop the '+'"),
    ("policy.adherence", "policy.adherence = 'policy.adherence'", "not a valid override"),
    ("policy.adherence=[1,2", "policy.adherence = 'policy.adherence=[1,2'",
     "not a valid override"),
    ("policy.adherence=${oops}", "policy.adherence = '${oops}'",
     "Interpolation key 'oops' not found"),
]


@pytest.mark.parametrize("override, start, allowed", REFUSALS)
def test_override_refusals_are_one_line_with_key_value_and_what_is_allowed(override, start,
                                                                           allowed):
    with pytest.raises(ConfigError) as err:
        compose_config([override])
    message = str(err.value)
    assert message.startswith(start), message
    assert allowed in message and "(in a command-line override)" in message
    assert "\n" not in message


def test_deleting_a_key_of_a_dictionary_is_still_allowed():
    cfg, _ = compose_config(["~network.facilities.wanxin_st2"])
    assert "wanxin_st2" not in cfg.network.facilities


@pytest.mark.slow
@pytest.mark.parametrize("args", [["~policy.adherence"], ["-m", "~policy.adherence"],
                                  ["policy.adherence"], ["policy.adherence=${oops}"]])
def test_cli_refuses_in_one_line_with_exit_2_and_writes_nothing(tmp_path, args):
    out = subprocess.run([sys.executable, "-m", "sim", *args, f"results_dir={tmp_path}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: policy.adherence = "), out.stderr
    assert out.stdout == ""
    assert not any(tmp_path.rglob("*"))
