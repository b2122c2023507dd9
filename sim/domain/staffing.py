"""Staffing at a reduced population scale, and what the density KPIs count: one rule each, read
by the network that builds servers, the design that derives them and the runner that counts them."""
from __future__ import annotations

# density KPI → (services it counts, residents per unit): every such service of a facility not
# of kind external with a set number of servers, as staffed on the period's last day
DENSITIES = {
    "gps_per_10k": (("gp",), 1e4),
    "beds_per_1000": (("beds", "rehab_beds"), 1e3),
}


def scaled_servers(servers: int | None, scale: float) -> int | None:
    """The servers the model keeps at ``population.scale`` (at least one of any)."""
    if servers is None or scale == 1.0 or servers == 0:
        return servers
    return max(1, round(servers * scale))


def full_scale_servers(modelled: int, scale: float) -> int:
    """The full-scale servers that ``scaled_servers`` shrinks to ``modelled``."""
    return modelled if scale == 1.0 or modelled == 0 else int(round(modelled / scale))
