"""Figures: the CJK font, bilingual labels, the run's standard figures from its directory alone,
and the sweep figures, in English and Chinese."""
from __future__ import annotations

import io
import re
import shutil
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.text import Text

from sim.analysis import figures
from sim.analysis.figures.common import fmt as figure_number
from sim.analysis.figures.scorecard import scorecard_figure
from sim.analysis.fonts import CJK, cjk_font_path, use_cjk_font
from sim.analysis.labels import LANGS, PHRASES, kpi_label, kpi_unit, text
from sim.api import simulate

CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
FIGURES = ("waits", "daily", "flow", "map", "scorecard")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A small run in Chinese with figures on (and a home-bed lever, so every flow is drawn)."""
    out = tmp_path_factory.mktemp("run")
    simulate(["population.scale=0.02", "run.warmup_days=3", "run.horizon_days=14",
              "run.replications=2", "run.workers=1", "run.progress=false", "run.figures=true",
              "report.lang=zh", "policy=down_referral", "scenario.compare=false"], out_dir=out)
    return out


def _texts(fig: plt.Figure) -> list[str]:
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_text().strip()]


def _has_cjk(fig: plt.Figure) -> bool:
    return any(CJK_CHAR.search(t) for t in _texts(fig))


# -- font -----------------------------------------------------------------------------------

def _draw_chinese(names: list[str]) -> None:
    fig, ax = plt.subplots()
    ax.set_title("基层诊疗量占比 primary share")
    ax.set_xlabel("上转 / 下转（每万居民每年）")
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names)
    for fmt in ("png", "svg"):
        fig.savefig(io.BytesIO(), format=fmt)
    plt.close(fig)


def test_chinese_renders_from_the_packaged_font_without_missing_glyphs():
    use_cjk_font()
    use_cjk_font()                              # idempotent
    assert matplotlib.rcParams["font.family"][:2] == ["DejaVu Sans", CJK]
    assert cjk_font_path().is_file() and "mplfonts" in str(cjk_font_path())
    found = font_manager.fontManager.findfont(font_manager.FontProperties(family=CJK),
                                              fallback_to_default=False)
    assert Path(found).name == cjk_font_path().name
    names = ["东丽医院", "张贵庄街社区卫生服务中心", "华明街社区卫生服务站1"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _draw_chinese(names)
    # the check can fail: without the fallback the same drawing warns about missing glyphs
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}), \
            pytest.warns(UserWarning, match="Glyph .* missing"):
        _draw_chinese(names)


# -- labels ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_every_kpi_of_a_run_has_a_chinese_label_and_a_unit(run_dir):
    summary = pd.read_csv(run_dir / "summary.csv", index_col=0)
    assert {"health_circle_15min", "flow_first_primary", "home_beds_per_10k"} <= set(summary.index)
    for name in summary.index:
        zh, en = kpi_label(name, "zh"), kpi_label(name, "en")
        assert CJK_CHAR.search(zh), name
        assert en != name.replace("_", " ") and not CJK_CHAR.search(en), name
        assert kpi_unit(name, "en") and kpi_unit(name, "zh"), name


def test_labels_by_year_fallback_and_languages():
    assert kpi_label("primary_visit_share@2027", "zh") == "基层诊疗量占比（2027年）"
    assert kpi_label("primary_visit_share@2027", "en").endswith("(2027)")
    assert kpi_unit("primary_visit_share@2027", "en") == kpi_unit("primary_visit_share", "en")
    assert kpi_label("some_new_kpi", "zh") == "some new kpi"
    assert kpi_unit("wait_mean_hospital_beds_priority", "en") == "days"
    assert kpi_unit("wait_mean_hospital_beds", "en") == "minutes"
    assert kpi_label("wait_mean_hospital_outpatient_priority", "zh") == "集团医院门诊平均等候时间（优先）"
    assert text("Paired differences against {baseline}", "zh", baseline="基线") == "相对于基线的配对差异"
    assert text("not met", "zh") == "未达标" and text("Scorecard", "zh") == "目标评分卡"
    for key in ("Report", "What was run", "Key figures", "Assumptions", "Resolved configuration",
                "Scenario comparison", "Failed jobs", "met", "inconclusive", "not measured"):
        assert CJK_CHAR.search(text(key, "zh")) and text(key, "en") == key
    for en, zh in PHRASES.values():                # the same placeholders in both languages
        assert set(re.findall(r"{(\w+)", en)) == set(re.findall(r"{(\w+)", zh)), en
    with pytest.raises(ValueError, match="allowed: en, zh"):
        kpi_label("primary_visit_share", "fr")
    with pytest.raises(ValueError, match="allowed: en, zh"):
        text("Report", "de")
    assert LANGS == ("en", "zh")


# -- a run's figures ------------------------------------------------------------------------

@pytest.mark.slow
def test_a_run_writes_every_standard_figure_as_png_and_svg(run_dir):
    for name in FIGURES:
        png, svg = run_dir / "figures" / f"{name}.png", run_dir / "figures" / f"{name}.svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml"), name


@pytest.mark.slow
def test_standard_figures_need_only_the_run_directory(run_dir, tmp_path):
    for name in ("summary.csv", "timeseries.parquet", "config.resolved.yaml"):
        shutil.copy(run_dir / name, tmp_path / name)
    paths = figures.standard_figures(tmp_path, "en")
    assert {p.name for p in paths} == {f"{n}.{e}" for n in ("waits", "daily", "flow", "map")
                                       for e in ("png", "svg")}
    assert all(p.stat().st_size > 1000 for p in paths)


def _run_figures(run_dir: Path, lang: str) -> dict[str, plt.Figure]:
    run = figures.load_run(run_dir)
    card = pd.read_csv(run_dir / "scorecard.csv")
    return {"waits": figures.waits_figure(run.summary, lang, "x"),
            "daily": figures.daily_figure(run.series, run.config, lang, "x"),
            "flow": figures.flow_figure(run.summary, lang, "x"),
            "map": figures.map_figure(run.config, run.summary, lang, "x"),
            "scorecard": scorecard_figure(card, "dongli", lang)}


@pytest.mark.slow
def test_chinese_figures_speak_chinese_and_english_ones_english(run_dir):
    for lang in LANGS:
        for name, fig in _run_figures(run_dir, lang).items():
            assert _has_cjk(fig) == (lang == "zh"), (lang, name)
            plt.close(fig)


@pytest.mark.slow
def test_flow_diagram_shows_the_flow_kpis(run_dir):
    summary = pd.read_csv(run_dir / "summary.csv", index_col=0)
    fig = figures.flow_figure(summary, "zh", "x")
    shown = " ".join(_texts(fig))
    for kpi in ("flow_first_primary", "up_referrals_per_10k", "flow_admit", "flow_discharge_home"):
        assert figure_number(summary.loc[kpi, "mean"]) in shown, kpi
    assert "上转" in shown and "下转社区病床" in shown and "每万居民每年" in shown
    plt.close(fig)


@pytest.mark.slow
def test_map_draws_every_located_facility_and_the_circle_value(run_dir):
    run = figures.load_run(run_dir)
    fig = figures.map_figure(run.config, run.summary, "en", "x")
    ax = fig.axes[0]
    located = [f for f in run.config["network"]["facilities"].values() if f.get("location")]
    assert len(ax.collections) == len(located)            # one marker per facility
    reach = 15 / 60 * 4
    circles = [p for p in ax.patches if np.isclose(p.get_radius(), reach)]
    primary = [f for f in located if f["kind"] in ("centre", "station", "village")]
    assert len(circles) == len(primary)
    value = run.summary.loc["health_circle_15min", "mean"]
    assert f"{value:.1%}" in ax.get_title()
    assert ax.get_aspect() == 1.0
    plt.close(fig)


@pytest.mark.slow
def test_daily_figure_marks_openings_inside_the_period(run_dir):
    run = figures.load_run(run_dir)
    config = run.config
    dates = pd.to_datetime(run.series["date"])
    mid = dates.min() + (dates.max() - dates.min()) / 2
    fid = next(k for k, f in config["network"]["facilities"].items() if f["kind"] == "station")
    config["network"]["facilities"][fid]["opens"] = f"{mid:%Y-%m-%d}"
    events = figures.calendar_events(config, dates.min(), dates.max(), "zh")
    name = config["network"]["facilities"][fid]["name"]
    assert events == [(pd.Timestamp(f"{mid:%Y-%m-%d}"), f"{name}开业")]
    fig = figures.daily_figure(run.series, config, "zh", "x")
    lines = [ln for ln in fig.axes[0].lines if ln.get_linestyle() == "--"]
    assert len(lines) == 1
    assert any(f"{name}开业" in t for t in _texts(fig))
    plt.close(fig)


@pytest.mark.slow
def test_scorecard_chart_uses_the_targets_chinese_text(run_dir):
    card = pd.read_csv(run_dir / "scorecard.csv")
    fig = scorecard_figure(card, "东丽", "zh")
    titles = [ax.get_title(loc="left").replace("\n", "") for ax in fig.axes]
    assert len(titles) == len(card)
    for own, kind, title in zip(card["text_zh"], card["type"], titles):
        assert own in title and title.startswith(text(f"type:{kind}", "zh") + "｜"), own
    assert fig._suptitle.get_text() == "目标评分卡：东丽"
    plt.close(fig)


def test_scorecard_chart_draws_today_plan_and_threshold_in_the_kpis_units():
    from sim.analysis.scorecard import scorecard
    from omegaconf import OmegaConf
    kpis = lambda d: pd.DataFrame([(i, k, v) for k, vs in d.items()         # noqa: E731
                                   for i, v in enumerate(vs)],
                                  columns=["replication", "kpi", "value"])
    targets = OmegaConf.create({"targets": {
        "wait": {"kpi": "wait_mean_hospital_outpatient", "type": "reach", "comparison": "<=",
                 "threshold": 15.0},
        "share": {"kpi": "primary_visit_share", "type": "raise", "comparison": ">="}}})
    card = scorecard(kpis({"wait_mean_hospital_outpatient": [10, 11, 12, 11, 10.5],
                           "primary_visit_share": [0.45, 0.47, 0.46, 0.44, 0.48]}), targets,
                     today_kpis=kpis({"wait_mean_hospital_outpatient": [30, 33, 31, 32, 29],
                                      "primary_visit_share": [0.40, 0.42, 0.41, 0.39, 0.43]}))
    fig = scorecard_figure(card, "x", "en")
    wait, share = fig.axes
    assert wait.get_xlabel() == "minutes" and share.get_xlabel() == "share (0–1)"
    assert [t.get_text() for t in wait.get_yticklabels()] == ["plan", "today"]
    dashed = [ln for ln in wait.lines if ln.get_linestyle() == "--"]
    assert len(dashed) == 1 and np.allclose(dashed[0].get_xdata(), 15.0)
    lo, hi = wait.get_xlim()
    assert lo < 10 and hi > 33                      # today, plan and threshold all in view
    assert not [ln for ln in share.lines if ln.get_linestyle() == "--"]   # raise: no threshold
    right = " ".join(t.get_text() for t in share.texts)
    assert "met" in right and "Δ +0.05" in right
    plt.close(fig)


# -- sweep figures --------------------------------------------------------------------------

SCENARIOS = ["baseline", "policy=gatekeeping", "policy=plan_2027"]
KPIS = ["primary_visit_share", "wait_mean_hospital_outpatient", "up_referrals_per_10k"]


def _table(offset: float = 0.0) -> pd.DataFrame:
    rows = [(s, k, i + j + offset, i + j + offset - 0.5, i + j + offset + 0.5)
            for i, s in enumerate(SCENARIOS) for j, k in enumerate(KPIS)]
    return pd.DataFrame(rows, columns=["scenario", "kpi", "mean", "ci_low", "ci_high"])


def test_comparison_and_paired_figures(tmp_path):
    fig = figures.comparison_figure(_table(), KPIS, "zh")
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == len(KPIS)
    assert [t.get_text() for t in shown[0].get_yticklabels()] == SCENARIOS
    assert shown[0].get_title() == "基层诊疗量占比" and _has_cjk(fig)
    paths = figures.save(fig, tmp_path, "comparison")
    diffs = _table(offset=-1.0)
    fig = figures.paired_figure(diffs, KPIS, "baseline", "en")
    shown = [ax for ax in fig.axes if ax.get_visible()]
    labels = [t.get_text() for t in shown[0].get_yticklabels()]
    assert "baseline" not in labels and len(labels) == 2
    assert any(np.allclose(ln.get_xdata(), 0) for ln in shown[0].lines)     # the zero line
    assert "baseline" in fig._suptitle.get_text() and not _has_cjk(fig)
    paths += figures.save(fig, tmp_path, "paired")
    assert [p.suffix for p in paths] == [".png", ".svg"] * 2 and all(p.exists() for p in paths)


def test_response_figure_fits_the_slope(tmp_path):
    rng = np.random.default_rng(0)
    points = pd.DataFrame({"policy.adherence": rng.uniform(0, 1, 10),
                           "demand.rate_scale": rng.uniform(0.8, 1.2, 10)})
    points["primary_visit_share"] = 3.0 * points["policy.adherence"] + 0.1
    points["up_referrals_per_10k"] = -2.0 * points["demand.rate_scale"]
    fig = figures.response_figure(points, ["policy.adherence", "demand.rate_scale"],
                                ["primary_visit_share", "up_referrals_per_10k"], "zh")
    axes = np.array(fig.axes).reshape(2, 2)
    assert axes[0, 0].get_title() == "斜率 3"
    assert axes[1, 1].get_title() == "斜率 -2"
    assert axes[1, 0].get_xlabel() == "policy.adherence" and "基层诊疗量占比" in \
        axes[0, 0].get_ylabel()
    paths = figures.save(fig, tmp_path, "response")
    assert all(p.exists() for p in paths)


# -- no global state, and figures that answer the planner's question ------------------------

@pytest.mark.slow
def test_importing_the_figures_package_changes_no_matplotlib_state():
    """Importing (and drawing) leaves the backend and every rcParam as they were."""
    import subprocess
    import sys
    code = ("import matplotlib, sys\n"
            "before = matplotlib.rcParams.copy()\n"
            "import sim.analysis.figures, sim.analysis.scorecard\n"
            "import sim.analysis.observed, sim.analysis.compare, sim.analysis.publish\n"
            "after = matplotlib.rcParams.copy()\n"
            "changed = [k for k in before if before[k] != after[k]]\n"
            "assert not changed, changed\n"
            "assert 'matplotlib.pyplot' not in sys.modules\n"
            "print(dict.__getitem__(after, 'backend') is dict.__getitem__(before, 'backend'))\n")
    env = {k: v for k, v in __import__("os").environ.items() if k != "MPLBACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=Path(__file__).parents[1])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def _waits_summary() -> pd.DataFrame:
    rows = {"wait_mean_hospital_outpatient": (20.0, 15.0, 25.0),
            "wait_mean_external_outpatient": (0.0, 0.0, 0.0),        # unlimited: always 0
            "wait_mean_external_beds": (0.0, 0.0, 0.0),
            "wait_mean_centre_rehab_beds": (0.0, 0.0, 0.0)}           # every bed wait 0
    return pd.DataFrame.from_dict(rows, orient="index", columns=["mean", "ci_low", "ci_high"])


def test_drawing_leaves_rcparams_alone_and_waits_show_zero_not_blank():
    matplotlib.get_backend()       # matplotlib resolves its backend on first use: not our change
    before = matplotlib.rcParams.copy()
    fig = figures.waits_figure(_waits_summary(), "zh", "x")
    assert not [k for k in before if before[k] != matplotlib.rcParams[k]]
    minutes, days = fig.axes
    beside = {t.get_text() for t in minutes.texts}
    assert beside == {"20", "0"} and len(minutes.texts) == 2      # the unlimited one says 0
    assert [t.get_text() for t in days.texts] == ["0", "0"]
    assert days.get_xlim()[0] == 0 and days.get_xlim()[1] > 0      # no axis around zero
    assert minutes.get_xlim()[0] == 0
    assert _has_cjk(fig)


@pytest.mark.slow
def test_flow_figure_accounts_for_every_first_contact(run_dir):
    """First contacts = resolved at primary + settled remotely + resolved at hospital + at the
    ED + admitted, in the KPIs and in the numbers the figure prints."""
    from sim.analysis.figures.flow import ENDS, FIRST_CONTACTS
    summary = pd.read_csv(run_dir / "summary.csv", index_col=0)
    firsts = summary.loc[list(FIRST_CONTACTS), "mean"].sum()
    ends = summary.loc[list(ENDS), "mean"]
    assert firsts > 0 and (ends >= 0).all()
    assert ends.sum() == pytest.approx(firsts, rel=1e-9)
    assert summary.loc["flow_resolved_primary", "mean"] > 0.5 * summary.loc[
        "flow_first_primary", "mean"]                               # most end at primary care
    for lang in LANGS:
        fig = figures.flow_figure(summary, lang, "x")
        fig.canvas.draw()
        texts = {t.get_gid(): t.get_text() for t in fig.findobj(Text) if t.get_gid()}
        balance = texts["flow:balance"].replace("\n", " ")
        left, right = balance.split("=")
        number = re.compile(r"\d[\d,]*(?:\.\d+)?")
        lhs = [float(n.replace(",", "")) for n in number.findall(left.split("：")[-1]
                                                                  .split(":")[-1])]
        rhs = [float(n.replace(",", "")) for n in number.findall(right)][:len(ENDS)]
        assert len(lhs) == 3 and len(rhs) == len(ENDS)
        assert sum(lhs) == pytest.approx(sum(rhs), abs=0.5 * (len(lhs) + len(rhs)))
        for box, shown in zip(("P", "H", "E", "RP", "REM", "RH", "RE"), lhs + rhs):
            assert figure_number(shown) in texts[f"flow:{box}"], box
        for box, text_ in texts.items():                         # a CI on every non-zero box
            if box.startswith("flow:") and box != "flow:balance" and "\n0" not in text_:
                assert re.search(r"\[[\d,.]+, [\d,.]+\]", text_), (box, text_)


@pytest.mark.slow
def test_map_says_schematic_and_no_two_labels_overlap(run_dir):
    from sim.analysis.figures.map import _overlap
    run = figures.load_run(run_dir)
    for lang in LANGS:
        fig = figures.map_figure(run.config, run.summary, lang, "x")
        ax = fig.axes[0]
        assert text("schematic_locations", lang) in ax.get_xlabel()
        renderer = fig.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in ax.texts]
        assert len(boxes) >= 10
        for i, b in enumerate(boxes):
            assert _overlap(b, boxes[i + 1:]) == 0, ax.texts[i].get_text()
    run.config["network"]["locations"] = "surveyed"
    fig = figures.map_figure(run.config, run.summary, "en", "x")
    assert "schematic" not in fig.axes[0].get_xlabel()


def _ticks_apart(fig: plt.Figure) -> bool:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
        if any(a.overlaps(b) for a, b in zip(boxes, boxes[1:])):
            return False
    return True


def test_sweep_figures_explain_colours_keep_ticks_apart_and_say_things_once():
    big = _table()
    big[["mean", "ci_low", "ci_high"]] *= 123_456.7                 # wide numbers, narrow panels
    fig = figures.comparison_figure(big, KPIS, "en")
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["mean and 95% CI"]
    assert _ticks_apart(fig)
    diffs = _table(offset=-1.0)
    diffs.loc[0, ["ci_low", "ci_high"]] = [-1, 1]
    for lang in LANGS:
        fig = figures.paired_figure(diffs, KPIS, "baseline", lang)
        keys = [t.get_text() for t in fig.legends[0].get_texts()]
        assert keys == [text("ci_clear_of_zero", lang), text("ci_contains_zero", lang)]
        assert fig._suptitle.get_text().count("baseline") == 1
        assert _ticks_apart(fig)
    rng = np.random.default_rng(1)
    points = pd.DataFrame({"demand.rate_scale": rng.uniform(0.8, 1.2, 8)})
    points["flow_admit"] = 1e5 * points["demand.rate_scale"]
    fig = figures.response_figure(points, ["demand.rate_scale"], ["flow_admit"], "zh")
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["设计点", "最小二乘拟合线"]
    assert _ticks_apart(fig)
