# Types the compiled pathways (``sim.model._pathways``, pathways.py compiled as it is) read from
# other compiled modules: an argument or local annotated with one is read, and its methods called,
# in C (the annotations ``m: Context``, ``ep: Episode``, ``pol: Policy``, ``fac: Facility``,
# ``svc: Service``, ``book: AppointmentBook``, ``env: Core``, ``pool: Pool``); ``pick``,
# ``whole_days`` and the log's writers are C functions.
from sim.model._context cimport Context, Episode
from sim.model._network cimport Facility, Service
from sim.model._policy cimport Policy
from sim.model._slots cimport AppointmentBook
from sim.engine._core cimport Core, Pool


cpdef Facility pick(list table, double u)
cpdef double whole_days(double minutes)
cpdef log_step(Context m, int step, Episode ep, Facility fac, double value=*)
cpdef log_visit(Context m, Episode ep, int service, int lane, int referred, double t,
                double wait)
