"""Benchmarks (not tests, not installed): the simulator against an idiomatic SimPy model and a
bare heapq event loop of the same route network (``python -m sim.bench --compare``).

    network.py     the network's parameters, traffic equations and Erlang C (shared by all three)
    medgroup.py    the network through the simulator's public config (``route`` pathway)
    simpy_model.py simpy.Resource per node, one process per patient
    heapq_loop.py  the bare event loop: (time, node) events, counters and deques
    compare.py     interleaved timing rounds, ratios against the targets, waits against theory
"""
