"""The model's vocabulary, read by every layer above it: simulated time (``clock``), the codes
of pathway steps (``steps``) and the rows a visit and a step leave in the log (``rows``). It
imports nothing of the simulator."""
