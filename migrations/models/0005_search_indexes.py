"""Full-text search structures the ORM cannot declare, per database (written by hand).

PostgreSQL: a generated tsvector (title weight A, body B, 'italian' configuration), one of the title alone
(very common words: the title matches are ranked first, search/engine_postgres.py) and a generated text
array of the access tokens, under GIN indexes that start with network_id (btree_gin), and a trigram index
on titles for typo tolerance (pg_trgm).
SQLite: an FTS5 external-content table over the stemmed copies of title and body, kept in step with
search_entry by triggers.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

POSTGRES_UP = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;
ALTER TABLE search_entry ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('italian'::regconfig, title), 'A') ||
    setweight(to_tsvector('italian'::regconfig, body), 'B')) STORED;
ALTER TABLE search_entry ADD COLUMN title_tsv tsvector GENERATED ALWAYS AS (
    to_tsvector('italian'::regconfig, title)) STORED;
ALTER TABLE search_entry ADD COLUMN token_arr text[] GENERATED ALWAYS AS (
    string_to_array(btrim(tokens), ' ')) STORED;
CREATE INDEX search_entry_network_tsv ON search_entry USING gin (network_id, tsv);
CREATE INDEX search_entry_network_title_tsv ON search_entry USING gin (network_id, title_tsv);
CREATE INDEX search_entry_network_tokens ON search_entry USING gin (network_id, token_arr);
CREATE INDEX search_entry_network_title_trgm ON search_entry USING gin (network_id, title gin_trgm_ops);
"""
POSTGRES_DOWN = """
DROP INDEX IF EXISTS search_entry_network_title_trgm;
DROP INDEX IF EXISTS search_entry_network_tokens;
DROP INDEX IF EXISTS search_entry_network_title_tsv;
DROP INDEX IF EXISTS search_entry_network_tsv;
ALTER TABLE search_entry DROP COLUMN IF EXISTS token_arr;
ALTER TABLE search_entry DROP COLUMN IF EXISTS title_tsv;
ALTER TABLE search_entry DROP COLUMN IF EXISTS tsv;
"""
SQLITE_UP = """
CREATE VIRTUAL TABLE search_fts USING fts5(
    title_stem, body_stem, content='search_entry', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
INSERT INTO search_fts(search_fts) VALUES ('rebuild');
CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_entry BEGIN
    INSERT INTO search_fts(rowid, title_stem, body_stem) VALUES (new.id, new.title_stem, new.body_stem);
END;
CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_entry BEGIN
    INSERT INTO search_fts(search_fts, rowid, title_stem, body_stem)
        VALUES ('delete', old.id, old.title_stem, old.body_stem);
END;
CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_entry BEGIN
    INSERT INTO search_fts(search_fts, rowid, title_stem, body_stem)
        VALUES ('delete', old.id, old.title_stem, old.body_stem);
    INSERT INTO search_fts(rowid, title_stem, body_stem) VALUES (new.id, new.title_stem, new.body_stem);
END;
"""
SQLITE_DOWN = """
DROP TRIGGER IF EXISTS search_entry_fts_update;
DROP TRIGGER IF EXISTS search_entry_fts_delete;
DROP TRIGGER IF EXISTS search_entry_fts_insert;
DROP TABLE IF EXISTS search_fts;
"""


def _dialect(schema_editor):
    return schema_editor.client.capabilities.dialect


async def forwards(apps, schema_editor):
    script = POSTGRES_UP if _dialect(schema_editor) == "postgres" else SQLITE_UP
    await schema_editor.client.execute_script(script)


async def backwards(apps, schema_editor):
    script = POSTGRES_DOWN if _dialect(schema_editor) == "postgres" else SQLITE_DOWN
    await schema_editor.client.execute_script(script)


class Migration(migrations.Migration):
    dependencies = [("models", "0004_groups_library_identity")]

    initial = False

    operations = [ops.RunPython(forwards, backwards)]
