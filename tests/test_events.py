"""The spilled log and the opt-in event log: periods read back exactly, events.parquet agrees
with the KPIs, and a failing replication leaves neither a final-named part nor scratch files."""
from __future__ import annotations

import tempfile

import numpy as np
import pandas as pd
import pytest

from sim.api import compose_config, simulate
from sim.config.schema import PRIMARY_KINDS
from sim.domain.clock import DAY
from sim.engine.streams import replication_seeds
from sim.metrics.log import STEP_COLUMNS, VISIT_COLUMNS, Log
from sim.model.group import MedicalGroup
from sim.runner import replication as replication_module
from sim.runner.events import EVENTS_DIR, part_name
from sim.runner.replication import SCRATCH_DIR, run_replication

COLUMNS = ["replication", "episode", "t", "date", "facility", "service", "step",
           "episode_type", "priority", "referred", "wait", "value"]
# two replications over a year boundary (per-year KPIs too), with waits for beds, and chronic
# reviews that patients leave after a minute's wait (so some episodes end unserved)
LONG = ["population.scale=0.02", "run.warmup_days=10", "run.horizon_days=45",
        "run.start_date=2025-12-10", "run.replications=2", "run.workers=1",
        "run.progress=false", "run.figures=false", "demand.episodes.chronic_review.max_wait=1",
        "scenario.compare=false"]


@pytest.fixture(autouse=True)
def scratch_root(tmp_path, monkeypatch):
    """The system temp dir of these tests: empty once every log is closed."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture(scope="module")
def run_with_events(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    return simulate(LONG + ["run.events=true"], out_dir=out), out


def _plain_mask(log: Log, t0: float, t1: float) -> tuple[dict, dict]:
    """The old reading: every row in memory, masked by time."""
    a = {k: np.array(v) for k, v in log.arrays().items()}
    v_in = (a["v_t"] >= t0) & (a["v_t"] < t1)
    s_in = (a["s_t"] >= t0) & (a["s_t"] < t1)
    return ({k: a[k][v_in] for k, _ in VISIT_COLUMNS}, {k: a[k][s_in] for k, _ in STEP_COLUMNS})


def _assert_same(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for k in want:
        assert got[k].dtype == want[k].dtype, k
        assert got[k].tobytes() == want[k].tobytes(), k


def test_periods_read_back_exactly_with_rows_outside_their_day():
    """Rows whose time lies before their chunk's day (waits across midnight), rows exactly at
    midnight and empty days: each period is exactly the rows a time mask selects, in order."""
    log = Log()
    try:
        rng = np.random.default_rng(3)
        i = 0
        for day in range(12):
            if day != 5:                               # day 5 logs nothing
                for t in np.sort(rng.uniform(day, day + 1, 40)) * DAY:
                    i += 1
                    wait = rng.choice([0.0, rng.uniform(0, 3 * DAY)])
                    log.visit_rows.visit(i % 7, 1, i % 2, 0, 2, max(t - wait, 0.0), wait, i)
                    log.step(i % 20, 1, 3, t, wait)
                log.step(0, 1, 3, (day + 1) * DAY)      # at midnight, before the roll
            log.roll()
        assert log.tables["s"].ordered and not log.tables["v"].ordered
        for t0, t1 in [(0, 12 * DAY), (3 * DAY, 7 * DAY), (5 * DAY, 6 * DAY), (11 * DAY, 99 * DAY),
                       (50 * DAY, 60 * DAY), (2.5 * DAY, 4.25 * DAY)]:
            visits, steps = log.period(t0, t1)
            want_v, want_s = _plain_mask(log, t0, t1)
            _assert_same(visits, want_v)
            _assert_same(steps, want_s)
        directory = log.directory
    finally:
        log.close()
    assert not directory.exists()


def test_spilled_periods_equal_in_memory_masks_in_a_run():
    """A whole run's log, read period by period from the scratch files, equals the in-memory
    masks the KPIs used to take (measured period, each calendar year, warm-up)."""
    cfg, _ = compose_config(LONG)
    with replication_module.replication(cfg, 0, replication_seeds(cfg.run.seed, 1)[0]) as m:
        m.run()
        assert m.log.tables["s"].ordered         # steps are logged in time order
        a = m.log.arrays()
        assert (a["v_t"] < np.repeat(np.arange(len(m.log.tables["v"].ends)),
                                     np.diff(m.log.tables["v"].ends, prepend=0)) * DAY).any()
        c = m.clock
        periods = [(c.warmup, c.end), (0, c.warmup)] + [
            (first * DAY, last * DAY)
            for first, last in replication_module.calendar_years(c).values()]
        assert len(periods) == 4
        for t0, t1 in periods:
            visits, steps = m.log.period(t0, t1)
            want_v, want_s = _plain_mask(m.log, t0, t1)
            _assert_same(visits, want_v)
            _assert_same(steps, want_s)


@pytest.mark.slow
def test_events_parquet_has_the_documented_columns_and_one_part_per_replication(run_with_events):
    result, out = run_with_events
    parts = sorted(p.name for p in (out / EVENTS_DIR).iterdir())
    assert parts == [part_name(0), part_name(1)]          # nothing temporary left beside them
    assert not (out / SCRATCH_DIR).exists()               # the spilled logs are gone
    events = pd.read_parquet(out / EVENTS_DIR)
    assert list(events.columns) == COLUMNS
    assert sorted(events["replication"].unique()) == [0, 1]
    visits = events[events["step"] == "visit"]
    steps = events[events["step"] != "visit"]
    assert visits["service"].notna().all() and visits["wait"].ge(0).all()
    assert steps["service"].isna().all() and steps["wait"].isna().all()
    assert events["episode"].ge(1).all()
    cfg = result.config
    first = pd.Timestamp(cfg.run.start_date) - pd.Timedelta(days=cfg.run.warmup_days)
    day = pd.to_datetime(events["date"]) - first
    assert (day.dt.days == events["t"] // DAY).all()


@pytest.mark.slow
def test_events_agree_with_the_kpis(run_with_events):
    """Visits, up-referrals and patients who left, counted in events.parquet, give the run's
    KPIs (measured period; left_unserved over the whole run)."""
    result, out = run_with_events
    events = pd.read_parquet(out / EVENTS_DIR)
    cfg = result.config
    model = MedicalGroup(cfg, replication_seeds(cfg.run.seed, 1)[0], Log())   # built, not run
    residents = sum(c.residents for c in model.cohorts)
    years = cfg.run.horizon_days / 365.0
    kind = {f.id: f.kind for f in model.network.facilities.values()}
    kpis = result.kpis.set_index(["replication", "kpi"])["value"]
    measured = events[events["t"] >= cfg.run.warmup_days * DAY]
    counted = {"up": 0, "left": 0}
    for rep, ev in measured.groupby("replication"):
        at = ev["facility"].map(kind).astype(str).isin(PRIMARY_KINDS + ("hospital", "external"))
        visits = ev[(ev["step"] == "visit") & ev["service"].isin(["gp", "outpatient", "emergency"])
                    & at]
        assert len(visits) / residents / years == pytest.approx(
            kpis[rep, "visits_per_resident_year"], rel=1e-12)
        up = int((ev["step"] == "up_referral").sum())
        assert up / residents * 1e4 / years == pytest.approx(
            kpis[rep, "up_referrals_per_10k"], rel=1e-12)
        counted["up"] += up
    for rep, ev in events.groupby("replication"):
        left = int((ev["step"] == "left").sum())
        assert left == kpis[rep, "left_unserved"]
        assert ev["episode"].max() <= kpis[rep, "arrived"]
        counted["left"] += left
    assert counted["up"] > 0 and counted["left"] > 0
    # a left row's episode id leads to the review it left
    left = events.loc[events["step"] == "left", ["replication", "episode"]]
    checkups = events[events["step"] == "checkup"].set_index(["replication", "episode"])
    kinds = left.join(checkups["episode_type"], on=["replication", "episode"])["episode_type"]
    assert kinds.notna().any() and kinds.dropna().isin(["chronic_review", "elderly_check"]).all()


def test_every_logged_row_is_an_event_in_log_order(tmp_path, small):
    cfg, _ = compose_config(small + ["run.events=true"])
    seed = replication_seeds(cfg.run.seed, 1)[0]
    with replication_module.replication(cfg, 0, seed, tmp_path) as m:
        m.run()
        a = {k: np.array(v) for k, v in m.log.arrays().items()}
    events = pd.read_parquet(tmp_path / EVENTS_DIR)
    visits = events[events["step"] == "visit"]
    steps = events[events["step"] != "visit"]
    assert len(visits) == a["v_t"].size and len(steps) == a["s_t"].size
    assert np.array_equal(visits["t"], a["v_t"]) and np.array_equal(visits["wait"], a["v_wait"])
    assert np.array_equal(steps["t"], a["s_t"]) and np.array_equal(steps["value"], a["s_value"])
    assert visits["episode"].nunique() <= m.arrived


@pytest.mark.slow
def test_events_do_not_change_the_kpis(run_with_events):
    result, _ = run_with_events
    plain = simulate(LONG)
    pd.testing.assert_frame_equal(plain.kpis, result.kpis)
    assert plain.summary.to_csv() == result.summary.to_csv()


def test_a_failing_replication_leaves_no_part_and_no_scratch(tmp_path, monkeypatch,
                                                            scratch_root, small):
    """An error mid-run, after some rows were written: no final-named part, no temporary
    part, no scratch directory."""
    monkeypatch.setattr("sim.runner.events.FLUSH_ROWS", 100)      # write row groups early
    cfg, _ = compose_config(small + ["run.events=true"])
    original = MedicalGroup._snapshot

    def failing(self, day):
        if day == 8:            # mid-run: a temporary part and the spilled log exist
            assert [p.name for p in (tmp_path / EVENTS_DIR).iterdir()][0].startswith(".")
            assert any((tmp_path / SCRATCH_DIR).iterdir())
            raise RuntimeError("interrupted")
        original(self, day)
    monkeypatch.setattr(MedicalGroup, "_snapshot", failing)
    with pytest.raises(RuntimeError, match="interrupted"):
        run_replication(cfg, 0, replication_seeds(cfg.run.seed, 1)[0], out_dir=tmp_path)
    _nothing_left(tmp_path, scratch_root)


@pytest.mark.slow
def test_an_error_while_reducing_also_cleans_up(tmp_path, monkeypatch, scratch_root, small):
    cfg, _ = compose_config(small + ["run.events=true"])

    def fail(model, rep):
        raise RuntimeError("reduction failed")
    monkeypatch.setattr(replication_module, "reduce_model", fail)
    with pytest.raises(RuntimeError, match="reduction failed"):
        run_replication(cfg, 0, replication_seeds(cfg.run.seed, 1)[0], out_dir=tmp_path)
    _nothing_left(tmp_path, scratch_root)


def _nothing_left(out_dir, scratch_root) -> None:
    """No event part, no spilled log in the run folder or the system temp dir."""
    assert list((out_dir / EVENTS_DIR).iterdir()) == []
    assert not (out_dir / SCRATCH_DIR).exists()
    assert list(scratch_root.iterdir()) == []
