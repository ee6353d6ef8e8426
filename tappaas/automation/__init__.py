"""Running the program with the real Pulumi engine, offline (Automation API)."""

from tappaas.automation.engine import Engine, EngineNotFoundError, find_engine
from tappaas.automation.stacks import StackReadError, StackRunner

__all__ = ["Engine", "EngineNotFoundError", "StackReadError", "StackRunner", "find_engine"]
