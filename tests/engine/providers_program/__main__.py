"""Entry point when run by a Pulumi language host: ``pulumi up`` in this folder."""

from providers_program import main

main()
