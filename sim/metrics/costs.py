"""Payment KPIs: costs by item and level, the insured part, and the capitation surplus.

Each visit row is priced by its service and the facility's payment tier (``visit_primary``,
``admission_tertiary``, ``exam``, ...; missing items cost 0); the insurer pays the tier's
``reimbursement`` share, less the soft-gatekeeping surcharge on unreferred hospital visits.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from sim.metrics.catalogue import UNBOUNDED, kpi
from sim.metrics.measures import Measures
from sim.metrics.parts import Part, rate, share, state

ITEM = {"gp": "visit", "outpatient": "visit", "emergency": "visit", "beds": "admission",
        "rehab_beds": "admission", "home_beds": "home_bed", "exam": "exam", "reading": "reading",
        "teleconsult": "teleconsult", "ambulances": "ambulance", "public_health": "checkup"}
TIERED = ("visit", "admission")


def _prices(m: Measures) -> tuple[np.ndarray, np.ndarray]:
    """Cost and insured share per service index."""
    costs, reimb = m.payment["costs"], m.payment["reimbursement"]
    cost, share = [], []
    for _, _, name, tier in m.services:
        item = ITEM.get(name, name)
        key = f"{item}_{tier}" if item in TIERED else item
        cost.append(costs.get(key, 0.0))
        share.append(reimb.get(tier, 0.0))
    return np.array(cost), np.array(share)


@kpi(total_cost=("cny_year", "Total cost of care", "医疗总费用"),
     insured_cost=("cny_year", "Cost paid by insurance", "医保基金支付"),
     cost_per_resident=("cny_resident_year", "Cost of care per resident", "人均医疗费用"),
     primary_insurance_share=("share", "Primary care share of insurance payments", "基层医保基金支付占比"),
     capitation_surplus=("cny_year", "Capitation surplus", "按人头付费结余", UNBOUNDED))
def payment(m: Measures) -> dict[str, Part]:
    """total_cost, insured_cost (CNY per year), cost_per_resident, primary_insurance_share
    (insured cost at primary level / all insured cost), capitation_surplus (budget − insured
    cost of signed residents, CNY per year; NaN under fee-for-service)."""
    cost, share_ = _prices(m)
    svc = m.visits["service"]
    total = cost[svc].sum()
    # per visit: the insured part of its price (as cost[svc] * share[svc]; one array, not three,
    # so a long run's reduction needs less memory)
    insured = (cost * share_)[svc]
    unreferred = m.visits_at(("hospital",), ("outpatient",)) & (m.visits["referred"] == 0)
    insured[unreferred] = np.maximum(insured[unreferred] - m.payment["surcharge"], 0.0)
    del unreferred
    y = m.years
    insured_total = insured.sum()
    surplus = state(np.nan)
    if m.payment["scheme"] == "capitation":
        signed = m.cohort_signed[m.visits["cohort"]]
        budget = m.payment["per_signed_year"] * m.signed
        surplus = Part(partial(_surplus, budget), (insured[signed].sum(), y))
    primary = np.array([t == "primary" for *_, t in m.services], dtype=bool)[svc]
    return {"total_cost": rate(total, y),
            "insured_cost": rate(insured_total, y),
            "cost_per_resident": rate(total, y, per=m.residents),
            "primary_insurance_share": share(insured[primary].sum(), insured_total),
            "capitation_surplus": surplus}


def _surplus(budget: float, insured: float, years: float) -> float:
    """The capitation budget per year less the insured cost of signed residents per year."""
    return budget - insured / years
