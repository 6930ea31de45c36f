"""Benchmarks of okx_auth_graph (not part of the wheel): ``python -m benchmarks.bench``."""
