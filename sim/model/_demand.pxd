# ``sim.model.demand``'s EpisodeType as a C type, for ``sim.model._demand`` (demand.py compiled
# as it is, setup.py): the compiled policy reads a type's probabilities in C. They are the
# schema's ``PROBABILITIES``, one field each (tests/test_engine.py checks the two lists agree).


cdef class EpisodeType:
    cdef public signed char idx           # its id in the logs' int8 column
    cdef public str name, pathway, service
    cdef public bint primary_resolvable, scheduled
    cdef public object max_wait, probabilities, route, journey
    cdef public double p_refer_up, p_admit, p_down_eligible, p_exam, p_diagnosis_only
    cdef public double p_beyond_group, p_ambulance, p_time_critical, p_return
