"""The figures' former single module, kept so existing imports work: everything lives in
``sim.analysis.figures`` (one module per figure family)."""
from sim.analysis.figures import *  # noqa: F401,F403
from sim.analysis.figures import __all__  # noqa: F401
from sim.analysis.figures.common import fmt as _fmt, wrap as _wrap  # noqa: F401
from sim.analysis.figures.map import KIND_STYLE, PRIMARY  # noqa: F401
