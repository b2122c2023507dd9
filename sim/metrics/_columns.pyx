# cython: language_level=3, boundscheck=False, wraparound=False
"""Today's log rows as typed columns, in C: what ``sim.metrics.log.columns`` does in Python
(``zip`` and ``array``), for the log's midnight roll, with the same values and the same
``OverflowError`` for a value its column cannot hold."""
from array import array


def columns(list rows, str codes):
    """Column ``k`` of ``rows`` (tuples) as an ``array`` of type ``codes[k]`` (b, i, q or d)."""
    cdef Py_ssize_t n = len(rows), i, k
    cdef signed char[:] b
    cdef int[:] i32
    cdef long long[:] q
    cdef double[:] d
    cdef tuple row
    out = []
    for k in range(len(codes)):
        code = codes[k]
        col = array(code, bytes(n * array(code).itemsize))
        if n:
            if code == "d":
                d = col
                for i in range(n):
                    row = <tuple>rows[i]
                    d[i] = row[k]
            elif code == "q":
                q = col
                for i in range(n):
                    row = <tuple>rows[i]
                    q[i] = row[k]
            elif code == "i":
                i32 = col
                for i in range(n):
                    row = <tuple>rows[i]
                    i32[i] = row[k]
            elif code == "b":
                b = col
                for i in range(n):
                    row = <tuple>rows[i]
                    b[i] = row[k]
            else:
                raise ValueError(f"column type {code!r}; allowed: b, i, q, d")
        out.append(col)
    return out
