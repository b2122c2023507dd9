# The compiled log rows' types (sim/domain/_rows.pyx), declared here so that the compiled
# pathways (sim/model/_context.pxd types the context's rows) write a row with a C call.
ctypedef signed char int8
ctypedef long long int64


cdef class _Rows:
    cdef list cols
    cdef Py_ssize_t n, cap
    cdef bint episodes

    cdef int grow(self) except -1


cdef class VisitRows(_Rows):
    cpdef visit(self, int service, int8 etype, int8 lane, int8 referred, int cohort, double t,
                double wait, int64 episode=*)


cdef class StepRows(_Rows):
    cpdef append(self, int8 step, int8 etype, int facility, double t, double value=*,
                 int64 episode=*)
