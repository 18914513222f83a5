"""Faktabot's performance suite: `make bench` runs every `bench_*.py` and prints one table.

Each figure is measured beside a baseline run in the same process, so the ratio means something
on a noisy machine; the absolute numbers are printed for the record only.
"""
