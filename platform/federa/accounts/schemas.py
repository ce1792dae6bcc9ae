"""Input and output shapes for accounts."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from federa.web.i18n import gettext as _

Name = Annotated[str, Field(min_length=1, max_length=200)]
COMMON_PASSWORDS = frozenset({
    "password123", "1234567890", "qwertyuiop", "password12", "passwordpassword", "0123456789",
    "iloveyou123", "federa12345", "cooperativa", "1q2w3e4r5t", "abc1234567", "passw0rd123",
})


def _not_common(value: str) -> str:
    if value.lower() in COMMON_PASSWORDS or len(set(value)) < 4:
        raise ValueError(_("This password is too easy to guess; choose another."))
    return value


NewPassword = Annotated[str, Field(min_length=10, max_length=128), AfterValidator(_not_common)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SignUpIn(Strict):
    name: Name
    email: EmailStr
    password: NewPassword
    locale: Literal["it", "en"] = "it"


class SignInIn(Strict):
    email: Annotated[str, Field(min_length=3, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=128)]


class ForgotIn(Strict):
    email: EmailStr


class ResetIn(Strict):
    password: NewPassword
    password_again: Annotated[str, Field(max_length=128)]


class ProfileIn(Strict):
    name: Name
    locale: Literal["it", "en"]


class PasswordChangeIn(Strict):
    current_password: Annotated[str, Field(min_length=1, max_length=128)]
    new_password: NewPassword


class TokenIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=100)]


class ProfilePatch(Strict):
    name: Name | None = None
    locale: Literal["it", "en"] | None = None


class AffiliationOut(BaseModel):
    cooperative_id: int
    cooperative_name: str
    role: str
    status: str


class NetworkRoleOut(BaseModel):
    network: str
    role: str


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    locale: str
    email_verified: bool
    is_platform_admin: bool
    affiliations: list[AffiliationOut]
    network_roles: list[NetworkRoleOut]


class MyNetworkOut(BaseModel):
    slug: str
    name: str
    roles: list[str]
    via_cooperatives: list[str]
