"""Sign-up: the account, its e-mail lower-cased, field messages, and the single-use verification link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accounts_helpers import english, field_error, link_token, sent, text
from conftest import make_person, post_form

from federa.accounts.models import EmailToken, Person
from federa.audit.models import AuditEntry
from federa.notifications.models import OutboxMessage
from federa.web.security import hash_token

GOOD = {"name": "Anna Rossi", "email": "Anna.Rossi@Example.ORG", "password": "a-long-pass-phrase",
        "locale": "en"}


async def _sign_up(client, **changes):  # type: ignore[no-untyped-def]
    return await post_form(english(client), "/signup", {**GOOD, **changes}, token_from="/signup")


async def test_sign_up_creates_a_lower_cased_account_and_signs_in(client) -> None:
    response = await _sign_up(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    person = await Person.get(email="anna.rossi@example.org")
    assert (person.name, person.locale, person.email_verified_at) == ("Anna Rossi", "en", None)
    assert person.password_hash and person.password_hash.startswith("$argon2id$")
    assert await AuditEntry.filter(action="person.signed_up", actor_id=person.id).count() == 1
    profile = await client.get("/me")
    assert profile.status_code == 200
    assert "anna.rossi@example.org" in profile.text


async def test_sign_up_keeps_a_safe_next(client) -> None:
    page = await client.get("/signup?next=/invitations/abc")
    assert 'action="/signup?next=/invitations/abc"' in page.text
    response = await post_form(english(client), "/signup?next=/invitations/abc", GOOD, token_from="/signup")
    assert response.headers["location"] == "/invitations/abc"


async def test_duplicate_email_in_any_case_is_refused_and_nothing_is_written(client) -> None:
    await make_person("anna.rossi@example.org", name="Prima")
    response = await _sign_up(client, email="ANNA.ROSSI@example.org")
    assert response.status_code == 422
    assert field_error(response, "email") == text("An account with this e-mail already exists.")
    assert 'value="Anna Rossi"' in response.text  # the form keeps what was typed...
    assert GOOD["password"] not in response.text  # ...but never the password
    assert await Person.all().count() == 1
    assert await OutboxMessage.all().count() == 0
    assert await EmailToken.all().count() == 0
    assert await AuditEntry.all().count() == 0


async def test_weak_passwords_get_a_field_message(client) -> None:
    for password, message in [("short", text("Use at least %(n)s characters.", n=10)),
                              ("password123", text("This password is too easy to guess; choose another.")),
                              ("aaaaaaaaaaaaaa", text("This password is too easy to guess; choose another."))]:
        response = await _sign_up(client, password=password)
        assert response.status_code == 422, password
        assert field_error(response, "password") == message, password
    assert await Person.all().count() == 0


async def test_missing_and_bad_fields_each_get_a_message(client) -> None:
    response = await _sign_up(client, name="", email="not-an-email", locale="fr")
    assert response.status_code == 422
    assert field_error(response, "name") == text("This field is required.")
    assert field_error(response, "email")
    assert field_error(response, "locale") == text("Choose one of the options.")


async def test_verification_link_is_written_to_the_outbox_and_works_once(client) -> None:
    await _sign_up(client)
    person = await Person.get(email="anna.rossi@example.org")
    [message] = await sent("verify_email")
    assert message.recipient == person.email
    assert message.locale == "en"
    token = link_token(message)
    assert message.context["path"] == f"/account/verify/{token}"
    # Only the hash of the token is stored.
    assert not await EmailToken.filter(token_hash=token).exists()
    assert await EmailToken.filter(token_hash=hash_token(token), used_at=None).exists()

    response = await client.get(f"/account/verify/{token}")
    assert response.status_code == 303
    assert response.headers["location"] == "/me"
    await person.refresh_from_db()
    assert person.email_verified_at is not None

    again = await client.get(f"/account/verify/{token}")
    assert again.status_code == 404


async def test_verification_link_expires(client) -> None:
    await _sign_up(client)
    [message] = await sent("verify_email")
    await EmailToken.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    response = await client.get(f"/account/verify/{link_token(message)}")
    assert response.status_code == 404
    person = await Person.get(email="anna.rossi@example.org")
    assert person.email_verified_at is None


async def test_unknown_verification_token_is_404(client) -> None:
    assert (await client.get("/account/verify/nonsense")).status_code == 404


async def test_resend_verification_writes_a_new_link(client) -> None:
    await _sign_up(client)
    response = await post_form(client, "/account/verify", token_from="/me")
    assert response.status_code == 303
    assert len(await sent("verify_email")) == 2
