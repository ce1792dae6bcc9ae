"""schemathesis on the working group operations with path values that name real objects: a group the
caller coordinates, a member, a pending request and a pending invitation (test_openapi.py has none)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import World, api_token, serve_app
from groups_helpers import make_group
from test_openapi import LiveApi, _fuzz, _schema

from federa.groups.models import GroupInvitation, GroupJoinRequest, GroupMember

OPERATIONS = ("api_groups", "api_group_create", "api_group", "api_group_update", "api_group_archive",
              "api_group_members", "api_group_join", "api_group_leave", "api_group_member_remove",
              "api_group_member_role", "api_group_requests", "api_group_request_decide", "api_group_invitations",
              "api_group_invite", "api_group_invitation_revoke", "api_group_invitation_answer",
              "api_my_groups")  # the route names in groups/api.py


@pytest.fixture
async def groups_api(world: World, tmp_path: Path) -> AsyncIterator[LiveApi]:
    group = await make_group(world.alpha, coordinators=(world.coordinator, world.coop_admin),
                             members=(world.member,), join_policy="open")
    member = await GroupMember.get(group_id=group.id, person_id=world.member.id)
    request = await GroupJoinRequest.create(network=world.alpha, group=group, person=world.dual)
    invitation = await GroupInvitation.create(network=world.alpha, group=group, email="invitato@example.org",
                                              token_hash="f" * 64, invited_by=world.coordinator,
                                              expires_at=datetime.now(UTC) + timedelta(days=3))
    headers = await api_token(world.coordinator)
    async with serve_app(tmp_path) as url:
        yield LiveApi(url, headers, {"path.slug": world.alpha.slug, "path.group_id": group.id,
                                     "path.member_id": member.id, "path.request_id": request.id,
                                     "path.invitation_id": invitation.id})


@pytest.mark.postgres_only
async def test_groups_operations_conform(groups_api: LiveApi) -> None:
    schema = _schema(groups_api).include(operation_id=list(OPERATIONS))
    assert len(list(schema.get_all_operations())) == len(OPERATIONS)
    failures = await asyncio.to_thread(_fuzz, schema)
    assert not failures, "\n\n".join(failures)
