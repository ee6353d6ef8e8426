"""API handlers of the lab, one module per API area, thin over ``tappaas.lab.state``."""
