"""Input and output shapes of working groups; the forms and the API validate with the same ones."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from federa.networks.reference import SECTORS
from federa.networks.schemas import Email
from federa.web.i18n import gettext as _

JoinPolicyName = Literal["open", "request", "invitation"]
VisibilityName = Literal["listed", "hidden"]
RoleName = Literal["coordinator", "member"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _one_line(value: str) -> str:
    """The name is the subject of e-mails: a line break there would fail the send."""
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError(_("Write the name on one line, without special characters."))
    return value


def _sector(value: str) -> str:
    if value and value not in SECTORS:
        raise ValueError(_("Choose one of the options."))
    return value


Sector = Annotated[str, Field(max_length=30, json_schema_extra={"enum": ["", *SECTORS]}),
                   AfterValidator(_sector)]


class GroupIn(Strict):
    """A group's details, as created and edited (an edit replaces them all)."""

    name: Annotated[str, Field(min_length=3, max_length=120), AfterValidator(_one_line)]
    purpose: Annotated[str, Field(max_length=20000)] = ""
    sector: Sector = ""
    join_policy: JoinPolicyName = "request"
    visibility: VisibilityName = "listed"
    open_to_partners: bool = False


class GroupCreateIn(GroupIn):
    """A new group; its coordinators are named by e-mail (none: whoever creates it coordinates it)."""

    coordinator_emails: list[Email] = Field(default_factory=list, max_length=20)


class JoinIn(Strict):
    """Joining an open group, or asking to join one 'on request' (the message goes to its coordinators)."""

    message: Annotated[str, Field(max_length=1000)] = ""


class DecisionIn(Strict):
    action: Literal["approve", "refuse"]


class InviteIn(Strict):
    email: Email


class AnswerIn(Strict):
    action: Literal["accept", "decline"]


class RoleIn(Strict):
    role: RoleName


class CoordinatorIn(Strict):
    """A network coordinator names someone coordinator of the group directly, by e-mail."""

    email: Email


class GroupQuery(BaseModel):
    """Filters of the group list (page and API): unknown keys are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    sector: Annotated[str, Field(max_length=30)] = ""
    q: Annotated[str, Field(max_length=100)] = ""
    archived: bool = False


class MembersQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    role: RoleName | Literal[""] = ""
    page: Annotated[int, Field(ge=1, le=10000)] = 1
    per_page: Annotated[int, Field(ge=1, le=200)] = 50


# ----- API output --------------------------------------------------------------------------------------

class GroupOut(BaseModel):
    id: int
    name: str
    purpose: str
    purpose_html: str
    sector: str
    join_policy: JoinPolicyName
    visibility: VisibilityName
    open_to_partners: bool
    member_count: int
    archived: bool
    created_at: datetime
    my_role: RoleName | None = None


class MemberOut(BaseModel):
    id: int  # the membership's id: /members/{member_id}
    person_id: int
    name: str
    role: RoleName
    joined_at: datetime
    cooperatives: list[str]


class MemberPage(BaseModel):
    items: list[MemberOut]
    total: int
    page: int
    per_page: int


class JoinRequestOut(BaseModel):
    id: int
    person_id: int
    person_name: str | None = None
    message: str
    status: Literal["pending", "approved", "refused", "withdrawn"]
    created_at: datetime
    decided_at: datetime | None


class InvitationOut(BaseModel):
    id: int
    email: str
    person_id: int | None
    status: Literal["pending", "accepted", "declined", "revoked"]
    created_at: datetime
    expires_at: datetime


class ArchiveIn(Strict):
    archived: bool


class MyGroupOut(BaseModel):
    network: str
    network_name: str
    role: RoleName
    group: GroupOut


class JoinOut(BaseModel):
    """What joining did: the person is a member now, or their request waits for a coordinator."""

    outcome: Literal["joined", "requested"]
    member: MemberOut | None = None
    request: JoinRequestOut | None = None
