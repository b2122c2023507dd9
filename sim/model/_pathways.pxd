# Types the compiled pathways (``sim.model._pathways``, pathways.py compiled as it is) read from
# other compiled modules: a local annotated ``Policy`` calls the policy's decisions as C functions.
from sim.model._policy cimport Policy
