"""medgroup-sim: a discrete-event simulator of close-knit urban medical groups (紧密型城市医疗集团).

Entry points: ``python -m sim`` (Hydra CLI), ``sim.api.simulate`` (Python), ``python -m sim.bench``.
"""
__version__ = "0.1.0"
