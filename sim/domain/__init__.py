"""The model's vocabulary, read by every layer above it: simulated time (``clock``) and the codes
of pathway steps (``steps``). It imports nothing of the simulator."""
