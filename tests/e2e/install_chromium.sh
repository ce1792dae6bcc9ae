#!/usr/bin/env bash
# Debian's chromium for the browser tests (Playwright's own browser download cannot work here).
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
for attempt in 1 2 3 4 5; do
  if $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; then
    exit 0
  fi
  echo "apt-get failed (attempt $attempt); retrying" >&2; sleep 5
done
exit 1
