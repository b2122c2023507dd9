"""Runner: replications, seeds, parallelism and the output contract."""
