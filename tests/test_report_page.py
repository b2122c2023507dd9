"""The report page without a simulation (issue 15, items 6, 8, 9): the embedded subset font,
links, display names in both languages, a sweep's shared progress count and its printed
comparison."""
from __future__ import annotations

import base64
import io
import multiprocessing
import re
from pathlib import Path

import pandas as pd
import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from omegaconf import OmegaConf

from sim.analysis.labels import NAMES, name_label, override_label
from sim.analysis.report import Block, render_html, render_markdown
from sim.runner import progress
from sim.terminal import comparison_text, job_done

ROOT = Path(__file__).resolve().parent.parent
FONT = re.compile(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)")


def _page(blocks: list[Block], tmp_path: Path) -> str:
    return render_html(blocks, "zh", tmp_path)


def test_html_embeds_a_font_with_the_glyphs_the_page_needs(tmp_path):
    table = pd.DataFrame({"指标": ["基层诊疗量占比", "上转人次"], "均值": ["0.45 [0.44, 0.46]", "154"]})
    page = _page([Block("title", "报告：东丽区，政策：现状（基线）"),
                  Block("paragraph", "**缩减规模运行** ≥ 0.8 – 1"), Block("table", table)],
                 tmp_path)
    fonts = FONT.findall(page)
    assert len(fonts) == 1
    font = TTFont(io.BytesIO(base64.b64decode(fonts[0])))
    assert font.flavor == "woff"
    cmap = font.getBestCmap()
    wanted = {c for c in FONT.sub("", page) if re.match(r"[\u3000-\u9fff\uff00-\uffef]", c)}
    assert len(wanted) > 30 and {ord(c) for c in wanted} == set(cmap)   # those, no others:
    assert "≥" not in wanted and "–" not in wanted      # Latin punctuation keeps the Latin font
    glyphs = font.getGlyphSet()
    for c in "东丽区（":                                          # real outlines, not empty boxes
        pen = BoundsPen(glyphs)
        glyphs[cmap[ord(c)]].draw(pen)
        assert pen.bounds is not None and pen.bounds[2] > pen.bounds[0]
    assert len(fonts[0]) < 40_000                                 # a subset, not the 16 MB file
    assert 'font-family:"Report CJK"' in page and "<strong>缩减规模运行</strong>" in page


def test_a_cut_font_is_kept_on_disk_and_read_back_the_same(tmp_path, monkeypatch):
    """The subset is cut once per character set and machine: a later process reads the same
    bytes back; an unusable cache folder only means cutting again."""
    from sim.analysis import fonts
    chars = fonts.cjk_chars("东丽区现状")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fonts.subset_woff.cache_clear()
    cut = fonts.subset_woff(chars)
    assert [p.read_bytes() for p in fonts.cache_dir().iterdir()] == [cut]
    fonts.subset_woff.cache_clear()                 # as a new process: no cutting this time
    monkeypatch.setattr(fonts, "_cut", lambda chars: pytest.fail("cut again"))
    assert fonts.subset_woff(chars) == cut
    monkeypatch.undo()
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))   # not a folder
    fonts.subset_woff.cache_clear()
    assert fonts.subset_woff(chars) == cut
    fonts.subset_woff.cache_clear()


def test_an_ascii_page_embeds_no_font_and_links_stay_relative(tmp_path):
    blocks = [Block("title", "Report"), Block("link", tmp_path / "config.resolved.yaml",
                                              "The resolved configuration")]
    page = _page(blocks, tmp_path)
    assert "@font-face" not in page
    assert '<a href="config.resolved.yaml">The resolved configuration</a>' in page
    md = render_markdown(blocks, tmp_path)
    assert "[The resolved configuration](config.resolved.yaml)" in md


def test_every_preset_network_and_policy_has_a_chinese_name():
    names = {OmegaConf.load(p).get(key) for folder, key in
             (("preset", "preset"), ("network", "name"), ("policy", "name"))
             for p in (ROOT / "configs" / folder).glob("*.yaml")}
    names.discard(None)
    assert names and names <= set(NAMES), names - set(NAMES)
    assert all(re.search(r"[\u4e00-\u9fff]", name_label(n, "zh")) for n in names)
    assert name_label("gatekeeping", "en") == "gatekeeping" and name_label("x_y", "zh") == "x_y"
    assert override_label("policy=gatekeeping,run.seed=3", "zh") == "政策=基层首诊，run.seed=3"


def _finish(args: tuple[Path, int]) -> int:
    sweep, i = args
    return progress.finished(sweep, f"job{i}", "complete", 1.0)[0]


def test_jobs_in_separate_processes_count_each_end_once(tmp_path):
    progress.start(tmp_path, 6, ["run=quick"])
    with multiprocessing.get_context("fork").Pool(3) as pool:
        counts = pool.map(_finish, [(tmp_path, i) for i in range(6)])
    assert sorted(counts) == [1, 2, 3, 4, 5, 6]
    head = progress.header(tmp_path)
    assert head["total"] == 6 and head["common"] == ["run=quick"]
    assert progress.job_name(["policy=x", "run=quick"], head["common"], "f") == "policy=x"
    assert job_done(2, 6, "policy=x", "complete", 41.23, 63.0) == (
        "[2/6 jobs, 1 min 3 s] policy=x: complete in 41.2 s")
    assert job_done(2, None, "policy=x", "failed", 3.0, None) == (
        "[2 jobs] policy=x: failed in 3.0 s")
    assert job_done(1, 2, "policy=x", "reused", None, 0.5) == (
        "[1/2 jobs, 0.5 s] policy=x: reused")


def test_comparison_text_shows_each_job_and_its_paired_difference():
    table = pd.DataFrame({"job": ["a", "a", "b", "b", "c"],
                          "status": ["complete"] * 4 + ["failed"],
                          "kpi": ["primary_visit_share", "arrived"] * 2 + [None],
                          "mean": [0.4462, 54890.0, 0.7954, 56290.0, None],
                          "ci_low": [0.4372, 54760.0, 0.7856, 56140.0, None],
                          "ci_high": [0.4551, 55030.0, 0.8051, 56440.0, None]})
    diffs = pd.DataFrame({"job": ["b", "b"], "kpi": ["primary_visit_share", "arrived"],
                          "mean": [0.3492, 1394.0], "ci_low": [0.3461, 1334.0],
                          "ci_high": [0.3523, 1453.0]})
    out = comparison_text(table, diffs, ["primary_visit_share", "arrived", "absent"], "a")
    lines = out.splitlines()
    assert lines[0] == "KPIs, mean [95% CI]" and lines[1].split() == ["KPI", "a", "b", "unit"]
    assert re.fullmatch(r"primary_visit_share\s+0\.4462 \[0\.4372, 0\.4551\]\s+"
                        r"0\.7954 \[0\.7856, 0\.8051\]\s+share", lines[2])
    assert "paired differences from a, mean [95% CI]" in out and " c " not in out
    assert re.search(r"arrived\s+\+1,394 \[\+1,334, \+1,453\]\s+patients$", out)
    assert "absent" not in out
