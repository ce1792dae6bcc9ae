"""Reference data: tax-code check digit, the provinces list, sector keys."""

import pytest

from federa.networks.reference import (
    SECTORS,
    make_tax_code,
    province_by_name_or_code,
    provinces,
    sector_by_name_or_key,
    tax_code_is_valid,
)


@pytest.mark.parametrize("code", ["00000000018", "12345678903", "01234567897", make_tax_code(424242)])
def test_valid_tax_codes(code: str) -> None:
    assert tax_code_is_valid(code)


@pytest.mark.parametrize("code", [
    "12345678901",      # wrong check digit
    "00000000000",      # all zeros
    "1234567890",       # too short
    "123456789012",     # too long
    "1234567890A",      # not digits
    "",
])
def test_invalid_tax_codes(code: str) -> None:
    assert not tax_code_is_valid(code)


def test_every_check_digit_but_one_is_refused() -> None:
    body = "0123456789"
    assert sum(tax_code_is_valid(body + str(d)) for d in range(10)) == 1


def test_provinces() -> None:
    codes = provinces()
    assert len(codes) == 107
    for code in ("MI", "MB", "FI", "SU", "RM", "AO", "BT"):
        assert code in codes
    assert codes["MI"].name == "Milano"
    assert all(len(code) == 2 and code.isupper() for code in codes)
    assert province_by_name_or_code("firenze").code == "FI"
    assert province_by_name_or_code(" mi ").code == "MI"
    assert province_by_name_or_code("Atlantide") is None


def test_sector_keys() -> None:
    assert set(SECTORS) == {"minori", "anziani", "disabili", "psichiatria", "riabilitazione",
                            "inserimento_lavorativo", "infanzia", "immigrazione", "dipendenze", "varie"}
    assert sector_by_name_or_key("Inserimento lavorativo") == "inserimento_lavorativo"
    assert sector_by_name_or_key("area_minori") == "minori"
    assert sector_by_name_or_key("astronautica") is None
