"""Input and output shapes of the networks domain; forms and the API validate with the same ones."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

from federa.networks.reference import SECTORS, provinces, tax_code_is_valid
from federa.web.i18n import gettext as _

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,59}$")
ShortText = Annotated[str, Field(max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(_("Use 2 to 60 lowercase letters, digits and dashes, starting with a letter or digit."))
    return value


def _check_email(value: str) -> str:
    # One validator (not EmailStr | "") so an error is reported under the field's own name.
    if value == "":
        return value
    try:
        return validate_email(value)[1]
    except PydanticCustomError as exc:
        raise ValueError(_("Enter a valid e-mail address.")) from exc


def _require_email(value: str) -> str:
    if value == "":
        raise ValueError(_("This field is required."))
    return _check_email(value)


def _check_tax_code(value: str) -> str:
    if not tax_code_is_valid(value):
        raise ValueError(_("Enter the 11-digit tax code; its last digit does not match."))
    return value


def _check_province(value: object) -> object:
    if isinstance(value, str):
        value = value.strip().upper()
        if value not in provinces():
            raise ValueError(_("Choose an Italian province."))
    return value


def _check_sectors(value: list[str]) -> list[str]:
    unknown = [s for s in value if s not in SECTORS]
    if unknown:
        raise ValueError(_("Unknown sector: %(s)s", s=", ".join(unknown)))
    return sorted(set(value))


def _check_website(value: str) -> str:
    if value and not value.startswith(("https://", "http://")):
        raise ValueError(_("Enter a web address starting with https://"))
    return value


TaxCode = Annotated[str, Field(min_length=11, max_length=11), AfterValidator(_check_tax_code)]
ProvinceCode = Annotated[str, BeforeValidator(_check_province), Field(min_length=2, max_length=2)]
Sectors = Annotated[list[str], Field(max_length=10), AfterValidator(_check_sectors)]
Website = Annotated[str, Field(max_length=300), AfterValidator(_check_website)]
LegalName = Annotated[str, Field(min_length=2, max_length=200)]
CoopType = Literal["A", "B", "C"]
_EMAIL_SCHEMA = Field(max_length=254, json_schema_extra={"format": "email"})
# The empty string means "none": say so in the document, or "" reads as an invalid e-mail address.
OptionalEmail = Annotated[str, Field(max_length=254, json_schema_extra={"anyOf": [{"format": "email"},
                                                                                  {"const": ""}]}),
                          AfterValidator(_check_email)]
Email = Annotated[str, _EMAIL_SCHEMA, AfterValidator(_require_email)]
Slug = Annotated[str, Field(max_length=60, json_schema_extra={"pattern": _SLUG.pattern}),
                 AfterValidator(_check_slug)]


class ServiceIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    audience: Annotated[str, Field(max_length=300)] = ""
    access: Annotated[str, Field(max_length=2000)] = ""


class CooperativeIn(Strict):
    legal_name: LegalName
    coop_type: CoopType
    tax_code: TaxCode
    province: ProvinceCode
    sectors: Sectors = Field(default_factory=list)
    city: Annotated[str, Field(max_length=100)] = ""
    address: Annotated[str, Field(max_length=200)] = ""
    email: OptionalEmail = ""
    phone: Annotated[str, Field(max_length=40)] = ""
    website: Website = ""
    description: Annotated[str, Field(max_length=5000)] = ""
    is_public: bool = True
    services: list[ServiceIn] | None = Field(default=None, max_length=50)


class CooperativePatch(Strict):
    legal_name: LegalName | None = None
    coop_type: CoopType | None = None
    province: ProvinceCode | None = None
    sectors: Sectors | None = None
    city: Annotated[str, Field(max_length=100)] | None = None
    address: Annotated[str, Field(max_length=200)] | None = None
    email: OptionalEmail | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    website: Website | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    is_public: bool | None = None
    services: list[ServiceIn] | None = Field(default=None, max_length=50)


class ServiceOut(BaseModel):
    name: str
    audience: str
    access: str


class CooperativeOut(BaseModel):
    id: int
    legal_name: str
    coop_type: str
    tax_code: str | None  # null for visitors: only coordinators and the cooperative's people see it
    province: str
    city: str
    sectors: list[str]
    website: str
    address: str = ""
    email: str = ""
    phone: str = ""
    description: str
    is_public: bool
    services: list[ServiceOut] = []
    membership_status: str | None = None


class NetworkIn(Strict):
    slug: Slug
    name: Annotated[str, Field(min_length=2, max_length=200)]
    kind: Literal["association", "consortium", "enterprise_network"]
    region: Annotated[str, Field(max_length=60)] = ""
    description: Annotated[str, Field(max_length=5000)] = ""
    admin_email: Email | None = None


class NetworkOut(BaseModel):
    slug: str
    name: str
    kind: str
    region: str
    description: str
    partners: list[str] = []


class MembershipOut(BaseModel):
    id: int
    cooperative_id: int
    cooperative_name: str
    status: str
    requested_at: datetime
    started_at: datetime | None
    ended_at: datetime | None


class MembershipDecisionIn(Strict):
    action: Literal["approve", "refuse", "suspend", "reactivate", "end"]
    note: Annotated[str, Field(max_length=500)] = ""


class MembershipRequestIn(Strict):
    cooperative_id: Annotated[int, Field(ge=1, le=2**31 - 1)]  # an id column is 32-bit


class DirectoryQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    q: Annotated[str, Field(max_length=100)] = ""
    province: Annotated[str, Field(max_length=2)] = ""
    sector: Annotated[str, Field(max_length=30)] = ""
    coop_type: Literal["", "A", "B", "C"] = ""
    status: Literal["", "requested", "active", "suspended", "ended", "refused"] = ""
    page: Annotated[int, Field(ge=1, le=10000)] = 1
    per_page: Annotated[int, Field(ge=1, le=200)] = 50


class Page(BaseModel):
    total: int
    page: int
    per_page: int


class CooperativePage(Page):
    items: list[CooperativeOut]


class MatrixCell(BaseModel):
    province: str
    sector: str
    count: int


class PartnerIn(Strict):
    partner: Slug


class PartnerDecisionIn(Strict):
    action: Literal["accept", "end"]


class PartnerOut(BaseModel):
    id: int
    network: str
    partner: str
    status: str


class InviteIn(Strict):
    email: Email
    role: Literal["admin", "member"] = "member"


class RoleIn(Strict):
    email: Email
    role: Literal["admin", "coordinator"] = "coordinator"
