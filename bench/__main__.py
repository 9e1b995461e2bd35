"""Run every benchmark module in `bench/` in turn."""

import importlib
import pkgutil

import bench

for module in pkgutil.iter_modules(bench.__path__):
    if module.name.startswith("bench_"):
        importlib.import_module(f"bench.{module.name}").main()
