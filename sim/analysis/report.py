"""The readable report of a run or a sweep: ``report.md`` and a self-contained ``report.html``.

Built from the output contract only, as a list of blocks rendered twice (Markdown beside the
figures, HTML with the figures embedded), in English or Chinese (``report.lang``)."""
from __future__ import annotations

import base64
import html
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.format import interval
from sim.analysis.labels import kpi_label, kpi_unit, name_label, text
from sim.analysis.scale import warning as scale_warning
from sim.domain.clock import measured_period
from sim.runner.outputs import PLAN_DIR, write_text

HEADLINE = ("primary_visit_share", "primary_first_contact", "up_referrals_per_10k",
            "down_referrals_per_10k", "down_up_ratio", "wait_mean_centre_gp",
            "wait_mean_hospital_outpatient", "wait_mean_hospital_beds",
            "hospital_bed_occupancy", "bed_blocking_days", "visits_per_resident_year",
            "health_circle_15min", "arrived")
FIGURE_ORDER = ("observed", "scorecard", "flow", "map", "daily", "capacity", "waits", "comparison",
                "paired", "response")


@dataclass
class Block:
    """A piece of a report: ``kind`` is title, heading, paragraph, list, table, figure or link
    (``body`` a file beside the report, ``caption`` its text)."""
    kind: str
    body: Any
    caption: str = ""


def render_markdown(blocks: list[Block], base: Path) -> str:
    """Markdown with figures linked relative to ``base`` (the report's folder)."""
    out = []
    for b in blocks:
        if b.kind == "title":
            out.append(f"# {b.body}")
        elif b.kind == "heading":
            out.append(f"## {b.body}")
        elif b.kind == "paragraph":
            out.append(b.body)
        elif b.kind == "list":
            out.append("\n".join(f"- {item}" for item in b.body))
        elif b.kind == "table":
            out.append(_md_table(b.body))
        elif b.kind == "figure":
            out.append(f"![{b.caption}]({Path(b.body).relative_to(base).as_posix()})")
        elif b.kind == "link":
            out.append(f"[{b.caption}]({_relative(b.body, base)})")
    return "\n\n".join(out) + "\n"


def _relative(path: Path, base: Path) -> str:
    """``path`` as a link from the report's folder ``base`` (relative, forward slashes)."""
    return Path(os.path.relpath(Path(path), Path(base))).as_posix()


def _md_table(frame: pd.DataFrame) -> str:
    cells = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    return "\n".join([head, rule] + ["| " + " | ".join(r) + " |" for r in cells])


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return "–" if not np.isfinite(v) else f"{v:.4g}"
    return str(v).replace("|", "\\|").replace("\n", " ")


FONT_FAMILY = "Report CJK"          # the subset of Noto Sans CJK SC embedded in each page
STYLE = """body{font-family:"%s",system-ui,"Noto Sans CJK SC","Source Han Sans SC",
"PingFang SC","Microsoft YaHei",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f2f2f2}img{max-width:100%%;margin:0.5em 0}figcaption{color:#555;font-size:0.9em}
""" % FONT_FAMILY


def render_html(blocks: list[Block], lang: str, base: Path | None = None) -> str:
    """One self-contained HTML file: figures embedded as base64 PNG, and the page's Chinese
    characters as an embedded subset font, so it reads the same on a machine without CJK
    fonts; links relative to ``base`` (the report's folder)."""
    title = next((b.body for b in blocks if b.kind == "title"), "report")
    body = "\n".join(_html_block(b, base) for b in blocks)
    from sim.analysis.fonts import cjk_chars, font_face_css
    font = font_face_css(cjk_chars(title + body), FONT_FAMILY)
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
            f'<meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{font}\n{STYLE}</style></head><body>\n"
            f"{body}\n</body></html>")


def _html_block(b: Block, base: Path | None) -> str:
    if b.kind == "title":
        return f"<h1>{html.escape(b.body)}</h1>"
    if b.kind == "heading":
        return f"<h2>{html.escape(b.body)}</h2>"
    if b.kind == "paragraph":
        return f"<p>{_html_inline(b.body)}</p>"
    if b.kind == "list":
        return "<ul>" + "".join(f"<li>{_html_inline(i)}</li>" for i in b.body) + "</ul>"
    if b.kind == "table":
        return b.body.to_html(index=False, na_rep="–", border=0,
                              float_format=lambda v: f"{v:.4g}")
    if b.kind == "figure":
        data = base64.b64encode(Path(b.body).read_bytes()).decode("ascii")
        return (f'<figure><img alt="{html.escape(b.caption)}" '
                f'src="data:image/png;base64,{data}"><figcaption>'
                f"{html.escape(b.caption)}</figcaption></figure>")
    if b.kind == "link":
        href = _relative(b.body, base) if base is not None else Path(b.body).as_posix()
        return f'<p><a href="{html.escape(href)}">{html.escape(b.caption)}</a></p>'
    raise ValueError(f"report block kind {b.kind!r}: unknown")


def _html_inline(s: str) -> str:
    """Escaped text with Markdown's ``**bold**`` as <strong> (paragraphs are written once for
    both formats)."""
    parts = html.escape(s).split("**")
    return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))


def write_report(blocks: list[Block], out_dir: Path, lang: str) -> list[Path]:
    """``report.md`` and ``report.html`` in ``out_dir``, each written atomically."""
    out_dir = Path(out_dir)
    md, page = out_dir / "report.md", out_dir / "report.html"
    write_text(md, render_markdown(blocks, out_dir))
    write_text(page, render_html(blocks, lang, out_dir))
    return [md, page]


# -- content ------------------------------------------------------------------------------

def ci_text(mean: float, lo: float, hi: float) -> str:
    """``mean [low, high]`` as everywhere else (no exponents, one precision per estimate)."""
    return interval(mean, lo, hi)


def how_to_read(lang: str) -> list[Block]:
    """What intervals, verdicts, paired differences, scale and units mean, one line each."""
    return [Block("heading", text("how_to_read", lang)),
            Block("list", [text(f"read:{k}", lang) for k in
                           ("intervals", "verdicts", "paired", "scale", "units")])]


def kpi_rows(summary: pd.DataFrame, names: list[str], lang: str,
             plan: pd.DataFrame | None = None) -> pd.DataFrame:
    """Label, unit, mean and 95% CI of the KPIs in ``names`` the summary has (and the plan's
    beside it when ``plan`` is given), and the KPI's identifier."""
    def cell(frame: pd.DataFrame, k: str) -> str:
        return ci_text(*frame.loc[k, ["mean", "ci_low", "ci_high"]]) if k in frame.index else "–"
    rows = [(kpi_label(k, lang), kpi_unit(k, lang), cell(summary, k))
            + ((cell(plan, k),) if plan is not None else ()) + (k,)
            for k in names if k in summary.index]
    means = ("today [95% CI]", "plan [95% CI]") if plan is not None else ("mean [95% CI]",)
    return pd.DataFrame(rows, columns=[text(c, lang) for c in ("KPI", "unit", *means, "id")])


def all_kpi_blocks(run_dir: Path, summary: pd.DataFrame, lang: str) -> list[Block]:
    """Every KPI of the run with its unit (today and the plan side by side when both ran)."""
    path = Path(run_dir) / PLAN_DIR / "summary.csv"
    plan = pd.read_csv(path, index_col="kpi") if path.exists() else None
    return [Block("heading", text("all_kpis", lang)),
            Block("paragraph", text("all_kpis intro", lang)),
            Block("table", kpi_rows(summary, list(summary.index), lang, plan))]


def scorecard_rows(card: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The scorecard in the report's language: target, type, threshold's source, clause, rule,
    today, plan and plan − today with 95% CIs, verdict, note."""
    from sim.analysis.scorecard import INCONCLUSIVE, note_text, rule_text
    rows = []
    for r in card.itertuples():
        verdict = text(r.verdict, lang)
        if r.verdict == INCONCLUSIVE and np.isfinite(r.replications_needed):
            verdict += (" (" if lang == "en" else "（") + text(
                "≈{n} replications would decide", lang, n=int(r.replications_needed)) + (
                ")" if lang == "en" else "）")
        own = r.text_zh if lang == "zh" else r.text_en
        rows.append((own if isinstance(own, str) and own else r.target,
                     text(f"type:{r.type}", lang), text(f"source:{r.source}", lang),
                     r.clause if isinstance(r.clause, str) else "",
                     f"{kpi_label(r.kpi, lang)} {rule_text(r, lang)}",
                     interval(r.today_mean, r.today_ci_low, r.today_ci_high),
                     interval(r.plan_mean, r.plan_ci_low, r.plan_ci_high),
                     interval(r.diff_mean, r.diff_ci_low, r.diff_ci_high, sign=True),
                     verdict, note_text(r.note, lang)))
    return pd.DataFrame(rows, columns=[text(c, lang) for c in
                                       ("target", "type", "threshold from", "clause", "rule",
                                        "today [95% CI]", "plan [95% CI]",
                                        "plan − today [95% CI]", "verdict", "notes")])


def observed_blocks(run_dir: Path, lang: str, district: str = "") -> list[Block]:
    """Today reproduced?: a sentence, the observed table and its figure (if ``observed.csv``
    has figures)."""
    from sim.analysis.observed import table_rows
    path = Path(run_dir) / "observed.csv"
    if not path.exists():
        return []
    texts = ("source", "tag", "text_en", "text_zh")
    table = pd.read_csv(path, dtype=dict.fromkeys(texts, str))
    if not len(table):
        return []
    table["year"] = table["year"].astype("Int64")
    table[list(texts)] = table[list(texts)].fillna("")
    heading = (text("title_observed", lang, district=district) if district
               else text("today_reproduced", lang))
    blocks = [Block("heading", heading),
              Block("paragraph", text("observed intro", lang)),
              Block("table", table_rows(table, lang))]
    return blocks + _figure(run_dir, "observed", lang)


def scorecard_blocks(run_dir: Path, plan: str, lang: str) -> list[Block]:
    """The plan against today: a sentence, the scorecard table, the targets already met today,
    the target types in one line each, and the scorecard figure."""
    from sim.analysis.scorecard import TYPES_EXPLAINED, already_met
    path = Path(run_dir) / "scorecard.csv"
    if not path.exists():
        return []
    texts = ("note", "text_en", "text_zh", "clause")
    card = pd.read_csv(path, dtype=dict.fromkeys(texts, str))
    if not len(card):
        return []
    card["year"] = card["year"].astype("Int64")
    card[list(texts)] = card[list(texts)].fillna("")
    colon = "：" if lang == "zh" else ": "
    blocks = [Block("heading", text("plan_vs_today", lang) + (colon + plan if plan else "")),
              Block("paragraph", text("plan_vs_today intro" if card["today_mean"].notna().any()
                                      else "plan_only intro", lang)),
              Block("table", scorecard_rows(card, lang))]
    met = already_met(card)
    if len(met):
        own = met["text_zh"] if lang == "zh" else met["text_en"]
        blocks += [Block("paragraph", text("already met intro", lang)),
                   Block("list", [o or t for o, t in zip(own, met["target"])])]
    blocks.append(Block("list", [text(k, lang) for k in TYPES_EXPLAINED]))
    return blocks + _figure(run_dir, "scorecard", lang)


def _figure(run_dir: Path, name: str, lang: str) -> list[Block]:
    path = Path(run_dir) / "figures" / f"{name}.png"
    return [Block("figure", path, text(f"figure:{name}", lang))] if path.exists() else []


def figures_of(out_dir: Path, lang: str, skip: tuple[str, ...] = ()) -> list[Block]:
    """The folder's PNG figures in reading order, captioned, except those named in ``skip``
    (shown in their own sections)."""
    found = sorted(p for p in (Path(out_dir) / "figures").glob("*.png") if p.stem not in skip)
    rank = {name: i for i, name in enumerate(FIGURE_ORDER)}
    found.sort(key=lambda p: (rank.get(p.stem, len(rank)), p.stem))
    return [Block("figure", p, text(f"figure:{p.stem}", lang)) for p in found]


def run_blocks(run_dir: Path, lang: str, config: Any = None) -> list[Block]:
    """The report of one run: what was run, today reproduced?, the plan against today, key
    figures, figures, every KPI, assumptions; the resolved configuration linked beside it.
    ``config`` is the run's configuration when the caller holds it (the one its
    ``config.resolved.yaml`` records), else that file is read."""
    from omegaconf import OmegaConf
    run_dir = Path(run_dir)
    cfg = config if config is not None else OmegaConf.load(run_dir / "config.resolved.yaml")
    summary = pd.read_csv(run_dir / "summary.csv", index_col="kpi")
    scenario = name_label(cfg.get("preset") or cfg.network.name, lang)
    blocks = [Block("title", text("Report: {scenario}, policy {policy}", lang,
                                  scenario=scenario, policy=name_label(cfg.policy.name, lang))),
              Block("heading", text("What was run", lang)),
              Block("table", what_was_run(run_dir, cfg, lang)),
              Block("link", run_dir / "config.resolved.yaml",
                    text("config_link", lang, file="config.resolved.yaml"))]
    caveat = scale_warning(cfg, lang=lang)
    if caveat:
        blocks.append(Block("paragraph", f"**{caveat}**"))
    blocks += how_to_read(lang)
    blocks += observed_blocks(run_dir, lang, cfg.get("observed", {}).get("district", ""))
    blocks += scorecard_blocks(run_dir, cfg.targets.plan or cfg.targets.name, lang)
    blocks += [Block("heading", text("Key figures", lang)),
               Block("table", kpi_rows(summary, list(HEADLINE), lang))]
    blocks += figures_of(run_dir, lang, skip=("observed", "scorecard"))
    blocks += all_kpi_blocks(run_dir, summary, lang)
    blocks += assumption_blocks(run_dir, lang)
    return blocks


def what_was_run(run_dir: Path, cfg: Any, lang: str) -> pd.DataFrame:
    """Scenario, policy, targets, replications, seed, period, scale, command, timing."""
    start, end = measured_period(cfg.run)
    rows = [("preset", name_label(cfg.get("preset") or "–", lang)),
            ("network", name_label(cfg.network.name, lang)),
            ("policy", name_label(cfg.policy.name, lang)),
            ("targets", cfg.targets.plan or cfg.targets.name),
            ("replications", cfg.run.replications), ("seed", cfg.run.seed),
            ("measured period", text("{start} – {end}, after {warmup} days of warm-up", lang,
                                     start=start, end=end, warmup=cfg.run.warmup_days)),
            ("population scale", cfg.population.scale)]
    manifest = run_dir / "run.json"
    if manifest.exists():
        m = json.loads(manifest.read_text())
        rows.append(("command", "python -m sim " + " ".join(m.get("overrides", []))))
        rows.append(("started", m.get("started", "")))
    return pd.DataFrame([(text(k, lang), str(v)) for k, v in rows],
                        columns=[text("item", lang), text("value", lang)])


def assumption_blocks(run_dir: Path, lang: str) -> list[Block]:
    path = Path(run_dir) / "assumptions.csv"
    if not path.exists():
        return []
    table = pd.read_csv(path, keep_default_na=False)
    table.columns = [text(c, lang) for c in table.columns]
    return [Block("heading", text("Assumptions", lang)),
            Block("paragraph", text("assumptions intro", lang, n=len(table))),
            Block("table", table)]


def write_run_report(run_dir: Path, lang: str = "en", config: Any = None) -> list[Path]:
    """``report.md`` and ``report.html`` of a run folder; ``config`` as in ``run_blocks`` (the
    run passes its own: reading the YAML back costs about 0.4 s)."""
    return write_report(run_blocks(run_dir, lang, config), run_dir, lang)
