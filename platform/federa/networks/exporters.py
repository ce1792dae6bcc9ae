"""The directory as a file: every row matching the directory's filters, as CSV (Excel-it) or XLSX.

Column headers are a file format, not page text: they are fixed per language (Italian or English)
and match the importer's column names, so an exported file can be imported again.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Subquery

from federa.networks.models import Cooperative, CooperativeSector, Membership, Network
from federa.networks.queries import _directory_filter
from federa.networks.schemas import DirectoryQuery

COLUMNS = ("legal_name", "coop_type", "tax_code", "province", "city", "address", "email", "phone", "website",
           "sectors", "description", "is_public", "membership_status")
HEADERS = {
    "it": ("Ragione sociale", "Tipo", "Codice fiscale", "Provincia", "Comune", "Indirizzo", "Email", "Telefono",
           "Sito web", "Settori", "Descrizione", "Pubblica", "Stato adesione"),
    "en": ("Legal name", "Type", "Tax code", "Province", "City", "Address", "Email", "Phone", "Website",
           "Sectors", "Description", "Public", "Membership status"),
}
WORDS: dict[str, dict[Any, str]] = {
    "it": {True: "sì", False: "no", "requested": "richiesta", "active": "attiva", "suspended": "sospesa",
           "ended": "cessata", "refused": "respinta"},
    "en": {True: "yes", False: "no"},
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


async def directory_rows(network: Network, query: DirectoryQuery) -> list[dict[str, Any]]:
    """Every cooperative the directory shows for these filters, not paged (3 queries in all)."""
    where = _directory_filter(network, query, public=False)
    rows = await Cooperative.filter(where).order_by("legal_name", "id").values(
        "id", *(c for c in COLUMNS if c not in ("sectors", "membership_status")))
    sectors: dict[int, list[str]] = defaultdict(list)
    matching = Subquery(Cooperative.filter(where).values("id"))
    for cid, sector in await CooperativeSector.filter(cooperative_id__in=matching).order_by(
            "cooperative_id", "sector").values_list("cooperative_id", "sector"):
        sectors[cid].append(sector)  # type: ignore[index]
    statuses = dict(await Membership.filter(network_id=network.id).values_list("cooperative_id", "status"))
    for row in rows:
        row["sectors"] = sectors[row["id"]]
        row["membership_status"] = statuses.get(row["id"], "")
    return rows


def _values(row: dict[str, Any], locale: str) -> list[Any]:
    words = WORDS.get(locale, WORDS["en"])
    values = []
    for column in COLUMNS:
        value = row[column]
        if column == "sectors":
            value = ", ".join(value)
        elif column in ("is_public", "membership_status"):
            value = words.get(value, value)
        values.append(value)
    return values


def _headers(locale: str) -> tuple[str, ...]:
    return HEADERS.get(locale, HEADERS["en"])


def _cell_for_csv(value: Any) -> str:
    text = str(value)
    # Excel runs a cell starting with = + - @ as a formula (CSV injection): a leading quote keeps it text.
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: list[dict[str, Any]], locale: str) -> bytes:
    """UTF-8 with BOM and ';' between fields: what Excel in Italian opens without a wizard."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(_headers(locale))
    for row in rows:
        writer.writerow([_cell_for_csv(v) for v in _values(row, locale)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict[str, Any]], locale: str) -> bytes:
    """One worksheet, header in row 1, every cell stored as text or number (never as a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Cooperative" if locale == "it" else "Cooperatives")
    sheet.append(list(_headers(locale)))
    for row in rows:
        cells = []
        for value in _values(row, locale):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # openpyxl would otherwise store it as a formula
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(network: Network, extension: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    return f"{network.slug}-cooperative-{stamp}.{extension}"
