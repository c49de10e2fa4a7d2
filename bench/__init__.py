"""Benchmark scripts; each prints its figures (run them as scripts, see each docstring)."""
