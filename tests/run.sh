#!/usr/bin/env bash
# The whole suite: once on PostgreSQL (with browser, API fuzzing and Redis tests), once on SQLite.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export FEDERA_TEST_DATABASE_URL="${FEDERA_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export FEDERA_TEST_REDIS_URL="${FEDERA_TEST_REDIS_URL:-redis://127.0.0.1:6379/9}"

echo "== PostgreSQL run"
FEDERA_TEST_BACKEND=postgres $PY -m pytest -q -p no:cacheprovider "$@"
pg=$?
echo "== SQLite run"
FEDERA_TEST_BACKEND=sqlite $PY -m pytest -q -p no:cacheprovider -m "not e2e and not postgres_only" "$@"
lite=$?
if [ $pg -ne 0 ] || [ $lite -ne 0 ]; then
  echo "FAILED: postgres run exit $pg, sqlite run exit $lite"
  exit 1
fi
