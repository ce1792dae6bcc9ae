"""Working groups ("gruppi di lavoro"): members across cooperatives and networks, discussions."""
