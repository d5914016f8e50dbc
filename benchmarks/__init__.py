"""Benchmarks of the deployed app: synthetic national data (`dataset`), a minimal baseline app (`baseline`),
load generators (`load`) and the runner that measures each page paired with the baseline (`run`).

`make benchmarks` and `make benchmarks-quick` are the entry points; `benchmarks/README.md` explains them.
"""
