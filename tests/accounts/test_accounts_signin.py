"""Sign-in and sign-out: session cookie, no fixation, server-side logout, safe `next`, throttling."""

from __future__ import annotations

import httpx
import pytest
from accounts_helpers import COOKIE, english, field_error, session_cookie, text
from conftest import PASSWORD, World, make_person, post_form, sign_in

from federa.accounts.models import LoginFailure, WebSession
from federa.audit.models import AuditEntry


async def test_good_password_opens_a_session_with_a_fresh_cookie(client, world: World) -> None:
    await client.get("/signin")
    anonymous = client.cookies[COOKIE]
    response = await post_form(client, "/signin", {"email": "MEMBER@Example.org", "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    header = session_cookie(response)
    assert header is not None
    flags = [part.strip().lower() for part in header.split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags
    assert client.cookies[COOKIE] != anonymous  # no fixation: the cookie changes on sign-in
    assert await WebSession.filter(person_id=world.member.id).count() == 1
    assert await AuditEntry.filter(action="person.signed_in", actor_id=world.member.id).count() == 1
    assert (await client.get("/me")).status_code == 200
    # The cookie from before the sign-in does not carry the session.
    async with _browser(client, anonymous) as other:
        assert (await other.get("/me")).status_code == 303


def _browser(client: httpx.AsyncClient, cookie: str) -> httpx.AsyncClient:
    """Another browser replaying a given session cookie."""
    return httpx.AsyncClient(transport=client._transport, base_url="http://testserver",
                             cookies={COOKIE: cookie})


async def test_wrong_password_re_renders_with_a_message(client, world: World) -> None:
    english(client)
    response = await post_form(client, "/signin", {"email": world.member.email, "password": "nope-nope-nope"})
    assert response.status_code == 422
    assert field_error(response, "password") == text("The e-mail or the password is not right.")
    assert f'value="{world.member.email}"' in response.text
    assert "nope-nope-nope" not in response.text
    assert await WebSession.all().count() == 0
    assert await AuditEntry.filter(action="person.sign_in_failed").count() == 1


async def test_sign_out_deletes_the_server_side_session(client, world: World) -> None:
    await sign_in(client, world.member)
    signed_in = client.cookies[COOKIE]
    response = await post_form(client, "/signout", token_from="/me")
    assert response.status_code == 303
    assert await WebSession.all().count() == 0
    assert (await client.get("/me")).status_code == 303
    # Replaying the old cookie finds no session on the server: the visitor is anonymous.
    async with _browser(client, signed_in) as thief:
        me = await thief.get("/me")
        assert me.status_code == 303
        assert me.headers["location"] == "/signin?next=/me"
        home = await thief.get("/")
        assert home.status_code == 200
        assert 'action="/signout"' not in home.text
        assert 'href="/signin"' in home.text


async def test_signing_in_again_ends_the_previous_session(client, world: World) -> None:
    await sign_in(client, world.member)
    first = client.cookies[COOKIE]
    await sign_in(client, world.coordinator)
    assert await WebSession.filter(person_id=world.member.id).count() == 0
    async with _browser(client, first) as other:
        assert (await other.get("/me")).status_code == 303


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example",
                                    "\\\\evil.example", "/\t/evil.example", "javascript:alert(1)",
                                    "evil.example", "https:/evil.example"])
async def test_next_only_accepts_same_site_paths(client, world: World, target: str) -> None:
    await client.get("/signin")
    response = await post_form(client, "/signin?" + httpx.QueryParams({"next": target}).__str__(),
                               {"email": world.member.email, "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_next_keeps_a_relative_path(client, world: World) -> None:
    page = await client.get("/signin?next=/n/rete-alfa/")
    assert "next=/n/rete-alfa/" in page.text
    response = await post_form(client, "/signin?next=/n/rete-alfa/",
                               {"email": world.member.email, "password": PASSWORD})
    assert response.headers["location"] == "/n/rete-alfa/"


async def test_eleventh_attempt_is_throttled_even_with_the_right_password(client, world: World) -> None:
    for _ in range(10):
        response = await post_form(client, "/signin", {"email": world.member.email, "password": "wrong-one-1"})
        assert response.status_code == 422
    assert await AuditEntry.filter(action="person.sign_in_failed").count() == 10
    failed = await AuditEntry.filter(action="person.sign_in_failed").first()
    assert failed is not None and failed.data["email"] == world.member.email
    assert PASSWORD not in str(failed.data) and "wrong-one-1" not in str(failed.data)
    response = await post_form(client, "/signin", {"email": world.member.email, "password": PASSWORD})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "900"
    assert await WebSession.all().count() == 0
    assert await AuditEntry.filter(action="person.sign_in_throttled").count() == 1
    # Another account is not affected.
    await sign_in(client, world.coordinator)


async def test_failures_older_than_the_window_do_not_count(client, world: World) -> None:
    from datetime import UTC, datetime, timedelta

    for _ in range(10):
        await LoginFailure.create(email=world.member.email, ip="10.0.0.1")
    await LoginFailure.all().update(created_at=datetime.now(UTC) - timedelta(minutes=16))
    await sign_in(client, world.member)
    assert await LoginFailure.all().count() == 0  # a good sign-in clears the count


async def test_one_address_failing_on_many_accounts_is_throttled(client, world: World) -> None:
    for n in range(50):
        await LoginFailure.create(email=f"victim{n}@example.org", ip="127.0.0.1")
    response = await post_form(client, "/signin", {"email": world.member.email, "password": PASSWORD})
    assert response.status_code == 429


async def test_unknown_email_and_wrong_password_look_the_same(client, world: World) -> None:
    english(client)
    await make_person("known.person@example.org")
    known = await post_form(client, "/signin", {"email": "known.person@example.org", "password": "wrong-pass-1"})
    unknown = await post_form(client, "/signin", {"email": "nobody.there@example.org", "password": "wrong-pass-1"})
    assert known.status_code == unknown.status_code == 422
    assert known.text.replace("known.person", "X") == unknown.text.replace("nobody.there", "X")


async def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(client, world: World) -> None:
    await sign_in(client, world.member)
    world.member.is_active = False
    await world.member.save()
    assert (await client.get("/me")).status_code == 303
    response = await post_form(client, "/signin", {"email": world.member.email, "password": PASSWORD})
    assert response.status_code == 422
