# The fields and decisions of ``sim.model.policy.Policy`` as a C type, for ``sim.model._policy``
# (policy.py compiled as it is, setup.py): the compiled pathways ask the policy several times a
# visit, and a decision of a C type is a C function without a Python frame.

from sim.engine._core cimport Draws
from sim.model._context cimport Episode


cdef class Policy:
    cdef public object name, costs, reimbursement, observed_bypass, bypass, choice
    cdef public double adherence, surcharge, refer_out_scale, formal_share, online_returns
    cdef public double down_share, recognition, teleconsult_share, no_show_p
    cdef public bint strict, home_beds, remote, ambulance_on
    cdef public tuple refer_scale, followup
    cdef public int referred_lane
    cdef public Draws max_bed_wait, transfer_delay
    cdef public Draws _u_contact, _u_refer, _u_admit, _u_down, _u_follow, _u_exam_primary
    cdef public Draws _u_exam_hospital, _u_diagnosis, _u_teleconsult, _u_recognised
    cdef public Draws _u_refer_out, _u_no_show, _u_ambulance, _u_critical, _u_formal, _u_return
    cdef public object _streams, _chances

    cpdef object first_contact(self, Episode ep)
    cpdef bint refer_up(self, Episode ep)
    cpdef bint formal(self, Episode ep)
    cpdef bint returns(self, Episode ep)
    cpdef bint exam_at_primary(self, Episode ep)
    cpdef bint exam_at_hospital(self, Episode ep)
    cpdef bint diagnosis_only(self, Episode ep)
    cpdef bint teleconsult(self, Episode ep)
    cpdef bint recognised(self)
    cpdef bint refer_out(self, Episode ep)
    cpdef bint no_show(self)
    cpdef bint admit(self, Episode ep)
    cpdef bint by_ambulance(self, Episode ep)
    cpdef bint time_critical(self, Episode ep)
    cpdef tuple refer_down(self, Episode ep)
    cpdef bint follow_up(self, Episode ep)
