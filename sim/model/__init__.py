"""Model: the SimPy environment with the group's network, population, demand, pathways and policy.

Knows nothing of files or Hydra: it takes a validated config and a seed and returns raw logs.
"""
