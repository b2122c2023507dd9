"""Metrics: the event log and counters a run writes, KPI definitions and confidence intervals."""
