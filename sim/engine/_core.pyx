# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The fast engine's hot path compiled: event queue, journeys and server pools in C.

The same engine as the pure-Python ``FastEnv``, ``Journey`` and ``Pool`` (``sim.engine.loop``,
``journey``, ``pool``), entry for entry: the queue orders entries by (time, priority, insertion)
as SimPy does, a delay is a float the journey turns into its own entry, an event's entry calls
its callbacks. Only the representation differs: entries are C structs in a binary heap, the
journey sends to its generator through ``PyIter_Send``, pools keep their counters in C and
hand waiting patients C ``Request`` objects instead of SimPy events.
``tests/test_engine.py`` checks that both give identical results; ``run.engine=python`` runs the
pure-Python one. The types' fields and C methods are declared in ``_core.pxd``, for the compiled
model to use too.
"""
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_DECREF
from cpython.float cimport PyFloat_CheckExact, PyFloat_AS_DOUBLE
from libc.stdlib cimport malloc, realloc, free

cimport cython
from collections import deque
from simpy.events import PENDING

cdef extern from "Python.h":
    ctypedef enum PySendResult:
        PYGEN_RETURN
        PYGEN_ERROR
        PYGEN_NEXT
    PySendResult PyIter_Send(object iterator, object arg, PyObject** presult) except? PYGEN_ERROR

cdef double INF = float("inf")
cdef long long NORMAL = 1           # SimPy's priorities: URGENT 0, NORMAL 1
cdef int RESUME = 0                 # an entry's kind: resume a journey (its delay is over)
cdef int FIRE = 1                   #                  process an event (call its callbacks)
cdef int UNLIMITED = -1


cdef inline bint before(Entry* a, Entry* b) noexcept nogil:
    return a.t < b.t or (a.t == b.t and a.key < b.key)


cdef class Core:
    """The event queue and clock of ``sim.engine.loop.CompiledEnv`` (SimPy's ``Environment``
    supplies the rest: ``timeout``, ``event``, ``any_of``)."""

    def __cinit__(self, *args, **kwargs):
        self.room = 1024
        self.heap = <Entry*>malloc(self.room * sizeof(Entry))
        if self.heap == NULL:
            raise MemoryError()
        self._times, self._items, self._next = [], [], 0

    def __dealloc__(self):
        cdef Py_ssize_t i
        for i in range(self.size):
            Py_DECREF(<object>self.heap[i].obj)
        free(self.heap)

    cdef int push(self, double t, long long priority, object obj, int kind) except -1:
        cdef Py_ssize_t i = self.size, parent
        cdef Entry* grown
        cdef Entry e
        if self.size == self.room:
            grown = <Entry*>realloc(self.heap, 2 * self.room * sizeof(Entry))
            if grown == NULL:
                raise MemoryError()
            self.heap, self.room = grown, 2 * self.room
        e.t, e.key, e.kind, e.obj = t, (priority << 56) | self.eid, kind, <PyObject*>obj
        self.eid += 1
        Py_INCREF(obj)
        while i > 0:                                   # sift up
            parent = (i - 1) >> 1
            if not before(&e, &self.heap[parent]):
                break
            self.heap[i] = self.heap[parent]
            i = parent
        self.heap[i] = e
        self.size += 1
        return 0

    cdef Entry pop(self) noexcept:
        cdef Entry top = self.heap[0]
        cdef Entry last
        cdef Py_ssize_t i = 0, child, n
        self.size -= 1
        n = self.size
        if n:
            last = self.heap[n]
            while True:                                # sift down
                child = 2 * i + 1
                if child >= n:
                    break
                if child + 1 < n and before(&self.heap[child + 1], &self.heap[child]):
                    child += 1
                if not before(&self.heap[child], &last):
                    break
                self.heap[i] = self.heap[child]
                i = child
            self.heap[i] = last
        return top

    def schedule(self, event, long long priority=1, double delay=0.0):
        """SimPy's ``schedule``: an entry that processes ``event`` after ``delay``."""
        self.push(self.now + delay, priority, event, FIRE)

    cpdef object delay(self, object minutes):
        """A wait of ``minutes`` for a journey to yield: the number itself (``FastEnv.delay``)."""
        if PyFloat_CheckExact(minutes) and not PyFloat_AS_DOUBLE(minutes) < 0:
            return minutes                             # a sample: checked in C
        if minutes < 0:
            raise ValueError(f"negative delay {minutes}")
        return float(minutes)

    cpdef journey(self, generator, on_end):
        """Start ``generator`` as a patient's light process; ``on_end(return value)`` at its end."""
        cdef Journey journey = Journey.__new__(Journey)
        journey.env, journey.gen, journey.on_end = self, generator, on_end
        journey.resume(None)

    def driver(self, generator):
        """Start one of the model's own processes (not counted as a patient)."""
        cdef Driver driver = Driver.__new__(Driver)
        driver.env, driver.gen, driver.on_end = self, generator, _ignore
        driver.resume(None)

    def feed(self, times, items, arrive):
        """Call ``arrive(*items[i])`` at ``times[i]`` (sorted, not before now; ``items[i]`` a
        tuple of arguments), merged into the event loop without an event each."""
        self._times = self._times[self._next:] + [float(t) for t in times]
        self._items = self._items[self._next:] + list(items)
        self._next = 0
        self._arrive = arrive

    def run_until(self, double until):
        """Process every entry and arrival before ``until`` in time order (entries first on a
        tie), then set the clock to ``until``."""
        cdef list times = self._times, items = self._items
        cdef object arrive = self._arrive, obj
        cdef Py_ssize_t i = self._next, n = len(times)
        cdef double t_arrival = <double>times[i] if i < n else INF, t_event
        cdef Entry e
        while True:
            t_event = self.heap[0].t if self.size else INF
            if t_arrival < t_event:
                if t_arrival >= until:
                    break
                self.now = t_arrival
                arrive(*<tuple>items[i])
                i += 1
                t_arrival = <double>times[i] if i < n else INF
                continue
            if t_event >= until:
                break
            e = self.pop()
            self.now = e.t
            obj = <object>e.obj
            Py_DECREF(obj)                              # the queue's reference
            if e.kind == RESUME:
                (<Journey>obj).resume(None)
            else:
                fire(obj)
        self._next = i
        self.now = until

    def pool(self, name, capacity, lanes=2):
        """A server pool on this clock."""
        return Pool(self, name, capacity, lanes)

    def pending(self):
        """What the queued entries will call (to find the patients still in the model)."""
        calls = []
        cdef Py_ssize_t i
        for i in range(self.size):
            obj = <object>self.heap[i].obj
            if self.heap[i].kind == RESUME:
                calls.append(obj.wake)
            else:
                calls.extend(obj.callbacks or ())
        return calls

    def events_scheduled(self):
        """Entries scheduled so far."""
        return self.eid


cdef int fire(object event) except -1:
    """Process ``event``: call its callbacks (what SimPy's ``step`` does)."""
    cdef list callbacks
    if type(event) is Request:
        callbacks = (<Request>event).callbacks
        (<Request>event).callbacks = None
    else:
        callbacks = event.callbacks
        event.callbacks = None
    for callback in callbacks:
        callback(event)
    return 0


@cython.freelist(256)
cdef class Request:
    """A waiting patient's claim on a ``Pool``: the parts of a SimPy event that the journeys,
    the pools and SimPy's conditions (``env.any_of``) use, kept in C (a SimPy ``Event`` keeps
    them in an instance dictionary, made for each request)."""

    @property
    def triggered(self) -> bool:
        return self._value is not PENDING

    def succeed(self, value=None):
        """Trigger the request with ``value`` now (a patient who stops waiting)."""
        if self._value is not PENDING:
            raise RuntimeError(f"{self} has already been triggered")
        self._ok = True
        self._value = value
        (<Core>self.env).push((<Core>self.env).now, NORMAL, self, FIRE)
        return self


cdef class Draws:
    """``sim.engine.dists.Draws`` in C: numbers drawn in blocks (``block()``: an array of
    doubles) handed out one by one as C doubles; the compiled model calls ``next`` in C."""

    def __init__(self, block):
        self._block = block
        self._i = self._n = 0

    def __call__(self):
        return self.next()

    cpdef double next(self) except? -1:
        cdef Py_ssize_t i = self._i
        if i == self._n:
            self._buf = self._block()
            self._n = self._buf.shape[0]
            i = 0
        self._i = i + 1
        return self._buf[i]


def _ignore(value):
    """End of a model process: nothing to count."""


cdef class Tally:
    """``sim.engine.journey.Tally`` in C: journeys' ends counted by their return value, served
    (true) or unserved (then ``on_unserved()``); a journey ending counts without a Python call."""

    def __init__(self, on_unserved):
        self._on_unserved = on_unserved

    def __call__(self, value):
        self.count(value)

    cdef int count(self, object value) except -1:
        if value:
            self.served += 1
        else:
            self.unserved += 1
            self._on_unserved()
        return 0


@cython.freelist(256)
cdef class Journey:
    """A patient's light process (``sim.engine.journey.Journey``): drives ``gen`` from wait to
    wait; a float is a delay (its own queue entry), anything else an event to wait on."""

    cdef int resume(self, object value) except -1:
        cdef PyObject* result
        cdef PySendResult sent
        cdef object wait
        while True:
            sent = PyIter_Send(self.gen, value, &result)
            if sent == PYGEN_RETURN:
                value = <object>result
                Py_DECREF(value)
                if type(self.on_end) is Tally:
                    (<Tally>self.on_end).count(value)
                else:
                    self.on_end(value)
                return 0
            wait = <object>result
            Py_DECREF(wait)
            if PyFloat_CheckExact(wait):
                self.env.push(self.env.now + PyFloat_AS_DOUBLE(wait), NORMAL, self, RESUME)
                return 0
            if type(wait) is Request:
                if (<Request>wait).callbacks is not None:
                    (<Request>wait).callbacks.append(self.wake)
                    return 0
                value = (<Request>wait)._value
                continue
            callbacks = wait.callbacks
            if callbacks is not None:
                callbacks.append(self.wake)
                return 0
            value = wait._value                         # already processed: go on at once

    def wake(self, event):
        """Callback of the event the journey waits for."""
        self.resume(event._value)


cdef class Driver(Journey):
    """The same driver for the model's own processes, told apart from patients."""


cdef class Pool:
    """``sim.engine.pool.Pool`` on the compiled clock: a free counter and priority lanes."""

    def __init__(self, Core env, str name, long capacity, int lanes=2):
        self.env = env
        self.name = name
        self.capacity = capacity
        self.lanes = tuple(deque() for _ in range(lanes))
        self._t = self._tc = env.now

    cdef void _advance(self) noexcept:
        cdef double now = self.env.now, dt
        if now != self._t:
            dt = now - self._t
            self.busy_area += self.busy * dt
            self.queue_area += self.waiting * dt
            self._t = now

    cpdef object acquire(self, int lane=1):
        """Take a server: ``None`` if one was free (no event), else a ``Request`` fired at
        hand-over."""
        self.requested += 1
        self._advance()
        if self.capacity == UNLIMITED or (self.busy < self.capacity and not self.waiting):
            self.busy += 1
            self.started += 1
            return None
        cdef Request ev = Request.__new__(Request)
        ev.env = self.env
        ev.callbacks = []
        ev._value = PENDING
        self.lanes[lane].append(ev)
        self.waiting += 1
        return ev

    cpdef release(self):
        """Free a server; the longest-waiting patient of the highest lane gets it at once."""
        self._advance()
        if self.waiting and (self.capacity == UNLIMITED or self.busy <= self.capacity):
            self._hand_over()
        else:
            self.busy -= 1

    cdef int _hand_over(self) except -1:
        cdef Request ev
        for lane in self.lanes:
            if lane:
                self.waiting -= 1
                self.started += 1
                ev = <Request>lane.popleft()
                ev._ok = True
                ev._value = None
                self.env.push(self.env.now, NORMAL, ev, FIRE)
                return 0
        return 0

    def cancel(self, ev):
        """Withdraw a waiting request (a patient stops waiting); False if it was already served."""
        self._advance()
        for lane in self.lanes:
            if ev in lane:
                lane.remove(ev)
                self.waiting -= 1
                self.cancelled += 1
                return True
        return False

    def set_capacity(self, long capacity):
        """Change the number of servers now; waiting patients start if servers appeared."""
        self._advance()
        self._advance_capacity()
        self.capacity = capacity
        while self.waiting and (capacity == UNLIMITED or self.busy < capacity):
            self.busy += 1
            self._hand_over()

    cdef void _advance_capacity(self) noexcept:
        cdef double now = self.env.now
        if self.capacity > 0:
            self.cap_area += self.capacity * (now - self._tc)
        self._tc = now

    def areas(self):
        """(busy server-minutes, available server-minutes, waiting patient-minutes) up to now."""
        self._advance()
        self._advance_capacity()
        return self.busy_area, self.cap_area, self.queue_area
