"""Profile: name and language, password change, personal access tokens (web, API and CLI)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from accounts_helpers import NEW_PASSWORD, field_error, text
from conftest import PASSWORD, World, database_url, post_form, sign_in

from federa.accounts.models import ApiToken, Person, WebSession
from federa.web.security import hash_token

_TOKEN = re.compile(r'<code class="token">([^<]+)</code>')
ROOT = Path(__file__).resolve().parents[2]


async def test_name_and_language_change_and_the_page_follows(client, world: World) -> None:
    await sign_in(client, world.member)
    page = await client.get("/me")
    assert '<html lang="it">' in page.text
    assert page.headers["content-language"] == "it"
    response = await post_form(client, "/me", {"name": "Nuovo Nome", "locale": "en"}, token_from="/me")
    assert response.status_code == 303
    person = await Person.get(id=world.member.id)
    assert (person.name, person.locale) == ("Nuovo Nome", "en")
    english_page = await client.get("/me")
    assert '<html lang="en">' in english_page.text
    assert english_page.headers["content-language"] == "en"
    assert "Nuovo Nome" in english_page.text
    italian = text("My profile", "it")
    if italian != "My profile":  # once the Italian catalog translates it
        assert italian in page.text
        assert italian not in english_page.text
    assert "My profile" in english_page.text


async def test_profile_fields_are_validated(client, world: World) -> None:
    await sign_in(client, world.member)
    response = await post_form(client, "/me", {"name": "", "locale": "de"}, token_from="/me")
    assert response.status_code == 422
    assert field_error(response, "name") == text("This field is required.", "it")
    assert field_error(response, "locale") == text("Choose one of the options.", "it")
    assert field_error(response, "token_name") is None  # only the form that was sent shows messages
    assert (await Person.get(id=world.member.id)).name == world.member.name


async def test_language_switcher_for_anonymous_visitors(client) -> None:
    response = await post_form(client, "/language", {"locale": "en", "next": "/signup"})
    assert response.status_code == 303
    assert response.headers["location"] == "/signup"
    page = await client.get("/signup")
    assert '<html lang="en">' in page.text
    assert page.headers["content-language"] == "en"


async def test_password_change_needs_the_current_password(client, world: World, new_client) -> None:
    other = new_client()
    await sign_in(other, world.member)
    await sign_in(client, world.member)
    wrong = await post_form(client, "/me/password", {"current_password": "not-it-at-all",
                                                     "new_password": NEW_PASSWORD}, token_from="/me")
    assert wrong.status_code == 422
    assert field_error(wrong, "current_password") == text("The current password is not right.", "it")
    weak = await post_form(client, "/me/password", {"current_password": PASSWORD, "new_password": "short"},
                           token_from="/me")
    assert weak.status_code == 422
    assert field_error(weak, "new_password")
    assert await WebSession.filter(person_id=world.member.id).count() == 2

    ok = await post_form(client, "/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                         token_from="/me")
    assert ok.status_code == 303
    assert (await client.get("/me")).status_code == 200  # this browser stays signed in
    assert (await other.get("/me", follow_redirects=False)).status_code == 303  # the others do not
    await sign_in(other, world.member, NEW_PASSWORD)


async def test_api_token_shown_once_works_and_can_be_revoked(client, world: World) -> None:
    await sign_in(client, world.member)
    created = await post_form(client, "/me/tokens", {"token_name": "my script"}, token_from="/me")
    assert created.status_code == 200
    [token] = _TOKEN.findall(created.text)
    row = await ApiToken.get(person_id=world.member.id)
    assert row.name == "my script"
    assert row.token_hash != token
    assert row.token_hash == hash_token(token)
    assert token.startswith(row.prefix)
    later = await client.get("/me")
    assert token not in later.text and row.prefix in later.text

    auth = {"Authorization": f"Bearer {token}"}
    me = await client.get("/api/v1/me", headers=auth)
    assert me.status_code == 200
    assert me.json()["email"] == world.member.email
    await row.refresh_from_db()
    assert row.last_used_at is not None

    revoked = await post_form(client, f"/me/tokens/{row.id}/revoke", token_from="/me")
    assert revoked.status_code == 303
    after = await client.get("/api/v1/me", headers=auth)
    assert after.status_code == 401
    assert after.headers["www-authenticate"] == "Bearer"


async def test_token_name_is_required(client, world: World) -> None:
    await sign_in(client, world.member)
    response = await post_form(client, "/me/tokens", {"token_name": ""}, token_from="/me")
    assert response.status_code == 422
    assert field_error(response, "token_name") == text("This field is required.", "it")
    assert field_error(response, "name") is None
    assert await ApiToken.all().count() == 0


async def test_someone_else_cannot_revoke_my_token(client, world: World) -> None:
    from federa.accounts.services import create_api_token

    row, token = await create_api_token(world.coordinator, "theirs")
    await sign_in(client, world.member)
    response = await post_form(client, f"/me/tokens/{row.id}/revoke", token_from="/me")
    assert response.status_code == 404
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200


async def test_api_needs_a_bearer_token_not_a_cookie(client, world: World) -> None:
    anonymous = await client.get("/api/v1/me")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/json")
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert set(anonymous.json()) == {"detail", "errors"}
    await sign_in(client, world.member)
    assert (await client.get("/api/v1/me")).status_code == 401  # the session cookie is not enough
    bogus = await client.get("/api/v1/me", headers={"Authorization": "Bearer fed_nonsense"})
    assert bogus.status_code == 401


async def test_cli_creates_a_working_token(client, world: World, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDERA_")}
    env.update(FEDERA_DATABASE_URL=database_url(), FEDERA_VAR_DIR=str(tmp_path))
    federa = Path(sys.executable).with_name("federa")
    done = subprocess.run([str(federa), "tokens", "create", "--email", "MEMBER@example.org", "--name", "cli"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    assert token.startswith("fed_")
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["email"] == world.member.email
    assert (await ApiToken.get(person_id=world.member.id)).name == "cli"

    missing = subprocess.run([str(federa), "tokens", "create", "--email", "nobody@example.org", "--name", "x"],
                             env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert missing.returncode == 2
    assert await ApiToken.all().count() == 1
