"""Federa: a federated membership and event platform for networks of social cooperatives."""
