"""Working groups ("gruppi di lavoro"): groups of a network, their members, join requests and invitations."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class JoinPolicy(StrEnum):
    OPEN = "open"              # anyone who may join joins at once
    REQUEST = "request"        # a group coordinator approves each request
    INVITATION = "invitation"  # only people invited by a group coordinator


class Visibility(StrEnum):
    LISTED = "listed"  # shown to everyone who may see the network's groups
    HIDDEN = "hidden"  # only its members and the network's coordinators know it exists


class GroupRole(StrEnum):
    COORDINATOR = "coordinator"
    MEMBER = "member"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"


class WorkingGroup(Model):
    """A working group of a network, optionally open to people of its partner networks."""

    network_id: int
    created_by_id: int | None
    members: fields.ReverseRelation[GroupMember]

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="working_groups",
                                          on_delete=fields.CASCADE)
    name = fields.CharField(max_length=120)
    purpose = fields.TextField(default="")
    purpose_html = fields.TextField(default="")  # sanitized when saved, shown as is
    sector = fields.CharField(max_length=30, default="")
    join_policy = fields.CharField(max_length=12, default=JoinPolicy.REQUEST.value)
    visibility = fields.CharField(max_length=8, default=Visibility.LISTED.value)
    open_to_partners = fields.BooleanField(default=False)
    # kept by the services in the same transaction as the member rows, so lists need no COUNT per group
    member_count = fields.IntField(default=0)
    created_by: Any = fields.ForeignKeyField("models.Person", related_name="groups_created", null=True,
                                             on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    archived_at = fields.DatetimeField(null=True)

    class Meta:
        table = "working_group"
        indexes = (("network_id", "visibility", "name"), ("network_id", "sector"))

    def __str__(self) -> str:
        return self.name


class GroupMember(Model):
    """A person's place in a working group, as coordinator or member."""

    network_id: int
    group_id: int
    person_id: int

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="group_members",
                                          on_delete=fields.CASCADE)
    group: Any = fields.ForeignKeyField("models.WorkingGroup", related_name="members", on_delete=fields.CASCADE)
    person: Any = fields.ForeignKeyField("models.Person", related_name="group_memberships",
                                         on_delete=fields.CASCADE)
    role = fields.CharField(max_length=12, default=GroupRole.MEMBER.value)
    joined_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "group_member"
        unique_together = (("group", "person"),)
        indexes = (("network_id", "group_id", "role"), ("network_id", "person_id"))


class GroupJoinRequest(Model):
    """A person's request to join a group 'on request', decided by a group coordinator."""

    network_id: int
    group_id: int
    person_id: int
    decided_by_id: int | None

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="group_join_requests",
                                          on_delete=fields.CASCADE)
    group: Any = fields.ForeignKeyField("models.WorkingGroup", related_name="join_requests",
                                        on_delete=fields.CASCADE)
    person: Any = fields.ForeignKeyField("models.Person", related_name="group_join_requests",
                                         on_delete=fields.CASCADE)
    message = fields.TextField(default="")
    status = fields.CharField(max_length=10, default=RequestStatus.PENDING.value)
    decided_by: Any = fields.ForeignKeyField("models.Person", related_name="group_requests_decided", null=True,
                                             on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "group_join_request"
        indexes = (("network_id", "group_id", "status"), ("network_id", "person_id", "status"))


class GroupInvitation(Model):
    """An invitation to a group, for a known person or an e-mail address. Only the token's SHA-256 is stored."""

    network_id: int
    group_id: int
    person_id: int | None
    invited_by_id: int | None

    id = fields.IntField(primary_key=True)
    network: Any = fields.ForeignKeyField("models.Network", related_name="group_invitations",
                                          on_delete=fields.CASCADE)
    group: Any = fields.ForeignKeyField("models.WorkingGroup", related_name="invitations",
                                        on_delete=fields.CASCADE)
    person: Any = fields.ForeignKeyField("models.Person", related_name="group_invitations", null=True,
                                         on_delete=fields.CASCADE)
    email = fields.CharField(max_length=254)
    token_hash = fields.CharField(max_length=64, unique=True)
    status = fields.CharField(max_length=10, default=InvitationStatus.PENDING.value)
    invited_by: Any = fields.ForeignKeyField("models.Person", related_name="group_invitations_sent", null=True,
                                             on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "group_invitation"
        indexes = (("network_id", "group_id", "status"), ("network_id", "email", "status"))
