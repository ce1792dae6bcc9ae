"""OpenID Connect: networks' own identity providers (Federa as client) and Federa as a provider."""
