"""Connected apps: registration by network admins and the platform admin, the secret shown once, rotation,
removal, consents on the profile, the CLI, and signing-key rotation."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import ROOT, database_url, post_form, sign_in
from joserfc import jwt
from joserfc.jwk import KeySet

from federa.audit.models import AuditEntry
from federa.federation import op_keys
from federa.federation.op_models import Consent, OAuthClient, OAuthToken, SigningKey
from federa.web.security import hash_token
from tests.federation.op_flow import App, Pkce, code_for, exchange, fresh_keys, register, tokens_for

__all__ = ["fresh_keys"]
APPS = "/n/rete-alfa/manage/apps"
_SECRET = re.compile(r'id="client-secret">([^<]+)<')
NEW = {"name": "Moodle della rete", "redirect_uris": "https://moodle.example.org/auth/oidc/\n",
       "post_logout_redirect_uris": "", "scopes": ["profile", "networks"]}


async def test_network_admin_registers_an_app_and_sees_the_secret_once(client, world):
    await sign_in(client, world.network_admin)
    response = await post_form(client, APPS, NEW, token_from=APPS)
    assert response.status_code == 200, response.text
    secret = _SECRET.search(response.text)
    assert secret
    row = await OAuthClient.get(network_id=world.alpha.id)
    assert row.secret_hash == hash_token(secret.group(1)) and row.scopes == "openid profile networks"
    assert row.redirect_uris == ["https://moodle.example.org/auth/oidc/"]
    assert await AuditEntry.filter(action="oidc_client.created").exists()
    listing = await client.get(APPS)
    assert "Moodle della rete" in listing.text and secret.group(1) not in listing.text


async def test_registration_validates_and_changes_nothing(client, world):
    await sign_in(client, world.network_admin)
    for bad in ({**NEW, "name": ""}, {**NEW, "redirect_uris": ""},
                {**NEW, "redirect_uris": "http://moodle.example.org/cb"},
                {**NEW, "redirect_uris": "https://moodle.example.org/cb#frag"},
                {**NEW, "redirect_uris": "javascript:alert(1)"}, {**NEW, "scopes": ["admin"]}):
        response = await post_form(client, APPS, bad, token_from=APPS)
        assert response.status_code == 422, bad
        assert 'class="field-error"' in response.text
    assert not await OAuthClient.exists()


async def test_rotate_secret_and_delete(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.network_admin)
    response = await post_form(client, f"{APPS}/{app.pk}/rotate", token_from=APPS)
    new_secret = _SECRET.search(response.text)
    assert new_secret and new_secret.group(1) != app.secret
    await sign_in(client, world.member)
    pkce = Pkce()
    code, _p = await code_for(client, app, pkce)
    assert (await exchange(client, app, code, pkce)).json()["error"] == "invalid_client"
    rotated = App(app.client_id, new_secret.group(1), app.pk)
    assert (await exchange(client, rotated, code, pkce)).status_code == 200
    await sign_in(client, world.network_admin)
    assert (await post_form(client, f"{APPS}/{app.pk}/delete", token_from=APPS)).status_code == 303
    assert not await OAuthClient.exists() and not await OAuthToken.exists()


async def test_other_networks_apps_are_not_found(client, world):
    beta_app = await register(world.beta)
    await sign_in(client, world.network_admin)
    for action in ("rotate", "delete"):
        assert (await post_form(client, f"{APPS}/{beta_app.pk}/{action}", token_from=APPS)).status_code == 404
    assert await OAuthClient.filter(id=beta_app.pk).exists()
    platform_app = await register(None)
    assert (await post_form(client, f"{APPS}/{platform_app.pk}/rotate", token_from=APPS)).status_code == 404


async def test_only_admins_manage_apps(client, world):
    assert (await client.get(APPS)).status_code == 303
    for person in (world.coordinator, world.member, world.outsider):
        await sign_in(client, person)
        assert (await client.get(APPS)).status_code == 403
        assert (await client.get("/admin/apps")).status_code == 403


async def test_platform_admin_registers_platform_apps(client, world):
    await sign_in(client, world.platform_admin)
    response = await post_form(client, "/admin/apps", NEW, token_from="/admin/apps")
    assert response.status_code == 200 and _SECRET.search(response.text)
    assert (await OAuthClient.get()).network_id is None
    assert "Moodle della rete" not in (await client.get(APPS)).text


async def test_person_withdraws_consent(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    tokens = await tokens_for(client, app)
    page = await client.get("/me/apps")
    assert "Piattaforma formazione" in page.text
    consent = await Consent.get()
    assert (await post_form(client, f"/me/apps/{consent.id}/revoke", token_from="/me/apps")).status_code == 303
    assert not await Consent.exists()
    userinfo = await client.get("/oauth/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert userinfo.status_code == 401
    await sign_in(client, world.outsider)
    assert (await post_form(client, f"/me/apps/{consent.id}/revoke", token_from="/me/apps")).status_code == 404


async def test_key_rotation_keeps_old_tokens_verifiable(client, world, settings):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    old = (await tokens_for(client, app))["id_token"]
    await op_keys.rotate(settings.secret_key)
    new = (await tokens_for(client, app))["id_token"]
    keys = KeySet.import_key_set((await client.get("/oauth/jwks")).json())
    old_token, new_token = jwt.decode(old, keys, algorithms=["RS256"]), jwt.decode(new, keys, algorithms=["RS256"])
    assert old_token.header["kid"] != new_token.header["kid"]
    assert await SigningKey.filter(retired_at=None).count() == 1
    row = await SigningKey.get(kid=new_token.header["kid"])
    assert "d" not in row.public_jwk and '"d"' not in row.private_jwk and len(row.private_jwk) > 1000


def _federa(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEDERA_")}
    env |= {"FEDERA_DATABASE_URL": database_url(), "FEDERA_SECRET_KEY": "s" * 40,
            "PYTHONPATH": f"{ROOT / 'platform'}:{ROOT}"}
    return subprocess.run([sys.executable, "-m", "federa.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)


async def test_cli_creates_clients_and_rotates_keys(world):
    done = _federa("oidc-clients", "create", "--network", "rete-alfa", "--name", "Nextcloud",
                   "--redirect-uri", "https://files.example.org/apps/oidc/redirect")
    assert done.returncode == 0, done.stderr
    values = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    row = await OAuthClient.get(client_id=values["client_id"])
    assert row.network_id == world.alpha.id and row.secret_hash == hash_token(values["client_secret"])
    refused = _federa("oidc-clients", "create", "--network", "rete-alfa", "--name", "X", "--redirect-uri", "ftp://x")
    assert refused.returncode == 2 and await OAuthClient.all().count() == 1
    assert _federa("keys", "rotate").returncode == 0 and _federa("keys", "rotate").returncode == 0
    assert await SigningKey.all().count() == 2 and await SigningKey.filter(retired_at=None).count() == 1


async def test_list_pages_query_counts_do_not_grow(client, world):
    from tests.networks.querycount import count_queries

    await sign_in(client, world.network_admin)
    counts = []
    for _ in range(2):
        app = await register(world.alpha)
        await register(world.alpha, name="Altra")
        await sign_in(client, world.network_admin)
        await tokens_for(client, app)
        await client.get(APPS)  # the network is cached by the tenancy middleware after this
        with count_queries() as statements:
            assert (await client.get(APPS)).status_code == 200
        with count_queries() as mine:
            assert (await client.get("/me/apps")).status_code == 200
        counts.append((len(statements), len(mine)))
    assert counts[0] == counts[1] and counts[0][0] <= 6 and counts[0][1] <= 4, counts
