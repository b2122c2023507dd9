# cython: language_level=3, boundscheck=False, wraparound=False
"""Today's log rows written straight into typed ``array`` columns, in C: the compiled twin of
``sim.domain.rows``' ``PyVisitRows`` and ``PyStepRows`` (tuples, typed at the roll), with the
same columns, the same bytes and the same ``OverflowError`` for a value its column cannot hold
(raised when the row is logged rather than at the roll). A row is its values, so the compiled
pathways write one with a C call (the types and methods declared in ``_rows.pxd``)."""
from array import array

from cpython cimport array as carray

GROWN = 4096        # rows a new day's columns hold before they first grow


cdef class _Rows:
    """Typed columns of one table (type codes ``codes``: the subclass's ``LAYOUT``, then the
    episode id with ``episodes``): ``n`` rows written, ``cap`` rows allocated in each."""
    LAYOUT = ""

    def __cinit__(self, str codes, bint episodes=False):
        want = type(self).LAYOUT + ("q" if episodes else "")
        if codes != want:
            raise ValueError(f"{type(self).__name__}: columns {codes!r}; compiled for {want!r}")
        self.cols = [carray.clone(array(code), GROWN, False) for code in codes]
        self.n, self.cap, self.episodes = 0, GROWN, episodes

    cdef int grow(self) except -1:
        """Room for one more row: every column's capacity doubled."""
        cdef carray.array col
        self.cap *= 2
        for col in self.cols:
            carray.resize(col, self.cap)
        return 0

    def __len__(self) -> int:
        return self.n

    def columns(self) -> list:
        """Today's rows as one ``array`` per column (copies: rows may still be added)."""
        return [col[:self.n] for col in self.cols]


cdef class VisitRows(_Rows):
    """Visit rows (``VISIT_COLUMNS``, then the episode id with ``episodes``)."""
    LAYOUT = "ibbbidd"

    cpdef visit(self, int service, int8 etype, int8 lane, int8 referred, int cohort, double t,
                double wait, int64 episode=-1):
        """One visit row: ``service`` index, the episode's type, the lane, sent by a doctor or
        not, the episode's cohort, the time the patient asked, the wait, and the episode id
        (kept with ``episodes``)."""
        cdef Py_ssize_t i = self.n
        if i == self.cap:
            self.grow()
        cdef list c = self.cols
        (<carray.array>c[0]).data.as_ints[i] = service
        (<carray.array>c[1]).data.as_schars[i] = etype
        (<carray.array>c[2]).data.as_schars[i] = lane
        (<carray.array>c[3]).data.as_schars[i] = referred
        (<carray.array>c[4]).data.as_ints[i] = cohort
        (<carray.array>c[5]).data.as_doubles[i] = t
        (<carray.array>c[6]).data.as_doubles[i] = wait
        if self.episodes:
            (<carray.array>c[7]).data.as_longlongs[i] = episode
        self.n = i + 1


cdef class StepRows(_Rows):
    """Step rows (``STEP_COLUMNS``, then the episode id with ``episodes``)."""
    LAYOUT = "bbidd"

    cpdef append(self, int8 step, int8 etype, int facility, double t, double value=0.0,
                 int64 episode=-1):
        """One step row: the step, the episode's type, the facility's index, the time, the
        step's value and the episode id (kept with ``episodes``)."""
        cdef Py_ssize_t i = self.n
        if i == self.cap:
            self.grow()
        cdef list c = self.cols
        (<carray.array>c[0]).data.as_schars[i] = step
        (<carray.array>c[1]).data.as_schars[i] = etype
        (<carray.array>c[2]).data.as_ints[i] = facility
        (<carray.array>c[3]).data.as_doubles[i] = t
        (<carray.array>c[4]).data.as_doubles[i] = value
        if self.episodes:
            (<carray.array>c[5]).data.as_longlongs[i] = episode
        self.n = i + 1
