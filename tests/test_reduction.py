"""Long runs are reduced a period at a time: merged KPIs equal the one-piece computation,
percentiles are exact, and the reduction's memory does not grow with the horizon."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from sim.api import compose_config
from sim.engine.streams import replication_seeds
from sim.domain import rows
from sim.metrics import kpis, log, quantile
from sim.metrics.parts import merge, rate, share, state
from sim.metrics.log import Log
from sim.model.group import MedicalGroup
from sim.runner import replication
from sim.runner.replication import kpi_values, measures


def _blocks(values: np.ndarray, groups: np.ndarray, size: int):
    def blocks():
        for i in range(0, values.size, size):
            yield groups[i:i + size], values[i:i + size]
    return blocks


@pytest.mark.parametrize("collect", [1, 7, 1 << 22])
def test_percentiles_equal_numpy_exactly(collect, monkeypatch):
    """Ties, exact zeros, tiny values and single values; ``collect`` 1 forces every prefix to be
    narrowed to all 64 bits, 7 part of the way."""
    monkeypatch.setattr(quantile, "COLLECT", collect)
    rng = np.random.default_rng(7)
    for trial in range(60):
        n = int(rng.integers(1, 3000))
        v = rng.lognormal(2.0, 1.5, n)
        if trial % 4 == 1:
            v[rng.random(n) < 0.95] = 0.0
        elif trial % 4 == 2:
            v = np.round(v)
        elif trial % 4 == 3:
            v = rng.exponential(1e-3, n)
        g = rng.integers(-1, 4, n)
        q = float(rng.choice([0, 10, 50, 90, 99, 100]))
        got = quantile.percentiles(_blocks(v, g, int(rng.integers(1, 700))), 5, q)
        for k in range(5):
            x = v[g == k]
            assert (np.isnan(got[k]) and x.size == 0) or got[k] == np.percentile(x, q)


def test_percentiles_refuse_negative_values():
    with pytest.raises(ValueError, match="negative"):
        quantile.percentiles(_blocks(np.array([1.0, -2.0]), np.array([0, 0]), 10), 1, 90)


def test_merge_adds_parts_keeps_states_and_skips_missing():
    a = {"s": share(1, 4), "r": rate(10, 0.5), "x": state(3.0), "u": share(2, 2)}
    b = {"s": share(3, 4), "r": rate(20, 1.0), "x": state(5.0)}
    out = merge([a, b], lambda q: {})
    assert out == {"s": 0.5, "r": 20.0, "x": 5.0, "u": 1.0}
    assert np.isnan(merge([{"z": share(0, 0)}, {"z": share(0, 0)}], lambda q: {})["z"])


def _model(horizon: int) -> MedicalGroup:
    cfg, _ = compose_config(["population.scale=0.02", "run.warmup_days=3",
                             f"run.horizon_days={horizon}", "policy=plan_2027",
                             "run.progress=false"])
    return MedicalGroup(cfg, replication_seeds(5, 1)[0], Log()).run()


@pytest.fixture(scope="module")
def long_model() -> MedicalGroup:
    """Every lever on for 500 measured days (two calendar years): merged, not one piece."""
    return _model(500)


@pytest.mark.slow
def test_merged_whole_run_equals_one_piece(long_model):
    assert long_model.clock.days - long_model.clock.warmup_days > replication.ONE_PIECE_DAYS
    merged = kpi_values(long_model)
    whole = kpis.compute(measures(long_model))
    assert {k for k in merged if "@" not in k} == set(whole)
    for k, v in whole.items():
        if k.startswith("wait_p90"):
            assert merged[k] == v or (np.isnan(v) and np.isnan(merged[k])), k
        else:
            assert merged[k] == pytest.approx(v, rel=1e-12, nan_ok=True), k
    assert any(merged[k] != whole[k] for k in whole if np.isfinite(whole[k]))  # really merged


@pytest.mark.slow
def test_a_year_is_reduced_in_one_piece_exactly():
    m = _model(300)
    values = kpi_values(m)
    assert all(values[k] == v or np.isnan(v) for k, v in kpis.compute(measures(m)).items())


def _traced_peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_reduction_memory_does_not_grow_with_the_horizon(long_model, monkeypatch):
    """The KPIs of 1,000 days need no more memory than those of 500, while one piece needs
    more the longer the run. Log blocks and collected values are as small against 2% of a
    district as the defaults are against a whole district."""
    monkeypatch.setattr(log, "BLOCK_ROWS", 1 << 14)
    monkeypatch.setattr(quantile, "COLLECT", 1 << 10)
    longer = _model(1000)
    merged = [_traced_peak(lambda: kpi_values(m)) for m in (long_model, longer)]
    one_piece = [_traced_peak(lambda: kpis.compute(measures(m))) for m in (long_model, longer)]
    assert merged[1] < 1.05 * merged[0]
    assert one_piece[1] > 1.3 * one_piece[0]


def test_compiled_rows_equal_the_pure_python_ones():
    """The log's rows written in C (``sim.domain._rows``) are the columns the Python rows type at
    the roll: the same bytes for every column, with and without episode ids, on an empty day and
    past the first growth of the columns; both refuse a value its column cannot hold."""
    if rows.compiled_rows is None:
        pytest.skip("sim/domain/_rows.pyx is not built: nothing to compare")
    rng = np.random.default_rng(7)
    n = 5000                                    # more than the compiled columns first hold
    kinds = rng.integers(-128, 128, n).tolist()
    cohorts = rng.integers(-2**31, 2**31, n).tolist()
    episodes_ids = rng.integers(-2**62, 2**62, n).tolist()
    facs = rng.integers(-2**31, 2**31, n).tolist()
    for episodes in (False, True):
        for count in (n, 1, 0):
            made = []
            for impl in ((rows.compiled_rows.VisitRows, rows.compiled_rows.StepRows),
                         (rows.PyVisitRows, rows.PyStepRows)):
                columns = rows.table_columns(episodes)
                v = impl[0](rows.codes(columns["v"]), episodes)
                s = impl[1](rows.codes(columns["s"]), episodes)
                for k in range(count):
                    now = float(k) * 1.5
                    v.visit(k % 300, kinds[k], k % 2, True, cohorts[k], now - 1e6 * k, k % 9,
                            episodes_ids[k])
                    s.append(k % 100, kinds[k], facs[k], now, 0.25 * k, episodes_ids[k])
                    s.append(-3, kinds[k], 7, 2.0, episode=k)
                assert len(v) == count and len(s) == 2 * count
                made.append([(c.typecode, c.tobytes()) for c in v.columns() + s.columns()])
            assert made[0] == made[1]
    for writer in (rows.compiled_rows.VisitRows, rows.PyVisitRows):
        v = writer(rows.codes(rows.VISIT_COLUMNS))
        with pytest.raises(OverflowError):
            v.visit(0, 300, 0, 0, cohorts[0], 0.0, 0.0)
            v.columns()
    with pytest.raises(ValueError, match="compiled for"):
        rows.compiled_rows.VisitRows("ibbbid")