"""Configs compose and validate; bad values stop the run before simulating, with one clear line."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.api import CONFIG_DIR, compose_config
from sim.config import ConfigError, validate

ROOT = Path(__file__).resolve().parent.parent


def _check(overrides: list[str]) -> ConfigError:
    cfg, sources = compose_config(overrides)
    with pytest.raises(ConfigError) as info:
        validate(cfg, sources)
    return info.value


POLICIES = sorted(p.stem for p in (CONFIG_DIR / "policy").glob("*.yaml"))
FAST_POLICIES = ("baseline", "plan_2027")        # plan_2027 composes every lever


@pytest.mark.parametrize("policy", [p if p in FAST_POLICIES else
                                    pytest.param(p, marks=pytest.mark.slow) for p in POLICIES])
def test_default_preset_and_policies_validate(policy):
    cfg, sources = compose_config([f"policy={policy}"])
    validate(cfg, sources)
    assert cfg.preset == "dongli"
    assert sum(c.residents for c in cfg.population.catchments.values()) == 857_027


@pytest.mark.parametrize("override, key, allowed", [
    ("policy.adherence=1.5", "policy.adherence", "<= 1.0"),
    ("network.facilities.dongli_hospital.services.beds.servers=-5",
     "network.facilities.dongli_hospital.services.beds.servers", ">= 0"),
    ("+network.facilities.wanxin_chc.refer_to.nowhere_hospital=0.1",
     "network.facilities.wanxin_chc.refer_to.nowhere_hospital", "unknown; allowed: dongli_hospital"),
    ("network.hospital_choice.city_hospitals=0.5", "network.hospital_choice", "sum to 1"),
    ("population.scale=0", "population.scale", "> 0.0"),
    ("demand.episodes.minor.rate.adult=-1", "demand.episodes.minor.rate.adult", ">= 0.0"),
    ("network.facilities.wanxin_st2.opens=2205-01-01", "network.facilities.wanxin_st2.opens",
     "within 20 years"),
    ("network.facilities.wanxin_st2.opens=not-a-date", "network.facilities.wanxin_st2.opens",
     "ISO date"),
    ("demand.followup_delay.cv=0", "demand.followup_delay.cv", "> 0.0"),
    ("policy.gatekeeping.mode=sometimes", "policy.gatekeeping.mode", "allowed: off, soft, strict"),
    ("policy.slots.reserved_share=1.3", "policy.slots.reserved_share", "<= 1.0"),
    ("policy.payment.reimbursement.primary=2", "policy.payment.reimbursement.primary", "<= 1.0"),
    ("policy.payment.scheme=bonus", "policy.payment.scheme", "fee_for_service, capitation"),
    ("demand.episodes.chronic_review.attendance.signed=1.2",
     "demand.episodes.chronic_review.attendance.signed", "<= 1.0"),
    ("demand.episodes.elderly_check.service=dentist", "demand.episodes.elderly_check.service",
     "unknown; allowed:"),
    ("report.lang=fr", "report.lang", "unknown; allowed: en, zh"),
    ("network.facilities.dongli_hospital.role=Lead", "network.facilities.dongli_hospital.role",
     "unknown; allowed: lead, member, specialist"),
    ("network.facilities.tcm_hospital.role=lead", "network.facilities.tcm_hospital.role",
     "at most one lead per network; dongli_hospital is already"),
    ("access.circle_minutes=0", "access.circle_minutes", "> 0.0"),
    ("access.circle_speed_kmh=-4", "access.circle_speed_kmh", "> 0.0"),
        ("targets.targets.chronic_management.type=goal", "targets.targets.chronic_management.type",
     "allowed: maintain, reach, raise, input"),
    ("targets.targets.chronic_management.source=hearsay",
     "targets.targets.chronic_management.source", "allowed: plan, assumption"),
    ("targets.targets.chronic_management.threshold=null",
     "targets.targets.chronic_management.threshold",
     "target needs a threshold (only raise and input targets may leave it null)"),
])
def test_bad_values_are_refused_with_key_value_and_file(override, key, allowed):
    err = _check([override])
    msg = str(err)
    assert "\n" not in msg
    assert err.key == key and msg.startswith(key)
    assert allowed in msg
    assert "configs/" in msg or "command-line" in msg


@pytest.mark.parametrize("policy, override, key, source", [
    ("teleconsult", "policy.teleconsult.provider=mch_centre", "policy.teleconsult.provider",
     "command-line"),
    ("remote_diagnosis", "policy.remote_diagnosis.reader=wanxin_chc",
     "policy.remote_diagnosis.reader", "command-line"),
    ("ambulance", "population.catchments.wanxin.location=null",
     "population.catchments.wanxin.location", "command-line"),
])
def test_lever_references_are_checked(policy, override, key, source):
    err = _check([f"policy={policy}", override])
    assert err.key == key and source in str(err)


def test_a_lever_error_names_the_lever_file():
    cfg, sources = compose_config(["policy=reserved_slots"])
    cfg.policy.slots.reserved_share = 3
    with pytest.raises(ConfigError, match=r"reserved_share = 3.*configs/lever/reserved_slots\.yaml"):
        validate(cfg, sources)


@pytest.mark.parametrize("override, key", [
    ("network.facilities.dongli_hospital.services.beds.servers=2.5",    # wrong type
     "network.facilities.dongli_hospital.services.beds.servers"),
    ("demand.episodes.minor.service_time.mean=3",                       # unknown key
     "demand.episodes.minor.service_time"),
])
def test_schema_refuses_wrong_types_and_unknown_keys(override, key):
    with pytest.raises(ConfigError) as err:
        compose_config([override])
    assert err.value.key == key and "\n" not in str(err.value)
    assert "command-line override" in str(err.value)


@pytest.mark.parametrize("override, key, name", [
    ("+policy.adherance=0.9", "policy.adherance", "adherance"),
    ("++policy.adherance=0.9", "policy.adherance", "adherance"),
    ("+run.replication=3", "run.replication", "replication"),
    ("+demand.episodes.minor.p_refer_upp=0.1", "demand.episodes.minor.p_refer_upp",
     "p_refer_upp"),
    ("+network.facilities.new_st.kindd=station", "network.facilities.new_st.kindd", "kindd"),
    ("+extra=1", "extra", "extra"),
])
def test_keys_added_with_plus_must_exist_in_the_schema(override, key, name):
    with pytest.raises(ConfigError) as err:
        compose_config([override])
    assert (err.value.key, err.value.value) == (key, name)
    assert "unknown key; allowed:" in str(err.value) and "\n" not in str(err.value)
    assert "command-line override" in str(err.value)


@pytest.mark.parametrize("override, key, value", [
    ("+calibration.observed.arrived=100", "calibration.observed.arrived", 100),
    ("+demand.episodes.minor.rate.infant=1", "demand.episodes.minor.rate.infant", 1),
    ("+demand.episodes.minor.route.entry.exit=1", "demand.episodes.minor.route.entry.exit", 1),
    ("+design.ranges={policy.adherence: [0.3, 0.7]}", "design.ranges",
     {"policy.adherence": [0.3, 0.7]}),
    ("++policy.adherence=0.9", "policy.adherence", 0.9),
])
def test_plus_adds_keys_to_open_nodes(override, key, value):
    from omegaconf import OmegaConf
    cfg, _ = compose_config([override])
    assert OmegaConf.select(cfg, key) == value


def test_unknown_facility_in_a_route_is_refused():
    cfg, sources = compose_config([])
    cfg.demand.episodes.minor.pathway = "route"
    cfg.demand.episodes.minor.route = {"entry": {"ghost_clinic.gp": 1.0}}
    with pytest.raises(ConfigError, match=r"route\.entry\.ghost_clinic\.gp.*unknown"):
        validate(cfg, sources)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("override, key", [
    ("policy.adherence=1.5", "policy.adherence"),
    ("network.facilities.dongli_hospital.services.outpatient.servers=-1",
     "network.facilities.dongli_hospital.services.outpatient.servers"),
    ("preset=nowhere", "preset = 'nowhere': no such config; allowed: baoshui, dongli"),
    ("policy=nope", "policy = 'nope': no such config; allowed: ambulance, baseline"),
    ("demand.episodes.minor.service_time.mean=3", "demand.episodes.minor.service_time"),
    ("run.replications=abc", "run.replications = 'abc': must be an integer"),
])
@pytest.mark.slow
def test_cli_refuses_bad_value_exits_2_and_leaves_nothing(tmp_path, override, key):
    out = _cli(override, f"results_dir={tmp_path}", cwd=ROOT)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {key}")
    assert "Traceback" not in out.stderr
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


@pytest.mark.slow
def test_cli_refuses_an_unknown_key_added_with_plus(tmp_path):
    out = _cli("+policy.adherance=0.9", "population.scale=0.01", "run.warmup_days=0",
               "run.horizon_days=1", "run.replications=1", "run.progress=false",
               "run.figures=false", f"results_dir={tmp_path}", cwd=ROOT)
    assert out.returncode == 2
    assert out.stderr.startswith("error: policy.adherance = 'adherance': unknown key; allowed: ")
    assert "adherence" in out.stderr and out.stderr.count("\n") == 1
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


@pytest.mark.slow
def test_cli_writes_the_output_contract(tmp_path):
    out = _cli("population.scale=0.01", "run.warmup_days=2", "run.horizon_days=7",
               "run.replications=2", "run.progress=false", "scenario.compare=false",
               f"results_dir={tmp_path}", cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "primary_visit_share" in out.stdout and "run directory" in out.stdout
    run_dir = Path(next(line for line in out.stdout.splitlines()
                        if line.startswith("run directory: ")).split(": ", 1)[1])
    assert f"report: {run_dir / 'report.html'}" in out.stdout
    assert (run_dir / "report.html").is_file() and (run_dir / "report.md").is_file()
    for name in ("config.resolved.yaml", "kpis.csv", "summary.csv", "summary.json",
                 "timeseries.parquet", ".hydra/config.yaml", "figures/waits.png",
                 "figures/daily.png", "figures/daily.svg"):
        assert (run_dir / name).is_file(), name
    assert not list(run_dir.rglob(".*.tmp"))


def _broken_configs(tmp_path: Path, path: str, old: str, new: str) -> Path:
    """A copy of the configs with one edit, as a planner's typo would make it."""
    import shutil
    root = tmp_path / "configs"
    shutil.copytree(CONFIG_DIR, root)
    text = (root / path).read_text(encoding="utf-8")
    assert old in text
    (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


@pytest.mark.parametrize("path, old, new, expected", [
    ("network/dongli.yaml", "        in_session: 0.11 ", "        in_sesion: 0.11 ",
     r"network\.facilities\.zhangguizhuang_chc\.services\.gp\.in_sesion = 'in_sesion': "
     r"unknown key; allowed: servers, .*in_session.*\(in configs/network/dongli\.yaml\)"),
    ("targets/dongli.yaml", "    kpi: chronic_management", "    kpi: chronic_management: x",
     r"configs/targets/dongli\.yaml = 'line \d+, column \d+': malformed YAML"),
    ("population/dongli.yaml", "scale: 1.0", "scale: lots",
     r"population\.scale = 'lots': must be a number \(in configs/population/dongli\.yaml\)"),
])
def test_typos_in_a_config_file_are_refused_in_one_line_naming_the_file(tmp_path, path, old,
                                                                        new, expected):
    root = _broken_configs(tmp_path, path, old, new)
    with pytest.raises(ConfigError, match=expected) as err:
        compose_config([], config_dir=root)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("node, value, key", [
    ("policy", {"_target_": "os.system", "command": "echo hi"}, "policy.evil._target_"),
    (None, [{"_target_": "subprocess.run"}], "extra[0]._target_"),
])
def test_configs_cannot_instantiate_code_outside_sim(node, value, key):
    """Added with ``+`` such keys are refused as unknown; slipped in otherwise, by validation."""
    from omegaconf import OmegaConf
    cfg, sources = compose_config([])
    plain = OmegaConf.to_container(cfg)
    (plain[node] if node else plain)["evil" if node else "extra"] = value
    with pytest.raises(ConfigError) as err:
        validate(OmegaConf.create(plain), sources)
    assert err.value.key == key and "sim package" in str(err.value)


@pytest.mark.parametrize("override, extra", [("hydra/launcher=ray", "ray"),
                                             ("hydra/sweeper=optuna", "optuna"),
                                             ("hydra/launcher=submitit_slurm", "slurm")])
def test_a_missing_plugin_names_its_extra(override, extra):
    from hydra.core.config_store import ConfigStore
    from hydra.core.plugins import Plugins
    Plugins.instance()
    group, name = override.split("=")
    if f"{name}.yaml" in ConfigStore.instance().list(group):
        pytest.skip(f"{override} is installed here")
    with pytest.raises(ConfigError) as err:
        compose_config([override])
    message = str(err.value)
    assert f'pip install -e ".[{extra}]"' in message and "\n" not in message
    assert "basic" in message                       # what is installed is listed


@pytest.mark.slow
def test_raise_and_input_targets_may_leave_the_threshold_out():
    for kind in ("raise", "input"):
        cfg, sources = compose_config([f"targets.targets.chronic_management.type={kind}",
                                       "targets.targets.chronic_management.threshold=null"])
        validate(cfg, sources)
    err = _check(["targets.targets.chronic_management.type=maintain",
                  "targets.targets.chronic_management.threshold=null"])
    assert "a maintain target needs a threshold" in str(err)


def test_a_composition_again_is_a_fresh_copy_and_sees_edited_files(tmp_path):
    """The process keeps what it composed: the same command line again gives an equal config
    that is its own copy, and an edited config file is composed anew."""
    import shutil

    from omegaconf import OmegaConf
    root = tmp_path / "configs"
    shutil.copytree(CONFIG_DIR, root)
    first, sources = compose_config(["policy=gatekeeping"], config_dir=root)
    first.policy.adherence = 0.123
    again, sources_again = compose_config(["policy=gatekeeping"], config_dir=root)
    assert again.policy.adherence != 0.123 and sources_again == sources
    assert OmegaConf.is_struct(again)
    population = root / "population" / "dongli.yaml"
    population.write_text(population.read_text().replace("scale: 1.0", "scale: 0.5"))
    assert compose_config(["policy=gatekeeping"], config_dir=root)[0].population.scale == 0.5


@pytest.mark.parametrize("overrides", [
    ["population.scale=0.05", "policy=plan_2027", "policy.adherence=0.5"],
    ["experiment=dongli_policies", "run.seed=3", "run.start_date=2027-01-01"],
    ["run.seed=1", "+run.extra=2"],                  # an addition after a value: not held back
    ["run.seed=2", "~observed"],                       # a group deleted after a value
    ["run.horizon_days=-1"], ["run.seed=abc"], ["run.nokey=1"],
    ["run.seed=1,2"], ["run.seed=[1"],               # a sweep, bad syntax: Hydra's own errors
])
def test_values_applied_to_a_kept_composition_give_hydras_result(overrides):
    """Plain values are applied to the composition kept for the group choices: the config,
    its sources and any error are what one Hydra composition of the whole line gives."""
    from omegaconf import OmegaConf

    from sim import api

    def composed(compose):
        try:
            cfg, sources = compose(overrides)
        except ConfigError as err:
            return str(err)
        return OmegaConf.to_yaml(cfg), OmegaConf.is_struct(cfg), sources
    whole = composed(lambda o: api._compose(o, "config", CONFIG_DIR))
    assert composed(compose_config) == whole
    assert isinstance(whole, str) == (overrides[-1] in ("run.seed=abc", "run.nokey=1",
                                                        "+run.extra=2", "run.seed=1,2",
                                                        "run.seed=[1"))
