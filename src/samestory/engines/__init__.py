"""Executors: an `Engine` runs a stage function over chunks of work and returns the results in input order.
Stages (featurise, verify candidate pairs) are pure functions of a chunk and read-only shared data, so any
engine gives the same result; the API and the CLI choose one and pass it in."""

from samestory.engines.base import Engine
from samestory.engines.local import InProcessEngine, ProcessPoolEngine, local_engine

__all__ = ["Engine", "InProcessEngine", "ProcessPoolEngine", "local_engine"]
