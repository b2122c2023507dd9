# Types the compiled pathways (``sim.model._pathways``, pathways.py compiled as it is) read from
# other compiled modules: an argument or local annotated with one is read, and its methods called,
# in C (the annotations ``m: Context``, ``ep: Episode``, ``pol: Policy``, ``env: Core``,
# ``pool: Pool``).
from sim.model._context cimport Context, Episode
from sim.model._policy cimport Policy
from sim.engine._core cimport Core, Pool
