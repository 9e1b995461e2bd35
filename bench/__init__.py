"""Benchmarks: run with `make bench`. Each module measures one target and prints its figures."""
