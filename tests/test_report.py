"""Reports and comparisons read back from run folders (the output contract only)."""
from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.analysis.compare import compare
from sim.analysis.format import interval
from sim.analysis.observed import reproduced
from sim.analysis.publish import write_observed
from sim.analysis.report import write_run_report
from sim.analysis.scorecard import NOT_MEASURED, NOT_MET
from sim.analysis.sweep import find_jobs, paired_differences, select_baseline, verdicts
from sim.api import compose_config, simulate
from sim.compare import main as compare_main

pytestmark = pytest.mark.slow       # every test here reads the runs of one slow fixture


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Baseline and gatekeeping on the same seed, and the baseline on another seed."""
    from conftest import SMALL
    root = tmp_path_factory.mktemp("runs")
    for name, extra in {"base": [], "gate": ["policy=gatekeeping"],
                        "other_seed": ["run.seed=7"]}.items():
        figures = ["run.figures=true"] if name == "base" else []
        simulate(SMALL + extra + figures, out_dir=root / name)
    return root


def test_run_report_is_self_contained_and_bilingual(runs):
    page = (runs / "base" / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 3          # scorecard, flow, map, ...
    assert not re.search(r'src="(?!data:)', page)              # nothing fetched from elsewhere
    md = (runs / "base" / "report.md").read_text()
    for link in re.findall(r"\]\((figures/[^)]+)\)", md):
        assert (runs / "base" / link).exists()
    assert "## The plan against today" in md and "## Assumptions" in md
    assert "- raise: the plan must improve on today" in md          # the types, one line each
    observed = (runs / "base" / "observed.csv").exists()            # the preset's figures
    assert ("## Today reproduced?" in md) == observed
    if observed:
        assert md.index("## Today reproduced?") < md.index("## The plan against today")
    assumptions = pd.read_csv(runs / "base" / "assumptions.csv")
    row = assumptions[(assumptions.file == "configs/policy/baseline.yaml")
                      & (assumptions.key == "choice.speed_kmh")]
    assert len(row) == 1 and "assumption" in row.note.iloc[0]
    write_run_report(runs / "base", "zh")
    zh = (runs / "base" / "report.md").read_text()
    assert "## 规划与现状对比" in zh and "## 假设" in zh and "基层诊疗量占比" in zh
    assert "# 报告：东丽区，政策：现状（基线）" in zh and "| 政策 | 现状（基线） |" in zh
    assert "缩减规模运行" in zh and "Reduced run" not in zh
    card = (runs / "base" / "scorecard.md").read_text().splitlines()
    assert card[2].startswith("> Reduced run (population.scale=")   # right under the title


def test_run_report_explains_itself_lists_every_kpi_and_links_its_config(runs):
    write_run_report(runs / "base", "en")
    md = (runs / "base" / "report.md").read_text()
    how = md.index("## How to read this report")
    assert how < md.index("## The plan against today")
    for start in ("- Intervals:", "- Verdicts:", "- Paired differences:", "- Scale:", "- Units:"):
        assert start in md[how:]
    assert "[The resolved configuration (every setting of this run): config.resolved.yaml]" \
           "(config.resolved.yaml)" in md
    assert "```yaml" not in md and "results_dir:" not in md        # linked, not inline
    assert len(md) < 60_000
    every = md[md.index("## All KPIs"):md.index("## Assumptions")]
    summary = pd.read_csv(runs / "base" / "summary.csv", index_col="kpi")
    rows = {r.split(" | ")[-1].rstrip(" |"): r for r in every.splitlines() if r.startswith("| ")}
    assert set(summary.index) <= set(rows)                          # every KPI, not only 13
    r = summary.loc["wait_mean_hospital_outpatient"]
    assert rows["wait_mean_hospital_outpatient"].startswith(
        "| Mean wait: group hospital outpatient | minutes | "
        + interval(r["mean"], r.ci_low, r.ci_high))
    assert "| Episodes arrived | patients (whole run, modelled) |" in rows["arrived"]
    assert "e+0" not in every


def test_paired_differences_use_common_random_numbers(runs, tmp_path):
    jobs = find_jobs([runs])
    base = select_baseline(jobs, "base")
    diffs = paired_differences(jobs, base).set_index(["job", "kpi"])
    assert diffs.loc[("gate", "primary_first_contact"), "paired"]
    assert not diffs.loc[("other_seed", "primary_first_contact"), "paired"]
    assert diffs.loc[("gate", "primary_first_contact"), "mean"] > 0
    # a run paired with its own copy differs by exactly 0, replication by replication
    copy = tmp_path / "copy"
    shutil.copytree(runs / "base", copy)
    both = find_jobs([runs / "base", copy])
    same = paired_differences(both, both[0]).dropna(subset=["ci_low"])
    assert len(same) > 50 and same.paired.all()
    assert (same["mean"] == 0).all() and (same.ci_low == 0).all() and (same.ci_high == 0).all()


def test_compare_across_sweeps_names_jobs_by_folder(runs, tmp_path):
    result = compare([runs / "base", runs / "gate"], tmp_path, baseline="base/base")
    assert result.complete == 2 and result.baseline.name == "base/base"
    table = pd.read_csv(tmp_path / "sweep_summary.csv")
    assert set(table.job) == {"base/base", "gate/gate"}
    assert (tmp_path / "figures" / "comparison.png").exists()
    assert (tmp_path / "report.html").exists()


def test_compare_command_prints_each_jobs_kpis_and_paired_differences(runs, tmp_path, capsys):
    assert compare_main([str(runs / "base"), str(runs / "gate"), "--out", str(tmp_path),
                         "--baseline", "base/base"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 complete, 0 failed, 0 incomplete\n")
    table = pd.read_csv(tmp_path / "sweep_summary.csv").set_index(["job", "kpi"])
    diffs = pd.read_csv(tmp_path / "paired_differences.csv").set_index(["job", "kpi"])
    head = out[:out.index("paired differences from base/base")]
    for job in ("base/base", "gate/gate"):
        r = table.loc[(job, "primary_first_contact")]
        assert interval(r["mean"], r.ci_low, r.ci_high) in head
    d = diffs.loc[("gate/gate", "primary_first_contact")]
    line = next(x for x in out[len(head):].splitlines() if x.startswith("primary_first_contact"))
    assert interval(d["mean"], d.ci_low, d.ci_high, sign=True) in line
    assert line.split()[1].startswith("+") and line.endswith("share")
    assert str(tmp_path / "report.html") in out


def test_compare_command_refuses_clearly(runs, tmp_path, capsys):
    assert compare_main([str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.startswith("error: no such sweep or run directory")
    assert compare_main([str(runs), "--baseline", "policy=nope"]) == 2
    err = capsys.readouterr().err
    assert "compare.baseline" in err and "gate" in err and err.count("\n") == 1


def test_run_report_shows_today_reproduced_then_the_plan(runs, tmp_path):
    """A run folder with observed.csv: its table and figure come before the scorecard."""
    from test_observed import WITH_FIXTURE
    run = tmp_path / "run"
    shutil.copytree(runs / "base", run)
    cfg, _ = compose_config(WITH_FIXTURE)
    summary = pd.read_csv(run / "summary.csv", index_col="kpi")
    table = reproduced(summary, cfg.observed)
    write_observed(table, run, figures=True, lang="zh", title="测试区")
    write_run_report(run, "zh")
    md = (run / "report.md").read_text()
    today, plan = md.index("## 现状复现？"), md.index("## 规划与现状对比")
    assert today < plan and md.index("figures/observed.png") < plan
    assert md.count("figures/observed.png") == 1 and md.count("figures/scorecard.png") == 1
    assert "人均诊疗人次" in md and "7–9（公布值 8.8）" in md and "天津市，2019年" in md
    r = summary.loc["visits_per_resident_year"]
    assert interval(r["mean"], r.ci_low, r.ci_high) in md[today:plan]
    page = (run / "report.html").read_text()
    assert "现状复现？" in page and "<ul><li>" in page


def test_verdicts_score_each_job_against_the_baseline_as_today(runs, tmp_path):
    """verdicts.csv recomputes each job's scorecard from its kpis.csv; a raise target is judged
    against the baseline when the job shares its random numbers, else not measured."""
    root = tmp_path / "sweep"
    for name in ("base", "gate", "other_seed"):
        shutil.copytree(runs / name, root / name)
        path = root / name / "config.resolved.yaml"
        cfg = OmegaConf.load(path)
        cfg.targets.targets["first_contact_up"] = {"kpi": "primary_first_contact",
                                                   "type": "raise", "comparison": ">="}
        OmegaConf.save(cfg, path)
    jobs = find_jobs([root])
    base = select_baseline(jobs, "base")
    marks = verdicts(jobs, base)
    assert set(marks.columns) == {"base", "gate", "other_seed"}
    own = pd.read_csv(runs / "gate" / "scorecard.csv").set_index("target")
    judged = own.index[own["type"] != "raise"]                # these need no today: as the run
    assert (marks.loc[judged, "gate"] == own.loc[judged, "verdict"]).all()
    assert marks.loc["first_contact_up", "base"] == NOT_MET   # itself: a difference of exactly 0
    assert marks.loc["first_contact_up", "other_seed"] == NOT_MEASURED   # no common numbers
    assert marks.loc["first_contact_up", "gate"] != NOT_MEASURED

    # a job that ran today and the plan (plan/ inside it) is scored on its own pair
    pair = tmp_path / "pair" / "job"
    shutil.copytree(root / "base", pair)
    shutil.copytree(root / "gate", pair / "plan")
    (pair / "plan" / "summary.json").unlink()
    shutil.rmtree(pair / "plan" / ".hydra", ignore_errors=True)
    own_pair = verdicts(find_jobs([pair.parent]))["job"]
    assert own_pair.equals(marks["gate"].rename("job"))
