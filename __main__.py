"""Pulumi entry point: load this stack's ``tappaas:site`` config and build it."""

from tappaas.program import main

main()
