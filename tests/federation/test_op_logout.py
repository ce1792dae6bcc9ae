"""RP-initiated logout (OIDF rp-initiated logout plan, OP side) and oidcc-id-token-hint."""

from __future__ import annotations

import re

from conftest import sign_in

from federa.accounts.models import WebSession
from tests.federation.op_flow import AFTER_LOGOUT, fresh_keys, query_of, register, tokens_for

__all__ = ["fresh_keys"]
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


async def _confirm(client, page):  # type: ignore[no-untyped-def]
    assert page.status_code == 200 and 'action="/oauth/logout/confirm"' in page.text, page.text[:300]
    form = page.text.split('action="/oauth/logout/confirm"', 1)[1].split("</form>", 1)[0]
    return await client.post("/oauth/logout/confirm", data=dict(_HIDDEN.findall(form)))


async def test_logout_with_id_token_hint_goes_back_to_the_client(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    id_token = (await tokens_for(client, app))["id_token"]
    page = await client.get("/oauth/logout", params={"id_token_hint": id_token, "state": "s1",
                                                      "post_logout_redirect_uri": AFTER_LOGOUT})
    answer = query_of(await _confirm(client, page))
    assert answer == {"state": "s1"} and not await WebSession.exists()
    assert (await client.get("/me")).status_code == 303


async def test_id_token_hint_with_prompt_none_after_logout(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    await tokens_for(client, app)
    await _confirm(client, await client.get("/oauth/logout"))
    from tests.federation.op_flow import Pkce, auth_params

    answer = query_of(await client.get("/oauth/authorize", params=auth_params(app, Pkce(), prompt="none")))
    assert answer["error"] == "login_required"


async def test_unregistered_post_logout_uri_is_refused_without_redirect(client, world):
    app = await register(world.alpha)
    await sign_in(client, world.member)
    id_token = (await tokens_for(client, app))["id_token"]
    for params in ({"id_token_hint": id_token, "post_logout_redirect_uri": "https://evil.example.org/"},
                   {"post_logout_redirect_uri": AFTER_LOGOUT},  # no client named: not trusted
                   {"id_token_hint": id_token[:-4] + "AAAA", "post_logout_redirect_uri": AFTER_LOGOUT},
                   {"client_id": "fc_unknown", "post_logout_redirect_uri": AFTER_LOGOUT}):
        response = await client.get("/oauth/logout", params=params)
        assert response.status_code == 400 and "location" not in response.headers
    assert await WebSession.exists()


async def test_logout_needs_confirmation_and_csrf(client, world):
    await sign_in(client, world.member)
    response = await client.post("/oauth/logout", headers={"Origin": "https://evil.example.org"})
    assert response.status_code == 200 and await WebSession.exists()
    forged = await client.post("/oauth/logout/confirm", data={}, headers={"Origin": "https://evil.example.org"})
    assert forged.status_code == 403 and await WebSession.exists()


async def test_logout_of_a_signed_out_browser(client, world):
    app = await register(world.alpha)
    response = await client.get("/oauth/logout", params={"client_id": app.client_id, "state": "z",
                                                          "post_logout_redirect_uri": AFTER_LOGOUT})
    assert query_of(response) == {"state": "z"}
    assert (await client.get("/oauth/logout")).status_code == 200
