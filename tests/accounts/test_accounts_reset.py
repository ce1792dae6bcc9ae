"""Password reset: no enumeration, a single-use link that sets the password and ends every session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accounts_helpers import COOKIE, NEW_PASSWORD, english, field_error, link_token, sent, text
from conftest import PASSWORD, World, post_form, sign_in

from federa.accounts.models import EmailToken, WebSession


async def _forgot(client, email: str):  # type: ignore[no-untyped-def]
    return await post_form(client, "/account/forgot", {"email": email}, token_from="/account/forgot")


async def test_known_and_unknown_addresses_get_the_same_answer(client, world: World) -> None:
    english(client)
    known = await _forgot(client, "Member@Example.org")
    known_page = await client.get(known.headers["location"])
    unknown = await _forgot(client, "nobody@example.org")
    unknown_page = await client.get(unknown.headers["location"])
    assert known.status_code == unknown.status_code == 303
    assert known.headers["location"] == unknown.headers["location"] == "/signin"
    assert known_page.text == unknown_page.text
    assert text("If an account uses this address, we sent it a link to choose a new password.") in known_page.text
    [message] = await sent("reset_password")
    assert message.recipient == world.member.email
    assert await sent("reset_password", "nobody@example.org") == []


async def test_bad_address_gets_a_field_message(client) -> None:
    response = await _forgot(english(client), "not-an-address")
    assert response.status_code == 422
    assert field_error(response, "email")


async def _reset_link(client, world: World) -> str:  # type: ignore[no-untyped-def]
    await _forgot(client, world.member.email)
    [message] = await sent("reset_password")
    return f"/account/reset/{link_token(message)}"


async def test_reset_link_sets_the_password_ends_sessions_and_works_once(client, world: World,
                                                                        new_client) -> None:
    other = new_client()
    await sign_in(other, world.member)
    assert (await other.get("/me")).status_code == 200
    link = await _reset_link(english(client), world)
    assert (await client.get(link)).status_code == 200

    response = await post_form(client, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
                               token_from=link)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"
    assert await WebSession.filter(person_id=world.member.id).count() == 0
    assert (await other.get("/me", follow_redirects=False)).status_code == 303

    old = await post_form(client, "/signin", {"email": world.member.email, "password": PASSWORD})
    assert old.status_code == 422
    await sign_in(client, world.member, NEW_PASSWORD)

    assert (await client.get(link)).status_code == 404
    again = await post_form(client, link, {"password": "yet-another-secret", "password_again": "yet-another-secret"})
    assert again.status_code == 404


async def test_mismatched_passwords_re_render_and_keep_the_link(client, world: World) -> None:
    link = await _reset_link(english(client), world)
    response = await post_form(client, link, {"password": NEW_PASSWORD, "password_again": "something-else-2"},
                               token_from=link)
    assert response.status_code == 422
    assert field_error(response, "password_again") == text("The two passwords are different.")
    weak = await post_form(client, link, {"password": "short", "password_again": "short"}, token_from=link)
    assert weak.status_code == 422
    assert field_error(weak, "password") == text("Use at least %(n)s characters.", n=10)
    assert await EmailToken.filter(used_at=None).count() == 1
    ok = await post_form(client, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
                         token_from=link)
    assert ok.status_code == 303


async def test_reset_link_expires(client, world: World) -> None:
    link = await _reset_link(client, world)
    await EmailToken.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert (await client.get(link)).status_code == 404
    response = await post_form(client, link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 404


async def test_a_verification_link_is_not_a_reset_link(client, world: World) -> None:
    await post_form(client, "/signup", {"name": "Anna", "email": "anna@example.org",
                                        "password": "a-long-pass-phrase"}, token_from="/signup")
    [message] = await sent("verify_email")
    client.cookies.delete(COOKIE)
    assert (await client.get(f"/account/reset/{link_token(message)}")).status_code == 404
