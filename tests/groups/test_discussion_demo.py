"""The demo's discussions keep the services' invariants: counters match the rows, no e-mail is pending."""

from __future__ import annotations

from federa import demo
from federa.groups import discussion_notices
from federa.groups.discussion_models import Post, Thread
from federa.groups.models import GroupMember, WorkingGroup


async def test_demo_groups_have_discussions_written_by_their_members() -> None:
    await demo.load(echo=lambda _line: None)
    await demo.load(echo=lambda _line: None)  # idempotent
    groups = await WorkingGroup.all()
    assert groups
    for group in groups:
        threads = await Thread.filter(group_id=group.id)
        members = set(await GroupMember.filter(group_id=group.id).values_list("person_id", flat=True))
        if not members:
            continue
        assert threads and sum(t.pinned for t in threads) == 1, group.name
        for thread in threads:
            posts = await Post.filter(thread_id=thread.id).order_by("created_at", "id")
            assert thread.post_count == len(posts) and thread.last_post_at == posts[-1].created_at
            assert {p.author_id for p in posts} <= members and thread.network_id == group.network_id
    assert await Thread.filter(locked=True).exists()
    assert await discussion_notices.sweep() == 0 and not await Post.filter(notified_at=None).exists()
