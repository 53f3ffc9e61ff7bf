"""Benchmarks of the planner at realistic size (``make bench``); see bench/__main__.py."""
