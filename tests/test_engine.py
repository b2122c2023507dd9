"""The engine: server pools (priority lanes, cancel, capacity changes, unlimited servers), the
event loops, and the model's equivalence on plain SimPy, the pure-Python fast engine and the
compiled one."""
from __future__ import annotations

import os
import shutil
import sysconfig

import pytest

from sim.api import compose_config
from sim.engine.journey import Journey, launch
from sim.engine import loop
from sim.engine.loop import COMPILED, ENGINES, FastEnv, SimPyEnv, make_env
from sim.engine.pool import UNLIMITED, Pool
from sim.engine.streams import replication_seeds
from sim.domain import rows
from sim.metrics import log
from sim.model import demand, group
from sim.model.context import Episode
from sim.runner.replication import reduce_model, replication


@pytest.fixture(params=ENGINES)
def env(request):
    return make_env(request.param)


def test_priority_lane_is_served_first_and_each_lane_in_arrival_order(env):
    pool = env.pool("doctor", 1)
    assert pool.acquire(1) is None                  # a free server: no event
    first, second, urgent = pool.acquire(1), pool.acquire(1), pool.acquire(0)
    served = []
    for name, ev in (("first", first), ("second", second), ("urgent", urgent)):
        ev.callbacks.append(lambda _, name=name: served.append(name))
    for _ in range(3):
        pool.release()
        env.run_until(env.now + 1)
    assert served == ["urgent", "first", "second"]
    assert (pool.requested, pool.started, pool.waiting) == (4, 4, 0)


def test_cancel_withdraws_a_waiting_request_but_not_a_served_one(env):
    pool = env.pool("doctor", 1)
    pool.acquire()
    gone, kept = pool.acquire(), pool.acquire()
    assert pool.cancel(gone)
    pool.release()                                  # the server goes to the one still waiting
    assert kept.triggered and not gone.triggered
    assert not pool.cancel(kept)
    assert (pool.requested, pool.started, pool.cancelled, pool.waiting) == (3, 2, 1, 0)


def test_capacity_lowered_while_busy_lets_busy_servers_finish(env):
    pool = env.pool("doctor", 2)
    pool.acquire(), pool.acquire()
    waiting = pool.acquire()
    env.run_until(10.0)
    pool.set_capacity(1)                            # two busy, one server left in session
    pool.release()
    assert pool.busy == 1 and not waiting.triggered
    env.run_until(20.0)
    pool.release()
    assert pool.busy == 1 and waiting.triggered
    busy, available, queued = pool.areas()
    assert (busy, available, queued) == (2 * 10 + 1 * 10, 2 * 10 + 1 * 10, 1 * 20)


def test_capacity_raised_starts_waiting_patients(env):
    pool = env.pool("doctor", 0)
    waiting = [pool.acquire() for _ in range(3)]
    pool.set_capacity(2)
    assert [ev.triggered for ev in waiting] == [True, True, False]
    assert pool.busy == 2


def test_unlimited_servers_never_queue(env):
    pool = env.pool("beds", UNLIMITED)
    assert all(pool.acquire() is None for _ in range(1000))
    assert pool.busy == 1000 and pool.waiting == 0


def test_negative_delay_is_refused(env):
    with pytest.raises(ValueError):
        env.delay(-1.0)


def test_every_loop_processes_events_in_time_then_insertion_order_and_stops_before_until():
    orders = []
    for engine in ENGINES:
        env, seen = make_env(engine), []
        for i, d in enumerate((5.0, 1.0, 5.0, 3.0, 10.0)):
            env.timeout(d).callbacks.append(lambda _, i=i, env=env: seen.append((i, env.now)))
        env.run_until(10.0)
        assert env.now == 10.0 and (4, 10.0) not in seen      # the event at 10 is not yet due
        env.run_until(11.0)
        orders.append(seen)
    assert all(order == [(1, 1.0), (3, 3.0), (0, 5.0), (2, 5.0), (4, 10.0)] for order in orders)


@pytest.mark.parametrize("engine", ["fast", "python"])
def test_delays_and_events_share_one_order(engine):
    """A journey's delay (its own queue entry) and an event due at the same time run in the
    order they were made (journeys start at once on these engines, unlike SimPy's processes)."""
    env, seen = make_env(engine), []

    def patient(name, minutes):
        yield env.delay(minutes)
        seen.append(name)
    env.journey(patient("first", 2.0), lambda _: None)
    env.timeout(2.0).callbacks.append(lambda _: seen.append("event"))
    env.journey(patient("last", 2.0), lambda _: None)
    env.run_until(3.0)
    assert seen == ["first", "event", "last"]


def test_fed_arrivals_interleave_with_events_in_time_order(env):
    seen = []
    for d in (1.0, 4.0):
        env.timeout(d).callbacks.append(lambda _, d=d: seen.append(("event", env.now)))
    env.feed([0.5, 2.0, 4.0, 12.0], [("a",), ("b",), ("c",), ("late",)],
             lambda item: seen.append((item, env.now)))
    env.run_until(10.0)
    assert seen == [("a", 0.5), ("event", 1.0), ("b", 2.0), ("event", 4.0), ("c", 4.0)]
    env.run_until(13.0)                             # an arrival after ``until`` waits its turn
    assert seen[-1] == ("late", 12.0)


def test_journey_ends_with_its_return_value_at_its_end_time(env):
    ended = []

    def patient():
        yield env.delay(2.0)
        yield env.delay(3.0)
        return "served"
    env.journey(patient(), lambda value: ended.append((value, env.now)))
    env.run_until(4.0)
    assert ended == []
    env.run_until(6.0)
    assert ended == [("served", 5.0)]


@pytest.mark.parametrize("overrides", [[], ["policy=plan_2027"],
                                       ["policy=plan_2027", "demand.episodes.complex.max_wait=5"]],
                         ids=["baseline", "plan_2027", "plan_2027-giving-up"])
@pytest.mark.slow
def test_every_engine_gives_identical_results(small, overrides):
    """The same model on SimPy's public API (``env.timeout``, ``env.run``, ``simpy.Process``),
    on the pure-Python fast engine and on the compiled one: every KPI and the daily series
    identical to the bit."""
    results = {}
    for engine in ENGINES:
        cfg, _ = compose_config(small + overrides + [f"run.engine={engine}"])
        with replication(cfg, 0, replication_seeds(cfg.run.seed, 1)[0]) as model:
            assert type(model.env) is type(make_env(engine))
            results[engine] = reduce_model(model.run(), 0)
    (plain, plain_series) = results["simpy"]
    assert plain["arrived"] > 1000
    for engine in ("fast", "python"):
        kpis, series = results[engine]
        assert {k: repr(v) for k, v in kpis.items()} == {k: repr(v) for k, v in plain.items()}
        assert series.equals(plain_series)


@pytest.mark.parametrize("waits", ["never", "on-a-processed-event", "on-a-timeout"])
def test_a_launched_journey_ends_as_a_journey_object_would(waits):
    """``FastEnv.journey`` (``launch``: the first step run at once, no object until the journey
    waits) ends each kind of journey with the same value at the same time as ``Journey``."""
    ended = {}
    for name, start in (("launch", launch), ("Journey", Journey)):
        env = FastEnv()                             # the pure-Python engine's two starts
        done = env.timeout(0.0)
        env.run_until(1.0)                          # ``done`` is processed: no wait on it

        def patient():
            if waits == "on-a-processed-event":
                yield done
            elif waits == "on-a-timeout":
                yield env.delay(2.0)
            return "served"
        seen = []
        start(env, patient(), lambda value: seen.append((value, env.now)))
        env.run_until(5.0)
        ended[name] = seen
    assert ended["launch"] == ended["Journey"] == [("served", 1.0 if waits != "on-a-timeout"
                                                    else 3.0)]


def test_start_makes_the_episode_the_constructor_would(small):
    """``MedicalGroup.start`` makes the engine's ``Episode`` (a C type on the compiled one):
    every field holds what ``context.Episode(id, kind, cohort, now, person)`` puts there."""
    cfg, _ = compose_config(small)
    with replication(cfg, 0, replication_seeds(cfg.run.seed, 1)[0]) as model:
        seen = []

        def capture(m, ep):
            seen.append(ep)
            return True
            yield                                   # a pathway: a generator
        kind, cohort = next(iter(model.types.values())), model.cohorts[0]
        kind.journey = capture
        model.start(kind, cohort, 7)
        made = Episode(model.arrived, kind, cohort, model.env.now, 7)
        assert type(seen[0]) is group.model_modules(cfg.run.engine)[2].Episode
        assert [getattr(seen[0], s) for s in Episode.__slots__] == \
            [getattr(made, s) for s in Episode.__slots__]


def test_the_compiled_engine_is_built_where_a_c_compiler_is():
    """``pip install`` builds the engine, the log's rows and the model's modules on a visit's
    path compiled; the default engine runs them, the pure-Python engine none."""
    if shutil.which(sysconfig.get_config_var("CC").split()[0]) is None:
        pytest.skip("no C compiler: the pure-Python engine runs (run.engine=python)")
    assert COMPILED, "sim/engine/_core.pyx is not built: pip install -e . (README)"
    assert type(make_env("fast")).__name__ == "CompiledEnv"
    assert rows.compiled_rows is not None, "sim/domain/_rows.pyx is not built"
    assert type(log.Log().step_rows) is rows.compiled_rows.StepRows
    for module, source in zip(group.COMPILED_MODEL, group.ModelModules._fields):
        assert module is not None, f"sim/model/{source}.py is not compiled"
    assert group.model_modules("fast") == group.COMPILED_MODEL
    assert [m.__name__ for m in group.model_modules("python")] == \
        [f"sim.model.{name}" for name in group.ModelModules._fields]
    assert make_env("fast").tally_type is loop._core.Tally
    assert make_env("fast").draws_type is loop._core.Draws


def test_the_compiled_episode_type_has_a_field_for_each_probability_of_the_schema():
    """``_demand.pxd`` lists the schema's probabilities as C fields: a probability the schema
    adds and the list misses would fail to build an episode type, one it drops would be unset."""
    compiled_demand = group.COMPILED_MODEL.demand
    if compiled_demand is None:
        pytest.skip("sim/model/demand.py is not compiled")
    probabilities = {p: 0.1 * (i + 1) for i, p in enumerate(demand.PROBABILITIES)}
    kind = compiled_demand.EpisodeType(3, "x", "care", False, False, None, "gp", probabilities)
    assert [getattr(kind, p) for p in demand.PROBABILITIES] == list(probabilities.values())
    fields = {name for name, value in vars(compiled_demand.EpisodeType).items()
              if type(value).__name__ == "getset_descriptor"}
    assert {f for f in fields if f.startswith("p_")} == set(demand.PROBABILITIES)


def test_without_the_compiled_engine_fast_is_the_pure_python_one(monkeypatch):
    monkeypatch.setattr(loop, "_core", None)
    assert type(make_env("fast")) is FastEnv


def test_a_compiled_module_older_than_its_source_is_not_used(tmp_path):
    """Edit a compiled source (editable install) and the Python code runs, with a warning,
    until ``pip install -e .`` compiles it again; a module not built is None."""
    from sim.domain import compiled
    assert compiled.load("sim.engine._no_such_module", "sim/engine/loop.py") is None
    if not COMPILED:
        pytest.skip("the compiled engine is not built")
    built = os.path.getmtime(loop._core.__file__)
    source = tmp_path / "_core.pyx"
    source.write_text("")
    os.utime(source, (built - 60, built - 60))
    assert compiled.load("sim.engine._core", str(source)) is loop._core
    os.utime(source, (built + 60, built + 60))
    with pytest.warns(UserWarning, match="changed since it was compiled"):
        assert compiled.load("sim.engine._core", str(source)) is None
