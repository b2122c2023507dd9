# ``sim.model.network``'s Facility and Service as C types, for ``sim.model._network`` (network.py
# compiled as it is, setup.py): the compiled pathways read a facility's and a service's fields,
# and draw a service time, in C.
from sim.engine._core cimport Draws, Pool


cdef class Facility:
    cdef public str id, kind, role
    cdef public object name, location
    cdef public int level, index
    cdef public double opens_at
    cdef public dict services
    cdef public list refer_to
    cdef public bint is_open


cdef class Service:
    cdef public int idx
    cdef public Facility facility
    cdef public str name
    cdef public Pool pool
    cdef public Draws sample
    cdef public object base_servers
