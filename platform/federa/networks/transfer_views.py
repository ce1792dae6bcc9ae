"""Directory import (CSV/XLSX, preview then confirm) and export (CSV/XLSX)."""

from __future__ import annotations

routes: list = []
