"""API handlers of the lab, one module per API area, thin over ``lab.state``."""
