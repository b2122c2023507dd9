"""What every figure shares: the palette, a figure with its own Agg canvas, the CJK style as an
rc_context (so importing or drawing changes no global matplotlib state), saving as PNG and SVG,
label wrapping and number formats, and reading a run directory's tidy outputs."""
from __future__ import annotations

import functools
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, TypeVar

import matplotlib
import numpy as np
import pandas as pd
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.analysis.fonts import cjk_rc
from sim.analysis.format import number
from sim.analysis.labels import kpi_unit, service_label, text
from sim.domain.clock import measured_period
from sim.metrics.stats import t_half_width
from sim.runner.outputs import atomic_path

# Okabe-Ito, colour-blind safe
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
F = TypeVar("F", bound=Callable[..., Any])


def styled(fn: F) -> F:
    """Run a drawing function inside the CJK rc_context: its texts get the fallback font
    without touching the process's rcParams."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with matplotlib.rc_context(cjk_rc()):
            return fn(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def new_figure(**kwargs: Any) -> Figure:
    """A figure on its own Agg canvas, outside pyplot: no backend chosen, nothing to close."""
    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, out_dir: Path, name: str) -> list[Path]:
    """Write ``name``.png and .svg atomically under ``out_dir/figures``."""
    paths = []
    with matplotlib.rc_context(cjk_rc()):
        for ext in ("png", "svg"):
            path = Path(out_dir) / "figures" / f"{name}.{ext}"
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format=ext, dpi=130, bbox_inches="tight")
            paths.append(path)
    if fig.canvas.manager is not None:       # a pyplot figure handed in: release it
        import matplotlib.pyplot as plt
        plt.close(fig)
    return paths


def titled(fig: Figure, title: str) -> Figure:
    """A figure title above the panels: half an inch kept free for it, however tall the grid."""
    fig.suptitle(title, y=1 - 0.15 / fig.get_figheight())
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))
    return fig


# -- numbers and labels ---------------------------------------------------------------------

def ci_half(block: pd.DataFrame) -> pd.Series:
    """Half-width of the 95% t interval across a wide block's columns (replications)."""
    return t_half_width(block.std(axis=1, ddof=1), block.shape[1])


def err(rows: pd.DataFrame, scale: float = 1.0) -> np.ndarray:
    """Asymmetric error bars from mean and CI columns (zero where there is no CI)."""
    e = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]]) / scale
    return np.clip(np.nan_to_num(e), 0, None)


_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_NO_LINE_START = set("，。、；：！？）》”’%）")


def wrap(s: str, lang: str, width: int) -> str:
    """Wrap a label to ``width`` (a Chinese character counts two): by words in English; in
    Chinese between characters, keeping numbers and Latin words whole and punctuation off the
    start of a line."""
    if lang != "zh" and not _CJK.search(s):
        return "\n".join(textwrap.wrap(s, width)) or s
    tokens = re.findall(r"[A-Za-z0-9.%≥≤+\-]+|\s+|.", s)
    lines, line, used = [], "", 0
    for tok in tokens:
        w = sum(2 if _CJK.match(c) else 1 for c in tok)
        if used + w > width and line.strip() and tok not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used = tok.lstrip(), w
        else:
            line, used = line + tok, used + w
    lines.append(line.rstrip())
    return "\n".join(x for x in lines if x)


def fmt(v: float) -> str:
    """A volume for a figure: thousands separated from 10 up, two significant digits below."""
    if not np.isfinite(v):
        return "–"
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:.2g}" if v else "0"


# -- a run's outputs ------------------------------------------------------------------------

@dataclass
class RunOutputs:
    """What the run figures read from a run directory."""
    summary: pd.DataFrame          # index kpi; mean, ci_low, ci_high, sd, n
    series: pd.DataFrame           # replication, date, facility, kind, service, metric, value
    config: dict                   # config.resolved.yaml as plain data


def load_run(out_dir: Path) -> RunOutputs:
    """Read a run directory's summary, daily series and resolved config."""
    out = Path(out_dir)
    summary = pd.read_csv(out / "summary.csv", index_col=0)
    series = pd.read_parquet(out / "timeseries.parquet")
    config = yaml.safe_load((out / "config.resolved.yaml").read_text(encoding="utf-8"))
    return RunOutputs(summary, series, config)


def run_label(config: dict, lang: str) -> str:
    """Preset (or network) and policy, e.g. 'dongli, policy baseline'."""
    name = config.get("preset") or config.get("network", {}).get("name", "")
    return text("run_label", lang, name=name, policy=config.get("policy", {}).get("name", ""))


def facility_name(fid: str, f: dict, lang: str) -> str:
    """A facility's Chinese name (zh) or English name (en), else its id."""
    return (f.get("name") if lang == "zh" else f.get("name_en")) or fid


def as_date(v: Any) -> pd.Timestamp:
    """A config date (string or date) as a Timestamp."""
    return pd.Timestamp(str(v))


def run_period(config: dict) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last measured day."""
    return tuple(pd.Timestamp(d) for d in measured_period(config["run"]))


def calendar_events(config: dict, first: pd.Timestamp, last: pd.Timestamp,
                    lang: str) -> list[tuple[pd.Timestamp, str]]:
    """Facility openings and capacity steps dated in (first, last], one label per date."""
    by_date: dict[pd.Timestamp, list[str]] = {}
    for fid, f in (config.get("network", {}).get("facilities") or {}).items():
        name = facility_name(fid, f, lang)
        if f.get("opens") and first < as_date(f["opens"]) <= last:
            by_date.setdefault(as_date(f["opens"]), []).append(text("opens", lang, name=name))
        steps: dict[pd.Timestamp, list[str]] = {}
        for sid, s in (f.get("services") or {}).items():
            for step in s.get("schedule") or []:
                d = as_date(step["date"])
                if first < d <= last:
                    steps.setdefault(d, []).append(text(
                        "capacity_step", lang, service=service_label(sid, lang),
                        servers=step["servers"]))
        sep = "，" if lang == "zh" else ", "
        for d, items in steps.items():
            by_date.setdefault(d, []).append(f"{name}{'：' if lang == 'zh' else ': '}"
                                             f"{sep.join(items)}")
    sep = "；" if lang == "zh" else "; "
    return [(d, sep.join(labels)) for d, labels in sorted(by_date.items())]


def unit_axis(ax: Any, kpi: str, lang: str) -> None:
    """An x axis in ``kpi``'s own units: labelled with the unit, numbers without exponents."""
    ax.set_xlabel(kpi_unit(kpi, lang), fontsize=8, labelpad=1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v)))
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
