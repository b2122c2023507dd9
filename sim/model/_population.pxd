# ``sim.model.population``'s Catchment and Cohort as C types, for ``sim.model._population``
# (population.py compiled as it is, setup.py): the compiled pathways and policy read who a
# patient is, and where they go first, in C.
from sim.model._network cimport Facility


cdef class Catchment:
    cdef public str id
    cdef public int idx
    cdef public double residents, radius
    cdef public list primary, hospitals
    cdef public Facility centre
    cdef public object location


cdef class Cohort:
    cdef public int idx
    cdef public Catchment catchment
    cdef public str age
    cdef public bint signed
    cdef public double residents, chronic
