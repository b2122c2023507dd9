# ``sim.model.context``'s Episode and Context as C types, for ``sim.model._context`` (context.py
# compiled as it is, setup.py): the compiled pathways and policy read their fields in C, and the
# engine calls ``Intake.start`` for each arrival as a C function.
cimport cython
from sim.engine._core cimport Core, Draws
from sim.domain._rows cimport StepRows, VisitRows
from sim.model._demand cimport EpisodeType
from sim.model._population cimport Cohort

cdef class Episode:
    cdef public long long id
    cdef public double t0
    cdef public int person
    cdef public EpisodeType kind
    cdef public Cohort cohort


cdef class Context:
    cdef public Core env
    cdef public VisitRows visit_rows
    cdef public StepRows step_rows
    cdef public object policy, schedules
    cdef public Draws u_pick, return_delay, followup_delay, turnaround
    cdef public object route_next, followup_type, spawn
    cdef public object reader, teleconsult
    cdef public object books, outside, lead, fleet
    cdef public object nearest_ed, ed_choice, down_places


cdef class Intake:
    cdef public long long arrived
    cdef public Core env
    cdef public object care, ends

    @cython.locals(ep=Episode)
    cpdef start(self, EpisodeType kind, Cohort cohort, int person=*)
