"""Today reproduced? Observed bands against a run's CIs, the observed config's validation and the
files and figure written."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import pyplot as plt
from matplotlib.patches import Rectangle

from sim.analysis.figures.observed import observed_figure as figure
from sim.analysis.observed import (COLUMNS, INCONCLUSIVE, NOT_MEASURED, NOT_REPRODUCED,
                                   REPRODUCED, band_text, judge, reproduced, to_markdown, to_text)
from sim.analysis.publish import write_observed
from sim.api import compose_config
from sim.config import ConfigError, validate

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WITH_FIXTURE = [f"hydra.searchpath=[file://{FIXTURES}]", "observed=fixture"]


@pytest.mark.parametrize("mean, lo, hi, low, high, expected", [
    (8.0, 7.5, 8.5, 7.0, 9.0, REPRODUCED),          # CI inside the band
    (8.0, 7.0, 9.0, 7.0, 9.0, REPRODUCED),          # touching the edges is inside
    (10.0, 9.5, 10.5, 7.0, 9.0, NOT_REPRODUCED),    # wholly above
    (6.0, 5.5, 6.5, 7.0, 9.0, NOT_REPRODUCED),      # wholly below
    (8.8, 8.5, 9.1, 7.0, 9.0, INCONCLUSIVE),        # straddles the upper edge
    (7.1, 6.8, 7.4, 7.0, 9.0, INCONCLUSIVE),        # straddles the lower edge
    (8.0, 6.0, 10.0, 7.0, 9.0, INCONCLUSIVE),       # wider than the band
    (0.85, 0.82, 0.88, 0.8, None, REPRODUCED),      # one-sided: >= 0.8
    (0.75, 0.72, 0.78, 0.8, None, NOT_REPRODUCED),
    (0.81, 0.78, 0.84, 0.8, np.nan, INCONCLUSIVE),
    (9.0, 8.0, 9.9, None, 10.0, REPRODUCED),        # one-sided: <= 10
    (12.0, 11.0, 13.0, None, 10.0, NOT_REPRODUCED),
    (8.0, np.nan, np.nan, 7.0, 9.0, REPRODUCED),    # one replication: the mean alone
    (9.5, np.nan, np.nan, 7.0, 9.0, NOT_REPRODUCED),
    (np.nan, np.nan, np.nan, 7.0, 9.0, NOT_MEASURED),
])
def test_verdicts(mean, lo, hi, low, high, expected):
    assert judge(mean, lo, hi, low, high) == expected


def _summary(rows: dict) -> pd.DataFrame:
    df = pd.DataFrame.from_dict(rows, orient="index",
                                columns=["mean", "ci_low", "ci_high", "sd", "n"])
    df.index.name = "kpi"
    return df


OBSERVED = {"district": "Testville", "figures": {
    "visits": {"kpi": "visits_per_resident_year", "low": 7.0, "high": 9.0, "value": 8.8,
               "year": 2019, "scope": "tianjin", "source": "calibration.md §1.1", "tag": "C",
               "text_en": "Visits per resident-year", "text_zh": "人均诊疗人次"},
    "first": {"kpi": "primary_first_contact", "low": 0.45, "high": 0.60, "scope": "survey",
              "source": "calibration.md §1.1", "tag": "A"},
    "chronic": {"kpi": "chronic_management", "low": 0.80, "source": "003 ch.1", "tag": "A"},
    "ambulance": {"kpi": "ambulance_response_mean", "high": 10.0, "source": "004", "tag": "A"},
    "hospital": {"kpi": "hospital_visit_share", "low": 0.52, "high": 0.62, "tag": "B"}}}
SUMMARY = _summary({"visits_per_resident_year": (7.6, 7.4, 7.8, 0.2, 5),
                    "primary_first_contact": (0.66, 0.64, 0.68, 0.01, 5),
                    "chronic_management": (0.79, 0.77, 0.81, 0.01, 5),
                    "ambulance_response_mean": (9.0, np.nan, np.nan, np.nan, 1),
                    "hospital_visit_share": (np.nan, np.nan, np.nan, np.nan, 0)})


def test_reproduced_table_reads_each_figures_kpi():
    table = reproduced(SUMMARY, OBSERVED)
    assert list(table.columns) == COLUMNS
    got = table.set_index("figure")["verdict"].to_dict()
    assert got == {"visits": REPRODUCED, "first": NOT_REPRODUCED, "chronic": INCONCLUSIVE,
                   "ambulance": REPRODUCED, "hospital": NOT_MEASURED}
    row = table.set_index("figure").loc["visits"]
    assert (row["mean"], row["ci_low"], row["n"], row["year"]) == (7.6, 7.4, 5, 2019)
    assert np.isnan(table.set_index("figure").loc["chronic", "high"])
    # a KPI the run lacks entirely is not measured too
    gone = reproduced(SUMMARY.drop("primary_first_contact"), OBSERVED).set_index("figure")
    assert gone.loc["first", "verdict"] == NOT_MEASURED and gone.loc["first", "n"] == 0


def test_text_and_markdown_show_bands_and_verdicts():
    table = reproduced(SUMMARY, OBSERVED)
    assert [band_text(lo, hi) for lo, hi in zip(table["low"], table["high"])] == \
        ["7–9", "0.45–0.6", "≥ 0.8", "≤ 10", "0.52–0.62"]
    lines = to_text(table).splitlines()
    assert len(lines) == 1 + len(table)
    assert "7.6 [7.4, 7.8]" in lines[1] and lines[1].endswith(REPRODUCED)
    assert lines[4].split()[-1] == REPRODUCED and "9 " in lines[4]     # n = 1: mean alone
    zh = to_markdown(table, "zh")
    assert "人均诊疗人次" in zh and "已复现" in zh and "未复现" in zh and "天津市，2019年" in zh
    assert "Visits per resident-year" in to_markdown(table, "en")


@pytest.mark.slow
def test_the_fixture_file_composes_validates_and_is_judged():
    cfg, sources = compose_config(WITH_FIXTURE)
    validate(cfg, sources)
    assert sources["observed"].endswith("observed/fixture.yaml")
    table = reproduced(SUMMARY, cfg.observed)
    assert table.set_index("figure")["verdict"].to_dict() == {"visits": REPRODUCED,
                                                              "chronic": INCONCLUSIVE}
    none, _ = compose_config(["observed=none"])       # the group's empty choice: no table
    assert none.observed.name == "none" and len(reproduced(SUMMARY, none.observed)) == 0


@pytest.mark.parametrize("key, value, allowed", [
    ("chronic.low", None, "at least one of low and high"),
    ("visits.low", 9.5, "must be >= low"),
    ("visits.scope", "mars", "allowed: district, tianjin, china, survey"),
    ("visits.tag", "", "allowed: A, B, C, derived, assumption"),
    ("visits.value", float("nan"), "finite number"),
    ("visits.kpi", "", "needs a KPI name"),
])
def test_bad_figures_are_refused_in_one_line_naming_key_and_file(key, value, allowed):
    cfg, sources = compose_config(WITH_FIXTURE)
    fid, field = key.split(".")
    cfg.observed.figures[fid][field] = value
    with pytest.raises(ConfigError) as info:
        validate(cfg, sources)
    msg = str(info.value)
    bad = "high" if allowed == "must be >= low" else field
    assert msg.startswith(f"observed.figures.{fid}.{bad} = ") and "\n" not in msg
    assert allowed in msg and "observed/fixture.yaml" in msg


def test_write_observed_writes_the_table_and_a_readable_figure(tmp_path):
    table = reproduced(SUMMARY, OBSERVED)
    paths = write_observed(table, tmp_path, figures=True, lang="zh", title="测试区")
    assert [p.name for p in paths] == ["observed.csv", "observed.png", "observed.svg"]
    back = pd.read_csv(tmp_path / "observed.csv")
    assert list(back.columns) == COLUMNS and list(back["verdict"]) == list(table["verdict"])
    assert not list(tmp_path.glob(".*.tmp"))                     # atomic: no temporaries left
    assert (tmp_path / "figures" / "observed.png").stat().st_size > 10_000
    assert write_observed(table, tmp_path / "nofig", figures=False)[0].exists()
    assert not (tmp_path / "nofig" / "figures").exists()


def test_figure_draws_one_axis_per_figure_in_its_own_units():
    table = reproduced(SUMMARY, OBSERVED)
    fig = figure(table, "Testville", "en")
    axes = fig.axes
    assert len(axes) == len(table) and fig._suptitle.get_text() == "Today reproduced? Testville"
    assert axes[0].get_title(loc="left").startswith("Visits per resident-year (Tianjin, 2019)")
    assert axes[0].get_xlabel() == "per resident per year"
    lo, hi = axes[0].get_xlim()
    assert lo < 7.0 and hi > 9.0 and hi < 20                     # its own axis, in visits
    # the open-ended band >= 0.8 is shaded to the axis' right edge
    span = next(p for p in axes[2].patches if isinstance(p, Rectangle))
    x0, x1 = span.get_x(), span.get_x() + span.get_width()
    assert np.isclose(x0, 0.8) and np.isclose(x1, axes[2].get_xlim()[1])
    right = [t.get_text() for t in axes[1].texts]
    assert NOT_REPRODUCED in right
    assert any(t.get_text() == NOT_MEASURED for t in axes[4].texts)
    plt.close(fig)
    zh = figure(table, "测试区", "zh")
    assert zh._suptitle.get_text() == "现状复现？测试区"
    assert zh.axes[0].get_title(loc="left").startswith("人均诊疗人次")
    plt.close(zh)


def test_a_known_gap_is_shown_with_its_verdict_and_only_when_not_reproduced():
    gapped = {"district": "Testville", "figures": {
        "first": {**OBSERVED["figures"]["first"], "gap": "no private clinics in the network"},
        "visits": {**OBSERVED["figures"]["visits"], "gap": "irrelevant: reproduced"}}}
    table = reproduced(SUMMARY, gapped)
    md = to_markdown(table, "en")
    assert "not reproduced (known gap: no private clinics in the network)" in md
    assert "irrelevant" not in md
    assert "known gap" in to_text(table).splitlines()[1]
