# ``sim.model.context``'s Episode and Context as C types, for ``sim.model._context`` (context.py
# compiled as it is, setup.py): the compiled pathways and policy read their fields in C, and the
# engine calls ``Intake.start`` for each arrival as a C function.
cimport cython
from sim.engine._core cimport Core

cdef class Episode:
    cdef public object id, kind, cohort, t0, person


cdef class Context:
    cdef public Core env
    cdef public object log, step, policy, schedules
    cdef public object u_pick, route_next, return_delay
    cdef public object followup_type, followup_delay, spawn
    cdef public object reader, turnaround, teleconsult
    cdef public object books, outside, lead, fleet
    cdef public object nearest_ed, ed_choice, down_places


cdef class Intake:
    cdef public long long arrived
    cdef public Core env
    cdef public object care, ends

    @cython.locals(ep=Episode)
    cpdef start(self, kind, cohort, person=*)
