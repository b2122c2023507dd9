# cython: language_level=3, boundscheck=False, wraparound=False
"""Today's log rows as typed columns, in C: what ``sim.metrics.log.py_columns`` does in Python
(``zip`` and ``array``), for the log's midnight roll, with the same values and the same
``OverflowError`` for a value its column cannot hold."""
from array import array

ctypedef signed char int8
ctypedef long long int64

ctypedef fused item:
    int8
    int
    int64
    double

CODES = "biqd"      # the array type codes of ``item``'s types, in order


cdef void fill(item[:] out, list rows, Py_ssize_t k) except *:
    """``out[i] = rows[i][k]``, converted (and range-checked) to ``out``'s item type."""
    cdef Py_ssize_t i
    for i in range(out.shape[0]):
        out[i] = (<tuple>rows[i])[k]


def columns(list rows, str codes):
    """Column ``k`` of ``rows`` (tuples) as an ``array`` of type ``codes[k]`` (b, i, q or d)."""
    cdef Py_ssize_t n = len(rows), k
    out = []
    for k, code in enumerate(codes):
        if code not in CODES:
            raise ValueError(f"column type {code!r}; allowed: {', '.join(CODES)}")
        col = array(code, bytes(n * array(code).itemsize))
        if n:
            if code == "b":
                fill[int8](col, rows, k)
            elif code == "i":
                fill[int](col, rows, k)
            elif code == "q":
                fill[int64](col, rows, k)
            else:
                fill[double](col, rows, k)
        out.append(col)
    return out
