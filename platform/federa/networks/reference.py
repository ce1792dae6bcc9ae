"""Reference data: Italian provinces (shipped as data), sectors, and the tax-code check digit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from federa.web.i18n import gettext as _
from federa.web.i18n import lazy

_DATA = Path(__file__).resolve().parents[1] / "data" / "provinces.json"


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    region: str


@cache
def provinces() -> dict[str, Province]:
    """The official list of Italian provinces, by two-letter code."""
    rows = json.loads(_DATA.read_text(encoding="utf-8"))
    return {row["code"]: Province(**row) for row in rows}


def province_by_name_or_code(value: str) -> Province | None:
    value = value.strip()
    found = provinces().get(value.upper())
    if found:
        return found
    lowered = value.lower()
    return next((p for p in provinces().values() if p.name.lower() == lowered), None)


# Sectors from the domain glossary; keys are stable, labels are translated.
SECTORS: dict[str, str] = {
    "minori": lazy("Children and young people"),
    "anziani": lazy("Elderly people"),
    "disabili": lazy("People with disabilities"),
    "psichiatria": lazy("Mental health"),
    "riabilitazione": lazy("Rehabilitation"),
    "inserimento_lavorativo": lazy("Work integration"),
    "infanzia": lazy("Early childhood"),
    "immigrazione": lazy("Migrants"),
    "dipendenze": lazy("Addictions"),
    "varie": lazy("Other"),
}

COOP_TYPES: dict[str, str] = {
    "A": lazy("Type A (social, health and education services)"),
    "B": lazy("Type B (work integration)"),
    "C": lazy("Consortium"),
}

NETWORK_KINDS: dict[str, str] = {
    "association": lazy("National association"),
    "consortium": lazy("Consortium"),
    "enterprise_network": lazy("Network of social enterprises"),
}

MEMBERSHIP_STATUSES: dict[str, str] = {
    "requested": lazy("Requested"),
    "active": lazy("Active"),
    "suspended": lazy("Suspended"),
    "ended": lazy("Ended"),
    "refused": lazy("Refused"),
}


def sector_label(key: str) -> str:
    return _(SECTORS.get(key, key))


def sector_by_name_or_key(value: str) -> str | None:
    value = value.strip().lower().replace(" ", "_")
    if value in SECTORS:
        return value
    for prefix in ("area_",):
        if value.startswith(prefix) and value[len(prefix):] in SECTORS:
            return value[len(prefix):]
    return None


def tax_code_is_valid(code: str) -> bool:
    """An 11-digit codice fiscale / partita IVA whose last digit is its check digit."""
    if len(code) != 11 or not code.isdigit() or code == "0" * 11:
        return False
    total = 0
    for index, char in enumerate(code[:10]):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(code[10])


def make_tax_code(seed: int) -> str:
    """A valid tax code from a number (for demo and test data)."""
    body = f"{seed % 10**10:010d}"
    for check in range(10):
        if tax_code_is_valid(body + str(check)):
            return body + str(check)
    raise AssertionError("unreachable: one check digit always fits")
