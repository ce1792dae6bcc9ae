#!/usr/bin/env bash
# Regenerate the unlanded migration 0004 from the models, keeping the hand-written ones after it.
# Several people may share one checkout: the lock makes the runs take turns.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/federa-remigrate.lock
flock 9
NAME=0004_groups_library_identity
hold=$(mktemp -d)
# hand-written migrations that come after 0004 (they depend on it by name) wait aside
for f in migrations/models/0005_*.py migrations/models/0006_*.py; do
  [ -e "$f" ] && mv "$f" "$hold/"
done
rm -f migrations/models/${NAME}.py
trap 'mv "$hold"/*.py migrations/models/ 2>/dev/null || true' EXIT
FEDERA_VAR_DIR=$(mktemp -d) .venv/bin/tortoise makemigrations -n groups_library_identity
ls migrations/models/
