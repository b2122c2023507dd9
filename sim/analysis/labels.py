"""Bilingual labels (English, Chinese) for KPIs, units, facility kinds, services and the phrases of
figures and reports; the Chinese follows the plans' own vocabulary (基层诊疗量占比, 上转, 下转, ...)."""
from __future__ import annotations

from sim.config.schema import LANGS
from sim.metrics.catalogue import PATTERNS, UNITS, declaration, pattern_of

__all__ = ["LANGS", "text", "kpi_label", "kpi_unit", "kind_label", "service_label", "kpi_parts",
           "name_label", "override_label"]

KINDS = {
    "hospital": ("group hospital", "集团医院"),
    "centre": ("community centre", "社区卫生服务中心"),
    "station": ("community station", "社区卫生服务站"),
    "village": ("village clinic", "村卫生室"),
    "external": ("city hospital", "市级医院"),
    "ems": ("ambulance station", "急救站"),
}
SERVICES = {
    "gp": ("GP consultation", "全科门诊"),
    "outpatient": ("outpatient", "门诊"),
    "emergency": ("emergency", "急诊"),
    "beds": ("beds", "住院床位"),
    "rehab_beds": ("community beds", "康复病床"),
    "home_beds": ("home beds", "家庭病床"),
    "exam": ("examination", "检查"),
    "reading": ("remote reading", "远程阅片"),
    "teleconsult": ("teleconsultation", "远程会诊"),
    "public_health": ("public health", "公共卫生服务"),
    "ambulances": ("ambulances", "救护车"),
}
CLASSES = {"priority": ("priority", "优先"), "routine": ("routine", "普通")}
BED_SERVICES = ("beds", "rehab_beds", "home_beds")

# phrase key → (en, zh); the English text also works as the key
PHRASES: dict[str, tuple[str, str]] = {
    # report headings
    "report": ("Report", "报告"),
    "what_was_run": ("What was run", "运行内容"),
    "scorecard": ("Scorecard", "目标评分卡"),
    "key_figures": ("Key figures", "主要指标"),
    "assumptions": ("Assumptions", "假设"),
    "resolved_config": ("Resolved configuration", "完整配置"),
    "scenario_comparison": ("Scenario comparison", "情景比较"),
    "paired_differences": ("Paired differences against {baseline}", "相对于{baseline}的配对差异"),
    "failed_jobs": ("Failed jobs", "失败的任务"),
    "sensitivity": ("Sensitivity", "敏感性分析"),
    "report_run": ("Report: {scenario}, policy {policy}", "报告：{scenario}，政策：{policy}"),
    "report_sweep": ("Sweep report: {name}", "扫描实验报告：{name}"),
    "common_settings": ("Settings common to all jobs", "所有任务共同的设置"),
    "targets_per_scenario": ("Targets reached per scenario", "各情景目标达成情况"),
    "assumptions intro": ("The {n} values below are assumptions (not found in the plans or the "
                          "public statistics); each is stated beside its value in the config "
                          "files.", "以下{n}项数值为假设（规划文件和公开统计中未查到），"
                          "每项均在配置文件中该数值旁注明。"),
    "paired intro": ("Each scenario minus the baseline, replication by replication (the "
                     "scenarios share random numbers): mean and 95% CI of the difference.",
                     "各情景减去基线情景，逐次重复运行配对（各情景共用随机数）："
                     "差值的均值与95%置信区间。"),
    "replications_decide": ("≈{n} replications would decide", "约需{n}次重复运行才能判定"),
    "all_kpis": ("All KPIs", "全部指标"),
    "all_kpis intro": ("Every KPI the run measured, with its unit; the identifier is the "
                       "column of summary.csv and kpis.csv.",
                       "本次运行测得的全部指标及其单位；标识符即summary.csv和kpis.csv中的指标名。"),
    "id": ("identifier", "标识符"),
    "config_link": ("The resolved configuration (every setting of this run): {file}",
                    "完整配置（本次运行的全部设置）：{file}"),
    "how_to_read": ("How to read this report", "如何阅读本报告"),
    "read:intervals": ("Intervals: “mean [low, high]” is the mean over the replications and its "
                       "95% confidence interval; a wide interval asks for more replications "
                       "(run.replications). An interval is clipped at the quantity’s limit: a "
                       "wait or a count is never below 0, a share never above 1.",
                       "区间：“均值 [下限, 上限]”为各次重复运行的均值及其95%置信区间；区间过宽时需增加"
                       "重复次数（run.replications）。区间在数量的取值界限处截断：等候时间和人次不小于0，"
                       "比例不大于1。"),
    "read:verdicts": ("Verdicts: a target is met when its whole 95% interval lies on the "
                      "target’s side of the threshold, not met when it lies wholly on the other "
                      "side, and inconclusive when it straddles the threshold (more "
                      "replications decide it; the table says about how many).",
                      "结论：整个95%置信区间位于目标值的达标一侧为“达标”，完全位于另一侧为“未达标”，"
                      "跨越目标值为“尚无定论”（增加重复次数可判定，表中给出大约所需次数）。"),
    "read:paired": ("Paired differences: today and the plan (and the jobs of a sweep) run on "
                    "the same random numbers, so the same residents fall ill at the same times; "
                    "plan − today is taken replication by replication, and its interval is the "
                    "policy’s effect without the noise both runs share. It is narrower than the "
                    "two intervals side by side suggest: judge a change by the paired "
                    "difference, not by whether two intervals overlap.",
                    "配对差异：现状与规划（以及扫描实验的各任务）使用相同随机数运行，同一居民在同一时间"
                    "发病；规划−现状逐次重复运行配对计算，其置信区间反映政策的效果而不含两次运行共有的"
                    "随机波动，比两个区间并列时看起来窄得多：判断变化请看配对差异，而不是两个区间是否"
                    "重叠。"),
    "read:scale": ("Scale: a run at population.scale below 1 or shorter than a year is a sketch. "
                   "Pools shrink with the population, so waits and occupancy move; the note at "
                   "the top names the KPIs the scale study found to move. Counts of patients "
                   "(arrived, completed) are at the modelled scale; rates per resident and per "
                   "10,000 residents per year are not.",
                   "规模：population.scale小于1或不足一年的运行仅为粗略估计。服务能力随人口缩小，"
                   "等候时间与床位使用率随之变化；报告开头的说明列出规模研究中发现会变化的指标。"
                   "人次计数（到达、完成）为模型规模下的数值；每居民及每万居民每年的比率不受影响。"),
    "read:units": ("Units: every KPI’s unit is in its table; shares run from 0 to 1; yearly "
                   "rates are annualised over the measured period (after the warm-up).",
                   "单位：各指标的单位见表格；比例取值0–1；年率按统计期（预热之后）折算为全年。"),
    "reduced_run": ("Reduced run ({what}): verdicts are approximate; run at full scale for a "
                    "year to decide.", "缩减规模运行（{what}）：结论仅为近似；请以全规模运行一年后判定。"),
    "reduced_days": ("{days} days (yearly rates and management over a shorter period)",
                     "{days}天（年率与管理率按较短时期计算）"),
    "reduced_moved": (" KPIs known to move with scale (docs/calibration.md): {kpis}.",
                      "已知随规模变化的指标（docs/calibration.md）：{kpis}。"),
    "derived": ("derived", "推算"),
    # figure captions in reports (figure:<file stem>)
    "figure:scorecard": ("Targets scorecard: each target's KPI today (grey) and under the plan "
                         "(coloured by verdict), with 95% CIs, in the KPI's units; dashed: the "
                         "target value.", "目标评分卡：各目标指标的现状（灰色）与规划情景（按结论着色）"
                         "及95%置信区间，以指标自身单位表示；虚线为目标值。"),
    "figure:flow": ("Referral flows: first contact, referral, admission and its outcome, per "
                    "10,000 residents per year.", "转诊流向：首诊、转诊、住院及其结局，每万居民每年。"),
    "figure:map": ("Facilities, catchments and the health circle around each primary facility.",
                   "医疗机构、服务片区及各基层机构周围的医疗圈。"),
    "figure:daily": ("Daily visits and utilisation per facility kind; lines mark openings and "
                     "capacity changes.", "各类机构每日就诊量与利用率；竖线标出开业与扩容。"),
    "figure:capacity": ("Staffed first-contact servers of facilities whose capacity changes.",
                        "容量变化机构的在岗首诊医生数。"),
    "figure:waits": ("Mean waits per facility kind and service, with 95% CIs.",
                     "各类机构各项服务的平均等候时间及95%置信区间。"),
    "figure:comparison": ("Each scenario's KPI means with 95% CIs.", "各情景指标均值及95%置信区间。"),
    "figure:paired": ("Paired differences against the baseline, with 95% CIs.",
                      "相对于基线的配对差异及95%置信区间。"),
    "figure:response": ("KPIs against the design's parameters, with least-squares lines.",
                        "各指标随设计参数的变化及最小二乘拟合线。"),
    # report table cells
    "mean [95% CI]": ("mean [95% CI]", "均值 [95%置信区间]"),
    "clause": ("clause", "条款"),
    "rule": ("rule", "规则"),
    "item": ("item", "项目"),
    "value": ("value", "数值"),
    "preset": ("preset", "预设"),
    "network": ("network", "网络"),
    "policy": ("policy", "政策"),
    "targets": ("targets", "目标"),
    "seed": ("seed", "随机种子"),
    "measured period": ("measured period", "统计期"),
    "population scale": ("population scale", "人口缩放比例"),
    "command": ("command", "命令"),
    "started": ("started", "开始时间"),
    "finished": ("finished", "结束时间"),
    "job": ("job", "任务"),
    "error": ("error", "错误"),
    "status": ("status", "状态"),
    "folder": ("folder", "文件夹"),
    "{start} – {end}, after {warmup} days of warm-up": (
        "{start} – {end}, after {warmup} days of warm-up", "{start} – {end}（预热{warmup}天之后）"),
    "complete": ("complete", "已完成"),
    "failed": ("failed", "失败"),
    "incomplete": ("incomplete", "未完成"),
    "file": ("file", "文件"),
    "key": ("key", "配置项"),
    "note": ("source note", "来源说明"),
    # verdicts (the scorecard's own strings are the keys)
    "met": ("met", "达标"),
    "not met": ("not met", "未达标"),
    "inconclusive": ("inconclusive", "尚无定论"),
    "not measured": ("not measured", "未测量"),
    # table headings
    "target": ("target", "目标"),
    "kpi": ("KPI", "指标"),
    "mean": ("mean", "均值"),
    "ci95": ("95% CI", "95%置信区间"),
    "verdict": ("verdict", "结论"),
    "threshold": ("target value", "目标值"),
    "scenario": ("scenario", "情景"),
    "replications": ("replications", "重复次数"),
    "unit": ("unit", "单位"),
    # figure titles
    "title_waits": ("Waits: {label}", "等候时间：{label}"),
    "title_daily": ("Daily activity: {label}", "每日业务量：{label}"),
    "title_capacity": ("Facilities opening and growing: {label}", "机构开业与扩容：{label}"),
    "title_flow": ("Referral flows: {label}", "转诊流向：{label}"),
    "title_map": ("Network map: {label}", "医疗集团机构分布：{label}"),
    "title_scorecard": ("Targets scorecard: {plan}", "目标评分卡：{plan}"),
    "title_response": ("Sensitivity: KPI against parameter", "敏感性分析：指标与参数"),
    "run_label": ("{name}, policy {policy}", "{name}，政策：{policy}"),
    # axis labels and legends
    "wait_minutes": ("mean wait (minutes), 95% CI across replications",
                     "平均等候时间（分钟），重复运行间95%置信区间"),
    "wait_days": ("mean wait (days), 95% CI across replications",
                  "平均等候时间（天），重复运行间95%置信区间"),
    "visits_per_day": ("visits per day", "每日就诊人次"),
    "utilisation_axis": ("utilisation (busy / staffed)", "利用率（忙碌/在岗）"),
    "date": ("date", "日期"),
    "seven_day": ("(7-day rolling mean)", "（7日滑动平均）"),
    "band_ci": ("bands: 95% CI across replications", "阴影：重复运行间95%置信区间"),
    "servers_axis": ("doctors in session, daily mean (7-day max)", "在岗医生数，日均（7日最大值）"),
    "opens": ("{name} opens", "{name}开业"),
    "capacity_step": ("{service} → {servers}", "{service} → {servers}"),
    "events_title": ("Openings and capacity changes", "开业与扩容"),
    "km_east": ("east (km)", "东西向（公里）"),
    "km_north": ("north (km)", "南北向（公里）"),
    "schematic_locations": ("schematic positions: a rough km grid (assumed, not surveyed)",
                            "示意位置：按公里粗略网格（假设，非实测坐标）"),
    "catchment": ("catchment (residents' area)", "服务片区（居民分布）"),
    "health_circle": ("{minutes:g}-minute circle at {speed:g} km/h",
                      "{minutes:g}分钟圈（步行{speed:g}公里/小时）"),
    "circle_value": ("{minutes:g}-minute health circle covers {value}",
                     "{minutes:g}分钟医疗圈覆盖率{value}"),
    "not_yet_open": ("not open by the end of the run", "运行结束时尚未开业"),
    "flow_units": ("arrow widths and numbers: per 10,000 residents per year (mean of {n} "
                   "replications)", "箭头宽度与数字：每万居民每年（{n}次重复运行的均值）"),
    "first_contact": ("First contact", "首诊"),
    "referral": ("Referral", "转诊"),
    "hospital_care": ("Hospital", "医院"),
    "outcome": ("Outcome", "结局"),
    "hospital_outpatient": ("Hospital outpatient\n(group or city)", "医院门诊\n（集团内或市级）"),
    "settled_remotely": ("Settled remotely", "远程解决"),
    "of_which_ambulance": ("of which by ambulance: {n}", "其中救护车：{n}"),
    "of_which_first": ("of which first contacts: {n}", "其中首诊患者：{n}"),
    "flow_balance": ("Every first contact ends in one box: {firsts} = {ends}",
                     "每位首诊患者都有去处：{firsts} = {ends}"),
    "flow_refills": ("Repeat prescriptions (not drawn): {n}", "慢病续方就诊（未画出）：{n}"),
    "comparison_axis": ("mean and 95% CI", "均值与95%置信区间"),
    "paired_axis": ("difference from {baseline}, 95% CI", "与{baseline}之差，95%置信区间"),
    "slope": ("slope {slope:.3g}", "斜率 {slope:.3g}"),
    "paired_title": ("Paired differences from {baseline}, 95% CI",
                     "与{baseline}的配对差异，95%置信区间"),
    "ci_clear_of_zero": ("95% CI clear of 0", "95%置信区间不含0"),
    "ci_contains_zero": ("95% CI contains 0", "95%置信区间含0"),
    "design_point": ("design point", "设计点"),
    "ls_line": ("least-squares line", "最小二乘拟合线"),
    "no_data": ("no data", "无数据"),
    # today reproduced? (sim.analysis.observed)
    "today_reproduced": ("Today reproduced?", "现状复现？"),
    "title_observed": ("Today reproduced? {district}", "现状复现？{district}"),
    "observed intro": ("Before the plan is judged, the status quo must look like the district "
                       "today: each published figure's band against the simulated mean and its "
                       "95% CI (reproduced when the whole interval lies inside the band).",
                       "评价规划之前，现状情景须与本区现状相符：各项公开数据的区间与模拟均值及其"
                       "95%置信区间对照（整个置信区间落在区间内即为已复现）。"),
    "figure:observed": ("Today reproduced? Each published figure's band (shaded), its value "
                        "(tick) and the simulated mean with its 95% CI.",
                        "现状复现：各项公开数据的区间（阴影）、公布值（竖线）与模拟均值及95%置信区间。"),
    "figure": ("figure", "数据项"),
    "observed band": ("observed band", "观测区间"),
    "published value": ("published value", "公布值"),
    "known gap": ("known gap", "已知缺口"),
    "simulated": ("simulated mean [95% CI]", "模拟均值 [95%置信区间]"),
    "simulated_legend": ("simulated mean, 95% CI", "模拟均值及95%置信区间"),
    "band_legend": ("observed band", "观测区间"),
    "scope": ("scope", "范围"),
    "tag": ("tag", "可靠性"),
    "source": ("source", "来源"),
    "year": ("year", "年份"),
    "scope:district": ("district", "本区"),
    "scope:tianjin": ("Tianjin", "天津市"),
    "scope:china": ("China", "全国"),
    "scope:survey": ("survey", "抽样调查"),
    "reproduced": ("reproduced", "已复现"),
    "not reproduced": ("not reproduced", "未复现"),
    # the plan against today (sim.analysis.scorecard)
    "plan_vs_today": ("The plan against today", "规划与现状对比"),
    "plan_vs_today intro": ("Today and the plan run on common random numbers; each target is "
                            "judged by its type on the plan's 95% CI or on the paired difference "
                            "plan − today.",
                            "现状与规划情景使用相同随机数运行；各目标按其类型，以规划情景的95%"
                            "置信区间或规划减现状的配对差值判定。"),
    "plan_only intro": ("This run is scored on its own, as the plan: without a today run "
                        "nothing is compared with today and raise targets are not measured.",
                        "本次运行单独作为规划情景评分：没有现状情景的运行结果，不与现状比较，"
                        "提高类目标未测量。"),
    "already met intro": ("Already met today (the plan does not need these targets):",
                          "现状已达标（规划无需这些目标）："),
    "types explained: maintain": ("maintain: today's level must hold under the plan (judged on "
                                  "the plan against the threshold).",
                                  "保持：现状水平在规划下须保持（以规划情景对照目标值判定）。"),
    "types explained: reach": ("reach: the plan must reach the threshold (by the target's year).",
                               "达到：规划情景须达到目标值（在目标年份）。"),
    "types explained: raise": ("raise: the plan must improve on today: the paired difference "
                               "plan − today lies above zero (below for ≤) with 95% confidence.",
                               "提高：规划须优于现状：规划减现状的配对差值以95%置信度大于零"
                               "（≤类目标为小于零）。"),
    "types explained: input": ("input: a resource the plan sets; reported, not judged.",
                               "投入：规划设定的资源投入；仅报告，不判定。"),
    "type:maintain": ("maintain", "保持"),
    "type:reach": ("reach", "达到"),
    "type:raise": ("raise", "提高"),
    "type:input": ("input", "投入"),
    "input": ("input", "投入（不判定）"),
    "> today": ("> today", "高于现状"),
    "< today": ("< today", "低于现状"),
    "yardstick_rule": (", yardstick {rule}", "，参考值{rule}"),
    "type": ("type", "类型"),
    "notes": ("note", "说明"),
    "threshold from": ("threshold from", "目标值来源"),
    "source:plan": ("plan", "规划"),
    "source:assumption": ("assumption", "假设"),
    "today": ("today", "现状"),
    "plan": ("plan", "规划"),
    "today [95% CI]": ("today [95% CI]", "现状 [95%置信区间]"),
    "plan [95% CI]": ("plan [95% CI]", "规划 [95%置信区间]"),
    "plan − today [95% CI]": ("plan − today [95% CI]", "规划−现状 [95%置信区间]"),
    "today_legend": ("today: mean, 95% CI", "现状：均值及95%置信区间"),
    "plan_legend": ("plan: mean, 95% CI", "规划：均值及95%置信区间"),
    "threshold_legend": ("target value", "目标值"),
    "already met today": ("already met today", "现状已达标"),
    # scorecard notes (the English is what scorecard.csv holds)
    "today does not meet the threshold: a calibration finding": (
        "today does not meet the threshold: a calibration finding", "现状未达到目标值：校准发现"),
    "today's own level is inconclusive against the threshold": (
        "today's own level is inconclusive against the threshold", "现状水平相对目标值尚无定论"),
    "already met today: the plan does not need this target": (
        "already met today: the plan does not need this target", "现状已达标：规划无需此目标"),
    "needs today's run": ("needs today's run", "需要现状情景的运行结果"),
    "one replication: no confidence interval": ("one replication: no confidence interval",
                                                "仅一次重复运行：无置信区间"),
    "the plan reaches the yardstick": ("the plan reaches the yardstick", "规划达到参考值"),
    "the plan falls short of the yardstick": ("the plan falls short of the yardstick",
                                              "规划未达到参考值"),
    "whether the plan reaches the yardstick is inconclusive": (
        "whether the plan reaches the yardstick is inconclusive", "规划是否达到参考值尚无定论"),
}

# display names of presets, networks and policies (name:<config name>); a name not listed here
# shows as it is (``name_label``)
NAMES: dict[str, tuple[str, str]] = {
    # presets and networks
    "dongli": ("Dongli", "东丽区"),
    "jinghai": ("Jinghai", "静海区"),
    "jinghai_2020": ("Jinghai 2020", "静海区 2020"),
    "jinghai_2025": ("Jinghai 2025", "静海区 2025"),
    "baoshui": ("Baoshui (Free Trade Zone)", "天津港保税区"),
    "baoshui_no_lingang": ("Baoshui without 临港医院", "保税区（临港医院未开业）"),
    "baoshui_no_openings": ("Baoshui without the 2025–2027 openings", "保税区（无2025–2027新开机构）"),
    "baoshui_no_phase2": ("Baoshui without 空港医院 phase 2", "保税区（空港医院二期未开业）"),
    "baoshui_no_stations": ("Baoshui without the new stations", "保税区（新建社区卫生服务站未建）"),
    "tianjin_2027": ("Tianjin plan 2027", "天津市2027年规划"),
    # policies
    "baseline": ("baseline", "现状（基线）"),
    "plan_2027": ("plan 2027", "2027年规划"),
    "gatekeeping": ("gatekeeping", "基层首诊"),
    "gatekeeping_strict": ("strict gatekeeping", "严格基层首诊"),
    "reserved_slots": ("reserved slots", "预留号源"),
    "slots": ("booked slots", "预约号源"),
    "green_channel": ("green channel", "绿色通道"),
    "down_referral": ("down-referral", "下转"),
    "referral_system": ("referral system", "双向转诊制度"),
    "remote_diagnosis": ("remote diagnosis", "基层检查、上级诊断"),
    "mutual_recognition": ("mutual recognition", "检查检验结果互认"),
    "teleconsult": ("teleconsultation", "远程会诊"),
    "chronic_management": ("chronic management", "慢病规范管理"),
    "ambulance": ("ambulance", "院前急救"),
    "capitation": ("capitation", "按人头付费"),
    "choice": ("patient choice", "患者自主选择"),
    "in_district": ("care in the district", "常见病不出区"),
    "drug_linkage": ("drug linkage", "基层药品联动"),
}
_BY_ENGLISH = {en: key for key, (en, _) in PHRASES.items()}


def check_lang(lang: str) -> int:
    """Index of ``lang`` in LANGS; ValueError naming the allowed values otherwise."""
    if lang not in LANGS:
        raise ValueError(f"lang = {lang!r}: unknown; allowed: {', '.join(LANGS)}")
    return LANGS.index(lang)


def text(key: str, lang: str, **fmt: object) -> str:
    """A figure or report phrase by key (or by its English text), formatted with ``fmt``; a key
    not in ``PHRASES`` is returned as it is (formatted), so a new phrase shows in English."""
    i = check_lang(lang)
    pair = PHRASES.get(key) or PHRASES.get(_BY_ENGLISH.get(key, ""))
    phrase = pair[i] if pair is not None else key
    return phrase.format(**fmt) if fmt else phrase


def name_label(name: str, lang: str) -> str:
    """A preset's, network's or policy's display name (``NAMES``); unknown names as they are."""
    i = check_lang(lang)
    return NAMES[name][i] if name in NAMES else name


def override_label(override: str, lang: str) -> str:
    """A job's override in words: ``policy=gatekeeping`` → ``政策=基层首诊``; several joined by
    commas; a key or value without a label stays as it is."""
    def one(o: str) -> str:
        key, eq, value = o.partition("=")
        return f"{text(key, lang)}={name_label(value, lang)}" if eq else o
    return ("，" if lang == "zh" else ",").join(one(o) for o in override.split(","))


def kind_label(kind: str, lang: str) -> str:
    """A facility kind (hospital, centre, ...) in words."""
    i = check_lang(lang)
    return KINDS[kind][i] if kind in KINDS else kind


def service_label(service: str, lang: str) -> str:
    """A service (gp, outpatient, beds, ...) in words."""
    i = check_lang(lang)
    return SERVICES[service][i] if service in SERVICES else service.replace("_", " ")


def _split_year(name: str) -> tuple[str, str | None]:
    base, _, year = name.partition("@")
    return base, (year or None)


def kpi_parts(base: str) -> tuple[str, str, str, str | None] | None:
    """``wait_mean_hospital_outpatient_priority`` → (family, kind, service, class) for a KPI of
    a family declared by pattern (``sim.metrics.catalogue``); None for a KPI of its own."""
    if pattern_of(base) is None:
        return None
    for prefix in sorted({p[:-2] for p in PATTERNS}, key=len):
        if base.startswith(prefix + "_"):
            rest = base[len(prefix) + 1:]
            kind = next((k for k in KINDS if rest.startswith(k + "_")), None)
            if kind is None:
                continue
            service, cls = rest[len(kind) + 1:], None
            for c in CLASSES:
                if service.endswith("_" + c) and service[:-len(c) - 1] in SERVICES:
                    service, cls = service[:-len(c) - 1], c
            return prefix, kind, service, cls
    return None


def kpi_label(name: str, lang: str) -> str:
    """A KPI's name in words (declared beside its definition); ``name@YEAR`` gets the year
    appended; unknown names fall back to the name with underscores as spaces."""
    i = check_lang(lang)
    base, year = _split_year(name)
    found = declaration(base)
    label = base.replace("_", " ") if found is None else (found.en, found.zh)[i]
    if (fam := kpi_parts(base)) is not None:
        _, kind, service, cls = fam
        where = (f"{kind_label(kind, lang)} {service_label(service, lang)}" if i == 0
                 else f"{kind_label(kind, lang)}{service_label(service, lang)}")
        label = f"{label}: {where}" if i == 0 else f"{where}{label}"
        if cls:
            label += f" ({CLASSES[cls][i]})" if i == 0 else f"（{CLASSES[cls][i]}）"
    if year:
        label += f" ({year})" if i == 0 else f"（{year}年）"
    return label


def kpi_unit_key(name: str) -> str:
    """The unit of a KPI as a key of ``UNITS`` ('' when unknown)."""
    found = declaration(name)
    return found.unit if found is not None else ""


def kpi_unit(name: str, lang: str) -> str:
    """A KPI's unit in words (minutes, days, share, per 10,000 residents per year, ...);
    '' when unknown."""
    i = check_lang(lang)
    key = kpi_unit_key(name)
    return UNITS[key][i] if key else ""
