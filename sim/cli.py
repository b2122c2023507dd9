"""``python -m sim``: a thin Hydra wrapper around ``sim.api.run_config``."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig
from tqdm import tqdm

from sim.analysis.scorecard import to_text
from sim.api import CONFIG_DIR, compose_config, label_of, run_config, sources_of
from sim.config import ConfigError, register_configs, validate
from sim.runner.outputs import is_complete

HEADLINE = ("primary_visit_share", "primary_first_contact", "up_referrals_per_10k",
            "down_referrals_per_10k", "down_up_ratio", "wait_mean_centre_gp",
            "wait_mean_hospital_outpatient", "wait_mean_hospital_beds",
            "hospital_bed_occupancy", "bed_blocking_days", "visits_per_resident_year",
            "arrived")

register_configs()


def kpi_table(summary, names=HEADLINE) -> str:
    """The headline KPIs as text: mean and 95% CI."""
    rows = [k for k in names if k in summary.index]
    width = max(len(k) for k in rows)
    lines = [f"{'KPI':<{width}}  {'mean':>12}  95% CI"]
    for k in rows:
        r = summary.loc[k]
        lines.append(f"{k:<{width}}  {r['mean']:>12.4g}  [{r['ci_low']:.4g}, {r['ci_high']:.4g}]")
    return "\n".join(lines)


@hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    sources = sources_of(hc.runtime.choices, list(hc.overrides.task))
    try:
        validate(cfg, sources)
    except ConfigError as err:
        if not is_complete(out_dir):
            shutil.rmtree(out_dir, ignore_errors=True)
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    total = cfg.run.replications * (cfg.run.warmup_days + cfg.run.horizon_days)
    with tqdm(total=total, unit="day", desc=label_of(cfg), disable=not cfg.run.progress,
              file=sys.stderr) as bar:
        result = run_config(cfg, out_dir, sources, tick=bar.update)
    print(kpi_table(result.summary))
    if len(result.scorecard):
        print(f"\ntargets: {cfg.targets.plan or cfg.targets.name}")
        print(to_text(result.scorecard))
    print(f"run directory: {out_dir}")


def entry(argv: list[str] | None = None) -> None:
    """``python -m sim``: composition errors become one line and exit 2 before Hydra starts."""
    args = sys.argv[1:] if argv is None else argv
    if not any(a in ("-m", "--multirun") for a in args):
        overrides = [a for a in args if "=" in a and not a.startswith(("-", "hydra.", "hydra/"))]
        try:
            compose_config(overrides)
        except ConfigError as err:
            print(f"error: {err}", file=sys.stderr)
            sys.exit(2)
    main()


if __name__ == "__main__":
    entry()
