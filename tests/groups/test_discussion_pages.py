"""Discussion pages through the app: the list (pinned first, paginated), a new thread, a thread with its
replies, editing and deleting one's posts, moderation, the e-mail choice; forms re-render with field
messages; Markdown shows safe; the list and the thread page cost the same queries for 3 or 40 rows."""

from __future__ import annotations

import re

import httpx
import pytest
from conftest import World, csrf_token, post_form, sign_in
from networks.querycount import count_queries
from test_discussions import EVIL, assert_safe, make_group, opened, who

from federa.accounts.models import Person
from federa.groups import discussion_queries as queries
from federa.groups import discussions as services
from federa.groups.discussion_models import DiscussionPreference, Post, Thread
from federa.groups.discussion_schemas import PostIn, ThreadPatch
from federa.groups.models import GroupMember
from federa.settings import Settings
from federa.web.templating import make_environment

BASE = "/n/rete-alfa/groups/{}/discussions"


@pytest.fixture(autouse=True)
async def english(world: World) -> None:
    """The pages in English, the language of the source texts (Italian, the default, is the translator's)."""
    await Person.all().update(locale="en")


def own_token(html: str) -> str:
    """The CSRF token of the first form inside <main> (not the header's sign-out form)."""
    match = re.search(r'name="csrf_token" value="([^"]*)"', html.split("<main", 1)[1])
    assert match and match.group(1), "no CSRF token in the page's own form"
    return match.group(1)


async def test_a_member_opens_a_thread_and_replies(world: World, client: httpx.AsyncClient) -> None:
    group = await make_group(world.alpha, members=(world.member,))
    base = BASE.format(group.id)
    await sign_in(client, world.member)
    page = await client.get(base)
    assert page.status_code == 200 and "No discussions yet." in page.text and f'href="{base}/new"' in page.text
    form = await client.get(base + "/new")
    assert form.status_code == 200 and 'name="title"' in form.text
    assert own_token(form.text) == await csrf_token(client, base)  # the form itself carries the session's token
    bad = await post_form(client, base + "/new", {"title": "", "body": ""}, token_from=base + "/new")
    assert bad.status_code == 422 and 'id="e-title"' in bad.text and 'id="e-body"' in bad.text
    assert await Thread.all().count() == 0
    done = await post_form(client, base + "/new", {"title": "Turni estivi", "body": EVIL}, token_from=base + "/new")
    assert done.status_code == 303
    thread = await Thread.get(group_id=group.id)
    assert done.headers["location"] == f"{base}/{thread.id}"
    shown = await client.get(done.headers["location"])
    assert shown.status_code == 200 and "<strong>forte</strong>" in shown.text
    assert_safe(shown.text.split('<ol class="posts"')[1].split("</ol>")[0])
    empty = await post_form(client, f"{base}/{thread.id}/reply", {"body": "  "}, token_from=base)
    assert empty.status_code == 422 and 'id="e-body"' in empty.text
    replied = await post_form(client, f"{base}/{thread.id}/reply", {"body": "Seconda parte"}, token_from=base)
    post = await Post.filter(thread_id=thread.id).order_by("-id").first()
    assert post is not None and replied.headers["location"] == f"{base}/posts/{post.id}"
    jump = await client.get(replied.headers["location"])
    assert jump.status_code == 303 and jump.headers["location"] == f"{base}/{thread.id}#post-{post.id}"


async def test_edit_delete_and_moderation_buttons(world: World, client: httpx.AsyncClient,
                                                  new_client: object) -> None:
    group = await make_group(world.alpha, members=(world.member,), coordinators=(world.coop_admin,))
    base = BASE.format(group.id)
    thread = await opened(world, group)
    post = await Post.get(thread_id=thread.id)
    await sign_in(client, world.member)
    page = (await client.get(f"{base}/{thread.id}")).text
    assert f"{base}/posts/{post.id}/edit" in page and f"{base}/{thread.id}/lock" not in page
    edit = await client.get(f"{base}/posts/{post.id}/edit")
    assert edit.status_code == 200 and "Primo messaggio" in edit.text
    bad = await post_form(client, f"{base}/posts/{post.id}/edit", {"body": ""}, token_from=base)
    assert bad.status_code == 422
    ok = await post_form(client, f"{base}/posts/{post.id}/edit", {"body": "Corretto"}, token_from=base)
    assert ok.status_code == 303 and (await Post.get(id=post.id)).edited_at is not None
    # a moderator locks the thread: the reply form gives way to a message, and a reply is refused
    lead = new_client()  # type: ignore[operator]
    await sign_in(lead, world.coop_admin)
    page = (await lead.get(f"{base}/{thread.id}")).text
    assert f"{base}/{thread.id}/lock" in page and f"{base}/posts/{post.id}/delete" in page
    assert (await post_form(lead, f"{base}/{thread.id}/lock", token_from=base)).status_code == 303
    refused = await post_form(client, f"{base}/{thread.id}/reply", {"body": "Ancora"}, token_from=base)
    assert refused.status_code == 303 and await Post.filter(thread_id=thread.id).count() == 1
    assert "locked" in (await client.get(refused.headers["location"])).text
    # the author deletes the post: it shows as removed
    await post_form(lead, f"{base}/{thread.id}/unlock", token_from=base)
    assert (await post_form(client, f"{base}/posts/{post.id}/delete", token_from=base)).status_code == 303
    assert "This post was removed." in (await client.get(f"{base}/{thread.id}")).text
    assert (await post_form(lead, f"{base}/{thread.id}/delete", token_from=base)).status_code == 303
    assert await Thread.exists(id=thread.id)  # not without the confirming button
    assert (await post_form(lead, f"{base}/{thread.id}/delete", {"confirm": "yes"}, token_from=base)).status_code == 303
    assert not await Thread.exists(id=thread.id)


async def test_network_coordinators_see_moderation_buttons_with_the_right_targets(world: World,
                                                                                  client: httpx.AsyncClient) -> None:
    group = await make_group(world.alpha, members=(world.member,))
    base = BASE.format(group.id)
    thread = await opened(world, group)
    await sign_in(client, world.coordinator)  # a manager: the page also shows the network's management bar
    page = await client.get(f"{base}/{thread.id}")
    assert page.status_code == 200
    for action in ("pin", "lock", "delete"):
        assert f'action="{base}/{thread.id}/{action}"' in page.text, action
    assert own_token(page.text) == await csrf_token(client, base)
    assert f'action="{base}/{thread.id}/reply"' not in page.text  # not a member: reads and moderates only


async def test_an_ex_member_cannot_post_and_is_told(world: World, client: httpx.AsyncClient) -> None:
    group = await make_group(world.alpha, members=(world.member, world.dual))
    base = BASE.format(group.id)
    thread = await opened(world, group)
    await sign_in(client, world.dual)
    token = await csrf_token(client, base)
    await GroupMember.filter(group_id=group.id, person_id=world.dual.id).delete()
    refused = await client.post(f"{base}/{thread.id}/reply", data={"body": "Ci sono?", "csrf_token": token})
    assert refused.status_code == 403 and "join the group first" in refused.text
    assert await Post.filter(thread_id=thread.id).count() == 1


async def test_the_e_mail_choice(world: World, client: httpx.AsyncClient) -> None:
    group = await make_group(world.alpha, members=(world.member,))
    base = BASE.format(group.id)
    await sign_in(client, world.member)
    page = await client.get(base + "/preferences")
    assert page.status_code == 200 and 'value="digest" checked' in page.text
    bad = await post_form(client, base + "/preferences", {"mode": "sometimes"}, token_from=base)
    assert bad.status_code == 422 and 'id="e-mode"' in bad.text
    ok = await post_form(client, base + "/preferences", {"mode": "each"}, token_from=base)
    assert ok.status_code == 303
    assert (await DiscussionPreference.get(group_id=group.id, person_id=world.member.id)).mode == "each"


async def many_threads(world: World, n: int) -> int:
    group = await make_group(world.alpha, members=(world.member, world.dual))
    for i in range(n):
        thread = await opened(world, group, person=world.member if i % 2 else world.dual, title=f"Argomento {i}")
        await services.reply(await who(world, world.member), group.id, thread.id, PostIn(body=f"Risposta {i}"))
    first = await Thread.filter(group_id=group.id).order_by("id").first()
    assert first is not None
    await services.moderate_thread(await who(world, world.coordinator), group.id, first.id, ThreadPatch(pinned=True))
    return group.id


async def page_queries(client: httpx.AsyncClient, path: str) -> tuple[int, str]:
    await client.get(path)  # the network is cached for a few seconds after its first request
    with count_queries() as statements:
        response = await client.get(path)
    assert response.status_code == 200, response.text
    return len(statements), response.text


async def test_list_and_thread_pages_cost_the_same_queries_for_more_rows(world: World,
                                                                         client: httpx.AsyncClient) -> None:
    await sign_in(client, world.member)
    counts = []
    for n in (3, 40):
        group_id = await many_threads(world, n)
        base = BASE.format(group_id)
        listed, text = await page_queries(client, base)
        pinned = await Thread.get(group_id=group_id, pinned=True)
        assert text.index(pinned.title) < text.index(f"Argomento {n - 1}")  # pinned first, then the latest
        thread = await Thread.filter(group_id=group_id).order_by("-id").first()
        assert thread is not None
        for i in range(n):
            await services.reply(await who(world, world.dual), group_id, thread.id, PostIn(body=f"Ancora {i}"))
        shown, text = await page_queries(client, f"{base}/{thread.id}")
        counts.append((listed, shown))
        assert len(re.findall(r'class="card post"', text)) == min(n + 2, 30)
    assert counts[0] == counts[1], counts
    # session person, network, standing, group, seat, threads (+ authors), preference
    assert counts[0][0] <= 7 and counts[0][1] <= 7, counts


async def test_the_group_page_summary_shows_threads_to_readers_only(world: World, settings: Settings) -> None:
    group = await make_group(world.alpha, members=(world.member,))
    await opened(world, group, title="Turni estivi")
    env = make_environment(settings.templates_dir)
    summary = env.get_template("groups/discussions/_summary.html")
    for person, shown in ((world.member, True), (world.coordinator, True), (world.dual, False), (None, False)):
        threads = await queries.summary_for(await who(world, person), group)
        html = summary.render(group=group, network=world.alpha, recent_threads=threads)
        assert ("Turni estivi" in html) is shown, person
        assert (f'href="/n/rete-alfa/groups/{group.id}/discussions"' in html) is shown
