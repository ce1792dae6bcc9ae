"""Italian full-text search over what a person may see: PostgreSQL tsvector, SQLite FTS5."""
