"""The mutant catalogue: realistic, hand-written bugs that the test suite must catch.

Run ``make mutants`` (or ``python -m tests.mutants``); see docs/testing.md.
"""
