"""A deterministic synthetic fund for the demo, the tests and the benchmarks."""
