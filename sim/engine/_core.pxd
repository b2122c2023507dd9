# The compiled engine's types (sim/engine/_core.pyx), declared here so that the compiled model
# (sim/model/_context.pxd, _pathways.pxd) reads the clock and calls the pools in C.
from cpython.object cimport PyObject


cdef struct Entry:
    double t
    long long key                   # priority << 56 | insertion number
    int kind
    PyObject* obj                   # a Journey (RESUME) or a simpy Event (FIRE); owned


cdef class Core:
    cdef public double now
    cdef Entry* heap
    cdef Py_ssize_t size, room
    cdef long long eid
    cdef list _times, _items
    cdef Py_ssize_t _next
    cdef object _arrive

    cdef int push(self, double t, long long priority, object obj, int kind) except -1
    cdef Entry pop(self) noexcept
    cpdef object delay(self, object minutes)
    cpdef journey(self, generator, on_end)


cdef class Request:
    cdef public object env, _value
    cdef public list callbacks
    cdef public bint _ok


cdef class Draws:
    cdef object _block
    cdef double[::1] _buf
    cdef Py_ssize_t _i, _n

    cpdef double next(self) except? -1


cdef class Tally:
    cdef public long long served, unserved
    cdef object _on_unserved

    cdef int count(self, object value) except -1


cdef class Journey:
    cdef Core env
    cdef object gen, on_end

    cdef int resume(self, object value) except -1


cdef class Driver(Journey):
    pass


cdef class Pool:
    cdef public Core env
    cdef public str name
    cdef public long capacity, busy, waiting, requested, started, cancelled
    cdef public tuple lanes
    cdef public double _t, _tc, busy_area, queue_area, cap_area

    cdef void _advance(self) noexcept
    cpdef object acquire(self, int lane=*)
    cpdef release(self)
    cdef int _hand_over(self) except -1
    cdef void _advance_capacity(self) noexcept
