# ``sim.model.slots``' AppointmentBook as a C type, for ``sim.model._slots`` (slots.py compiled as
# it is, setup.py): the compiled pathways book a slot with a C call.


cdef class AppointmentBook:
    cdef public list sessions, capacity, reserved, public, used_public, used_reserved
    cdef public double release
    cdef public Py_ssize_t max_days, _first_public, _first_reserved

    cpdef object book(self, double now, bint referred)
    cpdef object _find(self, Py_ssize_t d, Py_ssize_t last, double now, list used, list cap)
    cpdef _advance(self, Py_ssize_t today)
    cpdef double _slot_time(self, Py_ssize_t d, double now)
