"""Reading a directory file (CSV or XLSX) into cooperative rows checked with CooperativeIn.

Pure functions, no database: imports.py adds the checks against the directory and stores the result.
Row numbers are the spreadsheet's own (1-based, counting title rows and blank lines), as people see them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from pydantic import ValidationError

from federa.errors import Invalid
from federa.networks.reference import SECTORS, province_by_name_or_code, sector_by_name_or_key
from federa.networks.schemas import CooperativeIn
from federa.web.forms import field_errors
from federa.web.i18n import gettext as _
from federa.web.i18n import translations

MAX_ROWS = 20_000
HEADER_SCAN_ROWS = 20
REQUIRED = ("legal_name", "coop_type", "tax_code", "province")
# An .xlsx is a zip: refuse archives that would expand past this (zip bombs).
MAX_UNZIPPED = 200 * 1024 * 1024
DELIMITERS = (";", ",", "\t")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# Column names as Italian and English spreadsheets write them (compared after _key()).
ALIASES: dict[str, tuple[str, ...]] = {
    "legal_name": ("ragione sociale", "denominazione", "denominazione sociale", "nome", "nome cooperativa",
                   "cooperativa", "legal name", "name", "organisation", "organization"),
    "coop_type": ("tipo", "tipologia", "tipo cooperativa", "tipologia cooperativa", "type", "coop type",
                  "cooperative type"),
    "tax_code": ("codice fiscale", "partita iva", "p iva", "piva", "cf", "c f", "codice fiscale partita iva",
                 "cf piva", "tax code", "vat", "vat number", "fiscal code"),
    "province": ("provincia", "prov", "sigla provincia", "province"),
    "sectors": ("settori", "settore", "settori di attivita", "aree", "area", "sectors", "sector"),
    "city": ("comune", "citta", "localita", "city", "town"),
    "address": ("indirizzo", "sede", "sede legale", "address"),
    "email": ("email", "e mail", "mail", "posta elettronica", "indirizzo email"),
    "phone": ("telefono", "tel", "recapito telefonico", "phone", "telephone"),
    "website": ("sito web", "sito", "sito internet", "web", "website", "url"),
    "description": ("descrizione", "attivita", "description"),
    "is_public": ("pubblica", "pubblico", "visibile", "public", "is public"),
}

TRUE_WORDS = {"si", "sì", "s", "yes", "y", "true", "vero", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "falso", "0"}
# CSV exports prefix a quote to values Excel would run as formulas; undo it on the way back in.
_FORMULA_GUARD = re.compile(r"^'(?=[=+\-@])")


def _key(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: 'Città ' → 'citta'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


_FIELD_OF = {_key(alias): name for name, aliases in ALIASES.items() for alias in aliases}


def field_of(header: str) -> str | None:
    """The CooperativeIn field a column header names, if any."""
    return _FIELD_OF.get(_key(header))


@dataclass
class RowError:
    row: int
    field: str
    message: str
    value: str = ""


@dataclass
class ParsedFile:
    """What the file holds: valid rows (by spreadsheet row number) and the errors of the others."""

    kind: str
    header_row: int
    columns: dict[str, str]                    # field → the header as written in the file
    ignored: list[str]                          # headers we do not know
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    read: int = 0                               # non-empty data rows


# ----- opening the file -------------------------------------------------------------------------------

def file_error(message: str) -> Invalid:
    return Invalid.field("file", message)


def kind_of(data: bytes) -> str:
    """'xlsx' or 'csv', judged by the content (never by the file name)."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(UTF16_BOMS):  # Excel's "Unicode text" export
        return "csv"
    if b"\x00" in data[:65536]:
        raise file_error(_("This is not a CSV or Excel (.xlsx) file."))
    return "csv"


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then Windows-1252 as Italian Excel writes it."""
    encodings = ("utf-16",) if data.startswith(UTF16_BOMS) else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any(ord(c) < 32 and c not in "\t\r\n" for c in text[:65536]):
            return text
    raise file_error(_("This is not a CSV or Excel (.xlsx) file."))


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    # Numbered by record, as a spreadsheet shows them: a quoted cell spanning lines is one row.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate((list(record) for record in reader), start=1)
    except csv.Error as exc:
        raise file_error(_("The file could not be read as CSV near line %(n)s.", n=reader.line_num)) from exc


def _header_score(cells: list[Any]) -> int:
    found = {field_of(str(c)) for c in cells if c not in (None, "")}
    found.discard(None)
    return len(found)


def csv_rows(text: str) -> Iterator[tuple[int, list[Any]]]:
    """Records of a CSV, with the delimiter (; , or tab) that makes the best header."""
    head = "\n".join(text.splitlines()[:HEADER_SCAN_ROWS])

    def score(delimiter: str) -> tuple[int, int]:
        best = max((_header_score(cells) for _n, cells in _csv_records(head, delimiter)), default=0)
        return best, head.count(delimiter)

    delimiter = max(DELIMITERS, key=score)
    return _csv_records(text, delimiter)


def xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    """Rows of the first worksheet, values only (formulas give their cached results)."""
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise file_error(_("This is not a CSV or Excel (.xlsx) file.")) from exc
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise file_error(_("This is not a CSV or Excel (.xlsx) file."))
    if unzipped > MAX_UNZIPPED:
        raise file_error(_("The spreadsheet is too large once uncompressed."))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError, XML errors)
        raise file_error(_("The Excel file could not be read.")) from exc
    return _sheet_rows(book)


def _sheet_rows(book: Any) -> Iterator[tuple[int, list[Any]]]:
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong dimensions: read every row there is
        for number, cells in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield number, list(cells)
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise file_error(_("The Excel file could not be read.")) from exc
    finally:
        book.close()


# ----- cells to field values --------------------------------------------------------------------------

def text_of(value: Any) -> str:
    """A cell as text: integral floats without '.0', dates as ISO, strings stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return _FORMULA_GUARD.sub("", str(value).strip())


def tax_code_of(value: Any) -> str:
    """Digits only, without an 'IT' prefix, leading zeros restored when Excel dropped them."""
    text = re.sub(r"[\s.\-/]", "", text_of(value)).upper().removeprefix("IT")
    numeric = isinstance(value, int | float) and not isinstance(value, bool)  # a number cell: zeros are gone
    if text.isdigit() and (8 if not numeric else 1) <= len(text) < 11:
        text = text.zfill(11)
    return text


def coop_type_of(value: Any) -> str:
    text = _key(text_of(value)).upper()
    if text.startswith(("CONSOR", "CONSORTIUM")):
        return "C"
    match = re.fullmatch(r"(?:(?:COOPERATIVA SOCIALE |COOP )?(?:DI )?(?:TIPO|TYPE) )?([ABC])", text)
    return match.group(1) if match else text_of(value)


def province_of(value: Any) -> str:
    text = text_of(value)
    found = province_by_name_or_code(text) if text else None
    return found.code if found else text


@cache
def _sector_labels() -> dict[str, str]:
    labels = {}
    for key, label in SECTORS.items():
        labels[_key(label)] = key
        labels[_key(translations("it").gettext(label))] = key
    return labels


def sectors_of(value: Any) -> list[str]:
    labels = _sector_labels()
    result = []
    for part in re.split(r"[,;\n|]", text_of(value)):
        if part.strip():
            result.append(sector_by_name_or_key(part) or labels.get(_key(part)) or part.strip())
    return result


def public_of(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = text_of(value).lower()
    if text == "":
        return True
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return text  # the schema reports it as not a yes/no


def website_of(value: Any) -> str:
    text = text_of(value)
    return "https://" + text if text.lower().startswith("www.") else text


CONVERTERS: dict[str, Any] = {
    "tax_code": tax_code_of, "coop_type": coop_type_of, "province": province_of, "sectors": sectors_of,
    "is_public": public_of, "website": website_of, "email": lambda v: text_of(v).lower(),
}


# ----- rows -------------------------------------------------------------------------------------------

def find_header(rows: Iterator[tuple[int, list[Any]]]) -> tuple[int, list[Any], list[tuple[int, list[Any]]]]:
    """The header is the first of the top rows naming the most known columns (two at least)."""
    seen: list[tuple[int, list[Any]]] = []
    for number, cells in rows:
        seen.append((number, cells))
        if len(seen) >= HEADER_SCAN_ROWS:
            break
    best = max(seen, key=lambda r: _header_score(r[1]), default=None)
    if best is None or not any(text_of(c) for _n, cells in seen for c in cells):
        raise file_error(_("The file is empty."))
    if _header_score(best[1]) < 2:
        raise file_error(_("No header row found: name the columns (for example 'ragione sociale', "
                           "'codice fiscale', 'tipo', 'provincia')."))
    after = [r for r in seen if r[0] > best[0]]
    return best[0], best[1], after


def column_map(header: list[Any]) -> tuple[dict[str, list[int]], dict[str, str], list[str]]:
    """Field → column indexes (a file may carry both 'codice fiscale' and 'partita iva')."""
    indexes: dict[str, list[int]] = {}
    written: dict[str, str] = {}
    ignored = []
    for index, cell in enumerate(header):
        name = text_of(cell)
        found = field_of(name) if name else None
        if found:
            indexes.setdefault(found, []).append(index)
            written.setdefault(found, name)
        elif name:
            ignored.append(name)
    return indexes, written, ignored


def row_values(cells: list[Any], indexes: dict[str, list[int]]) -> dict[str, Any]:
    """The cell of each known field: the first non-empty one among its columns."""
    values = {}
    for name, columns in indexes.items():
        values[name] = next((cells[i] for i in columns if i < len(cells) and text_of(cells[i])), None)
    return values


def check_row(number: int, values: dict[str, Any]) -> tuple[dict[str, Any] | None, list[RowError]]:
    """Normalise the cells and validate them with CooperativeIn."""
    data = {name: CONVERTERS.get(name, text_of)(value) for name, value in values.items()}
    try:
        cooperative = CooperativeIn.model_validate(data)
    except ValidationError as exc:
        errors = []
        for name, message in field_errors(exc).items():
            raw = text_of(values.get(name))
            if name in REQUIRED and not raw:
                message = _("This field is required.")
            errors.append(RowError(number, name, message, raw[:100]))
        return None, errors
    return cooperative.model_dump(exclude={"services"}), []


def _mark_duplicates(parsed: ParsedFile) -> None:
    first: dict[str, int] = {}
    kept = []
    for number, data in parsed.rows:
        earlier = first.setdefault(data["tax_code"], number)
        if earlier != number:
            parsed.errors.append(RowError(number, "tax_code", _("Same tax code as row %(row)s.", row=earlier),
                                          data["tax_code"]))
        else:
            kept.append((number, data))
    parsed.rows = kept


def parse(data: bytes) -> ParsedFile:
    """Read, map and validate every row; raise Invalid (field 'file') when the file itself is unusable."""
    kind = kind_of(data)
    records = xlsx_rows(data) if kind == "xlsx" else csv_rows(decode(data))
    header_row, header, first = find_header(records)
    indexes, written, ignored = column_map(header)
    missing = [name for name in REQUIRED if name not in indexes]
    if missing:
        raise file_error(_("Columns missing from the file: %(names)s.",
                           names=", ".join(ALIASES[name][0] for name in missing)))
    parsed = ParsedFile(kind=kind, header_row=header_row, columns=written, ignored=ignored)
    for number, cells in _chain(first, records):
        if not any(text_of(c) for c in cells):
            continue
        parsed.read += 1
        if parsed.read > MAX_ROWS:
            raise file_error(_("The file has more than %(n)s rows: split it into smaller files.", n=MAX_ROWS))
        row, errors = check_row(number, row_values(cells, indexes))
        if row is not None:
            parsed.rows.append((number, row))
        parsed.errors.extend(errors)
    if parsed.read == 0:
        raise file_error(_("The file has a header but no rows."))
    _mark_duplicates(parsed)
    return parsed


def _chain(first: list[tuple[int, list[Any]]], rest: Iterable[tuple[int, list[Any]]]
           ) -> Iterator[tuple[int, list[Any]]]:
    yield from first
    yield from rest
