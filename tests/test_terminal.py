"""The terminal (issue 15, item 2): a header saying what runs and where, a progress bar that says
it counts replication-days, KPIs with units and numbers formatted for people, rules with units,
the elapsed time at the end."""
from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.format import (estimate, interval, number, plain, rule,
                                 short_unit)
from sim.api import compose_config
from sim.metrics.catalogue import UNITS
from sim.terminal import elapsed, header, kpi_table

ROOT = Path(__file__).resolve().parent.parent
NAN = math.nan


@pytest.mark.parametrize("x, text", [(5.277e6, "5,277,000"), (5277123.0, "5,277,000"),
                                     (0.6868, "0.6868"), (68.68, "68.68"), (3.7, "3.7"),
                                     (1704.3, "1,704"), (1.23456e-5, "0.00001235"),
                                     (-0.00001, "-0.00001"), (0, "0"), (NAN, "–"), ("x", "–"),
                                     (123456789012.0, "123,500,000,000")])
def test_numbers_have_no_exponent_and_at_most_four_significant_digits(x, text):
    assert number(x) == text


@pytest.mark.parametrize("mean, lo, hi, shown", [
    (68.68, 0.0, 352.4, ("68.7", "[0.0, 352.4]")),            # 3 digits; the CI is wide
    (0.68712, 0.6753, 0.6989, ("0.687", "[0.675, 0.699]")),
    (0.68712, 0.68701, 0.68723, ("0.68712", "[0.68701, 0.68723]")),   # narrow CI: more digits
    (5277000.0, 5261234.0, 5292766.0, ("5,277,000", "[5,261,000, 5,293,000]")),
    (857027.0, 857027.0, 857027.0, ("857,027", "[857,027, 857,027]")),  # all alike: exact
    (0.9333, NAN, NAN, ("0.9333", "–")),                      # one replication
    (0.0, 0.0, 0.0, ("0", "[0, 0]")),
    (-0.2, -5.0, 4.6, ("-0.2", "[-5.0, 4.6]")),
    (7.6, 7.4, 7.8, ("7.6", "[7.4, 7.8]")),                   # zeros all three share: dropped
    (0.6, 0.5018, 0.6982, ("0.600", "[0.502, 0.698]")),        # ... not when one needs them
])
def test_an_estimate_and_its_interval_share_one_decimal_place(mean, lo, hi, shown):
    assert estimate(mean, lo, hi) == shown


def test_an_interval_in_one_string_with_signs_for_differences():
    assert interval(0.0123, -0.004, 0.0286, sign=True) == "+0.0123 [-0.0040, +0.0286]"
    assert interval(0.9333) == "0.9333" and interval(NAN, 0.0, 1.0) == "–"


def test_rules_and_units():
    assert rule("wait_mean_centre_gp", "<=", 5) == "<= 5 min"
    assert rule("primary_visit_share", ">=", 0.65) == ">= 0.65"        # a share needs no unit
    assert rule("up_referrals_per_10k", ">=", 1200.0) == ">= 1,200 per 10k/yr"
    assert rule("admission_wait_referred", "<=", 2.5, "zh") == "<= 2.5 天"
    assert plain(0.8) == "0.8" and plain(857027) == "857,027"
    assert all(len(forms) == 5 and all(forms[:4]) for forms in UNITS.values())   # short forms too
    assert short_unit("wait_mean_hospital_beds_priority") == "days"
    assert short_unit("no_such_kpi") == ""


def _summary(rows: dict[str, tuple]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=["mean", "ci_low", "ci_high", "sd", "n", "ci_note"])


def test_kpi_table_has_units_marks_clipped_intervals_and_says_when_there_is_no_interval():
    table = kpi_table(_summary({
        "wait_mean_hospital_beds": (68.68, 0.0, 352.4, 100.0, 5, "clipped at 0"),
        "arrived": (5.277e6, 5.26e6, 5.29e6, 1e4, 5, ""),
        "primary_visit_share": (0.687, 0.675, 0.699, 0.01, 5, "")}),
        ["primary_visit_share", "wait_mean_hospital_beds", "arrived", "absent_kpi"])
    lines = table.splitlines()
    assert lines[0].split() == ["KPI", "mean", "95%", "CI", "unit"]
    assert re.search(r"wait_mean_hospital_beds\s+68\.7\s+\[0\.0, 352\.4\]\*\s+min$", lines[2])
    assert re.search(r"arrived\s+5,277,000\s+\[5,260,000, 5,290,000\]\s+patients$", lines[3])
    assert "e+0" not in table and "absent_kpi" not in table
    assert lines[-1].startswith("* clipped at the quantity's limit")
    one = kpi_table(_summary({"arrived": (130.0, NAN, NAN, NAN, 1, "")}), ["arrived"])
    assert "[nan" not in one and one.splitlines()[-1].startswith(
        "no intervals: 1 replication; an interval needs at least 2")


def test_header_names_what_runs_and_where():
    cfg, _ = compose_config(["population.scale=0.05", "run.replications=3",
                             "run.start_date=2026-03-01", "run.horizon_days=30"])
    text = header(cfg, "results/runs/x", workers=2, choices={"plan": "tianjin_2027"})
    n = len(cfg.targets.targets)
    assert text.splitlines() == [
        "preset       dongli (network dongli)",
        "city plan    tianjin_2027",
        f'targets      003 东丽区卫生健康"十五五"规划 ({n} targets)',
        "policy       baseline",
        "residents    857,027 × scale 0.05 = 42,851 modelled",
        "period       2026-03-01 – 2026-03-30 (30 days) after 30 days of warm-up",
        "replications 3 on 2 workers, seed 20251",
        "output       results/runs/x"]
    both = header(cfg, None, workers=1, compare=True).splitlines()
    assert both[3:5] == [f"today        {cfg.scenario.today}",
                         f"plan         {cfg.scenario.plan}: "
                         f"{' '.join(cfg.scenario.plan_overrides)}, same random numbers"]
    assert both[-1] == "replications 3 on 1 worker, seed 20251"


def test_elapsed_reads_as_minutes_and_seconds(monkeypatch):
    import sim.terminal as terminal
    monkeypatch.setattr(terminal.time, "monotonic", lambda: 1000.0 + 203.4)
    assert elapsed(1000.0) == "finished in 3 min 23 s"
    monkeypatch.setattr(terminal.time, "monotonic", lambda: 1000.0 + 12.34)
    assert elapsed(1000.0) == "finished in 12.3 s"


@pytest.mark.slow
def test_a_run_prints_its_header_a_bar_of_replication_days_units_and_its_time(tmp_path):
    out = subprocess.run([sys.executable, "-m", "sim", "population.scale=0.01", "run.warmup_days=2",
                          "run.horizon_days=7", "run.replications=2", "run.workers=2",
                          "run.figures=false", f"results_dir={tmp_path}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    header = lines[:lines.index("")]
    rows = {line[:13].strip(): line[13:] for line in header}
    assert header[0].startswith("preset       dongli") and rows["replications"].startswith("2 on 2")
    assert rows["output"] == str(next(tmp_path.glob("runs/*/*")))
    table = lines[lines.index(next(line for line in lines if line.startswith("KPI "))):]
    assert re.search(r"^wait_mean_centre_gp\s+\S+\s+(\[.*\]\*?|–)\s+min$", "\n".join(table), re.M)
    assert re.search(r"^finished in \d", lines[-1])
    scenarios = 2 if "plan" in rows else 1                 # today, and the plan if it runs too
    total = scenarios * 2 * (2 + 7)                        # replications × days, warm-up included
    bar = out.stderr.replace("\r", "\n").strip().splitlines()[-1]
    assert f"{total}/{total} replication-days" in bar and "100%" in bar
